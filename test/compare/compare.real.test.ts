import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { podNetns, UNDERLAY_NETNS } from '../../src/controllers/names.js';
import { createLab, execIn, labAvailable, listLabNetns, newLabPrefix, run, startCapture, teardownLab } from '../../src/lab/index.js';
import { underlayPortName } from '../../src/topology/underlay.js';
import { calicoRuns, compare, only, runOf } from './helpers.js';

/**
 * The real kernel judges what `podnet compare` derives: each variant's World is built in real
 * network namespaces, pod-a pings pod-b, and the wire and the destination are measured. The
 * overhead is the echo request's frame on the underlay minus the plain 98-byte frame; the TTL is
 * what pod-b's eth0 receives; the path MTU is the largest DF ping that gets an answer.
 */
const TWO_NODE = 'topologies/two-node-flannel.yaml';
const avail = await labAvailable();
const hasTools = (await run({ argv: ['sh', '-c', 'command -v tshark && command -v ping'] }).catch(() => ({ code: 1 }))).code === 0;
const variants = ['flannel', 'flannel/host-gw', ...(calicoRuns(TWO_NODE) ? ['calico', 'calico/ipip', 'calico/vxlan'] : [])];

/** Whether this kernel has the ipip module (containers often lack it: "Unknown device type"). */
async function ipipSupported(): Promise<boolean> {
  if (!avail.ok) return false;
  const ns = `${newLabPrefix()}ipip`;
  try {
    if ((await run({ argv: ['ip', 'netns', 'add', ns] })).code !== 0) return false;
    return (await run({ argv: ['ip', '-n', ns, 'link', 'add', 'name', 'tunl0', 'type', 'ipip'] })).code === 0;
  } finally {
    await run({ argv: ['ip', 'netns', 'del', ns] });
  }
}
const hasIpip = await ipipSupported();
const prefixes: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'podnet-compare-'));

afterAll(async () => {
  for (const p of prefixes) {
    await teardownLab(p);
    expect(await listLabNetns(p)).toEqual([]);
  }
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

async function fields(file: string, filter: string, names: readonly string[]): Promise<string[][]> {
  const r = await run({ argv: ['tshark', '-n', '-r', file, '-d', 'udp.port==8472,vxlan', '-Y', filter, '-T', 'fields', ...names.flatMap((f) => ['-e', f])] });
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t'));
}

describe.skipIf(!avail.ok || !hasTools)(`podnet compare agrees with the real kernel (${avail.ok ? 'needs tshark and ping' : avail.reason})`, () => {
  const cols = compare(TWO_NODE, variants.join(','));
  for (const col of cols) {
    const tunnelsIpip = col.config.kind === 'calico' && col.config.mode === 'ipip';
    const why = tunnelsIpip && !hasIpip ? ' (skipped: this kernel has no ipip module)' : '';
    it.skipIf(why !== '')(`${col.name}: overhead, TTL on arrival and path MTU as measured${why}`, async () => {
      const model = only(col);
      const prefix = newLabPrefix();
      prefixes.push(prefix);
      const lab = await createLab(runOf(col).system.world, { prefix });
      if (!lab.ok) throw new Error(`lab: ${JSON.stringify(lab.error)}`);
      const l = lab.value;
      const podB = runOf(col).run.to.ip;
      const dst = `${podB >>> 24}.${(podB >>> 16) & 255}.${(podB >>> 8) & 255}.${podB & 255}`;
      const wire = join(dir, `${prefix}-wire.pcapng`);
      const atB = join(dir, `${prefix}-podb.pcapng`);
      const capWire = await startCapture(l, UNDERLAY_NETNS, underlayPortName(1, 'node2'), { file: wire, durationSec: 20 });
      const capB = await startCapture(l, podNetns('default', 'pod-b'), 'eth0', { file: atB, durationSec: 20, filter: 'icmp' });
      const pinged = await execIn(l, podNetns('default', 'pod-a'), ['ping', '-n', '-c', '1', '-W', '2', dst]);
      await capWire.stop();
      await capB.stop();
      expect(pinged.code, pinged.stdout + pinged.stderr).toBe(0);

      const [len] = (await fields(wire, `icmp.type == 8 && ip.dst == ${dst}`, ['frame.len']))[0] ?? [];
      expect(Number(len) - 98).toBe(model.overhead);
      const [ttl] = (await fields(atB, 'icmp.type == 8', ['ip.ttl']))[0] ?? [];
      expect(Number(ttl)).toBe(model.ttlOnArrival);

      // The largest unfragmentable ping that fits the path MTU gets through; one byte more does not.
      const mtu = model.pathMtu?.mtu ?? 0;
      const df = (size: number) => execIn(l, podNetns('default', 'pod-a'), ['ping', '-n', '-c', '1', '-W', '2', '-M', 'do', '-s', String(size), dst]);
      const fits = await df(mtu - 28);
      expect(fits.code, fits.stdout + fits.stderr).toBe(0);
      expect((await df(mtu - 27)).code).not.toBe(0);
    }, 90_000);
  }
});

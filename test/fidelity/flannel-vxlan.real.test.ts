import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIpv4 } from '../../src/net/ipv4.js';
import { loadTopology } from '../../src/topology/load.js';
import { buildSystem } from '../../src/topology/build.js';
import type { System } from '../../src/topology/system.js';
import { runTrace } from '../../src/trace/run.js';
import { summarize } from '../../src/trace/summary.js';
import { podNetns, UNDERLAY_NETNS } from '../../src/controllers/names.js';
import { createLab, execIn, labAvailable, listLabNetns, run, startCapture, teardownLab, type Lab } from '../../src/lab/index.js';
import { underlayPortName } from '../../src/topology/underlay.js';

/**
 * Issue #2's judge: build two-node-flannel.yaml in real network namespaces from podnet's own
 * kernel model, ping pod-a -> pod-b for real, capture the underlay, and compare with the trace.
 */
const avail = await labAvailable();
const hasTshark = (await run({ argv: ['sh', '-c', 'command -v tshark && command -v ping'] }).catch(() => ({ code: 1 }))).code === 0;
import { newLabPrefix } from '../../src/lab/index.js';
const prefix = newLabPrefix();

let system: System;
let lab: Lab | null = null;
const dir = mkdtempSync(join(tmpdir(), 'podnet-fidelity-'));

beforeAll(async () => {
  const c = await loadTopology('topologies/two-node-flannel.yaml');
  if (!c.ok) throw new Error(c.error.message);
  const s = buildSystem(c.value);
  if (!s.ok) throw new Error(s.error);
  system = s.value;
  if (!avail.ok || !hasTshark) return;
  const l = await createLab(system.world, { prefix });
  if (!l.ok) throw new Error(`lab: ${JSON.stringify(l.error)}`);
  lab = l.value;
}, 60_000);

afterAll(async () => {
  if (avail.ok) await teardownLab(prefix);
  if (avail.ok) expect(await listLabNetns(prefix)).toEqual([]);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function tsharkFields(file: string, fields: string[], filter: string): Promise<string[][]> {
  const r = await run({ argv: ['tshark', '-n', '-r', file, '-d', 'udp.port==8472,vxlan', '-Y', filter, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|', ...fields.flatMap((f) => ['-e', f])] });
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t'));
}

describe.skipIf(!avail.ok || !hasTshark)(`flannel vxlan: podnet agrees with the real kernel (${avail.reason || 'needs tshark and ping'})`, () => {
  it('cross-node ping: outer headers, VNI, inner MACs, +50 bytes, TTL 62, no NAT', async () => {
    const l = lab!;
    const wire = join(dir, 'underlay.pcapng');
    // ARP request + reply, VXLAN echo request + reply: let tshark stop by itself after 4 frames
    // (SIGINT can lose frames still buffered in dumpcap).
    const cap = await startCapture(l, UNDERLAY_NETNS, underlayPortName(1, 'node2'), { file: wire, filter: 'udp port 8472 or arp', count: 4, durationSec: 10 });
    const pinged = await execIn(l, podNetns('default', 'pod-a'), ['ping', '-n', '-c', '1', '-W', '2', '10.244.2.2']);
    await cap.done;
    const real = /ttl=(\d+)/.exec(pinged.stdout);
    expect(real, pinged.stdout + pinged.stderr).not.toBeNull();

    const run1 = runTrace(system, { from: { kind: 'pod', namespace: 'default', name: 'pod-a' }, to: { kind: 'pod', namespace: 'default', name: 'pod-b' }, kind: { proto: 'icmp', size: 56 } });
    if (!run1.ok) throw new Error(run1.error);
    const request = run1.value.outcomes[0]!.request;
    const model = summarize(request, (x) => x);
    const reply = summarize(run1.value.outcomes[0]!.reply!, (x) => x);
    // ping prints the TTL of the echo reply, which crossed the same two routed hops back.
    expect(Number(real![1])).toBe(reply.ttlOnArrival);
    expect(model.ttlOnArrival).toBe(62);

    const rows = await tsharkFields(wire, ['ip.src', 'ip.dst', 'udp.dstport', 'vxlan.vni', 'eth.src', 'eth.dst', 'frame.len', 'ip.ttl', 'ip.flags.df'], 'vxlan && icmp.type == 8');
    expect(rows.length, (await run({ argv: ['tshark', '-n', '-r', wire, '-d', 'udp.port==8472,vxlan'] })).stdout).toBe(1);
    const [ipSrc = '', ipDst = '', dport, vni, ethSrc = '', ethDst = '', len, ttl = '', df = ''] = rows[0]!;
    const e = model.encapsulations[0]!;
    expect(ipSrc.split('|')).toEqual([formatIpv4(e.outerSrc), '10.244.1.2']);
    expect(ipDst.split('|')).toEqual([formatIpv4(e.outerDst), '10.244.2.2']);
    expect(Number(dport)).toBe(e.udpDstPort);
    expect(Number(vni)).toBe(e.vni);
    expect(ethSrc.split('|')[1]).toBe(e.innerSrcMac);
    expect(ethDst.split('|')[1]).toBe(e.innerDstMac);
    expect(Number(len)).toBe(model.largestFrame);
    expect(ttl.split('|').map(Number)).toEqual([e.outerTtl, 63]);
    expect(df.split('|').map((x) => (x === 'True' || x === '1' ? 1 : 0))[0]).toBe(e.outerDf ? 1 : 0);
    // The kernel ARPs for the remote VTEP's node before the first VXLAN frame, as the model does.
    const arps = await tsharkFields(wire, ['arp.dst.proto_ipv4'], 'arp.opcode == 1');
    expect(arps.map((r) => r[0])).toContain('192.168.1.102');
  });

  it('DF pings: 1450 bytes pass, 1451 fail locally with mtu 1450, as in the model', async () => {
    const l = lab!;
    const ok = await execIn(l, podNetns('default', 'pod-a'), ['ping', '-n', '-c', '1', '-W', '2', '-M', 'do', '-s', String(1450 - 28), '10.244.2.2']);
    const tooBig = await execIn(l, podNetns('default', 'pod-a'), ['ping', '-n', '-c', '1', '-W', '2', '-M', 'do', '-s', String(1451 - 28), '10.244.2.2']);
    expect(ok.stdout).toMatch(/1 received/);
    expect(tooBig.stdout + tooBig.stderr).toMatch(/mtu=1450|message too long/i);
    const trace = (size: number) => runTrace(system, { from: { kind: 'pod', namespace: 'default', name: 'pod-a' }, to: { kind: 'pod', namespace: 'default', name: 'pod-b' }, kind: { proto: 'icmp', size } });
    const a = trace(1450 - 28);
    const b = trace(1451 - 28);
    if (!a.ok || !b.ok) throw new Error('trace failed');
    expect(a.value.outcomes[0]!.verdict.kind).toBe('ok');
    expect(b.value.outcomes[0]!.request.disposition).toMatchObject({ kind: 'MTU_EXCEEDED', mtu: 1450 });
  });

  it('same-node ping is bridged: TTL 64 in both worlds', async () => {
    const l = lab!;
    const r = await execIn(l, podNetns('default', 'pod-a'), ['ping', '-n', '-c', '1', '-W', '2', '10.244.1.3']);
    expect(/ttl=(\d+)/.exec(r.stdout)?.[1]).toBe('64');
    const t = runTrace(system, { from: { kind: 'pod', namespace: 'default', name: 'pod-a' }, to: { kind: 'pod', namespace: 'default', name: 'pod-c' }, kind: { proto: 'icmp', size: 56 } });
    if (!t.ok) throw new Error(t.error);
    expect(summarize(t.value.outcomes[0]!.request, (x) => x).ttlOnArrival).toBe(64);
  });
});

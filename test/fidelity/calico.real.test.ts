import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { podNetns, nodeNetns, UNDERLAY_NETNS } from '../../src/controllers/names.js';
import { compareLabState, createLab, execIn, labAvailable, newLabPrefix, run, startCapture, teardownLab, waitSettled, type Lab } from '../../src/lab/index.js';
import { probeKernelFeatures } from '../../src/lab/kernel-support.js';
import { underlayPortName } from '../../src/topology/underlay.js';
import type { System } from '../../src/topology/system.js';
import { runTrace } from '../../src/trace/run.js';
import { summarize } from '../../src/trace/summary.js';
import { calicoSystem } from '../controllers/cni/calico/fixture.js';

/**
 * The real kernel judges podnet's Calico dataplane: build the model's namespaces, links, routes
 * (BIRD's and Felix's, materialized as they are: no BIRD runs), neighbours and iptables with
 * src/lab, then ping between pods and capture the underlay.
 */
const avail = await labAvailable();
const tools = (await run({ argv: ['sh', '-c', 'command -v tshark && command -v ping'] }).catch(() => ({ code: 1 }))).code === 0;
const features = avail.ok ? await probeKernelFeatures() : null;
const dir = mkdtempSync(join(tmpdir(), 'podnet-calico-'));
const prefixes: string[] = [];

afterAll(async () => {
  for (const p of prefixes) await teardownLab(p);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function build(system: System): Promise<Lab> {
  const prefix = newLabPrefix();
  prefixes.push(prefix);
  const l = await createLab(system.world, { prefix });
  if (!l.ok) throw new Error(`lab: ${JSON.stringify(l.error)}`);
  await waitSettled(l.value);
  return l.value;
}

async function pingTtl(lab: Lab, from: string, to: string): Promise<number> {
  const r = await execIn(lab, podNetns('default', from), ['ping', '-n', '-c', '1', '-W', '2', to]);
  const m = /ttl=(\d+)/.exec(r.stdout);
  if (!m) throw new Error(`ping ${from} -> ${to}: ${r.stdout}${r.stderr}`);
  return Number(m[1]);
}

async function tsharkFields(file: string, fields: string[], filter: string): Promise<string[][]> {
  const r = await run({ argv: ['tshark', '-n', '-r', file, '-Y', filter, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|', ...fields.flatMap((f) => ['-e', f])] });
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t'));
}

const traceOf = (s: System, from: string, to: string) => {
  const t = runTrace(s, { from: { kind: 'pod', namespace: 'default', name: from }, to: { kind: 'pod', namespace: 'default', name: to }, kind: { proto: 'icmp', size: 56 } });
  if (!t.ok) throw new Error(t.error);
  return t.value.outcomes[0]!;
};

describe.skipIf(!avail.ok || !tools)(`Calico BGP mode on the real kernel (${avail.reason || 'needs tshark and ping'})`, () => {
  const system = calicoSystem('{mode: bgp}', { oneSubnet: true });
  let lab: Lab;

  it('the kernel takes every route, link, neighbour and rule as podnet prints them (proto bird, blackhole, cali*)', async () => {
    lab = await build(system);
    for (const id of [nodeNetns('node1'), nodeNetns('node2'), podNetns('default', 'pod-a')]) {
      const diffs = await compareLabState(lab, id);
      expect(diffs.map((d) => `${id} ${d.section}\n--- model\n${d.model}--- real\n${d.real}`)).toEqual([]);
    }
    const routes = await run({ argv: ['ip', '-n', lab.netnsName(nodeNetns('node1')), 'route'] });
    expect(routes.stdout).toContain('blackhole 10.244.29.0/26 proto bird');
    expect(routes.stdout).toContain('10.244.75.64/26 via 192.168.1.102 dev eth0 proto bird');
  }, 120_000);

  it('proxy ARP answers 169.254.1.1 with ee:ee:ee:ee:ee:ee; TTL 62 cross-node and 63 same-node, as traced', async () => {
    expect(await pingTtl(lab, 'pod-a', '10.244.75.64')).toBe(summarize(traceOf(system, 'pod-a', 'pod-b').reply!, (x) => x).ttlOnArrival);
    const neigh = await execIn(lab, podNetns('default', 'pod-a'), ['ip', 'neigh', 'show', '169.254.1.1']);
    expect(neigh.stdout).toMatch(/169\.254\.1\.1 dev eth0 lladdr ee:ee:ee:ee:ee:ee/);
    expect(summarize(traceOf(system, 'pod-a', 'pod-b').request, (x) => x).ttlOnArrival).toBe(62);
    expect(await pingTtl(lab, 'pod-a', '10.244.29.1')).toBe(63);
    expect(summarize(traceOf(system, 'pod-a', 'pod-e').request, (x) => x).ttlOnArrival).toBe(63);
  }, 60_000);

  it('the underlay carries the pod IPs themselves, TTL 63, no encapsulation', async () => {
    const wire = join(dir, 'bgp.pcapng');
    const cap = await startCapture(lab, UNDERLAY_NETNS, underlayPortName(1, 'node2'), { file: wire, filter: 'icmp', count: 2, durationSec: 10 });
    await pingTtl(lab, 'pod-a', '10.244.75.64');
    await cap.done;
    const rows = await tsharkFields(wire, ['ip.src', 'ip.dst', 'ip.ttl', 'ip.proto'], 'icmp.type == 8');
    expect(rows).toEqual([['10.244.29.0', '10.244.75.64', '63', '1']]);
  }, 60_000);
});

describe.skipIf(!avail.ok || !tools)(`Calico VXLAN mode on the real kernel (${avail.reason || 'needs tshark and ping'})`, () => {
  const system = calicoSystem('{mode: vxlan}', { oneSubnet: true });

  it('outer UDP 4789, VNI 4096, outer TTL 64, vxlan.calico MACs, +50 bytes, TTL 62: the same as the trace', async () => {
    if (!features?.vxlan) return expect.fail('this kernel cannot create vxlan links');
    const lab = await build(system);
    const diffs = await compareLabState(lab, nodeNetns('node1'));
    expect(diffs.map((d) => `${d.section}\n--- model\n${d.model}--- real\n${d.real}`)).toEqual([]);
    const wire = join(dir, 'vxlan.pcapng');
    const cap = await startCapture(lab, UNDERLAY_NETNS, underlayPortName(1, 'node2'), { file: wire, filter: 'udp port 4789', count: 2, durationSec: 10 });
    expect(await pingTtl(lab, 'pod-a', '10.244.75.65')).toBe(62);
    await cap.done;
    const rows = await tsharkFields(wire, ['ip.src', 'ip.dst', 'udp.dstport', 'vxlan.vni', 'ip.ttl', 'eth.src', 'eth.dst', 'frame.len'], 'vxlan && icmp.type == 8');
    expect(rows).toHaveLength(1);
    const [src, dst, dport, vni, ttl, ethSrc, ethDst, len] = rows[0]!;
    const e = summarize(traceOf(system, 'pod-a', 'pod-b').request, (x) => x);
    expect(src).toBe('192.168.1.101|10.244.29.1');
    expect(dst).toBe('192.168.1.102|10.244.75.65');
    expect([Number(dport), Number(vni)]).toEqual([e.encapsulations[0]!.udpDstPort, e.encapsulations[0]!.vni]);
    expect(ttl).toBe(`${e.encapsulations[0]!.outerTtl}|63`);
    expect(ethSrc?.split('|')[1]).toBe('66:f9:37:c3:7e:94');
    expect(ethDst?.split('|')[1]).toBe('66:2d:bf:44:a6:8b');
    expect(Number(len)).toBe(e.largestFrame);
  }, 120_000);
});

describe(`Calico IPIP mode on the real kernel`, () => {
  const reason = !avail.ok ? avail.reason : !features?.ipip ? 'this kernel has no ipip module, so tunl0 cannot be built (kernel-facts.md: IPIP/GRE not available)' : '';
  it.skipIf(reason !== '')(`tunl0 and IPIP routes are accepted by the kernel (${reason || 'ipip available'})`, async () => {
    const system = calicoSystem('{mode: ipip}', { oneSubnet: true });
    const lab = await build(system);
    expect(await pingTtl(lab, 'pod-a', '10.244.75.65')).toBe(62);
  }, 120_000);
});

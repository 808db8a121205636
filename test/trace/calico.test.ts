import { describe, expect, it } from 'vitest';
import { formatIpv4 } from '../../src/net/ipv4.js';
import { IPPROTO_IPIP, type Ipv4Packet } from '../../src/net/packet.js';
import { decodeFrame } from '../../src/net/decode.js';
import { encodeFrame, frameLength } from '../../src/net/encode.js';
import { ipv4Length } from '../../src/net/length.js';
import { cidr } from '../../src/net/cidr.js';
import { getNetns } from '../../src/kernel/netns.js';
import { nodeNetns, podNetns, UNDERLAY_NETNS } from '../../src/controllers/names.js';
import { runTrace, type TraceRequest } from '../../src/trace/run.js';
import { summarize } from '../../src/trace/summary.js';
import type { System } from '../../src/topology/system.js';
import type { Outcome } from '../../src/trace/types.js';
import { calicoSystem } from '../controllers/cni/calico/fixture.js';

const pod = (name: string) => ({ kind: 'pod' as const, namespace: 'default', name });
function trace(s: System, from: string, to: string, kind: TraceRequest['kind'] = { proto: 'icmp', size: 56 }) {
  const r = runTrace(s, { from: pod(from), to: pod(to), kind });
  if (!r.ok) throw new Error(r.error);
  expect(r.value.outcomes).toHaveLength(1);
  return r.value.outcomes[0]!;
}
const ttlAt = (o: Outcome) => summarize(o, (x) => x).ttlOnArrival;
/** Packets on underlay links (eth0 of a node, or the underlay's ports). */
const wire = (o: Outcome) => o.frames.filter((f) => f.netns === UNDERLAY_NETNS || f.dev === 'eth0' && f.netns.startsWith('node:')).map((f) => f.frame);
const ipOf = (f: ReturnType<typeof wire>[number]): Ipv4Packet | null => (f.payload.kind === 'ipv4' ? f.payload.packet : null);

describe('trace: Calico BGP mode', () => {
  const s = calicoSystem('{mode: bgp}', { oneSubnet: true });

  it('pod ARPs 169.254.1.1 and gets ee:ee:ee:ee:ee:ee by proxy ARP from the cali interface', () => {
    const o = trace(s, 'pod-a', 'pod-b').request;
    const arp = o.steps.find((x) => x.stage === 'neigh' && x.summary.includes('169.254.1.1'));
    expect(arp?.summary).toMatch(/is-at ee:ee:ee:ee:ee:ee .*cali5e1c4d6c68c \(proxy ARP\)/);
  });

  it('cross-node is unencapsulated with the pod IPs on the wire, TTL 63 there and 62 at the pod', () => {
    const f = trace(s, 'pod-a', 'pod-b');
    expect(f.verdict.kind).toBe('ok');
    expect(ttlAt(f.request)).toBe(62);
    expect(f.request.steps.some((x) => x.stage === 'encap')).toBe(false);
    const onWire = wire(f.request).map(ipOf).filter((p): p is Ipv4Packet => p !== null);
    expect(onWire.length).toBeGreaterThan(0);
    for (const p of onWire) expect([formatIpv4(p.header.src), formatIpv4(p.header.dst), p.header.ttl]).toEqual(['10.244.29.0', '10.244.75.64', 63]);
  });

  it('same node is routed through the host: TTL 63', () => {
    const f = trace(s, 'pod-a', 'pod-e');
    expect(ttlAt(f.request)).toBe(63);
    expect(f.request.steps.some((x) => x.stage === 'forward' && x.summary.startsWith('forward cali5e1c4d6c68c -> cali643cc6c9c49'))).toBe(true);
  });

  it('proxy ARP needs the node default route: without it the pod cannot resolve its gateway', () => {
    const ns = getNetns(s.world, nodeNetns('node1'));
    const noDefault = { ...ns, routes: ns.routes.filter((r) => r.dst.prefix !== 0) };
    const world = { netns: new Map(s.world.netns).set(ns.id, noDefault) };
    const o = trace({ ...s, world }, 'pod-a', 'pod-b').request;
    expect(o.disposition).toMatchObject({ kind: 'NEIGH_FAILED', netns: podNetns('default', 'pod-a'), dev: 'eth0' });
  });

  it('across subnets BIRD resolved the next hop through the router, which has no pod routes', () => {
    const x = calicoSystem('{mode: bgp}');
    const o = trace(x, 'pod-a', 'pod-c').request;
    expect(o.steps.find((st) => st.netns === nodeNetns('node1') && st.stage === 'routing')?.lines).toEqual(['10.244.230.128/26 via 192.168.1.1 dev eth0 proto bird']);
    expect(o.disposition).toMatchObject({ kind: 'NO_ROUTE', netns: UNDERLAY_NETNS });
  });
});

describe('trace: Calico IPIP mode', () => {
  const s = calicoSystem('{mode: ipip}', { oneSubnet: true });

  it('wraps the packet in IPv4 protocol 4: outer node IPs, outer TTL 63 = inner, DF copied, +20 bytes; TTL 62 at the pod', () => {
    const f = trace(s, 'pod-a', 'pod-b');
    expect(f.verdict.kind).toBe('ok');
    expect(ttlAt(f.request)).toBe(62);
    const outer = wire(f.request).map(ipOf).find((p) => p?.header.protocol === IPPROTO_IPIP);
    expect(outer).toBeDefined();
    const o = outer!;
    if (o.payload.kind !== 'ipip') throw new Error('not ipip');
    const inner = o.payload.packet;
    expect([formatIpv4(o.header.src), formatIpv4(o.header.dst)]).toEqual(['192.168.1.101', '192.168.1.102']);
    expect([formatIpv4(inner.header.src), formatIpv4(inner.header.dst)]).toEqual(['10.244.29.1', '10.244.75.65']);
    expect(o.header.ttl).toBe(63);
    expect(inner.header.ttl).toBe(63);
    expect(o.header.df).toBe(inner.header.df);
    expect(ipv4Length(o) - ipv4Length(inner)).toBe(20);
    expect(f.request.steps.find((x) => x.stage === 'decap')?.summary).toMatch(/^ipip decap on tunl0 \(fallback device: remote any\)/);
  });

  it('encodes and decodes the IPIP frame losslessly (what --pcap writes)', () => {
    const frame = trace(s, 'pod-a', 'pod-b').request.frames.find((x) => ipOf(x.frame)?.header.protocol === IPPROTO_IPIP)!.frame;
    const bytes = encodeFrame(frame);
    expect(bytes.length).toBe(frameLength(frame));
    expect(bytes[14 + 9]).toBe(4);
    expect(bytes[14 + 20]).toBe(0x45);
    const back = decodeFrame(bytes);
    expect(back.ok && back.value).toEqual(frame);
  });

  it('MTU 1480: a DF ping of 1480 bytes passes, 1481 fails in the pod', () => {
    const ok = trace(s, 'pod-a', 'pod-b', { proto: 'icmp', size: 1480 - 28 });
    expect(ok.verdict.kind).toBe('ok');
    const big = trace(s, 'pod-a', 'pod-b', { proto: 'icmp', size: 1481 - 28 });
    expect(big.request.disposition).toMatchObject({ kind: 'MTU_EXCEEDED', mtu: 1480 });
  });

  it('CrossSubnet: same subnet unencapsulated, across the router IPIP', () => {
    const x = calicoSystem('{mode: ipip, crossSubnet: true}');
    const same = trace(x, 'pod-a', 'pod-b').request;
    expect(wire(same).map(ipOf).some((p) => p?.header.protocol === IPPROTO_IPIP)).toBe(false);
    expect(ttlAt(same)).toBe(62);
    const across = trace(x, 'pod-a', 'pod-c').request;
    expect(wire(across).map(ipOf).some((p) => p?.header.protocol === IPPROTO_IPIP)).toBe(true);
    expect(ttlAt(across)).toBe(62);
  });

  it('drops IPIP from a host that is not a Calico node and names the Felix rule', () => {
    const x = calicoSystem('{mode: ipip}');
    const n3 = getNetns(x.world, nodeNetns('node3'));
    const hosts = n3.ipsets.get('cali40all-hosts-net')!;
    const world = { netns: new Map(x.world.netns).set(n3.id, { ...n3, ipsets: new Map(n3.ipsets).set(hosts.name, { ...hosts, members: hosts.members.filter((m) => m.elem.kind !== 'hash:net' || m.elem.net.network !== cidr('192.168.1.101/32').network) }) }) };
    const o = trace({ ...x, world }, 'pod-a', 'pod-c').request;
    expect(o.disposition).toMatchObject({ kind: 'DROPPED', reason: { kind: 'policy-chain', rule: { chain: 'cali-INPUT' } } });
  });
});

describe('trace: Calico VXLAN mode', () => {
  const s = calicoSystem('{mode: vxlan}', { oneSubnet: true });

  it('UDP 4789, VNI 4096, vxlan.calico MACs, outer TTL 64, +50 bytes, TTL 62 at the pod', () => {
    const f = trace(s, 'pod-a', 'pod-b');
    expect(f.verdict.kind).toBe('ok');
    const sum = summarize(f.request, (x) => x);
    expect(sum.ttlOnArrival).toBe(62);
    expect(sum.encapsulations).toHaveLength(1);
    const e = sum.encapsulations[0]!;
    expect([formatIpv4(e.outerSrc), formatIpv4(e.outerDst), e.udpDstPort, e.vni, e.outerTtl, e.overhead]).toEqual(['192.168.1.101', '192.168.1.102', 4789, 4096, 64, 50]);
    expect([e.innerSrcMac, e.innerDstMac]).toEqual(['66:f9:37:c3:7e:94', '66:2d:bf:44:a6:8b']);
  });

  it('CrossSubnet: same subnet plain routing, across the router VXLAN', () => {
    const x = calicoSystem('{mode: vxlan, crossSubnet: true}');
    expect(summarize(trace(x, 'pod-a', 'pod-b').request, (y) => y).encapsulations).toEqual([]);
    const across = summarize(trace(x, 'pod-a', 'pod-c').request, (y) => y);
    expect(across.encapsulations.map((e) => formatIpv4(e.outerDst))).toEqual(['192.168.2.103']);
    expect(across.ttlOnArrival).toBe(62);
  });
});

describe('trace: Calico NetworkPolicy', () => {
  const policy = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-web, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
    ports: [{protocol: TCP, port: 80}]
`;
  const s = calicoSystem('{mode: bgp}', { oneSubnet: true, extra: policy });

  it('a denied flow names the cali-tw chain and the NetworkPolicy', () => {
    // pod-c (app: web) is not a client: allow-web selects pod-b and accepts nothing from it.
    const o = trace(s, 'pod-c', 'pod-b', { proto: 'tcp', dport: 80 }).request;
    expect(o.disposition).toMatchObject({ kind: 'DROPPED', reason: { kind: 'policy-chain', rule: { chain: 'cali-tw-cali2f5353dd8c5' } } });
    if (o.disposition.kind !== 'DROPPED' || o.disposition.reason.kind !== 'policy-chain') throw new Error('unreachable');
    expect(o.disposition.reason.policy).toMatch(/default\/allow-web/);
  });

  it('an allowed flow passes the same chain', () => {
    expect(trace(s, 'pod-a', 'pod-b', { proto: 'tcp', dport: 80 }).verdict.kind).toBe('ok');
  });
});

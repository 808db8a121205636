/**
 * A small cluster for the TUI tests: the real topology loader reads it, and a hand-built System
 * plus a scripted walk stand in for the kernel model, so these tests exercise only the UI. The
 * scripted walk has the shape the real one produces (send, route, bridge, forward, VXLAN encap
 * with outer headers, decap, deliver; DNAT branches for a Service); test/tui/real.test.tsx runs
 * the UI on the real walk.
 */
import { ok, err, type Result } from '../../src/lib/result.js';
import { parseTopology } from '../../src/topology/load.js';
import { formatInputError } from '../../src/lib/input-error.js';
import type { Cluster } from '../../src/cluster/cluster.js';
import { EMPTY_WORLD } from '../../src/kernel/ops.js';
import { ipv4, formatIpv4, type Ipv4 } from '../../src/net/ipv4.js';
import { mac, type Mac } from '../../src/net/mac.js';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, TCP_NO_FLAGS, type Frame, type Ipv4Packet } from '../../src/net/packet.js';
import type { NetnsInfo, System } from '../../src/topology/system.js';
import { resolveEndpoint } from '../../src/trace/endpoint.js';
import type { FlowOutcome } from '../../src/trace/flow.js';
import type { TraceRequest, TraceRun } from '../../src/trace/run.js';
import type { CapturedFrame, Disposition, Outcome, Step } from '../../src/trace/types.js';
import type { Loaded, TuiDeps } from '../../src/tui/model.js';

export const FIXTURE_YAML = `
apiVersion: podnet.dev/v1alpha1
kind: Topology
metadata: {name: tui-fixture}
spec:
  cni: flannel
  flannel: {backend: vxlan}
  kubeProxy: {mode: iptables}
  nodes:
    - {name: node1, ip: 192.168.1.101, podCIDR: 10.244.1.0/24}
    - {name: node2, ip: 192.168.1.102, podCIDR: 10.244.2.0/24}
---
apiVersion: v1
kind: Pod
metadata: {name: pod-a, namespace: default, labels: {app: client}}
spec: {nodeName: node1, containers: [{name: c, image: busybox}]}
---
apiVersion: v1
kind: Pod
metadata: {name: pod-b, namespace: default, labels: {app: web}}
spec: {nodeName: node2, containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: pod-c, namespace: default, labels: {app: client}}
spec: {nodeName: node1, containers: [{name: c, image: busybox}]}
---
apiVersion: v1
kind: Pod
metadata: {name: pod-d, namespace: shop, labels: {app: shop}}
spec: {nodeName: node2, containers: [{name: shop, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: pod-e, namespace: default, labels: {app: web}}
spec: {nodeName: node2, containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 80}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`;

export function fixtureCluster(): Cluster {
  const r = parseTopology(FIXTURE_YAML, 'fixture.yaml');
  if (!r.ok) throw new Error(formatInputError(r.error));
  return r.value;
}

/** The System the builder would make, minus the kernels (the scripted walk does not read them). */
export function fixtureSystem(c: Cluster = fixtureCluster()): System {
  const netns = new Map<string, NetnsInfo>();
  netns.set('net:underlay', { id: 'net:underlay', where: 'underlay', role: { kind: 'underlay' }, ip: null });
  for (const n of c.nodes) netns.set(`node:${n.name}`, { id: `node:${n.name}`, where: n.name, role: { kind: 'node', node: n.name }, ip: n.ip });
  for (const p of c.pods) {
    const id = `pod:${p.namespace}/${p.name}`;
    netns.set(id, { id, where: `pod ${p.namespace}/${p.name}`, role: { kind: 'pod', node: p.nodeName, namespace: p.namespace, name: p.name }, ip: p.ip });
  }
  return {
    name: c.header.name,
    description: 'flannel vxlan, kube-proxy iptables',
    world: EMPTY_WORLD,
    netns,
    events: [],
    services: new Map(c.services.map((s) => [`${s.namespace}/${s.name}`, { namespace: s.namespace, name: s.name, clusterIP: s.clusterIP === 'None' ? null : s.clusterIP, ports: s.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })) }])),
    hostNetworkPods: new Map(),
    sockets: () => ({ kind: 'listening', what: 'test' }),
  };
}

export function fixtureLoaded(): Loaded {
  const cluster = fixtureCluster();
  return { system: fixtureSystem(cluster), cluster, file: 'fixture.yaml' };
}

const macOf = (seed: string): Mac => {
  let h = 0;
  for (const ch of seed) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const b = [0x0a, 0x58, (h >>> 24) & 255, (h >>> 16) & 255, (h >>> 8) & 255, h & 255];
  return mac(b.map((x) => x.toString(16).padStart(2, '0')).join(':'));
};

function l4(kind: TraceRequest['kind'], sport: number, reply: boolean): Ipv4Packet['payload'] {
  switch (kind.proto) {
    case 'icmp':
      return { kind: 'icmp', message: { type: reply ? 'echo-reply' : 'echo-request', id: sport, seq: 1, data: new Uint8Array(kind.size) } };
    case 'tcp':
      return reply
        ? { kind: 'tcp', sport: kind.dport, dport: sport, seq: 7, ack: 2, flags: { ...TCP_NO_FLAGS, syn: true, ack: true }, window: 65160, options: new Uint8Array(), data: new Uint8Array() }
        : { kind: 'tcp', sport, dport: kind.dport, seq: 1, ack: 0, flags: { ...TCP_NO_FLAGS, syn: true }, window: 64240, options: new Uint8Array(20), data: new Uint8Array() };
    case 'udp':
      return { kind: 'udp', sport: reply ? kind.dport : sport, dport: reply ? sport : kind.dport, payload: { kind: 'raw', bytes: new Uint8Array(kind.size) } };
  }
}

function protoOf(kind: TraceRequest['kind']): number {
  return kind.proto === 'icmp' ? IPPROTO_ICMP : kind.proto === 'tcp' ? IPPROTO_TCP : IPPROTO_UDP;
}

interface Leg {
  readonly steps: Step[];
  readonly frames: CapturedFrame[];
}

function mk(sys: System, netns: string, dev: string | null, stage: Step['stage'], summary: string, extra: Partial<Step> = {}): Step {
  const info = sys.netns.get(netns);
  return {
    netns,
    where: info?.where ?? netns,
    node: info && info.role.kind !== 'underlay' ? info.role.node : null,
    dev,
    stage,
    summary,
    lines: [],
    packet: null,
    frame: null,
    rewrite: null,
    conntrack: [],
    ...extra,
  };
}

const ttl = (p: Ipv4Packet, d = 1): Ipv4Packet => ({ ...p, header: { ...p.header, ttl: p.header.ttl - d } });

/** A walk from pod `src` to pod `dst`, routed through their nodes (VXLAN between nodes). */
function walkPods(sys: System, src: NetnsInfo, dst: NetnsInfo, start: Ipv4Packet, leg: Leg, dnat: { from: Ipv4; rule: string } | null): Ipv4Packet {
  const srcNode = src.role.kind === 'pod' ? src.role.node : '';
  const dstNode = dst.role.kind === 'pod' ? dst.role.node : '';
  const sn = `node:${srcNode}`;
  const dn = `node:${dstNode}`;
  let p = start;
  leg.steps.push(mk(sys, src.id, null, 'send', `send ${describe(p)}`, { packet: p }));
  leg.steps.push(mk(sys, src.id, 'eth0', 'routing', `route to ${formatIpv4(p.header.dst)}: default via 10.244.1.1 dev eth0`, { lines: [`default via ${gatewayOf(src)} dev eth0`], packet: p }));
  const f1: Frame = { eth: { src: macOf(src.id), dst: macOf(`${sn}/cni0`) }, payload: { kind: 'ipv4', packet: p } };
  leg.steps.push(mk(sys, src.id, 'eth0', 'xmit', `xmit on eth0 (veth) -> peer veth in ${srcNode}`, { frame: f1, packet: p }));
  leg.frames.push({ netns: src.id, dev: 'eth0', frame: f1 });
  leg.steps.push(mk(sys, sn, 'veth-src', 'rx', `rx on veth-src (port of bridge cni0): ${describe(p)} ttl ${p.header.ttl}`, { packet: p }));
  if (dnat) {
    const before = p;
    p = { ...p, header: { ...p.header, dst: dnatTo(dst) } };
    leg.steps.push(
      mk(sys, sn, 'cni0', 'prerouting', `nat PREROUTING: DNAT ${formatIpv4(dnat.from)}:80 -> ${formatIpv4(p.header.dst)}:80`, {
        lines: ['[nat] -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES', dnat.rule],
        packet: p,
        rewrite: { what: `DNAT ${formatIpv4(dnat.from)}:80 -> ${formatIpv4(p.header.dst)}:80`, before, after: p },
        conntrack: [`tcp 6 120 SYN_SENT src=${formatIpv4(p.header.src)} dst=${formatIpv4(dnat.from)} sport=40000 dport=80 [UNREPLIED] src=${formatIpv4(p.header.dst)} dst=${formatIpv4(p.header.src)} sport=80 dport=40000 mark=0 use=1`],
      }),
    );
  }
  if (srcNode === dstNode) {
    leg.steps.push(mk(sys, sn, 'cni0', 'bridge', `bridge cni0: fdb ${macOf(dst.id)} -> port veth-dst`, { lines: [`${macOf(dst.id)} dev veth-dst master cni0`] }));
  } else {
    leg.steps.push(mk(sys, sn, 'cni0', 'routing', `route to ${formatIpv4(p.header.dst)}: via 10.244.2.0 dev flannel.1 onlink`, { lines: ['10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink'], packet: p }));
    const fwd = ttl(p);
    leg.steps.push(mk(sys, sn, 'cni0', 'forward', `forward cni0 -> flannel.1, ttl ${p.header.ttl} -> ${fwd.header.ttl}`, { packet: fwd, rewrite: { what: 'ttl decremented', before: p, after: fwd }, lines: ['[filter] -A FORWARD -s 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT'] }));
    p = fwd;
    const inner: Frame = { eth: { src: macOf(`${sn}/flannel.1`), dst: macOf(`${dn}/flannel.1`) }, payload: { kind: 'ipv4', packet: p } };
    const outer0: Ipv4Packet = { header: { src: 0 as Ipv4, dst: nodeIp(sys, dstNode), ttl: 64, protocol: IPPROTO_UDP, id: 0, df: false, tos: 0 }, payload: { kind: 'udp', sport: 51234, dport: 8472, payload: { kind: 'vxlan', vni: 1, frame: inner } } };
    leg.steps.push(
      mk(sys, sn, 'flannel.1', 'encap', `vxlan encap on flannel.1: VNI 1, ${inner.eth.dst} -> VTEP ${formatIpv4(nodeIp(sys, dstNode))}, UDP dport 8472 (+50 bytes: frame 98 -> 148)`, {
        lines: [`${inner.eth.dst} dev flannel.1 dst ${formatIpv4(nodeIp(sys, dstNode))} self permanent`],
        packet: outer0,
        rewrite: { what: 'encapsulated in VXLAN VNI 1', before: p, after: outer0 },
      }),
    );
    const outer: Ipv4Packet = { ...outer0, header: { ...outer0.header, src: nodeIp(sys, srcNode) } };
    leg.steps.push(mk(sys, sn, 'eth0', 'routing', `route to ${formatIpv4(outer.header.dst)}: 192.168.1.0/24 dev eth0`, { lines: ['192.168.1.0/24 dev eth0 proto kernel scope link src ' + formatIpv4(nodeIp(sys, srcNode))], packet: outer }));
    const wire: Frame = { eth: { src: macOf(`${sn}/eth0`), dst: macOf(`${dn}/eth0`) }, payload: { kind: 'ipv4', packet: outer } };
    leg.steps.push(mk(sys, sn, 'eth0', 'xmit', `xmit on eth0 -> underlay`, { frame: wire, packet: outer }));
    leg.frames.push({ netns: sn, dev: 'eth0', frame: wire });
    leg.steps.push(mk(sys, dn, 'eth0', 'rx', `rx on eth0: ${describe(outer)} ttl 64`, { packet: outer }));
    leg.steps.push(mk(sys, dn, 'flannel.1', 'decap', `vxlan decap on flannel.1: VNI 1 from ${formatIpv4(outer.header.src)}, inner ${inner.eth.src} > ${inner.eth.dst}`, { packet: p, rewrite: { what: 'decapsulated from VXLAN VNI 1', before: outer, after: p } }));
    leg.steps.push(mk(sys, dn, 'flannel.1', 'routing', `route to ${formatIpv4(p.header.dst)}: 10.244.2.0/24 dev cni0`, { lines: ['10.244.2.0/24 dev cni0 proto kernel scope link src 10.244.2.1'], packet: p }));
    const fwd2 = ttl(p);
    leg.steps.push(mk(sys, dn, 'flannel.1', 'forward', `forward flannel.1 -> cni0, ttl ${p.header.ttl} -> ${fwd2.header.ttl}`, { packet: fwd2, rewrite: { what: 'ttl decremented', before: p, after: fwd2 } }));
    p = fwd2;
  }
  const last: Frame = { eth: { src: macOf(`${dn}/cni0`), dst: macOf(dst.id) }, payload: { kind: 'ipv4', packet: p } };
  leg.steps.push(mk(sys, dn, 'veth-dst', 'xmit', `xmit on veth-dst (veth) -> peer eth0 in ${dst.where}`, { frame: last, packet: p }));
  leg.frames.push({ netns: dn, dev: 'veth-dst', frame: last });
  leg.steps.push(mk(sys, dst.id, 'eth0', 'rx', `rx on eth0: ${describe(p)} ttl ${p.header.ttl}`, { packet: p }));
  leg.steps.push(mk(sys, dst.id, 'eth0', 'deliver', `delivered to ${dst.where} (${p.payload.kind}), ttl ${p.header.ttl}`, { packet: p }));
  return p;
}

function dnatTo(i: NetnsInfo): Ipv4 {
  return i.ip ?? (0 as Ipv4);
}

function describe(p: Ipv4Packet): string {
  return `${p.payload.kind.toUpperCase()} ${formatIpv4(p.header.src)} > ${formatIpv4(p.header.dst)}`;
}

function gatewayOf(i: NetnsInfo): string {
  return i.role.kind === 'pod' && i.role.node === 'node2' ? '10.244.2.1' : '10.244.1.1';
}

function nodeIp(sys: System, node: string): Ipv4 {
  return sys.netns.get(`node:${node}`)?.ip ?? ipv4('0.0.0.0');
}

function outcomeOf(prob: number, leg: Leg, end: Ipv4Packet, d: Disposition): Outcome {
  return { probability: prob, steps: leg.steps, disposition: d, frames: leg.frames, packet: end };
}

/**
 * The scripted walk: pod to pod (same node bridged, cross-node via VXLAN), a Service ClusterIP
 * DNATed to each endpoint pod with equal probability, and a reply back the same way.
 */
export function fakeTrace(cluster: Cluster): TuiDeps['trace'] {
  return (sys: System, req: TraceRequest): Result<TraceRun, string> => {
    const from = resolveEndpoint(sys, req.from);
    if (!from.ok) return from;
    const to = resolveEndpoint(sys, req.to);
    if (!to.ok) return to;
    const src = from.value.netns;
    if (!src || src.role.kind !== 'pod') return err('the scripted walk starts from pods only');
    const svc = cluster.services.find((s) => s.clusterIP === to.value.ip);
    const targets: { info: NetnsInfo; rule: string | null }[] = [];
    if (svc) {
      const selected = cluster.pods.filter((p) => p.namespace === svc.namespace && Object.entries(svc.selector ?? { none: 'x' }).every(([k, v]) => p.labels[k] === v));
      const eps = selected.map((p) => sys.netns.get(`pod:${p.namespace}/${p.name}`)).filter((i): i is NetnsInfo => i !== undefined);
      eps.forEach((e, k) => {
        const left = eps.length - k;
        targets.push({ info: e, rule: left > 1 ? `[nat] -A KUBE-SVC-WEB -m comment --comment "default/web:http -> ${formatIpv4(e.ip ?? (0 as Ipv4))}:80" -m statistic --mode random --probability ${(1 / left).toFixed(11)} -j KUBE-SEP-${k}` : `[nat] -A KUBE-SVC-WEB -m comment --comment "default/web:http -> ${formatIpv4(e.ip ?? (0 as Ipv4))}:80" -j KUBE-SEP-${k}` });
      });
    } else if (to.value.netns && to.value.netns.role.kind === 'pod') {
      targets.push({ info: to.value.netns, rule: null });
    } else {
      return err(`the scripted walk cannot reach ${to.value.label}`);
    }
    const outcomes: FlowOutcome[] = targets.map(({ info, rule }) => {
      const start: Ipv4Packet = { header: { src: from.value.ip, dst: rule ? to.value.ip : (info.ip ?? (0 as Ipv4)), ttl: 64, protocol: protoOf(req.kind), id: 0, df: true, tos: 0 }, payload: l4(req.kind, 40000, false) };
      const reqLeg: Leg = { steps: [], frames: [] };
      const end = walkPods(sys, src, info, start, reqLeg, rule ? { from: to.value.ip, rule } : null);
      const request = outcomeOf(1 / targets.length, reqLeg, end, { kind: 'DELIVERED', netns: info.id, dev: 'eth0', to: 'the application' });
      const back: Ipv4Packet = { header: { src: info.ip ?? (0 as Ipv4), dst: from.value.ip, ttl: 64, protocol: protoOf(req.kind), id: 0, df: true, tos: 0 }, payload: l4(req.kind, 40000, true) };
      const repLeg: Leg = { steps: [], frames: [] };
      const backEnd = walkPods(sys, info, src, back, repLeg, null);
      const reply = outcomeOf(1 / targets.length, repLeg, backEnd, { kind: 'DELIVERED', netns: src.id, dev: 'eth0', to: 'the client socket' });
      return { probability: 1 / targets.length, request, reply, verdict: { kind: 'ok', detail: req.kind.proto === 'icmp' ? 'echo reply received' : 'connected (SYN, SYN-ACK)' } };
    });
    return ok({ from: from.value, to: to.value, kind: req.kind, outcomes });
  };
}

export function fixtureDeps(cluster: Cluster): TuiDeps {
  return { trace: fakeTrace(cluster) };
}

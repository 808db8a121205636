import { describe, expect, it } from 'vitest';
import { formatIpv4 } from '../../src/net/ipv4.js';
import { compareCni } from '../../src/compare/compare.js';
import { parseVariantList } from '../../src/compare/variant.js';
import { ipv4 } from '../../src/net/ipv4.js';
import { calicoRuns, compare, only, podToPod, runOf, sourceOf } from './helpers.js';

const TWO_NODE = 'topologies/two-node-flannel.yaml';
const TWO_SUBNETS = 'topologies/host-gw-two-subnets.yaml';
const calicoBuilds = calicoRuns(TWO_NODE);

describe('compare: flannel vxlan vs host-gw on two-node-flannel', () => {
  const [vx, gw] = compare(TWO_NODE, 'flannel,flannel/host-gw');

  it('one column per variant, named as given, each with its full CNI configuration', () => {
    expect(vx?.name).toBe('flannel');
    expect(gw?.name).toBe('flannel/host-gw');
    expect(vx?.config).toEqual({ kind: 'flannel', backend: { type: 'vxlan', vni: 1, port: 0, directRouting: false, mtu: null } });
    expect(gw?.config).toEqual({ kind: 'flannel', backend: { type: 'host-gw' } });
    expect(runOf(gw).system.description).toBe('flannel host-gw, kube-proxy iptables');
  });

  it('VXLAN: UDP 8472 VNI 1 read off the wire, 50 bytes measured from frame lengths', () => {
    const o = only(vx);
    expect(o.verdict.kind).toBe('ok');
    expect(o.tunnels).toHaveLength(1);
    const t = o.tunnels[0];
    expect(t?.header).toMatchObject({ kind: 'vxlan', udpDstPort: 8472, vni: 1 });
    expect(t && [formatIpv4(t.outerSrc), formatIpv4(t.outerDst), t.dev, t.netns]).toEqual(['192.168.1.101', '192.168.1.102', 'flannel.1', 'node:node1']);
    // A 56-byte ping is a 98-byte frame; in VXLAN it is 148 on the wire.
    expect([t?.innerBytes, t?.wireBytes, t?.overhead, o.overhead]).toEqual([98, 148, 50, 50]);
  });

  it('host-gw: no tunnel, no overhead', () => {
    const o = only(gw);
    expect(o.tunnels).toEqual([]);
    expect(o.overhead).toBe(0);
  });

  it('path MTU is the narrowest link on the path: 1450 under VXLAN, 1500 under host-gw', () => {
    expect(only(vx).pathMtu).toEqual({ mtu: 1450, netns: 'pod:default/pod-a', dev: 'eth0' });
    expect(only(gw).pathMtu?.mtu).toBe(1500);
  });

  it('TTL 62 on arrival for both: two routers (node1, node2), the underlay only bridges', () => {
    for (const c of [vx, gw]) {
      const o = only(c);
      expect(o.ttlOnArrival).toBe(62);
      expect(o.routers.map((r) => [r.where, r.ttlBefore, r.ttlAfter])).toEqual([
        ['node1', 64, 63],
        ['node2', 63, 62],
      ]);
      expect(o.path).toEqual(['pod default/pod-a', 'node1', 'underlay', 'node2', 'pod default/pod-b']);
      expect(o.source.preserved).toBe(true);
      expect(o.source.seen === null ? null : formatIpv4(o.source.seen)).toBe('10.244.1.2');
    }
  });

  it('routes per node are the lines the trace cites, and differ where the backends differ', () => {
    const routes = (c: typeof vx) => only(c).routes.filter((r) => r.where === 'node1').map((r) => r.route);
    expect(routes(vx)).toEqual(['10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink', '192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.101']);
    expect(routes(gw)).toEqual(['10.244.2.0/24 via 192.168.1.102 dev eth0']);
    expect(only(vx).routes.some((r) => r.route.startsWith('local '))).toBe(false);
  });

  it('Flannel enforces no NetworkPolicy', () => {
    expect(runOf(vx).enforcement.enforced).toBe(false);
    expect(only(vx).policy).toBeNull(); // the file has no policies
  });

  it('same node: bridged on cni0, no router, TTL 64', () => {
    const [same] = compare(TWO_NODE, 'flannel', podToPod('pod-c'));
    const o = only(same);
    expect([o.routers.length, o.ttlOnArrival, o.tunnels.length]).toEqual([0, 64, 0]);
  });
});

describe('compare: host-gw across two subnets', () => {
  const [gw, vx] = compare(TWO_SUBNETS, 'flannel/host-gw,flannel');

  it('host-gw fails, and the controller error says why (the kernel refused the route)', () => {
    const r = runOf(gw);
    const o = only(gw);
    expect(o.verdict.kind).toBe('failed');
    expect(o.disposition).toMatchObject({ kind: 'NO_ROUTE', netns: 'net:underlay' });
    expect(r.problems.map((p) => `${p.component} on ${p.node}: ${p.message}`)).toContain(
      'flanneld on node1: Error adding route to 10.244.2.0/24 via 192.168.2.102: Nexthop has invalid gateway. host-gw needs every node on one L2 segment',
    );
  });

  it('VXLAN gets through: the underlay router decrements only the outer TTL', () => {
    const o = only(vx);
    expect(o.verdict.kind).toBe('ok');
    expect(o.routers.map((r) => r.where)).toEqual(['node1', 'underlay', 'node2']);
    expect(o.ttlOnArrival).toBe(62);
    expect(o.tunnels[0]?.outerTtl).toBe(64);
  });
});

describe('compare: VXLAN with DirectRouting', () => {
  it('peers on the same subnet get a plain route, no tunnel; across a router VXLAN stays', () => {
    const [same] = compare(TWO_NODE, 'flannel/vxlan-directrouting');
    expect(only(same).tunnels).toEqual([]);
    expect(only(same).routes.filter((r) => r.where === 'node1').map((r) => r.route)).toEqual(['10.244.2.0/24 via 192.168.1.102 dev eth0']);
    const [across] = compare(TWO_SUBNETS, 'flannel/vxlan-directrouting');
    expect(only(across).tunnels.map((t) => t.header.kind)).toEqual(['vxlan']);
  });
});

describe('compare: Calico columns', () => {
  it('a column per variant, each a run or a clear error, in the order given', () => {
    const cols = compare(TWO_NODE, 'flannel,calico,calico/ipip,calico/vxlan');
    expect(cols.map((c) => c.name)).toEqual(['flannel', 'calico', 'calico/ipip', 'calico/vxlan']);
    expect(cols[0]?.result.ok).toBe(true);
    for (const c of cols.slice(1)) {
      expect(c.config).toMatchObject({ kind: 'calico' });
      if (!c.result.ok) {
        expect(['load', 'build', 'trace']).toContain(c.result.error.stage);
        expect(c.result.error.message.length).toBeGreaterThan(10);
      } else {
        expect(c.result.value.enforcement.enforced).toBe(true);
      }
    }
  });

  it.runIf(calicoBuilds)('cross node: TTL 62 in every mode; overhead 0 / 20 / 50; MTU 1500 / 1480 / 1450', () => {
    const [bgp, ipip, vxlan] = compare(TWO_NODE, 'calico,calico/ipip,calico/vxlan');
    expect([bgp, ipip, vxlan].map((c) => only(c).ttlOnArrival)).toEqual([62, 62, 62]);
    expect([bgp, ipip, vxlan].map((c) => only(c).overhead)).toEqual([0, 20, 50]);
    expect([bgp, ipip, vxlan].map((c) => only(c).pathMtu?.mtu)).toEqual([1500, 1480, 1450]);
    expect(only(ipip).tunnels[0]?.header).toEqual({ kind: 'ipip' });
    expect(only(vxlan).tunnels[0]?.header).toMatchObject({ kind: 'vxlan', udpDstPort: 4789 });
    expect([bgp, ipip, vxlan].map((c) => only(c).source.preserved)).toEqual([true, true, true]);
  });

  it.runIf(calicoBuilds)('same node: routed through the host (not bridged), TTL 63', () => {
    const [bgp] = compare(TWO_NODE, 'calico', podToPod('pod-c'));
    expect(only(bgp).ttlOnArrival).toBe(63);
    expect(only(bgp).routers).toHaveLength(1);
  });
});

describe('compare: endpoints and determinism', () => {
  it('refuses a pod-CIDR address (it names a different pod per CNI) and unknown pods', () => {
    const v = parseVariantList('flannel');
    if (!v.ok) throw new Error(v.error);
    const src = sourceOf(TWO_NODE);
    const byIp = compareCni(src, v.value, { ...podToPod(), to: { kind: 'ip', ip: ipv4('10.244.2.2') } });
    expect(byIp.ok ? null : byIp.error).toMatch(/^destination 10\.244\.2\.2: an address in the pod CIDR 10\.244\.0\.0\/16 names a different pod under each CNI/);
    const missing = compareCni(src, v.value, podToPod('nope'));
    expect(missing.ok ? null : missing.error).toMatch(/^destination default\/nope: no such pod; pods: default\/pod-a, /);
    // A node address is the same under every CNI.
    expect(compareCni(src, v.value, { ...podToPod(), to: { kind: 'ip', ip: ipv4('192.168.1.102') } }).ok).toBe(true);
  });

  it('the same input gives the same facts', () => {
    const strip = (cols: ReturnType<typeof compare>) => JSON.stringify(cols.map((c) => (c.result.ok ? c.result.value.outcomes : c.result.error)));
    expect(strip(compare(TWO_NODE, 'flannel,flannel/host-gw'))).toBe(strip(compare(TWO_NODE, 'flannel,flannel/host-gw')));
  });
});

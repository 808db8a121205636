import { beforeAll, describe, expect, it } from 'vitest';
import { formatIpv4 } from '../../src/net/ipv4.js';
import { unwrap } from '../../src/lib/result.js';
import { getNetns } from '../../src/kernel/netns.js';
import { setSysctl } from '../../src/kernel/ops.js';
import { formatRoute, printContext } from '../../src/kernel/print/index.js';
import { nodeNetns, UNDERLAY_NETNS } from '../../src/controllers/names.js';
import { loadTopology } from '../../src/topology/load.js';
import { buildSystem } from '../../src/topology/build.js';
import type { System } from '../../src/topology/system.js';
import { parseEndpointSpec } from '../../src/trace/endpoint.js';
import { runTrace } from '../../src/trace/run.js';
import { summarize } from '../../src/trace/summary.js';
import type { FlowOutcome } from '../../src/trace/flow.js';

// topologies/services-iptables.yaml: node1 .101 (client, web-1), node2 .102 (web-2, api-1), node3 .103 (db-0).
const FILE = 'topologies/services-iptables.yaml';
let system: System;

beforeAll(async () => {
  system = unwrap(buildSystem(unwrap(await loadTopology(FILE))));
});

function trace(from: string, to: string, port: number, sys: System = system): readonly FlowOutcome[] {
  const run = runTrace(sys, { from: unwrap(parseEndpointSpec(from)), to: unwrap(parseEndpointSpec(to)), kind: { proto: 'tcp', dport: port } });
  if (!run.ok) throw new Error(run.error);
  return run.value.outcomes;
}

/** Per outcome: probability, where the request ended, the source the endpoint saw, NAT on the way. */
function view(outs: readonly FlowOutcome[]) {
  return outs.map((o) => {
    const s = summarize(o.request, (id) => system.netns.get(id)?.where ?? id);
    const d = o.request.disposition;
    return {
      p: o.probability,
      end: d.kind === 'DELIVERED' ? `DELIVERED ${system.netns.get(d.netns)?.where ?? d.netns}` : d.kind,
      seen: s.sourceSeen === null ? null : formatIpv4(s.sourceSeen),
      preserved: s.sourcePreserved,
      // MASQUERADE picks an ephemeral port; the addresses are what matters.
      nat: s.nat.map((n) => n.what.replace(/^MASQUERADE (\S+):\d+ -> (\S+):\d+$/, 'MASQUERADE $1 -> $2')),
      verdict: o.verdict.kind,
    };
  });
}

const droppedBy = (o: FlowOutcome | undefined): string | null => {
  const d = o?.request.disposition;
  return d?.kind === 'DROPPED' && d.reason.kind === 'netfilter' ? d.reason.rule.rule : d?.kind === 'REJECTED' ? d.rule.rule : null;
};

describe('Services in iptables mode, through the whole model', () => {
  it('ClusterIP with two endpoints: both at 0.5, the client pod IP preserved', () => {
    const v = view(trace('default/client', 'svc/default/web', 80));
    expect(v.map((x) => [x.p, x.end, x.seen, x.preserved])).toEqual([
      [0.5, 'DELIVERED pod default/web-1', '10.244.1.2', true],
      [0.5, 'DELIVERED pod default/web-2', '10.244.1.2', true],
    ]);
  });

  it('external client -> NodePort (eTP Cluster): masqueraded to the out device of node1 (cni0 or flannel.1), reply reaches the client', () => {
    const outs = trace('external', 'node/node1', 30080);
    expect(view(outs).map((x) => [x.p, x.end, x.seen, x.preserved, x.verdict])).toEqual([
      [0.5, 'DELIVERED pod default/web-1', '10.244.1.1', false, 'ok'],
      [0.5, 'DELIVERED pod default/web-2', '10.244.1.0', false, 'ok'],
    ]);
    expect(view(outs)[0]?.nat).toEqual(['DNAT 192.168.1.101:30080 -> 10.244.1.3:8080', 'MASQUERADE 203.0.113.7 -> 10.244.1.1']);
    const reply = outs[0]?.reply?.disposition;
    expect(reply?.kind === 'DELIVERED' ? reply.netns : null).toBe('net:external');
  });

  it('another node -> NodePort is masqueraded the same way', () => {
    expect(view(trace('node/node2', 'node/node1', 30080)).map((x) => x.seen)).toEqual(['10.244.1.1', '10.244.1.0']);
  });

  it('the node -> its own NodePort: OUTPUT DNAT, masqueraded', () => {
    expect(view(trace('node/node1', 'node/node1', 30080)).map((x) => [x.end, x.seen])).toEqual([
      ['DELIVERED pod default/web-1', '10.244.1.1'],
      ['DELIVERED pod default/web-2', '10.244.1.0'],
    ]);
  });

  it('the node -> 127.0.0.1:NodePort works because kube-proxy set route_localnet=1, and is masqueraded', () => {
    expect(getNetns(system.world, nodeNetns('node1')).sysctls.get('net.ipv4.conf.all.route_localnet')).toBe('1');
    expect(view(trace('node/node1', '127.0.0.1', 30080)).map((x) => [x.end, x.seen, x.nat[0]])).toEqual([
      ['DELIVERED pod default/web-1', '10.244.1.1', 'DNAT 127.0.0.1:30080 -> 10.244.1.3:8080'],
      ['DELIVERED pod default/web-2', '10.244.1.0', 'DNAT 127.0.0.1:30080 -> 10.244.2.2:8080'],
    ]);
  });

  it('eTP Local NodePort on a node without a local endpoint: dropped by KUBE-EXTERNAL-SERVICES', () => {
    const outs = trace('external', 'node/node1', 30081);
    expect(view(outs).map((x) => x.end)).toEqual(['DROPPED']);
    expect(droppedBy(outs[0])).toBe('-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "default/api-local has no local endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 30081 -j DROP');
  });

  it('eTP Local NodePort on the node with the endpoint: delivered with the client address preserved', () => {
    expect(view(trace('external', 'node/node2', 30081)).map((x) => [x.end, x.seen, x.preserved, x.nat])).toEqual([['DELIVERED pod default/api-1', '203.0.113.7', true, ['DNAT 192.168.1.102:30081 -> 10.244.2.3:9090']]]);
  });

  it('LoadBalancer with loadBalancerSourceRanges: allowed client masqueraded, others dropped by KUBE-PROXY-FIREWALL, the NodePort not filtered', () => {
    expect(view(trace('external:203.0.113.7', '198.51.100.10', 80)).map((x) => [x.end, x.seen])).toEqual([
      ['DELIVERED pod default/web-1', '10.244.1.1'],
      ['DELIVERED pod default/web-2', '10.244.1.0'],
    ]);
    const blocked = trace('external:203.0.113.200', '198.51.100.10', 80);
    expect(droppedBy(blocked[0])).toMatch(/^-A KUBE-PROXY-FIREWALL -d 198\.51\.100\.10\/32 -p tcp -m comment --comment "default\/web-lb:http traffic not accepted by KUBE-FW-\w+" -m tcp --dport 80 -j DROP$/);
    expect(view(trace('external:203.0.113.200', 'node/node1', 30082)).map((x) => x.verdict)).toEqual(['ok', 'ok']);
  });

  it('a pod -> the LoadBalancer IP is short-circuited on its own node and dropped there: pods are not in the source ranges', () => {
    const outs = trace('default/client', '198.51.100.10', 80);
    expect(view(outs).map((x) => x.end)).toEqual(['DROPPED']);
    expect(droppedBy(outs[0])).toMatch(/^-A KUBE-PROXY-FIREWALL /);
  });

  it('LoadBalancer eTP Local: the router sends it to node2, which has the endpoint; client IP preserved', () => {
    const route = getNetns(system.world, UNDERLAY_NETNS).routes.find((r) => formatIpv4(r.dst.network) === '198.51.100.11');
    expect(route && formatRoute(printContext(system.world, UNDERLAY_NETNS), route, false).trim()).toBe('198.51.100.11 via 192.168.1.102 dev lan0');
    expect(view(trace('external', '198.51.100.11', 80)).map((x) => [x.end, x.seen, x.preserved])).toEqual([['DELIVERED pod default/api-1', '203.0.113.7', true]]);
  });

  it('externalIPs: routed to node1, DNATed by the "external IP" rule and masqueraded', () => {
    expect(view(trace('external', '198.51.100.20', 80)).map((x) => [x.end, x.seen, x.nat[0]])).toEqual([
      ['DELIVERED pod default/web-1', '10.244.1.1', 'DNAT 198.51.100.20:80 -> 10.244.1.3:8080'],
      ['DELIVERED pod default/web-2', '10.244.1.0', 'DNAT 198.51.100.20:80 -> 10.244.2.2:8080'],
    ]);
  });

  it('a Service without endpoints is rejected by filter KUBE-SERVICES', () => {
    const outs = trace('default/client', 'svc/default/ghost', 80);
    expect(outs.map((o) => o.request.disposition.kind)).toEqual(['REJECTED']);
    expect(droppedBy(outs[0])).toBe('-A KUBE-SERVICES -d 10.96.0.86/32 -p tcp -m comment --comment "default/ghost has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable');
  });

  it('a headless Service has no address to trace to', () => {
    const run = runTrace(system, { from: unwrap(parseEndpointSpec('default/client')), to: unwrap(parseEndpointSpec('svc/default/db')), kind: { proto: 'tcp', dport: 5432 } });
    expect(run.ok ? null : run.error).toMatch(/headless/);
  });

  it('an external client on a node LAN is one more machine on that segment', () => {
    expect(view(trace('external:192.168.1.50', 'node/node3', 30080)).map((x) => [x.end, x.seen])).toEqual([
      ['DELIVERED pod default/web-1', '10.244.3.0'],
      ['DELIVERED pod default/web-2', '10.244.3.0'],
    ]);
  });

  it('refuses an external client on an address the cluster already uses, and two external ends', () => {
    const r = runTrace(system, { from: unwrap(parseEndpointSpec('external:192.168.1.102')), to: unwrap(parseEndpointSpec('node/node1')), kind: { proto: 'tcp', dport: 30080 } });
    expect(r.ok ? null : r.error).toBe('external client 192.168.1.102: 192.168.1.102 already belongs to node:node2; an external client needs an address of its own');
    const two = runTrace(system, { from: unwrap(parseEndpointSpec('external')), to: unwrap(parseEndpointSpec('external:203.0.113.9')), kind: { proto: 'tcp', dport: 80 } });
    expect(two.ok ? null : two.error).toBe('only one end of a trace can be an external client');
  });

  it('leaves the system itself unchanged (the client exists only for the trace)', () => {
    trace('external', 'node/node1', 30080);
    expect(system.world.netns.has('net:external')).toBe(false);
  });

  it('without route_localnet a 127.0.0.1-sourced packet cannot leave lo after DNAT (the real kernel drops it)', () => {
    const off: System = { ...system, world: setSysctl(system.world, nodeNetns('node1'), 'net.ipv4.conf.all.route_localnet', '0') };
    const outs = trace('node/node1', '127.0.0.1', 30080, off);
    expect(outs.map((o) => o.request.disposition.kind)).toEqual(['DROPPED', 'DROPPED']);
    const d = outs[0]?.request.disposition;
    expect(d?.kind === 'DROPPED' ? d.reason.kind : null).toBe('martian');
  });
});

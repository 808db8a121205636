import { simulateBgp, type SimulateOptions } from '../../../src/controllers/bgp/simulate.js';
import { CALICO_BIRD_TIMERS } from '../../../src/controllers/bgp/timers.js';
import type { BgpNetworkInput, BgpPeering, BgpScenarioEvent, BgpSimulation, BgpTimelineEntry } from '../../../src/controllers/bgp/types.js';
import { unwrap } from '../../../src/lib/result.js';
import { formatCidr, parseCidr, type Cidr } from '../../../src/net/cidr.js';
import { formatIpv4, ipv4 } from '../../../src/net/ipv4.js';

export const cidr = (s: string): Cidr => unwrap(parseCidr(s));

/** Speakers `name@ip=block,block` -> a BgpNetworkInput with Calico's timers. */
export function network(speakers: readonly (readonly [string, string, ...string[]])[], peering: BgpPeering = { kind: 'full-mesh' }): BgpNetworkInput {
  return {
    asNumber: 64512,
    peering,
    timers: CALICO_BIRD_TIMERS,
    speakers: speakers.map(([node, ip, ...blocks]) => ({ node, address: ipv4(ip), originates: blocks.map(cidr) })),
  };
}

/** The reference's three nodes: node1+node2 on 192.168.1.0/24, node3 on 192.168.2.0/24. */
export const THREE = network([
  ['node1', '192.168.1.101', '10.244.1.0/26'],
  ['node2', '192.168.1.102', '10.244.2.0/26'],
  ['node3', '192.168.2.103', '10.244.3.0/26'],
]);

export function run(input: BgpNetworkInput, scenario: readonly BgpScenarioEvent[] = [], o: SimulateOptions = {}): BgpSimulation {
  return simulateBgp(input, scenario, o);
}

/** A node's final routes as "prefix via nextHop[ stale]" (local ones "prefix local"). */
export function routesOf(sim: BgpSimulation, node: string): string[] {
  return (sim.finalRib.get(node) ?? []).map((r) => `${formatCidr(r.prefix)} ${r.learnedFrom === null ? 'local' : `via ${formatIpv4(r.nextHop)}`}${r.stale ? ' stale' : ''}`);
}

/** Route-change entries for one prefix on one node. */
export function routeChanges(sim: BgpSimulation, node: string, prefix: string): Extract<BgpTimelineEntry, { kind: 'route' }>[] {
  return sim.timeline.filter((e): e is Extract<BgpTimelineEntry, { kind: 'route' }> => e.kind === 'route' && e.node === node && formatCidr(e.prefix) === prefix);
}

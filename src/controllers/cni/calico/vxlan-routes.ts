import { cidrContains, formatCidr, type Cidr } from '../../../net/cidr.js';
import type { Ipv4 } from '../../../net/ipv4.js';
import type { World } from '../../../kernel/netns.js';
import { addFdb, addRoute, replaceNeigh, type RouteSpec } from '../../../kernel/ops.js';
import type { ControllerEvent } from '../../events.js';
import { calicoVxlanMac, VXLAN_DEVICE } from './names.js';

/**
 * Felix's VXLAN mode (no BIRD): the route manager programs routes from the IPAM blocks, and
 * vxlanfdb programs one ARP and one FDB entry per remote VTEP (felix/dataplane/linux/
 * vxlan_mgr.go, routetable, vxlanfdb).
 */

/** DefaultRouteProto: Felix's protocol for the routes it owns, since DeviceRouteProtocol is boot. */
export const FELIX_ROUTE_PROTO = 80;

export interface VxlanNode {
  readonly name: string;
  readonly netns: string;
  readonly ip: Ipv4;
  /** The node's underlay subnet (`Node.spec.bgp.ipv4Address`), for CrossSubnet. */
  readonly subnet: Cidr;
  readonly tunnelAddress: Ipv4;
  readonly blocks: readonly Cidr[];
}

function tryRoute(world: World, node: VxlanNode, spec: RouteSpec, events: ControllerEvent[]): World {
  const r = addRoute(world, node.netns, spec, 'replace');
  if (r.ok) return r.value;
  events.push({ node: node.name, component: 'calico-node (felix)', level: 'error', message: `Failed to sync route ${formatCidr(spec.dst)}: ${r.error.message}`, request: r.error.request });
  return world;
}

export function programFelixVxlanRoutes(world: World, node: VxlanNode, peers: readonly VxlanNode[], crossSubnet: boolean, events: ControllerEvent[]): World {
  let w = world;
  // Unallocated addresses of a local block are dropped, not sent to the default gateway.
  for (const b of node.blocks) w = tryRoute(w, node, { type: 'blackhole', dst: b, proto: FELIX_ROUTE_PROTO }, events);
  for (const peer of peers) {
    if (peer.name === node.name || peer.blocks.length === 0) continue;
    if (crossSubnet && cidrContains(node.subnet, peer.ip)) {
      // TargetTypeNoEncap: straight to the peer's node IP, with the onlink flag and protocol 80.
      for (const b of peer.blocks) w = tryRoute(w, node, { dst: b, gateway: peer.ip, dev: 'eth0', onlink: true, proto: FELIX_ROUTE_PROTO }, events);
      continue;
    }
    const mac = calicoVxlanMac(peer.name);
    // vxlanfdb: the ARP entry for the peer's tunnel address, then the FDB entry for its MAC.
    w = replaceNeigh(w, node.netns, { dev: VXLAN_DEVICE, dst: peer.tunnelAddress, lladdr: mac, state: 'PERMANENT', proxy: false });
    w = addFdb(w, node.netns, { mac, dev: VXLAN_DEVICE, master: null, self: true, dst: peer.ip, permanent: true, learned: false });
    // TargetTypeVXLAN: no protocol set, so the route table's default (boot) applies.
    for (const b of peer.blocks) w = tryRoute(w, node, { dst: b, gateway: peer.tunnelAddress, dev: VXLAN_DEVICE, onlink: true }, events);
  }
  return w;
}

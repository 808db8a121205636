import { cidrContains, cidrCovers, formatCidr, type Cidr } from '../../../net/cidr.js';
import { formatIpv4, type Ipv4 } from '../../../net/ipv4.js';
import { fibLookup } from '../../../kernel/fib.js';
import { getNetns, type World } from '../../../kernel/netns.js';
import type { RouteSpec } from '../../../kernel/ops.js';
import type { BgpBestRoute } from '../../bgp/types.js';
import { IPIP_DEVICE } from './names.js';

/**
 * What calico-node's BIRD writes into the kernel from its best routes: its `protocol kernel`
 * exports everything, shaped by confd's `calico_kernel_programming` filter (bird_ipam.cfg) and
 * Calico's BIRD fork (sysdep/linux/netlink.c). Routes carry rtm_protocol RTPROT_BIRD (12),
 * which `ip route` prints as `proto bird`.
 */
export interface BirdNode {
  readonly netns: string;
  /** The encapsulation of the pool: BIRD programs routes in bgp and ipip modes. */
  readonly mode: 'bgp' | 'ipip';
  readonly crossSubnet: boolean;
  /** `/bgp/v1/host/<node>/network_v4`: the node's own subnet, for CrossSubnet. */
  readonly nodeSubnet: Cidr;
  readonly pools: readonly Cidr[];
  /** The underlay device BIRD's direct routes go out of. */
  readonly uplink: string;
}

/** A kernel route BIRD installs, and why it looks the way it does (for the controller log). */
export type BirdKernelRoute =
  | { readonly kind: 'route'; readonly spec: RouteSpec; readonly note: string | null }
  /** BIRD keeps the route but cannot resolve its next hop: nothing reaches the kernel. */
  | { readonly kind: 'unresolved'; readonly prefix: Cidr; readonly nextHop: Ipv4; readonly note: string };

const PROTO_BIRD = 'bird' as const;

/** calico_kernel_programming: `krt_tunnel = "tunl0"` for pool routes in IPIP (CrossSubnet: off-subnet only). */
function useTunnel(n: BirdNode, route: BgpBestRoute): boolean {
  if (n.mode !== 'ipip' || !n.pools.some((p) => cidrCovers(p, route.prefix))) return false;
  // `if defined(bgp_next_hop) && (bgp_next_hop ~ <node subnet>) then krt_tunnel = "";`
  return !(n.crossSubnet && cidrContains(n.nodeSubnet, route.nextHop));
}

/** One best route as BIRD's kernel protocol installs it in the node's main table. */
export function birdKernelRoute(world: World, n: BirdNode, route: BgpBestRoute): BirdKernelRoute {
  // bird_aggr.cfg: `protocol static { route <block> blackhole; }` for the node's own blocks.
  if (route.learnedFrom === null) return { kind: 'route', spec: { type: 'blackhole', dst: route.prefix, proto: PROTO_BIRD }, note: null };
  if (useTunnel(n, route)) {
    // The Calico fork: RTA_OIF = tunl0, RTA_GATEWAY = the BGP next hop, RTNH_F_ONLINK.
    return { kind: 'route', spec: { dst: route.prefix, gateway: route.nextHop, dev: IPIP_DEVICE, onlink: true, proto: PROTO_BIRD }, note: null };
  }
  // `gateway recursive` (bird.cfg template): the BGP next hop is resolved through the kernel
  // table; the kernel route gets the immediate gateway of the route that resolved it.
  const via = fibLookup(getNetns(world, n.netns), { dst: route.nextHop, src: null, iif: null, oif: null, mark: 0 });
  if (via.kind !== 'unicast') {
    return { kind: 'unresolved', prefix: route.prefix, nextHop: route.nextHop, note: `next hop ${formatIpv4(route.nextHop)} of ${formatCidr(route.prefix)} is unreachable; BIRD keeps the route out of the kernel` };
  }
  if (via.gateway === null) return { kind: 'route', spec: { dst: route.prefix, gateway: route.nextHop, dev: via.dev, proto: PROTO_BIRD }, note: null };
  return {
    kind: 'route',
    spec: { dst: route.prefix, gateway: via.gateway, dev: via.dev, proto: PROTO_BIRD },
    note:
      `BGP next hop ${formatIpv4(route.nextHop)} of ${formatCidr(route.prefix)} is not on a connected subnet; ` +
      `gateway recursive resolves it through ${formatCidr(via.route.dst)} via ${formatIpv4(via.gateway)}, so pod traffic goes to that router ` +
      `unencapsulated, and the router drops it unless it learns the pod routes (peer it with BGP, or use IPIP/VXLAN CrossSubnet)`,
  };
}

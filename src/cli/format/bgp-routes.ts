import type { Node } from '../../cluster/node.js';
import type { CalicoConfig } from '../../cluster/header.js';
import type { BgpBestRoute } from '../../controllers/bgp/types.js';
import { cidrContains, cidrOf, formatCidr } from '../../net/cidr.js';
import { formatIpv4 } from '../../net/ipv4.js';

/** A best route as the `ip route` line BIRD's kernel protocol would leave on the node, plus a note. */
export interface BirdKernelLine {
  readonly text: string;
  readonly note: string | null;
}

/**
 * How a node's best BGP route looks in its kernel table (for display; the Calico dataplane
 * controller programs the real thing):
 * - its own block: `blackhole <block> proto bird` (the static protocol);
 * - IPIP (Always, or CrossSubnet to a node on another subnet): `calico_kernel_programming` sets
 *   `krt_tunnel = "tunl0"`: `via <NEXT_HOP> dev tunl0 proto bird onlink`;
 * - otherwise `gateway recursive`: a NEXT_HOP on eth0's subnet is used as is; another is resolved
 *   through the node's default route, so the kernel gets the gateway (cni.md §2.4-2.5).
 */
export function birdKernelLine(route: BgpBestRoute, node: Node, cni: CalicoConfig): BirdKernelLine {
  const dst = formatCidr(route.prefix);
  const stale = route.stale ? 'stale: the peer went away without NOTIFICATION; kept for the graceful-restart time or until its End-of-RIB' : null;
  if (route.learnedFrom === null) return { text: `blackhole ${dst} proto bird`, note: null };
  const nh = route.nextHop;
  const sameSubnet = cidrContains(cidrOf(node.ip, node.subnetPrefix), nh);
  const tunnel = cni.mode === 'ipip' && (!cni.crossSubnet || !sameSubnet);
  if (tunnel) return { text: `${dst} via ${formatIpv4(nh)} dev tunl0 proto bird onlink`, note: stale };
  if (sameSubnet) return { text: `${dst} via ${formatIpv4(nh)} dev eth0 proto bird`, note: stale };
  const why = `NEXT_HOP ${formatIpv4(nh)} is off-link: resolved recursively through the default route`;
  return { text: `${dst} via ${formatIpv4(node.gateway)} dev eth0 proto bird`, note: stale ? `${why}; ${stale}` : why };
}

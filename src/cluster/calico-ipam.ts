import type { Cidr } from '../net/cidr.js';
import type { Ipv4 } from '../net/ipv4.js';

/**
 * Calico IPAM state (the `ipamblocks` / `blockaffinities` resources): which blocks of the IP
 * pool each node holds, and the tunnel address each node got in IPIP/VXLAN mode (the
 * `projectcalico.org/IPv4IPIPTunnelAddr` / `IPv4VXLANTunnelAddr` node annotations).
 * Present only when the cluster runs Calico.
 */
export interface CalicoIpam {
  /** Blocks with an affinity, in the order they were claimed. */
  readonly blocks: readonly CalicoBlock[];
  /** node name -> tunnel address (tunl0 / vxlan.calico); empty in BGP mode. */
  readonly tunnelAddresses: ReadonlyMap<string, Ipv4>;
}

export interface CalicoBlock {
  readonly cidr: Cidr;
  /** The node the block is affine to (`host:<node>`). */
  readonly node: string;
}

export function blocksOf(ipam: CalicoIpam, node: string): readonly Cidr[] {
  return ipam.blocks.filter((b) => b.node === node).map((b) => b.cidr);
}

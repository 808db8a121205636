import type { Cluster } from '../../cluster/cluster.js';
import { blocksOf } from '../../cluster/calico-ipam.js';
import { CALICO_BIRD_TIMERS } from './timers.js';
import type { BgpNetworkInput, BgpPeering } from './types.js';

/**
 * The BGP network calico-node's BIRD forms on a cluster: one speaker per node (router id and
 * session source = the node IP, confd's `router id` / `source address`), each originating its
 * IPAM blocks (`bird_aggr.cfg`: `protocol static { route <block> blackhole; }`), peering as the
 * header says (node-to-node mesh or route reflectors), AS from the header (default 64512).
 * null when the cluster runs no BIRD: not Calico, or Calico VXLAN mode (`calico_backend: vxlan`).
 */
export function calicoBgpInput(cluster: Cluster): BgpNetworkInput | null {
  const cni = cluster.header.cni;
  if (cni.kind !== 'calico' || cni.bgp === null) return null;
  const topo = cni.bgp.topology;
  const peering: BgpPeering =
    topo.kind === 'full-mesh' ? { kind: 'full-mesh' } : { kind: 'route-reflectors', reflectors: topo.reflectors, clusterId: topo.clusterId };
  return {
    asNumber: cni.bgp.asNumber,
    peering,
    timers: CALICO_BIRD_TIMERS,
    speakers: cluster.nodes.map((n) => ({
      node: n.name,
      address: n.ip,
      originates: cluster.calicoIpam ? blocksOf(cluster.calicoIpam, n.name) : [],
    })),
  };
}

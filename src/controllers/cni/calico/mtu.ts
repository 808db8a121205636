import { match } from 'ts-pattern';
import type { CalicoMode } from '../../../cluster/header.js';

/**
 * Felix's determinePodMTU: the host MTU (smallest MTU of the interfaces matching
 * MTUIfacePattern, here eth0) minus the overhead of the encapsulation the pool enables. It is
 * written to /var/lib/calico/mtu, which the CNI plugin uses for the veths (`veth_mtu: "0"`).
 * CrossSubnet still enables the encapsulation, so it still lowers the MTU.
 */

/** felix/calc/...: ipipMTUOverhead = 20 (outer IPv4 header). */
export const IPIP_MTU_OVERHEAD = 20;
/** vxlanMTUOverhead = 50 (outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14). */
export const VXLAN_MTU_OVERHEAD = 50;

export function encapOverhead(mode: CalicoMode): number {
  return match(mode)
    .with('bgp', () => 0)
    .with('ipip', () => IPIP_MTU_OVERHEAD)
    .with('vxlan', () => VXLAN_MTU_OVERHEAD)
    .exhaustive();
}

export function calicoPodMtu(mode: CalicoMode, hostMtu: number): number {
  return hostMtu - encapOverhead(mode);
}

import type { Ipv4 } from '../../../net/ipv4.js';
import type { World } from '../../../kernel/netns.js';
import { addAddr, addLink, setLinkUp } from '../../../kernel/ops.js';
import { CALICO_VXLAN_PORT, CALICO_VXLAN_VNI, calicoVxlanMac, IPIP_DEVICE, VXLAN_DEVICE } from './names.js';

/** The tunnel devices Felix manages on a node (ipip_mgr.go, vxlan_mgr.go). */
export interface TunnelNode {
  readonly name: string;
  readonly netns: string;
  readonly ip: Ipv4;
  /** The node's tunnel address from Calico IPAM: the first address of its block. */
  readonly tunnelAddress: Ipv4;
  readonly mtu: number;
}

/**
 * tunl0 is the fallback device the ipip module creates in every netns (ip_tunnel_init_net):
 * remote any, local any, ttl 0 (inherit), pmtudisc off. Felix only sets its MTU (IpInIpMtu,
 * host MTU - 20), puts the tunnel address on it as a /32 and brings it up.
 */
export function ensureIpipTunnel(world: World, n: TunnelNode): World {
  let w = addLink(world, n.netns, { name: IPIP_DEVICE, kind: { type: 'ipip', local: null, remote: null, ttl: 0 }, mtu: n.mtu, mac: null });
  w = addAddr(w, n.netns, IPIP_DEVICE, n.tunnelAddress, 32);
  return setLinkUp(w, n.netns, IPIP_DEVICE);
}

/**
 * vxlan_mgr.go: `Vxlan{VxlanId: 4096, VtepDevIndex: eth0, SrcAddr: node IP, Port: 4789}`,
 * Learning left false (nolearning), MTU VXLANMTU (host - 50), the derived MAC, and the tunnel
 * address as a /32 (no prefix or broadcast routes).
 */
export function ensureVxlanTunnel(world: World, n: TunnelNode): World {
  let w = addLink(world, n.netns, {
    name: VXLAN_DEVICE,
    kind: { type: 'vxlan', vni: CALICO_VXLAN_VNI, dstport: CALICO_VXLAN_PORT, local: n.ip, dev: 'eth0', learning: false, ttl: 0, srcPortRange: [32768, 60999] },
    mtu: n.mtu,
    mac: calicoVxlanMac(n.name),
  });
  w = addAddr(w, n.netns, VXLAN_DEVICE, n.tunnelAddress, 32);
  return setLinkUp(w, n.netns, VXLAN_DEVICE);
}

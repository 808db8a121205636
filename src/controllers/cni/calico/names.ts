import { createHash } from 'node:crypto';
import { macFromBytes, type Mac } from '../../../net/mac.js';

/**
 * Names and addresses Calico derives deterministically: the host-side veth name of a pod, the
 * MAC every cali interface gets, the tunnel devices and the VXLAN tunnel MAC of a node.
 */

/** FELIX_INTERFACEPREFIX's first entry (default `cali`). */
const INTERFACE_PREFIX = 'cali';

/**
 * libcalico-go workload_endpoint_default.go: prefix + hex(sha1("<namespace>.<pod>"))[:11], 15
 * characters in all (IFNAMSIZ - 1).
 */
export function calicoVethName(namespace: string, pod: string): string {
  const hex = createHash('sha1').update(`${namespace}.${pod}`).digest('hex');
  return `${INTERFACE_PREFIX}${hex.slice(0, 15 - INTERFACE_PREFIX.length)}`;
}

/** dataplane_linux.go sets this MAC on the host end of every workload veth. */
export const CALI_HOST_MAC = 'ee:ee:ee:ee:ee:ee' as Mac;

/** The dummy next hop every pod routes to; proxy ARP on the cali interface answers for it. */
export const CALICO_POD_GATEWAY = '169.254.1.1';

/** The kernel's per-netns fallback IPIP device, which Felix configures. */
export const IPIP_DEVICE = 'tunl0';
/** Felix's VXLAN device (vxlan_mgr.go) and its defaults (VXLANVNI, VXLANPort). */
export const VXLAN_DEVICE = 'vxlan.calico';
export const CALICO_VXLAN_VNI = 4096;
export const CALICO_VXLAN_PORT = 4789;

/**
 * vxlan_resolver.go: without `Node.spec.vxlanTunnelMACAddr`, Felix derives the MAC as
 * append([]byte("f"), sha1(nodename)[0:5]...): the first byte is always 0x66 ('f').
 */
export function calicoVxlanMac(node: string): Mac {
  const digest = createHash('sha1').update(node).digest();
  return macFromBytes(Uint8Array.from([0x66, ...digest.subarray(0, 5)]));
}

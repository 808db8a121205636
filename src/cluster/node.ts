import type { Cidr } from '../net/cidr.js';
import type { Ipv4 } from '../net/ipv4.js';
import type { Labels, SourcePos } from './meta.js';

/** Defaults for a node's underlay interface (`eth0`). */
export const DEFAULT_NODE_SUBNET_PREFIX = 24;
export const DEFAULT_NODE_MTU = 1500;

/**
 * A Kubernetes Node together with the machine underneath: its `eth0` on the physical network
 * (address, subnet, default gateway, MTU) and the `spec.podCIDR` kube-controller-manager gave it.
 */
export interface Node {
  readonly name: string;
  /** InternalIP: the address on `eth0`. */
  readonly ip: Ipv4;
  /** Prefix length of the underlay subnet `eth0` sits on (default /24). */
  readonly subnetPrefix: number;
  /** Default gateway on the underlay (default: the .1 of the node's subnet). */
  readonly gateway: Ipv4;
  /**
   * `spec.podCIDR`: allocated by kube-controller-manager (`--allocate-node-cidrs`) when not
   * given. Flannel uses it as the node's lease; null only where the CNI ignores it (Calico IPAM).
   */
  readonly podCIDR: Cidr | null;
  /** MTU of `eth0` (default 1500). */
  readonly mtu: number;
  readonly labels: Labels;
  /** `spec.unschedulable` (cordoned): the spread scheduler skips it. */
  readonly unschedulable: boolean;
  /** null for nodes podnet inferred (from a pod's nodeName) rather than read. */
  readonly source: SourcePos | null;
}

/** The labels the kubelet puts on every node (`kubernetes.io/hostname`, os, arch). */
export function wellKnownNodeLabels(name: string): Readonly<Record<string, string>> {
  return { 'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' };
}

import type { Cidr } from '../../../../net/cidr.js';
import type { Ipv4 } from '../../../../net/ipv4.js';
import type { PolicyWorld } from '../../../../policy/model.js';
import type { CalicoMode } from '../../../../cluster/header.js';

/**
 * What Felix knows when it renders one node's iptables: the contract between the Calico CNI
 * controller (controllers/cni/calico/program.ts, which builds links and routes) and the Felix
 * renderer (controllers/cni/calico/felix/, which writes the cali-* chains and ipsets).
 */

/** A workload endpoint on this node: a pod and its host-side cali interface. */
export interface FelixWorkload {
  readonly namespace: string;
  readonly name: string;
  readonly ip: Ipv4;
  /** Host-side interface, `cali` + sha1("<ns>.<pod>")[:11]. */
  readonly iface: string;
  readonly serviceAccount: string;
}

export interface FelixNodeInput {
  readonly node: string;
  /** The node's netns id in the World. */
  readonly netns: string;
  readonly nodeIp: Ipv4;
  /** Pods (not hostNetwork) on this node. */
  readonly workloads: readonly FelixWorkload[];
  /** All node IPs of the cluster (`cali40all-hosts-net`). */
  readonly allHostIps: readonly Ipv4[];
  /** IP pools (`cali40all-ipam-pools`; `cali40masq-ipam-pools` when natOutgoing). */
  readonly pools: readonly Cidr[];
  readonly natOutgoing: boolean;
  readonly mode: CalicoMode;
  readonly crossSubnet: boolean;
  /** Pods, namespaces and NetworkPolicies of the whole cluster (selectors are cluster-wide). */
  readonly policy: PolicyWorld;
}

import type { Cidr } from '../../../net/cidr.js';
import type { Ipv4 } from '../../../net/ipv4.js';
import type { FlannelBackendConfig } from '../../../cluster/header.js';

/** Flannel's net-conf.json `Backend` block: the header's own type. */
export type FlannelBackend = FlannelBackendConfig;

/** What flanneld and the flannel CNI plugin need to know about the cluster. */
export interface FlannelInput {
  /** net-conf.json `Network`. */
  readonly network: Cidr;
  readonly backend: FlannelBackend;
  readonly nodes: readonly FlannelNode[];
  readonly pods: readonly FlannelPod[];
}

export interface FlannelNode {
  readonly name: string;
  readonly netns: string;
  /** public-ip annotation: the node's underlay address, on `eth0`. */
  readonly ip: Ipv4;
  readonly extIface: string;
  readonly extMtu: number;
  /** The lease: the node's podCIDR from kube-controller-manager. */
  readonly subnet: Cidr;
}

export interface FlannelPod {
  readonly namespace: string;
  readonly name: string;
  readonly netns: string;
  readonly node: string;
  readonly ip: Ipv4;
}

/** Linux's vxlan module default port (drivers/net/vxlan: "the Linux default is 8472"). */
export const LINUX_VXLAN_DEFAULT_PORT = 8472;

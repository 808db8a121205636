import type { Cidr } from '../net/cidr.js';
import type { Ipv4 } from '../net/ipv4.js';
import type { SourcePos } from './meta.js';

/**
 * The podnet header: the cluster-wide settings a topology file's first document gives (or that
 * podnet fills in with what kubeadm + the CNI's own manifests would set).
 */

/** Flannel `net-conf.json` `Backend`. */
export type FlannelBackendConfig =
  | {
      readonly type: 'vxlan';
      /** `VNI`, default 1 (device `flannel.1`). */
      readonly vni: number;
      /** `Port`; 0 = unset, the kernel's vxlan default (8472) applies. */
      readonly port: number;
      /** `DirectRouting`: host-gw style routes to nodes on the same subnet. Default false. */
      readonly directRouting: boolean;
      /** `MTU`; null = the external interface's MTU (minus 50 on the device). */
      readonly mtu: number | null;
    }
  | { readonly type: 'host-gw' };

export interface FlannelConfig {
  readonly kind: 'flannel';
  readonly backend: FlannelBackendConfig;
}

export type CalicoMode = 'bgp' | 'ipip' | 'vxlan';

/** How the calico-node BGP speakers peer. */
export type CalicoBgpTopology =
  | { readonly kind: 'full-mesh' }
  | {
      readonly kind: 'route-reflectors';
      /** Node names acting as route reflectors. */
      readonly reflectors: readonly string[];
      /** `routeReflectorClusterID`; default 244.0.0.1 as Calico docs use. */
      readonly clusterId: Ipv4;
    };

export interface CalicoBgpConfig {
  /** Default 64512 ("By default, all Calico nodes use the 64512 autonomous system"). */
  readonly asNumber: number;
  readonly topology: CalicoBgpTopology;
}

export interface CalicoConfig {
  readonly kind: 'calico';
  /** bgp = no encapsulation (ipipMode/vxlanMode Never); ipip / vxlan = the pool's encapsulation. */
  readonly mode: CalicoMode;
  /** ipipMode / vxlanMode CrossSubnet instead of Always; ignored (false) for mode bgp. */
  readonly crossSubnet: boolean;
  /** null for mode vxlan without BGP (calico_backend: vxlan): no BIRD at all. */
  readonly bgp: CalicoBgpConfig | null;
  /** IPPool blockSize, default 26. */
  readonly blockSize: number;
  /** IPPool natOutgoing, default true. */
  readonly natOutgoing: boolean;
}

export type CniConfig = FlannelConfig | CalicoConfig;
export type CniKind = CniConfig['kind'];

/** IPVS schedulers kube-proxy accepts (`--ipvs-scheduler`). */
export type IpvsScheduler = 'rr' | 'wrr' | 'lc' | 'wlc' | 'lblc' | 'lblcr' | 'sh' | 'dh' | 'sed' | 'nq' | 'mh';
export const IPVS_SCHEDULERS: readonly IpvsScheduler[] = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'sh', 'dh', 'sed', 'nq', 'mh'];

export type KubeProxyConfigHeader =
  | { readonly mode: 'iptables'; readonly masqueradeAll: boolean }
  | { readonly mode: 'ipvs'; readonly scheduler: IpvsScheduler; readonly masqueradeAll: boolean };

/** What CoreDNS forwards to (`forward . /etc/resolv.conf`) and what the nodes' resolv.conf holds. */
export interface DnsConfigHeader {
  /** The nodes' upstream nameservers (default: the first node's gateway, as DHCP would give). */
  readonly upstream: readonly Ipv4[];
  /** The nodes' resolv.conf search list (default none). */
  readonly nodeSearches: readonly string[];
}

export interface TopologyHeader {
  /** `metadata.name` of the header, or the file's base name. */
  readonly name: string;
  readonly cni: CniConfig;
  readonly kubeProxy: KubeProxyConfigHeader;
  /** `--cluster-cidr`, flannel `Network`, Calico's default IPPool (default 10.244.0.0/16). */
  readonly podCIDR: Cidr;
  /** `--node-cidr-mask-size` for node podCIDR allocation (default 24). */
  readonly nodeCIDRMaskSize: number;
  /** `--service-cluster-ip-range` (default 10.96.0.0/12). */
  readonly serviceCIDR: Cidr;
  readonly clusterDomain: string;
  readonly dns: DnsConfigHeader;
  /** null when the input had no header (a plain manifest list) and everything is defaulted. */
  readonly source: SourcePos | null;
}

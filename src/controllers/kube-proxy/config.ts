import type { Cidr } from '../../net/cidr.js';
import type { Ipv4 } from '../../net/ipv4.js';

/** One endpoint of a service port, as an EndpointSlice describes it. */
export interface KpEndpoint {
  readonly ip: Ipv4;
  readonly port: number;
  /** EndpointSlice `nodeName`; endpoints without one count as remote. */
  readonly nodeName: string | null;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
}

/** One port of one Service, with everything kube-proxy reads to program it. */
export interface KpServicePort {
  readonly namespace: string;
  readonly name: string;
  readonly portName: string | null;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  /** null for headless services, which kube-proxy skips. */
  readonly clusterIP: Ipv4 | null;
  readonly port: number;
  readonly nodePort: number | null;
  readonly externalIPs: readonly Ipv4[];
  readonly loadBalancerIPs: readonly Ipv4[];
  readonly loadBalancerSourceRanges: readonly Cidr[];
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  readonly internalTrafficPolicy: 'Cluster' | 'Local';
  /** ClientIP affinity timeout (default 10800 s), or null for `None`. */
  readonly sessionAffinitySeconds: number | null;
  readonly healthCheckNodePort: number | null;
  readonly endpoints: readonly KpEndpoint[];
}

/** kube-proxy's flags and what it learns about its node. */
export interface KubeProxyConfig {
  readonly nodeName: string;
  readonly nodeIPs: readonly Ipv4[];
  /** --cluster-cidr for DetectLocalByCIDR; null = no local detector (masquerade rule omitted). */
  readonly localDetector: Cidr | null;
  readonly masqueradeAll: boolean;
  /** --iptables-masquerade-bit (default 14 -> mark 0x4000). */
  readonly masqueradeBit: number;
  /** --iptables-localhost-nodeports (default true). */
  readonly localhostNodePorts: boolean;
  /**
   * --nodeport-addresses: NodePorts answer only on the node's addresses inside these CIDRs.
   * Absent or empty: every local address (`-m addrtype --dst-type LOCAL`).
   */
  readonly nodePortAddresses?: readonly Cidr[];
  /** iptables supports MASQUERADE --random-fully (1.6.2+). */
  readonly randomFully: boolean;
  /** The nfacct counters kube-proxy creates when the kernel has nfnetlink_acct. */
  readonly nfacct: boolean;
}

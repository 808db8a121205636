import type { Cidr } from '../net/cidr.js';
import type { Ipv4 } from '../net/ipv4.js';
import type { Labels, Protocol, SourcePos } from './meta.js';

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';

export const SERVICE_TYPES: readonly ServiceType[] = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];

/** kube-apiserver's default `sessionAffinityConfig.clientIP.timeoutSeconds` (3 hours). */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;

export interface ServicePort {
  readonly name: string | null;
  readonly protocol: Protocol;
  readonly port: number;
  /** A number, or the name of a container port (defaults to `port`). */
  readonly targetPort: number | string;
  /** Allocated from 30000-32767 for NodePort/LoadBalancer when not given; else null. */
  readonly nodePort: number | null;
}

export type SessionAffinity =
  | { readonly kind: 'None' }
  | { readonly kind: 'ClientIP'; readonly timeoutSeconds: number };

/** `spec.clusterIP`: an address, or `None` for a headless service (DNS only, no kube-proxy rules). */
export type ClusterIP = Ipv4 | 'None';

export interface Service {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly type: ServiceType;
  /** ExternalName services have no cluster IP: they are `'None'` here too. */
  readonly clusterIP: ClusterIP;
  readonly ports: readonly ServicePort[];
  /** null: no selector, endpoints are managed by hand (EndpointSlices in the file). */
  readonly selector: Labels | null;
  readonly sessionAffinity: SessionAffinity;
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  readonly internalTrafficPolicy: 'Cluster' | 'Local';
  /** `status.loadBalancer.ingress[].ip`. */
  readonly loadBalancerIngress: readonly Ipv4[];
  readonly loadBalancerSourceRanges: readonly Cidr[];
  readonly externalIPs: readonly Ipv4[];
  /** For type ExternalName: the CNAME target; else null. */
  readonly externalName: string | null;
  readonly publishNotReadyAddresses: boolean;
  /** For LoadBalancer with externalTrafficPolicy Local; else null. */
  readonly healthCheckNodePort: number | null;
  /** null for services podnet creates (`default/kubernetes`, `kube-system/kube-dns`). */
  readonly source: SourcePos | null;
}

export const isHeadless = (s: Service): boolean => s.clusterIP === 'None';

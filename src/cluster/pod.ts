import type { Ipv4 } from '../net/ipv4.js';
import type { Labels, Protocol, SourcePos } from './meta.js';

export interface ContainerPort {
  readonly name: string | null;
  readonly containerPort: number;
  readonly protocol: Protocol;
  /** `hostPort`, served by the CNI portmap plugin; null when not set. */
  readonly hostPort: number | null;
}

export interface Container {
  readonly name: string;
  readonly ports: readonly ContainerPort[];
}

export type DnsPolicy = 'ClusterFirst' | 'ClusterFirstWithHostNet' | 'Default' | 'None';

export const DNS_POLICIES: readonly DnsPolicy[] = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];

/** `spec.dnsConfig`: merged into the resolv.conf the kubelet writes. */
export interface PodDnsConfig {
  readonly nameservers: readonly Ipv4[];
  readonly searches: readonly string[];
  readonly options: readonly { readonly name: string; readonly value: string | null }[];
}

/** The controller that created the pod, from `metadata.ownerReferences` or our own expansion. */
export interface PodOwner {
  readonly kind: 'Deployment' | 'StatefulSet' | 'ReplicaSet' | 'DaemonSet' | 'Job';
  readonly name: string;
}

export interface Pod {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string | null;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly nodeName: string;
  readonly hostNetwork: boolean;
  /** `status.podIP`: assigned by host-local IPAM when not given; the node IP for hostNetwork pods. */
  readonly ip: Ipv4;
  readonly containers: readonly Container[];
  /** `spec.hostname` (StatefulSet pods: the pod name). */
  readonly hostname: string | null;
  /** `spec.subdomain` (StatefulSet pods: `serviceName`). */
  readonly subdomain: string | null;
  readonly dnsPolicy: DnsPolicy;
  readonly dnsConfig: PodDnsConfig | null;
  readonly owner: PodOwner | null;
  /** The Ready condition (default true); EndpointSlices list not-ready pods as not ready. */
  readonly ready: boolean;
  /** `metadata.deletionTimestamp` is set: the pod is shutting down. */
  readonly terminating: boolean;
  /** Where the pod (or the Deployment/StatefulSet that made it) is in the input. */
  readonly source: SourcePos;
}

/** All container ports of a pod, in declaration order. */
export function podPorts(p: Pod): readonly ContainerPort[] {
  return p.containers.flatMap((c) => c.ports);
}

import type { CalicoIpam } from './calico-ipam.js';
import type { EndpointSlice } from './endpoint-slice.js';
import type { TopologyHeader } from './header.js';
import type { Namespace } from './namespace.js';
import type { NetworkPolicy } from './network-policy.js';
import type { Node } from './node.js';
import type { Pod } from './pod.js';
import type { Service } from './service.js';


/**
 * A whole cluster as typed, readonly data: what the topology loader produces and every
 * controller reads. Lists keep input order (generated objects first where a real cluster would
 * have them: `default/kubernetes`, `kube-system/kube-dns`).
 */
export interface Cluster {
  readonly header: TopologyHeader;
  readonly nodes: readonly Node[];
  readonly namespaces: readonly Namespace[];
  readonly pods: readonly Pod[];
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
  readonly networkPolicies: readonly NetworkPolicy[];
  /** Calico's block allocations and tunnel addresses; null unless the CNI is Calico. */
  readonly calicoIpam: CalicoIpam | null;
}

export function findNode(c: Cluster, name: string): Node | undefined {
  return c.nodes.find((n) => n.name === name);
}

export function findPod(c: Cluster, namespace: string, name: string): Pod | undefined {
  return c.pods.find((p) => p.namespace === namespace && p.name === name);
}

export function findService(c: Cluster, namespace: string, name: string): Service | undefined {
  return c.services.find((s) => s.namespace === namespace && s.name === name);
}

/** The slices belonging to a Service (by the `kubernetes.io/service-name` label). */
export function slicesOf(c: Cluster, svc: { readonly namespace: string; readonly name: string }): readonly EndpointSlice[] {
  return c.endpointSlices.filter((s) => s.namespace === svc.namespace && s.serviceName === svc.name);
}

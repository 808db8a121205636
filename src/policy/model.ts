import { match } from 'ts-pattern';
import type { Labels, Protocol } from '../cluster/meta.js';
import { NAMESPACE_NAME_LABEL } from '../cluster/namespace.js';
import type { NetworkPolicy } from '../cluster/network-policy.js';
import { formatIpv4, type Ipv4 } from '../net/ipv4.js';

/**
 * The evaluator's inputs. They are small structural interfaces so that the Cluster's Pod,
 * Namespace and Node satisfy them as they are, and tests can build them by hand.
 */

export interface PolicyContainerPort {
  readonly name: string | null;
  readonly containerPort: number;
  readonly protocol: Protocol;
}

export interface PolicyPod {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly ip: Ipv4;
  readonly nodeName: string;
  readonly hostNetwork: boolean;
  readonly containers: readonly { readonly ports: readonly PolicyContainerPort[] }[];
}

export interface PolicyNamespace {
  readonly name: string;
  readonly labels: Labels;
}

export interface PolicyNode {
  readonly name: string;
  readonly ip: Ipv4;
}

export interface PolicyWorld {
  readonly pods: readonly PolicyPod[];
  readonly namespaces: readonly PolicyNamespace[];
  readonly nodes: readonly PolicyNode[];
  readonly policies: readonly NetworkPolicy[];
}

/**
 * Where implementations differ (netpol.md §1.9), the switch and its default. The defaults are
 * the upstream e2e semantics.
 */
export interface PolicySemantics {
  /** (a) ipBlock also matches pod IPs (e2e, Calico, Antrea: true; Cilium, netpol-analyzer: false). */
  readonly ipBlockMatchesPodIPs: boolean;
  /** (g) egress from a pod to its own node is always allowed (default false: policed, as the API text reads). */
  readonly nodeLocalEgressAllowed: boolean;
  /** (h) hostNetwork pods are selected like other pods (default false: invisible to selectors, traffic is the node's). */
  readonly hostNetworkPodsSelectable: boolean;
  /** (k) NotIn matches a missing key (apimachinery: true; cyclonus' engine: false). */
  readonly notInMatchesMissingKey: boolean;
  /** (d) traffic from a pod to itself: policed like any other (Calico, Antrea, cyclonus) or always allowed (Cilium). */
  readonly loopback: 'policed' | 'allowed';
}

export const UPSTREAM_SEMANTICS: PolicySemantics = {
  ipBlockMatchesPodIPs: true,
  nodeLocalEgressAllowed: false,
  hostNetworkPodsSelectable: false,
  notInMatchesMissingKey: true,
  loopback: 'policed',
};

/** One end of a connection. */
export type PolicyEndpoint =
  | { readonly kind: 'pod'; readonly pod: PolicyPod }
  | { readonly kind: 'node'; readonly node: PolicyNode }
  | { readonly kind: 'external'; readonly ip: Ipv4 };

/** What is sent: an L4 protocol to a destination port (after DNAT), or ICMP (no ports). */
export type Traffic = { readonly kind: 'l4'; readonly protocol: Protocol; readonly port: number } | { readonly kind: 'icmp' };

export interface Connection {
  readonly src: PolicyEndpoint;
  readonly dst: PolicyEndpoint;
  readonly traffic: Traffic;
}

/**
 * How the policy machinery sees an endpoint: a pod-network pod (subject to policy, matched by
 * selectors), a node (its IP; hostNetwork pods count as their node unless they are selectable),
 * or an external address.
 */
export type EndpointRole =
  | { readonly kind: 'pod'; readonly pod: PolicyPod }
  | { readonly kind: 'node'; readonly node: PolicyNode; readonly hostNetworkPod: PolicyPod | null }
  | { readonly kind: 'external'; readonly ip: Ipv4 };

/** A world prepared for evaluation: lookups by namespace, node and IP. */
export interface PolicyIndex {
  readonly world: PolicyWorld;
  readonly semantics: PolicySemantics;
  readonly namespaceLabels: ReadonlyMap<string, Labels>;
  readonly policiesByNamespace: ReadonlyMap<string, readonly NetworkPolicy[]>;
  readonly nodesByName: ReadonlyMap<string, PolicyNode>;
  readonly podsByKey: ReadonlyMap<string, PolicyPod>;
}

export function podKey(p: { readonly namespace: string; readonly name: string }): string {
  return `${p.namespace}/${p.name}`;
}

export function indexWorld(world: PolicyWorld, semantics: PolicySemantics = UPSTREAM_SEMANTICS): PolicyIndex {
  const namespaceLabels = new Map<string, Labels>();
  for (const ns of world.namespaces) namespaceLabels.set(ns.name, ns.labels);
  const policiesByNamespace = new Map<string, NetworkPolicy[]>();
  for (const p of world.policies) {
    const list = policiesByNamespace.get(p.namespace) ?? [];
    list.push(p);
    policiesByNamespace.set(p.namespace, list);
  }
  const nodesByName = new Map<string, PolicyNode>();
  for (const n of world.nodes) nodesByName.set(n.name, n);
  const podsByKey = new Map<string, PolicyPod>();
  for (const p of world.pods) podsByKey.set(podKey(p), p);
  return { world, semantics, namespaceLabels, policiesByNamespace, nodesByName, podsByKey };
}

/** A namespace's labels; a namespace nobody declared still has `kubernetes.io/metadata.name`. */
export function labelsOfNamespace(index: PolicyIndex, name: string): Labels {
  return index.namespaceLabels.get(name) ?? { [NAMESPACE_NAME_LABEL]: name };
}

export function policiesIn(index: PolicyIndex, namespace: string): readonly NetworkPolicy[] {
  return index.policiesByNamespace.get(namespace) ?? [];
}

/** The node a pod runs on (a stand-in with the pod's IP for a hostNetwork pod on an unknown node). */
export function nodeOfPod(index: PolicyIndex, pod: PolicyPod): PolicyNode | null {
  return index.nodesByName.get(pod.nodeName) ?? (pod.hostNetwork ? { name: pod.nodeName, ip: pod.ip } : null);
}

export function roleOf(index: PolicyIndex, ep: PolicyEndpoint): EndpointRole {
  return match(ep)
    .with({ kind: 'pod' }, ({ pod }): EndpointRole => {
      if (!pod.hostNetwork || index.semantics.hostNetworkPodsSelectable) return { kind: 'pod', pod };
      return { kind: 'node', node: nodeOfPod(index, pod) ?? { name: pod.nodeName, ip: pod.ip }, hostNetworkPod: pod };
    })
    .with({ kind: 'node' }, ({ node }): EndpointRole => ({ kind: 'node', node, hostNetworkPod: null }))
    .with({ kind: 'external' }, ({ ip }): EndpointRole => ({ kind: 'external', ip }))
    .exhaustive();
}

export function endpointIp(ep: PolicyEndpoint): Ipv4 {
  return match(ep)
    .with({ kind: 'pod' }, ({ pod }) => pod.ip)
    .with({ kind: 'node' }, ({ node }) => node.ip)
    .with({ kind: 'external' }, ({ ip }) => ip)
    .exhaustive();
}

/**
 * The endpoint that owns an IP: a pod-network pod, else a node, else an external address.
 * (A hostNetwork pod shares its node's IP; name it as a pod to mean the pod.)
 */
export function endpointForIp(index: PolicyIndex, ip: Ipv4): PolicyEndpoint {
  const pod = index.world.pods.find((p) => p.ip === ip && !p.hostNetwork);
  if (pod) return { kind: 'pod', pod };
  const node = index.world.nodes.find((n) => n.ip === ip);
  if (node) return { kind: 'node', node };
  return { kind: 'external', ip };
}

/** `x/a`, `node node1`, `203.0.113.9`. */
export function endpointName(ep: PolicyEndpoint): string {
  return match(ep)
    .with({ kind: 'pod' }, ({ pod }) => podKey(pod))
    .with({ kind: 'node' }, ({ node }) => `node ${node.name}`)
    .with({ kind: 'external' }, ({ ip }) => formatIpv4(ip))
    .exhaustive();
}

/** `80/TCP`, `ICMP`. */
export function trafficText(t: Traffic): string {
  return match(t)
    .with({ kind: 'l4' }, (l4) => `${l4.port}/${l4.protocol}`)
    .with({ kind: 'icmp' }, () => 'ICMP')
    .exhaustive();
}

export function samePod(a: PolicyPod, b: PolicyPod): boolean {
  return a === b || (a.namespace === b.namespace && a.name === b.name);
}

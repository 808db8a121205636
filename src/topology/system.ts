import type { Ipv4 } from '../net/ipv4.js';
import type { World } from '../kernel/netns.js';
import type { ControllerEvent } from '../controllers/events.js';
import type { UdpResponder } from '../net/datagram.js';
import type { NetnsRuleRef as RuleRef } from '../kernel/netfilter/rule-location.js';

/** What a netns is, for labels and pickers. */
export type NetnsRole =
  | { readonly kind: 'node'; readonly node: string }
  | { readonly kind: 'pod'; readonly node: string; readonly namespace: string; readonly name: string }
  | { readonly kind: 'underlay' };

export interface NetnsInfo {
  readonly id: string;
  /** "node1", "pod default/pod-a", "underlay". */
  readonly where: string;
  readonly role: NetnsRole;
  /** The address others reach it by: the pod IP, the node's underlay IP; null for the underlay. */
  readonly ip: Ipv4 | null;
}

export interface ServiceInfo {
  readonly namespace: string;
  readonly name: string;
  /** null for headless and ExternalName services. */
  readonly clusterIP: Ipv4 | null;
  readonly ports: readonly { readonly name: string | null; readonly port: number; readonly protocol: 'TCP' | 'UDP' | 'SCTP' }[];
}

/**
 * What a socket table answers for a destination port in a netns. A UDP listener may say how its
 * application answers a datagram (`respond`); without it the reply echoes the request's payload.
 */
export type SocketLookup =
  | { readonly kind: 'listening'; readonly what: string; readonly respond?: UdpResponder }
  | { readonly kind: 'closed'; readonly detail: string };

/**
 * A topology brought to life: every node's kernel programmed by the controllers the topology
 * names (CNI, kube-proxy, CoreDNS), plus what they logged. Built by topology/build.ts.
 */
export interface System {
  readonly name: string;
  /** e.g. "flannel vxlan, kube-proxy iptables". */
  readonly description: string;
  readonly world: World;
  readonly netns: ReadonlyMap<string, NetnsInfo>;
  readonly events: readonly ControllerEvent[];
  /** Services by `namespace/name`: their ClusterIP ports, for `svc/NS/NAME` endpoints. */
  readonly services: ReadonlyMap<string, ServiceInfo>;
  /** hostNetwork pods by `namespace/name`: they live in their node's netns. */
  readonly hostNetworkPods: ReadonlyMap<string, { readonly netns: string; readonly ip: Ipv4 }>;
  /** Controllers' explanation of netfilter rules they wrote (which NetworkPolicy a drop enforces). */
  readonly explainRule?: (rule: RuleRef) => string | null;
  /** Listening sockets of the modelled applications. */
  readonly sockets: (netns: string, protocol: 'tcp' | 'udp', port: number) => SocketLookup;
}

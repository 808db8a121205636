import { match } from 'ts-pattern';
import { selectorFailures, type TermFailure } from '../cluster/label-selector.js';
import type { Protocol } from '../cluster/meta.js';
import { policyHasType, rulesOf, type NetworkPolicy, type PolicyPeer, type PolicyPort, type PolicyRule, type PolicyType } from '../cluster/network-policy.js';
import { cidrContains, type Cidr } from '../net/cidr.js';
import type { Ipv4 } from '../net/ipv4.js';
import {
  endpointForIp,
  endpointIp,
  labelsOfNamespace,
  policiesIn,
  roleOf,
  samePod,
  type Connection,
  type EndpointRole,
  type PolicyContainerPort,
  type PolicyEndpoint,
  type PolicyIndex,
  type PolicyPod,
  type Traffic,
} from './model.js';

/**
 * The NetworkPolicy decision procedure (netpol.md §1.8) with a full account of why: for each
 * direction, whether the pod is isolated, which policies select it, and for every rule of
 * every applying policy which peer and port matched or why none did.
 */

/** How the namespace half of a selector peer went. */
export type NamespaceCheck =
  /** No namespaceSelector: the peer means pods of the policy's own namespace. */
  | { readonly kind: 'policy-namespace'; readonly ok: boolean; readonly policyNamespace: string; readonly podNamespace: string }
  | { readonly kind: 'namespace-selector'; readonly ok: boolean; readonly namespace: string; readonly failures: readonly TermFailure[] };

export type PodCheck = { readonly kind: 'any-pod' } | { readonly kind: 'pod-selector'; readonly ok: boolean; readonly failures: readonly TermFailure[] };

export type PeerResult =
  /** A selector peer judged against a pod. */
  | { readonly kind: 'selector'; readonly namespace: NamespaceCheck; readonly pod: PodCheck }
  /** A selector peer never matches a node, an external address or a hostNetwork pod (rules 19, 31). */
  | { readonly kind: 'selector-not-a-pod'; readonly remote: 'node' | 'host-network-pod' | 'external' }
  | { readonly kind: 'ip-in-block'; readonly ip: Ipv4 }
  | { readonly kind: 'ip-outside-block'; readonly ip: Ipv4 }
  | { readonly kind: 'ip-in-except'; readonly ip: Ipv4; readonly except: Cidr }
  /** An IPv6 block never matches an IPv4 packet (rule 33). */
  | { readonly kind: 'ip-family-mismatch'; readonly ip: Ipv4 }
  /** Semantics with ipBlockMatchesPodIPs=false (Cilium): in-cluster pods are never matched by ipBlock. */
  | { readonly kind: 'ip-block-ignores-pods'; readonly ip: Ipv4 };

export interface PeerReport {
  readonly index: number;
  readonly peer: PolicyPeer;
  readonly matched: boolean;
  readonly result: PeerResult;
}

export type PortResult =
  | { readonly kind: 'all-ports'; readonly protocol: Protocol }
  | { readonly kind: 'port'; readonly port: number }
  | { readonly kind: 'range'; readonly port: number; readonly endPort: number }
  /** A named port, resolved on the destination pod to `resolved`. */
  | { readonly kind: 'named'; readonly name: string; readonly resolved: number; readonly pod: PolicyPod }
  | { readonly kind: 'protocol-mismatch'; readonly want: Protocol; readonly got: Protocol | 'ICMP' }
  | { readonly kind: 'port-mismatch'; readonly want: number; readonly got: number }
  | { readonly kind: 'range-mismatch'; readonly port: number; readonly endPort: number; readonly got: number }
  | { readonly kind: 'named-other-port'; readonly name: string; readonly resolved: number; readonly got: number; readonly pod: PolicyPod }
  /** The destination pod has no container port with that name and protocol. */
  | { readonly kind: 'named-not-found'; readonly name: string; readonly protocol: Protocol; readonly pod: PolicyPod; readonly sameNameOtherProtocol: readonly PolicyContainerPort[] }
  /** The destination is not a pod (external, node, hostNetwork): a name cannot resolve. */
  | { readonly kind: 'named-no-pod'; readonly name: string };

export interface PortReport {
  readonly index: number;
  readonly port: PolicyPort;
  readonly matched: boolean;
  readonly result: PortResult;
}

export interface RuleReport {
  readonly index: number;
  readonly rule: PolicyRule;
  /** Per peer; empty when the rule has no `from`/`to` (matches every endpoint). */
  readonly peers: readonly PeerReport[];
  /** Per port entry; empty when the rule has no `ports` (matches every port and protocol). */
  readonly ports: readonly PortReport[];
  readonly peerMatched: boolean;
  readonly portMatched: boolean;
  readonly matched: boolean;
}

export type Selection = { readonly matched: true } | { readonly matched: false; readonly failures: readonly TermFailure[] };

export interface PolicyReport {
  readonly policy: NetworkPolicy;
  /** Whether spec.podSelector selects the pod. */
  readonly selection: Selection;
  /** Whether the policy's policyTypes include this direction. */
  readonly hasType: boolean;
  /** selects && hasType: the policy isolates the pod in this direction and its rules count. */
  readonly applies: boolean;
  /** Evaluated only when the policy applies. */
  readonly rules: readonly RuleReport[];
}

export interface RuleRef {
  readonly policy: NetworkPolicy;
  readonly ruleIndex: number;
}

export type Decision =
  /** Only pods are subject to NetworkPolicy; the other end is checked on its own. */
  | { readonly kind: 'not-a-pod'; readonly what: 'node' | 'host-network-pod' | 'external' }
  /** A pod talking to itself, with loopback semantics 'allowed'. */
  | { readonly kind: 'loopback' }
  /** No policy selects the pod for this direction: everything is allowed. */
  | { readonly kind: 'not-isolated' }
  /** Ingress from the pod's own node (rule 27), or egress to it with nodeLocalEgressAllowed. */
  | { readonly kind: 'node-local' }
  | { readonly kind: 'allowed-by-rules'; readonly rules: readonly RuleRef[] }
  | { readonly kind: 'no-rule-matched' };

export interface DirectionVerdict {
  readonly direction: PolicyType;
  /** The pod whose policies decide: the source for Egress, the destination for Ingress. */
  readonly subject: PolicyEndpoint;
  /** The other end. */
  readonly remote: PolicyEndpoint;
  readonly traffic: Traffic;
  readonly allowed: boolean;
  readonly decision: Decision;
  /** Every policy of the subject pod's namespace (empty for non-pods). */
  readonly policies: readonly PolicyReport[];
  /**
   * Policies in *other* namespaces whose podSelector would select the pod's labels: they never
   * apply (rule 8), but are a common mistake worth pointing at. Only filled when not isolated.
   */
  readonly elsewhere: readonly NetworkPolicy[];
}

export interface Verdict {
  readonly connection: Connection;
  readonly allowed: boolean;
  /** Source and destination are the same pod (hairpin / loopback: implementation-defined). */
  readonly loopback: boolean;
  readonly egress: DirectionVerdict;
  readonly ingress: DirectionVerdict;
}

const isNodeOf = (role: EndpointRole, pod: PolicyPod): boolean => role.kind === 'node' && role.node.name === pod.nodeName;

function ipInBlock(index: PolicyIndex, peer: Extract<PolicyPeer, { kind: 'ipBlock' }>, remote: EndpointRole, ip: Ipv4): PeerResult {
  if (remote.kind === 'pod' && !index.semantics.ipBlockMatchesPodIPs) return { kind: 'ip-block-ignores-pods', ip };
  const b = peer.ipBlock;
  return match(b)
    .with({ family: 'IPv6' }, (): PeerResult => ({ kind: 'ip-family-mismatch', ip }))
    .with({ family: 'IPv4' }, (v4): PeerResult => {
      if (!cidrContains(v4.cidr, ip)) return { kind: 'ip-outside-block', ip };
      const ex = v4.except.find((e) => cidrContains(e, ip));
      return ex ? { kind: 'ip-in-except', ip, except: ex } : { kind: 'ip-in-block', ip };
    })
    .exhaustive();
}

export function peerMatched(r: PeerResult): boolean {
  return match(r)
    .with({ kind: 'selector' }, (s) => s.namespace.ok && (s.pod.kind === 'any-pod' || s.pod.ok))
    .with({ kind: 'ip-in-block' }, () => true)
    .with(
      { kind: 'selector-not-a-pod' },
      { kind: 'ip-outside-block' },
      { kind: 'ip-in-except' },
      { kind: 'ip-family-mismatch' },
      { kind: 'ip-block-ignores-pods' },
      () => false,
    )
    .exhaustive();
}

/** Judge one peer of a policy in `policyNamespace` against the remote end. */
export function judgePeer(index: PolicyIndex, peer: PolicyPeer, policyNamespace: string, remote: PolicyEndpoint): PeerResult {
  const role = roleOf(index, remote);
  const sem = { notInMatchesMissingKey: index.semantics.notInMatchesMissingKey };
  return match(peer)
    .with({ kind: 'ipBlock' }, (p) => ipInBlock(index, p, role, endpointIp(remote)))
    .with({ kind: 'selector' }, (p): PeerResult => {
      if (role.kind !== 'pod') {
        return { kind: 'selector-not-a-pod', remote: role.kind === 'node' ? (role.hostNetworkPod ? 'host-network-pod' : 'node') : 'external' };
      }
      const pod = role.pod;
      const namespace: NamespaceCheck =
        p.namespaceSelector === null
          ? { kind: 'policy-namespace', ok: pod.namespace === policyNamespace, policyNamespace, podNamespace: pod.namespace }
          : (() => {
              const failures = selectorFailures(p.namespaceSelector, labelsOfNamespace(index, pod.namespace), sem);
              return { kind: 'namespace-selector', ok: failures.length === 0, namespace: pod.namespace, failures } as const;
            })();
      const podCheck: PodCheck =
        p.podSelector === null
          ? { kind: 'any-pod' }
          : (() => {
              const failures = selectorFailures(p.podSelector, pod.labels, sem);
              return { kind: 'pod-selector', ok: failures.length === 0, failures } as const;
            })();
      return { kind: 'selector', namespace, pod: podCheck };
    })
    .exhaustive();
}

export function portMatched(r: PortResult): boolean {
  return match(r)
    .with({ kind: 'all-ports' }, { kind: 'port' }, { kind: 'range' }, { kind: 'named' }, () => true)
    .with(
      { kind: 'protocol-mismatch' },
      { kind: 'port-mismatch' },
      { kind: 'range-mismatch' },
      { kind: 'named-other-port' },
      { kind: 'named-not-found' },
      { kind: 'named-no-pod' },
      () => false,
    )
    .exhaustive();
}

/**
 * The container port a name resolves to on a pod for a protocol: the first container port
 * (in declaration order) with that name and protocol, as the EndpointSlice controller picks.
 */
export function resolveNamedPort(pod: PolicyPod, name: string, protocol: Protocol): number | null {
  for (const c of pod.containers) for (const p of c.ports) if (p.name === name && p.protocol === protocol) return p.containerPort;
  return null;
}

/** Judge one `ports` entry; `dstPod` is the connection's destination when it is a pod (named ports resolve there). */
export function judgePort(e: PolicyPort, traffic: Traffic, dstPod: PolicyPod | null): PortResult {
  return match(traffic)
    .with({ kind: 'icmp' }, (): PortResult => ({ kind: 'protocol-mismatch', want: e.protocol, got: 'ICMP' }))
    .with({ kind: 'l4' }, (t): PortResult => {
      if (t.protocol !== e.protocol) return { kind: 'protocol-mismatch', want: e.protocol, got: t.protocol };
      const port = e.port;
      if (port === null) return { kind: 'all-ports', protocol: e.protocol };
      if (typeof port === 'number') {
        if (e.endPort !== null) {
          return t.port >= port && t.port <= e.endPort ? { kind: 'range', port, endPort: e.endPort } : { kind: 'range-mismatch', port, endPort: e.endPort, got: t.port };
        }
        return t.port === port ? { kind: 'port', port } : { kind: 'port-mismatch', want: port, got: t.port };
      }
      if (dstPod === null) return { kind: 'named-no-pod', name: port };
      const resolved = resolveNamedPort(dstPod, port, t.protocol);
      if (resolved === null) {
        const other = dstPod.containers.flatMap((c) => c.ports.filter((p) => p.name === port));
        return { kind: 'named-not-found', name: port, protocol: t.protocol, pod: dstPod, sameNameOtherProtocol: other };
      }
      return resolved === t.port ? { kind: 'named', name: port, resolved, pod: dstPod } : { kind: 'named-other-port', name: port, resolved, got: t.port, pod: dstPod };
    })
    .exhaustive();
}

function judgeRule(index: PolicyIndex, rule: PolicyRule, ruleIndex: number, policy: NetworkPolicy, remote: PolicyEndpoint, traffic: Traffic, dstPod: PolicyPod | null): RuleReport {
  const peers = rule.peers.map((peer, i): PeerReport => {
    const result = judgePeer(index, peer, policy.namespace, remote);
    return { index: i, peer, matched: peerMatched(result), result };
  });
  const ports = rule.ports.map((port, i): PortReport => {
    const result = judgePort(port, traffic, dstPod);
    return { index: i, port, matched: portMatched(result), result };
  });
  const pm = peers.length === 0 || peers.some((p) => p.matched);
  const om = ports.length === 0 || ports.some((p) => p.matched);
  return { index: ruleIndex, rule, peers, ports, peerMatched: pm, portMatched: om, matched: pm && om };
}

function judgeDirection(index: PolicyIndex, conn: Connection, direction: PolicyType): DirectionVerdict {
  const subject = direction === 'Egress' ? conn.src : conn.dst;
  const remote = direction === 'Egress' ? conn.dst : conn.src;
  const base = { direction, subject, remote, traffic: conn.traffic };
  const role = roleOf(index, subject);
  if (role.kind !== 'pod') {
    const what = role.kind === 'node' ? (role.hostNetworkPod ? 'host-network-pod' : 'node') : 'external';
    return { ...base, allowed: true, decision: { kind: 'not-a-pod', what }, policies: [], elsewhere: [] };
  }
  const pod = role.pod;
  const dstRole = roleOf(index, conn.dst);
  const dstPod = dstRole.kind === 'pod' ? dstRole.pod : null;
  const sem = { notInMatchesMissingKey: index.semantics.notInMatchesMissingKey };
  const policies = policiesIn(index, pod.namespace).map((policy): PolicyReport => {
    const failures = selectorFailures(policy.podSelector, pod.labels, sem);
    const selection: Selection = failures.length === 0 ? { matched: true } : { matched: false, failures };
    const hasType = policyHasType(policy, direction);
    const applies = selection.matched && hasType;
    const rules = applies ? rulesOf(policy, direction).map((r, i) => judgeRule(index, r, i, policy, remote, conn.traffic, dstPod)) : [];
    return { policy, selection, hasType, applies, rules };
  });
  const applying = policies.filter((p) => p.applies);
  const remoteRole = roleOf(index, remote);
  const isLoopback = remoteRole.kind === 'pod' && samePod(remoteRole.pod, pod);
  const matchedRules: RuleRef[] = applying.flatMap((p) => p.rules.filter((r) => r.matched).map((r) => ({ policy: p.policy, ruleIndex: r.index })));
  const decision: Decision =
    isLoopback && index.semantics.loopback === 'allowed'
      ? { kind: 'loopback' }
      : applying.length === 0
        ? { kind: 'not-isolated' }
        : isNodeOf(remoteRole, pod) && (direction === 'Ingress' || index.semantics.nodeLocalEgressAllowed)
          ? { kind: 'node-local' }
          : matchedRules.length > 0
            ? { kind: 'allowed-by-rules', rules: matchedRules }
            : { kind: 'no-rule-matched' };
  const allowed = decision.kind !== 'no-rule-matched';
  const elsewhere =
    applying.length === 0
      ? index.world.policies.filter(
          (p) => p.namespace !== pod.namespace && policyHasType(p, direction) && selectorFailures(p.podSelector, pod.labels, sem).length === 0 && (Object.keys(p.podSelector.matchLabels).length > 0 || p.podSelector.matchExpressions.length > 0),
        )
      : [];
  return { ...base, allowed, decision, policies, elsewhere };
}

/**
 * Is the connection allowed? Egress of the source and ingress of the destination must both
 * allow it (rule 24); replies of an allowed connection are allowed by state (rule 26). For a
 * Service, pass the backend pod and targetPort (post-DNAT, rule 29).
 */
export function evaluate(index: PolicyIndex, conn: Connection): Verdict {
  const egress = judgeDirection(index, conn, 'Egress');
  const ingress = judgeDirection(index, conn, 'Ingress');
  const s = roleOf(index, conn.src);
  const d = roleOf(index, conn.dst);
  const loopback = s.kind === 'pod' && d.kind === 'pod' && samePod(s.pod, d.pod);
  return { connection: conn, allowed: egress.allowed && ingress.allowed, loopback, egress, ingress };
}

/**
 * For packet walks: judge a flow by its addresses as NetworkPolicy sees them (after DNAT). An
 * address owned by a pod-network pod is that pod; a node's address is the node (hostNetwork
 * pods included); anything else is external.
 */
export function evaluateAddresses(index: PolicyIndex, src: Ipv4, dst: Ipv4, traffic: Traffic): Verdict {
  return evaluate(index, { src: endpointForIp(index, src), dst: endpointForIp(index, dst), traffic });
}

/** Only the answer, without the explanation (same semantics as {@link evaluate}). */
export function isAllowed(index: PolicyIndex, conn: Connection): boolean {
  return evaluate(index, conn).allowed;
}

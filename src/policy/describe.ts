import { match } from 'ts-pattern';
import { describeSelectorFailures, formatSelector } from '../cluster/label-selector.js';
import type { NetworkPolicy, PolicyPeer, PolicyPort, PolicyType } from '../cluster/network-policy.js';
import { formatCidr } from '../net/cidr.js';
import { formatIpv4 } from '../net/ipv4.js';
import type { Decision, DirectionVerdict, PeerResult, PortResult, Verdict } from './evaluate.js';
import { endpointName, podKey, trafficText, type PolicyEndpoint } from './model.js';

/**
 * The explanation in words: short phrases for peers, ports and the reasons they matched or
 * not. Shared by `podnet policy explain`, the TUI and trace; layout and formats stay with them.
 */

export function policyName(p: NetworkPolicy): string {
  return `${p.namespace}/${p.name}`;
}

export function policyAt(p: NetworkPolicy): string {
  return `${p.source.file}:${p.source.line}`;
}

/** `podSelector pod=b`, `namespaceSelector ns=y AND podSelector pod=a`, `ipBlock 10.0.0.0/8 except 10.1.0.0/16`. */
export function describePeer(peer: PolicyPeer): string {
  return match(peer)
    .with({ kind: 'selector' }, (p) => {
      const parts: string[] = [];
      if (p.namespaceSelector !== null) parts.push(`namespaceSelector ${formatSelector(p.namespaceSelector)}`);
      if (p.podSelector !== null) parts.push(`podSelector ${formatSelector(p.podSelector)}`);
      return parts.join(' AND ');
    })
    .with({ kind: 'ipBlock' }, (p) => {
      const b = p.ipBlock;
      const cidr = b.family === 'IPv4' && formatCidr(b.cidr) !== b.cidrText ? `${b.cidrText} (= ${formatCidr(b.cidr)})` : b.cidrText;
      return `ipBlock ${cidr}${b.exceptText.length > 0 ? ` except ${b.exceptText.join(', ')}` : ''}`;
    })
    .exhaustive();
}

/** `80/TCP`, `8000-8080/TCP`, `serve-80-tcp/TCP`, `all TCP ports`. */
export function describePort(p: PolicyPort): string {
  if (p.port === null) return `all ${p.protocol} ports`;
  if (typeof p.port === 'number') return p.endPort !== null ? `${p.port}-${p.endPort}/${p.protocol}` : `${p.port}/${p.protocol}`;
  return `${p.port}/${p.protocol} (named)`;
}

export function describePolicyTypes(p: NetworkPolicy): string {
  return `policyTypes [${p.policyTypes.join(', ')}]${p.policyTypesDefaulted ? ' (defaulted: policyTypes omitted)' : ''}`;
}

/** Why a peer matched the remote end or not. */
export function describePeerResult(r: PeerResult, remote: PolicyEndpoint): string {
  const who = endpointName(remote);
  return match(r)
    .with({ kind: 'selector' }, (s) => {
      const podPart = s.pod.kind === 'any-pod' ? null : s.pod;
      const nsText = match(s.namespace)
        .with({ kind: 'policy-namespace' }, (n) =>
          n.ok
            ? `${who} is in the policy's namespace ${n.policyNamespace}`
            : `a peer without namespaceSelector selects pods of the policy's namespace ${n.policyNamespace} only; ${who} is in ${n.podNamespace}`,
        )
        .with({ kind: 'namespace-selector' }, (n) =>
          n.ok ? `namespaceSelector matched namespace ${n.namespace}` : `namespaceSelector did not match namespace ${n.namespace}: ${describeSelectorFailures(n.failures)}`,
        )
        .exhaustive();
      if (!s.namespace.ok) {
        if (podPart === null) return nsText;
        return `${nsText}${podPart.ok ? ' (podSelector would match)' : `; podSelector did not match either: ${describeSelectorFailures(podPart.failures)}`}`;
      }
      if (podPart === null) return `matches ${who}: ${nsText}, any pod`;
      if (podPart.ok) return `matches ${who}: ${nsText} and podSelector matched`;
      const lead = s.namespace.kind === 'namespace-selector' ? 'namespaceSelector matched but podSelector did not' : `${who} is in the policy's namespace but podSelector did not match`;
      return `${lead}: ${describeSelectorFailures(podPart.failures)}`;
    })
    .with({ kind: 'selector-not-a-pod' }, (s) =>
      match(s.remote)
        .with('node', () => `selectors match pods only; ${who} is a node (only an ipBlock can match it)`)
        .with('host-network-pod', () => `selectors never match hostNetwork pods; ${who} counts as its node's IP (only an ipBlock can match it)`)
        .with('external', () => `selectors match pods only; ${who} is outside the cluster (only an ipBlock can match it)`)
        .exhaustive(),
    )
    .with({ kind: 'ip-in-block' }, (s) => `matches: ${formatIpv4(s.ip)} is inside the block`)
    .with({ kind: 'ip-outside-block' }, (s) => `${formatIpv4(s.ip)} is outside the block`)
    .with({ kind: 'ip-in-except' }, (s) => `${formatIpv4(s.ip)} is inside the block but excluded by except ${formatCidr(s.except)}`)
    .with({ kind: 'ip-family-mismatch' }, (s) => `an IPv6 block never matches the IPv4 address ${formatIpv4(s.ip)}`)
    .with({ kind: 'ip-block-ignores-pods' }, (s) => `${formatIpv4(s.ip)} is a pod IP, and under the chosen semantics (Cilium-like) ipBlock never matches pods`)
    .exhaustive();
}

/** Why a port entry matched the traffic or not. */
export function describePortResult(r: PortResult): string {
  return match(r)
    .with({ kind: 'all-ports' }, (p) => `matches: every ${p.protocol} port`)
    .with({ kind: 'port' }, (p) => `matches port ${p.port}`)
    .with({ kind: 'range' }, (p) => `matches: inside ${p.port}-${p.endPort}`)
    .with({ kind: 'named' }, (p) => `matches: "${p.name}" is port ${p.resolved} on ${podKey(p.pod)}`)
    .with({ kind: 'protocol-mismatch' }, (p) => `protocol ${p.got} != ${p.want}`)
    .with({ kind: 'port-mismatch' }, (p) => `port ${p.got} != ${p.want}`)
    .with({ kind: 'range-mismatch' }, (p) => `port ${p.got} is outside ${p.port}-${p.endPort}`)
    .with({ kind: 'named-other-port' }, (p) => `"${p.name}" is port ${p.resolved} on ${podKey(p.pod)}, not ${p.got}`)
    .with({ kind: 'named-not-found' }, (p) =>
      p.sameNameOtherProtocol.length > 0
        ? `${podKey(p.pod)} has "${p.name}" only as ${p.sameNameOtherProtocol.map((c) => `${c.containerPort}/${c.protocol}`).join(', ')}, not ${p.protocol}: a named port must match name and protocol`
        : `${podKey(p.pod)} has no ${p.protocol} container port named "${p.name}"`,
    )
    .with({ kind: 'named-no-pod' }, (p) => `the destination is not a pod, so the named port "${p.name}" cannot resolve`)
    .exhaustive();
}

function directionWord(d: PolicyType): string {
  return d === 'Egress' ? 'egress' : 'ingress';
}

/** The decision of one direction in a sentence. */
export function describeDecision(v: DirectionVerdict): string {
  const subject = endpointName(v.subject);
  const dir = directionWord(v.direction);
  const d: Decision = v.decision;
  return match(d)
    .with({ kind: 'not-a-pod' }, (x) =>
      match(x.what)
        .with('node', () => `${subject} is a node: NetworkPolicy does not apply to its ${dir}`)
        .with('host-network-pod', () => `${subject} is a hostNetwork pod: policies never select it, its ${dir} is the node's and is not policed`)
        .with('external', () => `${subject} is outside the cluster: only the pod end is policed`)
        .exhaustive(),
    )
    .with({ kind: 'loopback' }, () => `a pod talking to itself is not policed (loopback semantics: allowed)`)
    .with({ kind: 'not-isolated' }, () => `${subject} is not isolated for ${dir}: no NetworkPolicy in ${v.subject.kind === 'pod' ? v.subject.pod.namespace : '?'} selects it with ${v.direction} in policyTypes, so all ${dir} is allowed`)
    .with({ kind: 'node-local' }, () =>
      v.direction === 'Ingress'
        ? `traffic from ${subject}'s own node is always allowed in (kubelet probes; rule 27)`
        : `egress to ${subject}'s own node is allowed (node-local egress semantics)`,
    )
    .with({ kind: 'allowed-by-rules' }, (x) => `allowed by ${x.rules.map((r) => `${policyName(r.policy)} ${dir}[${r.ruleIndex}]`).join(', ')}`)
    .with({ kind: 'no-rule-matched' }, () => {
      const isolating = v.policies.filter((p) => p.applies).map((p) => policyName(p.policy));
      return `${subject} is isolated for ${dir} by ${isolating.join(', ')} and no ${dir} rule of ${isolating.length === 1 ? 'it' : 'them'} allows ${endpointName(v.remote)} on ${trafficText(v.traffic)}`;
    })
    .exhaustive();
}

/**
 * One line for a verdict, for trace's POLICY_DENIED and the TUI:
 * `denied by the ingress of x/a (policies x/deny-all): no ingress rule allows y/b on 80/TCP`.
 */
export function verdictSummary(v: Verdict): string {
  const t = trafficText(v.connection.traffic);
  if (v.allowed) {
    const reasons = [v.egress, v.ingress].filter((d) => d.decision.kind === 'allowed-by-rules').map(describeDecision);
    return `allowed (${t})${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''}`;
  }
  const denied = [v.egress, v.ingress].filter((d) => !d.allowed);
  return `denied (${t}): ${denied.map((d) => `by the ${directionWord(d.direction)} of ${endpointName(d.subject)}: ${describeDecision(d)}`).join('; ')}`;
}

/** The policies that deny, per direction, for a POLICY_DENIED disposition. */
export function denyingPolicies(v: Verdict): readonly { readonly direction: PolicyType; readonly policies: readonly NetworkPolicy[] }[] {
  return [v.egress, v.ingress]
    .filter((d) => !d.allowed)
    .map((d) => ({ direction: d.direction, policies: d.policies.filter((p) => p.applies).map((p) => p.policy) }));
}

/**
 * Things about a policy that are legal but rarely what the author meant (netpol.md §3):
 * rules for a direction the policy does not have, and policyTypes defaulted to both directions.
 */
export function policyWarnings(p: NetworkPolicy): readonly string[] {
  const out: string[] = [];
  if (p.ingress.length > 0 && !p.policyTypes.includes('Ingress')) out.push(`has ingress rules but policyTypes [${p.policyTypes.join(', ')}] lacks Ingress: the ingress rules are ignored`);
  if (p.egress.length > 0 && !p.policyTypes.includes('Egress')) out.push(`has egress rules but policyTypes [${p.policyTypes.join(', ')}] lacks Egress: the egress rules are ignored`);
  if (p.policyTypesDefaulted && p.egress.length > 0 && p.ingress.length === 0) {
    out.push('policyTypes is omitted and the policy has egress rules, so it defaults to [Ingress, Egress]: it also denies all ingress to its pods (list policyTypes: [Egress] for an egress-only policy)');
  }
  return out;
}

import { compileSelector, type LabelSelector } from '../../../../cluster/label-selector.js';
import type { Labels } from '../../../../cluster/meta.js';
import type { NetworkPolicy } from '../../../../cluster/network-policy.js';
import { labelsOfNamespace, type PolicyIndex, type PolicyPod } from '../../../../policy/model.js';

/**
 * Calico selectors for what a Kubernetes NetworkPolicy names: the policy's own podSelector and
 * each selector peer. The text follows libcalico-go's conversion (k8sSelectorToCalico: the
 * `projectcalico.org/orchestrator == 'k8s'` term, matchLabels sorted by key, then the
 * matchExpressions) joined with the namespace scoping the way podnet writes it; Felix's own
 * normalised form (selector.String()) may differ in spacing and quoting, so set names hashed
 * from it are podnet's. Membership is decided with apimachinery's semantics, which Calico's
 * selector language shares for these operators (`not in` also matches a missing label).
 */
export interface FelixSelector {
  readonly text: string;
  /** Is this workload (a pod-network pod) a member? */
  readonly matches: (pod: PolicyPod) => boolean;
}

const ORCHESTRATOR = "projectcalico.org/orchestrator == 'k8s'";

/** k8sSelectorToCalico for a pod or namespace selector; null is the omitted selector. */
export function k8sSelectorText(s: LabelSelector | null, kind: 'pod' | 'namespace', keyPrefix = ''): string {
  const parts: string[] = kind === 'pod' ? [ORCHESTRATOR] : [];
  if (s === null) return parts.join(' && ');
  if (kind === 'namespace' && Object.keys(s.matchLabels).length === 0 && s.matchExpressions.length === 0) return 'all()';
  for (const k of Object.keys(s.matchLabels).sort()) parts.push(`${keyPrefix}${k} == '${s.matchLabels[k] as string}'`);
  for (const e of s.matchExpressions) {
    const key = keyPrefix + e.key;
    const values = e.values.join("', '");
    if (e.operator === 'In') parts.push(`${key} in { '${values}' }`);
    else if (e.operator === 'NotIn') parts.push(`${key} not in { '${values}' }`);
    else if (e.operator === 'Exists') parts.push(`has(${key})`);
    else parts.push(`! has(${key})`);
  }
  return parts.join(' && ');
}

function selectsPod(index: PolicyIndex, podSel: LabelSelector | null, nsSel: LabelSelector | null, namespace: string | null): (pod: PolicyPod) => boolean {
  const podMatch = podSel === null ? () => true : compileSelector(podSel);
  const nsMatch = nsSel === null ? () => true : compileSelector(nsSel);
  return (pod) => {
    if (pod.hostNetwork) return false;
    if (namespace !== null && pod.namespace !== namespace) return false;
    const nsLabels: Labels = labelsOfNamespace(index, pod.namespace);
    return podMatch(pod.labels) && nsMatch(nsLabels);
  };
}

/** The policy's spec.podSelector, scoped to its namespace. */
export function policySelector(index: PolicyIndex, p: NetworkPolicy): FelixSelector {
  return {
    text: `(${k8sSelectorText(p.podSelector, 'pod')}) && projectcalico.org/namespace == '${p.namespace}'`,
    matches: selectsPod(index, p.podSelector, null, p.namespace),
  };
}

/**
 * A selector peer: the update processor ANDs the pod selector with the namespace selector, or
 * with the policy's namespace when namespaceSelector is omitted.
 */
export function peerSelector(index: PolicyIndex, podSel: LabelSelector | null, nsSel: LabelSelector | null, policyNamespace: string): FelixSelector {
  const pod = k8sSelectorText(podSel, 'pod');
  if (nsSel === null) {
    return { text: `(${pod}) && projectcalico.org/namespace == '${policyNamespace}'`, matches: selectsPod(index, podSel, null, policyNamespace) };
  }
  // Namespace labels appear on Calico endpoints with the `pcns.` prefix (NamespaceLabelPrefix).
  const ns = k8sSelectorText(nsSel, 'namespace', 'pcns.');
  return { text: `(${pod}) && (${ns})`, matches: selectsPod(index, podSel, nsSel, null) };
}

/** `all()`: every workload (the named-port set of a rule with no selector on that side). */
export const ALL_WORKLOADS: FelixSelector = { text: 'all()', matches: (pod) => !pod.hostNetwork };

import type { CalicoPolicy } from './calico-policy.js';
import { rule, type FelixChain } from './chain.js';
import { markSet, MARK_ACCEPT, setMark } from './marks.js';
import { policyChainName, profileChainName, type PolicyDir } from './names.js';
import { finishPolicyChain, renderCalicoRule } from './render-rule.js';
import type { SetDemand } from './set-demand.js';

/** cali-pi-<policy> / cali-po-<policy> (PolicyToIptablesChains) and the sets its rules name. */
export function policyChain(p: CalicoPolicy, dir: PolicyDir): { readonly chain: FelixChain; readonly sets: readonly SetDemand[] } {
  const rendered = (dir === 'ingress' ? p.ingress : p.egress).map((r) => renderCalicoRule(r, dir));
  // v3.31 writes "Policy <ns>/<name> ingress"; later releases put the policy kind first.
  const comment = `Policy ${p.felixName} ${dir}`;
  return {
    chain: { name: policyChainName(dir, p.source.namespace, p.source.name), rules: finishPolicyChain(rendered.flatMap((r) => r.rules), comment) },
    sets: rendered.flatMap((r) => r.sets),
  };
}

/**
 * Profile chains (ProfileToIptablesChains). `kns.<ns>` has one Allow rule each way
 * (NamespaceToProfile), which renders as "set Accept" (its RETURN is stripped as trailing);
 * `ksa.<ns>.<sa>` has no rules (ServiceAccountToProfile only carries labels), so its chain is
 * the comment alone.
 */
export function profileChain(profile: string, dir: PolicyDir): FelixChain {
  const comment = `Profile ${profile} ${dir}`;
  const rules = profile.startsWith('kns.') ? [rule([], setMark(MARK_ACCEPT)), rule([markSet(MARK_ACCEPT)], '-j RETURN')] : [];
  return { name: profileChainName(dir, profile), rules: finishPolicyChain(rules, comment) };
}

import { match } from 'ts-pattern';
import { indexWorld, podKey } from '../../../../policy/model.js';
import { calicoPolicies } from './calico-policy.js';
import { COMMENT, policyGroupsFor } from './endpoint-chains.js';
import type { FelixNodeInput, FelixWorkload } from './input.js';
import type { PolicyDir } from './names.js';
import { CALICO_SEMANTICS } from './render.js';

/**
 * Why a packet died in one of Felix's chains, from the chain and the rule that dropped it (as
 * a netfilter trace reports them) and what Felix knew on that node. Pure: the trace layer
 * calls it for a DROP whose chain starts with `cali-`.
 */

export interface PolicyName {
  readonly namespace: string;
  readonly name: string;
}

export type FelixDropReason =
  /** "End of tier default": policies select the workload in this direction and none accepted. */
  | { readonly kind: 'end-of-tier'; readonly dir: PolicyDir; readonly workload: FelixWorkload; readonly policies: readonly PolicyName[] }
  /** No policy applies and no profile accepted (Kubernetes' kns profile always does, so this needs a Pass). */
  | { readonly kind: 'no-profile'; readonly dir: PolicyDir; readonly workload: FelixWorkload }
  /** `--ctstate INVALID`: conntrack could not place the packet in a connection. */
  | { readonly kind: 'ct-invalid'; readonly dir: PolicyDir; readonly workload: FelixWorkload }
  /** A workload sent VXLAN (udp 4789) or IPIP itself; Felix drops it so encapsulation cannot bypass egress policy. */
  | { readonly kind: 'encap-from-workload'; readonly encap: 'vxlan' | 'ipip'; readonly workload: FelixWorkload }
  /** A cali interface Felix has no workload endpoint for (e.g. the CNI added it before Felix heard of the pod). */
  | { readonly kind: 'unknown-interface'; readonly dir: PolicyDir }
  /** Tunnel traffic to this host from an address that is not a Calico node. */
  | { readonly kind: 'tunnel-from-unknown-host'; readonly encap: 'vxlan' | 'ipip' };

export interface FelixDropExplanation {
  readonly chain: string;
  readonly reason: FelixDropReason;
  /** One line, e.g. `dropped in cali-tw-cali2f5353dd8c5: End of tier default (...)`. */
  readonly text: string;
}

/** The rule that dropped: its chain and its text as iptables-save prints it. */
export interface DroppingRule {
  readonly chain: string;
  readonly text: string;
}

function endpointOf(chain: string, input: FelixNodeInput): { dir: PolicyDir; workload: FelixWorkload } | null {
  const dir: PolicyDir | null = chain.startsWith('cali-tw-') ? 'ingress' : chain.startsWith('cali-fw-') ? 'egress' : null;
  if (!dir) return null;
  const iface = chain.slice('cali-tw-'.length);
  const workload = input.workloads.find((w) => w.iface === iface);
  return workload ? { dir, workload } : null;
}

function selectingPolicies(input: FelixNodeInput, w: FelixWorkload, dir: PolicyDir): PolicyName[] {
  const index = indexWorld(input.policy, CALICO_SEMANTICS);
  const pod = index.podsByKey.get(podKey(w));
  if (!pod) return [];
  return policyGroupsFor(calicoPolicies(index), pod, dir).flatMap((g) => g.policies.map((p) => ({ namespace: p.source.namespace, name: p.source.name })));
}

function reasonOf(rule: DroppingRule, input: FelixNodeInput): FelixDropReason | null {
  const t = rule.text;
  if (rule.chain.startsWith('cali-from-wl-dispatch') || rule.chain.startsWith('cali-to-wl-dispatch')) {
    return t.includes(COMMENT.unknownInterface) ? { kind: 'unknown-interface', dir: rule.chain.startsWith('cali-from') ? 'egress' : 'ingress' } : null;
  }
  if (rule.chain === 'cali-INPUT') {
    if (t.includes('IPIP packets from non-Calico hosts')) return { kind: 'tunnel-from-unknown-host', encap: 'ipip' };
    if (t.includes('VXLAN packets from non-allowed hosts')) return { kind: 'tunnel-from-unknown-host', encap: 'vxlan' };
    return null;
  }
  const ep = endpointOf(rule.chain, input);
  if (!ep) return null;
  if (t.includes(COMMENT.endOfTier)) return { kind: 'end-of-tier', ...ep, policies: selectingPolicies(input, ep.workload, ep.dir) };
  if (t.includes(COMMENT.noProfile)) return { kind: 'no-profile', ...ep };
  if (t.includes('--ctstate INVALID')) return { kind: 'ct-invalid', ...ep };
  if (t.includes(COMMENT.vxlanFromWorkload)) return { kind: 'encap-from-workload', encap: 'vxlan', workload: ep.workload };
  if (t.includes(COMMENT.ipipFromWorkload)) return { kind: 'encap-from-workload', encap: 'ipip', workload: ep.workload };
  return null;
}

const names = (ps: readonly PolicyName[]) => ps.map((p) => `${p.namespace}/${p.name}`).join(', ');

function describe(r: FelixDropReason): string {
  return match(r)
    .with({ kind: 'end-of-tier' }, (x) => {
      // tw chains hold the workload's ingress policies, fw chains its egress ones.
      return `End of tier default (no policy selecting ${podKey(x.workload)} accepted it; selected by ${names(x.policies) || 'no policy'})`;
    })
    .with({ kind: 'no-profile' }, (x) => `Drop if no profiles matched (no policy selects ${podKey(x.workload)} for ${x.dir} and no profile accepted)`)
    .with({ kind: 'ct-invalid' }, (x) => `conntrack state INVALID (not part of any connection ${x.dir === 'ingress' ? 'to' : 'from'} ${podKey(x.workload)})`)
    .with({ kind: 'encap-from-workload' }, (x) => `${x.encap === 'vxlan' ? 'VXLAN' : 'IPIP'} sent by workload ${podKey(x.workload)} (Felix drops encapsulated packets from workloads)`)
    .with({ kind: 'unknown-interface' }, () => 'Unknown interface (no workload endpoint for this cali interface)')
    .with({ kind: 'tunnel-from-unknown-host' }, (x) => `${x.encap === 'vxlan' ? 'VXLAN' : 'IPIP'} from a host that is not a Calico node`)
    .exhaustive();
}

/** Name the NetworkPolicy (or Felix rule) behind a DROP in a cali-* chain; null for any other rule. */
export function explainFelixDrop(rule: DroppingRule, input: FelixNodeInput): FelixDropExplanation | null {
  const reason = reasonOf(rule, input);
  return reason ? { chain: rule.chain, reason, text: `dropped in ${rule.chain}: ${describe(reason)}` } : null;
}

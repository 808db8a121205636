import { createHash } from 'node:crypto';
import type { PolicyPod } from '../../../../policy/model.js';
import type { CalicoPolicy } from './calico-policy.js';
import { rule, type FelixChain, type FelixRule } from './chain.js';
import type { FelixWorkload } from './input.js';
import { clearMark, markClear, markNotClear, markSet, MARK_ACCEPT, MARK_PASS } from './marks.js';
import { endpointChainName, namespaceProfile, policyChainName, profileChainName, serviceAccountProfile, type PolicyDir } from './names.js';

/**
 * The per-workload chains (rules/endpoints.go endpointIptablesChain) and the dispatch chains
 * that send each cali interface to them (rules/dispatch.go).
 */

/** Policies in one direction of one endpoint, grouped the way Felix groups consecutive policies with the same selector. */
export interface PolicyGroup {
  readonly dir: PolicyDir;
  readonly selectorText: string;
  readonly policies: readonly CalicoPolicy[];
}

/** Felix's PolicyGroup.UniqueID: sha3-224 over tier, selector, direction, count and names, base64url, 20 chars. */
export function policyGroupChainName(g: PolicyGroup): string {
  const h = createHash('sha3-224');
  const write = (s: string) => h.update(`${s}\n`);
  write('default');
  write(g.selectorText);
  write(g.dir === 'ingress' ? 'inbound' : 'outbound');
  write(String(g.policies.length));
  for (const p of g.policies) write(p.felixName);
  return `${g.dir === 'ingress' ? 'cali-gi-' : 'cali-go-'}${h.digest('base64url').slice(0, 20)}`;
}

/** The policies of tier default that apply to a workload in a direction, in order, grouped. */
export function policyGroupsFor(policies: readonly CalicoPolicy[], pod: PolicyPod, dir: PolicyDir): PolicyGroup[] {
  const type = dir === 'ingress' ? 'Ingress' : 'Egress';
  const groups: { dir: PolicyDir; selectorText: string; policies: CalicoPolicy[] }[] = [];
  for (const p of policies) {
    if (!p.types.includes(type) || !p.selector.matches(pod)) continue;
    const last = groups[groups.length - 1];
    if (last && last.selectorText === p.selector.text) last.policies.push(p);
    else groups.push({ dir, selectorText: p.selector.text, policies: [p] });
  }
  return groups;
}

/** A group chain (PolicyGroupToIptablesChains); only groups of two or more policies get one. */
export function policyGroupChain(g: PolicyGroup): FelixChain {
  const rules: FelixRule[] = [];
  g.policies.forEach((p, i) => {
    const target = `-j ${policyChainName(g.dir, p.source.namespace, p.source.name)}`;
    // Every fifth jump the group returns on a verdict; the others jump only while no mark is set.
    if (i !== 0 && i % 5 === 0) rules.push(rule([markNotClear(MARK_PASS | MARK_ACCEPT)], '-j RETURN', 'Return on verdict'));
    rules.push(rule(i % 5 === 0 ? [] : [markClear(MARK_PASS | MARK_ACCEPT)], target));
  });
  return { name: policyGroupChainName(g), rules };
}

export function groupTarget(g: PolicyGroup): string {
  const only = g.policies.length === 1 ? g.policies[0] : undefined;
  return only ? policyChainName(g.dir, only.source.namespace, only.source.name) : policyGroupChainName(g);
}

/** Comments Felix writes on the endpoint chain rules. */
export const COMMENT = {
  startOfTier: 'Start of tier default',
  returnPolicy: 'Return if policy accepted',
  endOfTier: 'End of tier default. Drop if no policies passed packet',
  returnProfile: 'Return if profile accepted',
  noProfile: 'Drop if no profiles matched',
  vxlanFromWorkload: 'Drop VXLAN encapped packets originating in workloads',
  ipipFromWorkload: 'Drop IPinIP encapped packets originating in workloads',
  unknownInterface: 'Unknown interface',
} as const;

/** Felix's default VXLANPort. */
export const VXLAN_PORT = 4789;

/** cali-tw-<iface> (to the workload: its ingress) or cali-fw-<iface> (from it: its egress). */
export function endpointChain(w: FelixWorkload, dir: PolicyDir, groups: readonly PolicyGroup[]): FelixChain {
  const rules: FelixRule[] = [
    // appendConntrackRules: only a connection's first packet meets policy (filterAllowAction ACCEPT).
    rule(['-m conntrack --ctstate RELATED,ESTABLISHED'], '-j ACCEPT'),
    rule(['-m conntrack --ctstate INVALID'], '-j DROP'),
    rule([], clearMark(MARK_ACCEPT | MARK_PASS)),
  ];
  if (dir === 'egress') {
    // AllowVXLANPacketsFromWorkloads / AllowIPIPPacketsFromWorkloads default false.
    rules.push(rule(['-p 17', `-m multiport --destination-ports ${VXLAN_PORT}`], '-j DROP', COMMENT.vxlanFromWorkload));
    rules.push(rule(['-p 4'], '-j DROP', COMMENT.ipipFromWorkload));
  }
  if (groups.length > 0) {
    rules.push(rule([], clearMark(MARK_PASS), COMMENT.startOfTier));
    for (const g of groups) {
      rules.push(rule([markClear(MARK_PASS)], `-j ${groupTarget(g)}`));
      rules.push(rule([markSet(MARK_ACCEPT)], '-j RETURN', COMMENT.returnPolicy));
    }
    rules.push(rule([markClear(MARK_PASS)], '-j DROP', COMMENT.endOfTier));
  }
  for (const profile of [namespaceProfile(w.namespace), serviceAccountProfile(w.namespace, w.serviceAccount)]) {
    rules.push(rule([], `-j ${profileChainName(dir, profile)}`));
    rules.push(rule([markSet(MARK_ACCEPT)], '-j RETURN', COMMENT.returnProfile));
  }
  rules.push(rule([], '-j DROP', COMMENT.noProfile));
  return { name: endpointChainName(dir, w.iface), rules };
}

/** Longest common prefix of sorted names (stringutils.CommonPrefix). */
function commonPrefix(names: readonly string[]): string {
  if (names.length === 0) return '';
  let p = names[0] as string;
  for (const n of names) while (!n.startsWith(p)) p = p.slice(0, -1);
  return p;
}

/**
 * cali-from-wl-dispatch / cali-to-wl-dispatch: one goto per interface, sorted; interfaces that
 * share the next character after the common prefix go through a child chain
 * (`cali-from-wl-dispatch-5`) that repeats the end rule (buildSingleDispatchChainTree).
 */
export function dispatchChains(ifaces: readonly string[], dir: PolicyDir): FelixChain[] {
  const root = dir === 'egress' ? 'cali-from-wl-dispatch' : 'cali-to-wl-dispatch';
  const flag = dir === 'egress' ? '-i' : '-o';
  const names = [...new Set(ifaces)].sort();
  const common = commonPrefix(names);
  const byPrefix = new Map<string, string[]>();
  for (const n of names) {
    const prefix = n.length > common.length ? n.slice(0, common.length + 1) : common;
    byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), n]);
  }
  const end = rule([], '-j DROP', COMMENT.unknownInterface);
  const goto = (n: string) => rule([`${flag} ${n}`], `-g ${endpointChainName(dir, n)}`);
  const children: FelixChain[] = [];
  const rootRules: FelixRule[] = [];
  for (const [prefix, members] of byPrefix) {
    if (members.length > 1) {
      const child = `${root}-${prefix.slice(common.length)}`;
      rootRules.push(rule([`${flag} ${prefix}+`], `-g ${child}`));
      children.push({ name: child, rules: [...members.map(goto), end] });
    } else rootRules.push(goto(members[0] as string));
  }
  return [...children, { name: root, rules: [...rootRules, end] }];
}

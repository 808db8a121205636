import { indexWorld, podKey, UPSTREAM_SEMANTICS, type PolicyIndex, type PolicyPod, type PolicySemantics } from '../../../../policy/model.js';
import type { Ipv4 } from '../../../../net/ipv4.js';
import { err, ok, type Result } from '../../../../lib/result.js';
import { calicoPolicies, type CalicoPolicy } from './calico-policy.js';
import type { FelixChain } from './chain.js';
import { dispatchChains, endpointChain, policyGroupChain, policyGroupsFor, type PolicyGroup } from './endpoint-chains.js';
import type { FelixNodeInput, FelixWorkload } from './input.js';
import { felixIpsets, type FelixIpset } from './ipsets.js';
import { namespaceProfile, serviceAccountProfile, type PolicyDir } from './names.js';
import { policyChain, profileChain } from './policy-chains.js';
import type { SetDemand } from './set-demand.js';
import { filterStatic, mangleTable, natTable, rawTable, type TableProgram } from './static-chains.js';

/**
 * Everything Felix programs on one node, before it is written to the kernel: four tables and
 * the ip sets. Pure; program.ts applies it to the netns.
 */

/**
 * NetworkPolicy semantics as Calico implements them (netpol.md §1.9): ipBlock matches pod IPs,
 * hostNetwork pods are invisible to selectors, traffic from a pod to itself is policed, `NotIn`
 * matches a missing label, egress to the own node is policed (cali-wl-to-host runs the
 * workload's egress chain). These are the upstream defaults.
 */
export const CALICO_SEMANTICS: PolicySemantics = UPSTREAM_SEMANTICS;

/** One local workload with the policy groups that apply to it per direction. */
export interface EndpointPlan {
  readonly workload: FelixWorkload;
  readonly pod: PolicyPod;
  readonly ingress: readonly PolicyGroup[];
  readonly egress: readonly PolicyGroup[];
}

export interface FelixRender {
  readonly tables: readonly TableProgram[];
  readonly ipsets: readonly FelixIpset[];
  readonly endpoints: readonly EndpointPlan[];
  readonly policies: readonly CalicoPolicy[];
}

function uniqueBy<T>(xs: readonly T[], key: (x: T) => string): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => (seen.has(key(x)) ? false : (seen.add(key(x)), true)));
}

export function planEndpoints(index: PolicyIndex, input: FelixNodeInput, policies: readonly CalicoPolicy[]): Result<EndpointPlan[], string> {
  const plans: EndpointPlan[] = [];
  for (const w of input.workloads) {
    const pod = index.podsByKey.get(podKey(w));
    if (!pod) return err(`Felix on ${input.node}: workload ${podKey(w)} (${w.iface}) is not a pod of the cluster`);
    plans.push({ workload: w, pod, ingress: policyGroupsFor(policies, pod, 'ingress'), egress: policyGroupsFor(policies, pod, 'egress') });
  }
  return ok(plans);
}

export function renderFelix(input: FelixNodeInput, localIps: readonly Ipv4[]): Result<FelixRender, string> {
  const index = indexWorld(input.policy, CALICO_SEMANTICS);
  const policies = calicoPolicies(index);
  const planned = planEndpoints(index, input, policies);
  if (!planned.ok) return planned;
  const endpoints = planned.value;

  const chains: FelixChain[] = [];
  const demands: SetDemand[] = [];
  const dirs: readonly PolicyDir[] = ['ingress', 'egress'];
  // Chains exist only where referenced: policy chains of policies active on a local workload
  // in that direction, group chains of groups of two or more, profiles of local workloads.
  const groups = uniqueBy(
    endpoints.flatMap((e) => [...e.ingress, ...e.egress]),
    (g) => `${g.dir}|${g.policies.map((p) => p.felixName).join(',')}`,
  );
  for (const g of groups) if (g.policies.length > 1) chains.push(policyGroupChain(g));
  for (const dir of dirs) {
    const active = uniqueBy(
      groups.filter((g) => g.dir === dir).flatMap((g) => g.policies),
      (p) => p.felixName,
    );
    for (const p of active) {
      const pc = policyChain(p, dir);
      chains.push(pc.chain);
      demands.push(...pc.sets);
    }
    const profiles = uniqueBy(
      endpoints.flatMap((e) => [namespaceProfile(e.workload.namespace), serviceAccountProfile(e.workload.namespace, e.workload.serviceAccount)]),
      (x) => x,
    );
    for (const prof of profiles) chains.push(profileChain(prof, dir));
    for (const e of endpoints) chains.push(endpointChain(e.workload, dir, dir === 'ingress' ? e.ingress : e.egress));
    chains.push(...dispatchChains(endpoints.map((e) => e.workload.iface), dir));
  }
  const opts = { mode: input.mode, natOutgoing: input.natOutgoing };
  const filter = filterStatic(opts);
  return ok({
    tables: [rawTable(opts), mangleTable(), natTable(opts), { ...filter, chains: [...filter.chains, ...chains] }],
    ipsets: felixIpsets(input, localIps, demands),
    endpoints,
    policies,
  });
}

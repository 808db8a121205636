import { getNetns, type World } from '../../../../kernel/netns.js';
import { ipsetRestoreInto, iptablesRestoreNoflush } from '../../../../kernel/iptables-restore.js';
import { ok, type Result } from '../../../../lib/result.js';
import type { ControllerEvent } from '../../../events.js';
import { renderRules } from './chain.js';
import type { FelixNodeInput } from './input.js';
import { ipsetRestoreText } from './ipsets.js';
import { renderFelix } from './render.js';
import type { TableProgram } from './static-chains.js';

/**
 * Felix (calico-node, v3.31 iptables dataplane) on one node: the ip sets first (a rule may only
 * name an existing set), then one `iptables-restore --noflush` per table. Felix's jumps go to the
 * top of the built-in chains (ChainInsertMode=insert) and its two FORWARD rules to the end.
 *
 * Run it after kube-proxy: Felix re-checks that its inserted rules are first and moves them back
 * to the top when another daemon inserted above them, so on a settled node `cali-*` jumps come
 * before `KUBE-*` ones whatever started first. Felix programs a node once here; re-running on
 * the same netns would insert its jumps twice.
 */

/** One table as `iptables-restore --noflush` input. */
export function restoreText(t: TableProgram): string {
  const lines = [`*${t.table}`, ...t.chains.map((c) => `:${c.name} - [0:0]`)];
  for (const i of t.insert) lines.push(...renderRules(i.chain, i.rules, { insertAt: 1 }));
  for (const a of t.append) lines.push(...renderRules(a.chain, a.rules, { hashChain: `${a.chain}/append` }));
  for (const c of t.chains) lines.push(...renderRules(c.name, c.rules));
  lines.push('COMMIT');
  return lines.map((l) => `${l}\n`).join('');
}

export function programFelix(world: World, input: FelixNodeInput): Result<{ world: World; events: ControllerEvent[] }, string> {
  const localIps = getNetns(world, input.netns).addrs.map((a) => a.local);
  const r = renderFelix(input, localIps);
  if (!r.ok) return r;
  const who = `calico-node (Felix) on ${input.node}`;
  let w = ipsetRestoreInto(world, input.netns, ipsetRestoreText(r.value.ipsets), who);
  for (const t of r.value.tables) w = iptablesRestoreNoflush(w, input.netns, restoreText(t), who);
  const policyChains = r.value.tables.flatMap((t) => t.chains).filter((c) => c.name.startsWith('cali-pi-') || c.name.startsWith('cali-po-')).length;
  const events: ControllerEvent[] = [
    {
      node: input.node,
      component: 'calico-node',
      level: 'info',
      message: `Felix programmed ${input.workloads.length} workload endpoint(s), ${policyChains} policy chain(s) and ${r.value.ipsets.length} ip set(s)`,
    },
  ];
  return ok({ world: w, events });
}

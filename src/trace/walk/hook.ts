import { match } from 'ts-pattern';
import { type Ipv4Packet } from '../../net/packet.js';
import { type Netns } from '../../kernel/netns.js';
import type { BuiltinChain } from '../../kernel/netfilter/ruleset.js';
import { dynOf, withDyn } from '../dynamic-state.js';
import type { WalkEnv } from '../env.js';
import type { HookDevices } from '../hooks.js';
import { finish, step, type Cursor } from '../cursor.js';
import { type Outcomes } from './common.js';
import { ipvsActive } from '../../kernel/ipvs/table.js';
import { ipvsHook } from './ipvs.js';

/** Running a netfilter hook inside the walk: each surviving branch continues with `next`. */

export type HookNext = (cur: Cursor, packet: Ipv4Packet, mark: number) => Outcomes;

/**
 * Run one netfilter hook and continue each surviving branch with `next`. Where IPVS has
 * registered its own functions on the hook (a netns with virtual services), walk/ipvs.ts runs
 * the hook in parts around them.
 */
export function hook(env: WalkEnv, cur: Cursor, ns: Netns, name: BuiltinChain, packet: Ipv4Packet, devices: HookDevices, mark: number, next: HookNext): Outcomes {
  if (ipvsActive(ns.ipvs) && (name === 'INPUT' || name === 'OUTPUT' || name === 'FORWARD')) return ipvsHook(env, cur, ns, name, packet, devices, mark, next);
  return hookPart(env, cur, ns, name, packet, devices, mark, next);
}

/** Part of a hook (IPVS splits INPUT/OUTPUT): which priorities, and what to call it in the trace. */
export interface HookPart {
  readonly priorities: { readonly from: number; readonly to: number };
  readonly label: string;
  readonly ctAttached?: boolean;
}

/** Run the netfilter tables of a hook (or of a part of it) and continue each surviving branch. */
export function hookPart(env: WalkEnv, cur: Cursor, ns: Netns, name: BuiltinChain, packet: Ipv4Packet, devices: HookDevices, mark: number, next: HookNext, part?: HookPart): Outcomes {
  const runs = env.runHook({ ns, dyn: dynOf(cur.dyn, ns.id), hook: name, packet, devices, mark, ...(part ? { priorities: part.priorities, ctAttached: part.ctAttached ?? false } : {}) });
  const dev = devices.out ?? devices.in;
  return runs.flatMap((run) => {
    const rewrite = run.rewrite ? { what: run.rewrite, before: packet, after: run.packet } : null;
    const branch = runs.length > 1 ? ` (branch p=${run.probability.toFixed(4)})` : '';
    const verdictText = match(run.verdict)
      .with({ kind: 'accept' }, () => 'ACCEPT')
      .with({ kind: 'drop' }, () => 'DROP')
      .with({ kind: 'reject' }, (v) => `REJECT ${v.with}`)
      .exhaustive();
    let c: Cursor = { ...cur, probability: cur.probability * run.probability, dyn: withDyn(cur.dyn, ns.id, () => run.dyn) };
    // A part of a split hook that matched nothing and changed nothing is not worth a step.
    const quiet = part !== undefined && run.verdict.kind === 'accept' && run.lines.length === 0 && run.conntrack.length === 0 && !run.rewrite && runs.length === 1;
    if (!quiet) c = step(env, c, {
      netns: ns.id,
      dev,
      stage: name === 'PREROUTING' ? 'prerouting' : name === 'INPUT' ? 'input' : name === 'FORWARD' ? 'forward' : name === 'OUTPUT' ? 'output' : 'postrouting',
      summary: `netfilter ${name}${part ? ` (${part.label})` : ''}${devices.bridged ? ' (br_netfilter)' : ''}: ${verdictText}${run.rewrite ? `, ${run.rewrite}` : ''}${branch}`,
      lines: run.lines,
      packet: run.packet,
      rewrite,
      conntrack: run.conntrack,
    });
    return match(run.verdict)
      .with({ kind: 'accept' }, () => next(c, run.packet, run.mark))
      .with({ kind: 'drop' }, (v) => {
        const policy = env.explainRule?.(v.rule) ?? null;
        if (policy === null) return [finish(c, { kind: 'DROPPED', reason: { kind: 'netfilter', rule: v.rule } }, run.packet)];
        const c2 = step(env, c, { netns: ns.id, dev, stage: c.steps[c.steps.length - 1]?.stage ?? 'forward', summary: policy });
        return [finish(c2, { kind: 'DROPPED', reason: { kind: 'policy-chain', rule: v.rule, policy } }, run.packet)];
      })
      .with({ kind: 'reject' }, (v) => [finish(c, { kind: 'REJECTED', rule: v.rule, with: v.with }, run.packet)])
      .exhaustive();
  });
}

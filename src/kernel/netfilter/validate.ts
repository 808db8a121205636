import { match } from 'ts-pattern';
import type { RuleSpec } from './parse-rule.js';
import { BUILTIN_CHAINS, isBuiltinChain, type BuiltinChain, type Chain, type TableName } from './ruleset.js';
import type { Target } from './target.js';

/**
 * The checks the kernel makes when a table is committed (net/netfilter/x_tables.c
 * xt_check_target/xt_check_match, ip_tables.c mark_source_chains): a target may only be used in
 * its table and from its hooks (DNAT only from PREROUTING/OUTPUT, even through user chains), and
 * no chain reachable from a built-in chain may jump back into itself. Messages follow the
 * kernel's `x_tables: ip_tables: ...` log lines.
 */

const HOOK_ORDER: readonly BuiltinChain[] = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];

interface TargetRule {
  readonly name: string;
  readonly table: TableName;
  readonly hooks: readonly BuiltinChain[] | null;
}

function targetRule(t: Target): TargetRule | null {
  return match(t)
    .with({ kind: 'dnat' }, () => ({ name: 'DNAT', table: 'nat' as const, hooks: ['PREROUTING', 'OUTPUT'] as BuiltinChain[] }))
    .with({ kind: 'redirect' }, () => ({ name: 'REDIRECT', table: 'nat' as const, hooks: ['PREROUTING', 'OUTPUT'] as BuiltinChain[] }))
    .with({ kind: 'snat' }, () => ({ name: 'SNAT', table: 'nat' as const, hooks: ['INPUT', 'POSTROUTING'] as BuiltinChain[] }))
    .with({ kind: 'masquerade' }, () => ({ name: 'MASQUERADE', table: 'nat' as const, hooks: ['POSTROUTING'] as BuiltinChain[] }))
    .with({ kind: 'reject' }, () => ({ name: 'REJECT', table: 'filter' as const, hooks: ['INPUT', 'FORWARD', 'OUTPUT'] as BuiltinChain[] }))
    .with({ kind: 'notrack' }, (x) => ({ name: x.spelling, table: 'raw' as const, hooks: null }))
    .with({ kind: 'ct' }, () => ({ name: 'CT', table: 'raw' as const, hooks: null }))
    .with(
      { kind: 'none' },
      { kind: 'accept' },
      { kind: 'drop' },
      { kind: 'return' },
      { kind: 'jump' },
      { kind: 'goto' },
      { kind: 'mark' },
      { kind: 'log' },
      () => null,
    )
    .exhaustive();
}

/** Checks that need only the table and chain of the rule; an error message or null. */
export function checkRuleInChain(table: TableName, chain: string, spec: RuleSpec): string | null {
  const tr = targetRule(spec.target);
  if (tr && tr.table !== table) return `${tr.name} target: only valid in ${tr.table} table, not ${table}`;
  if (isBuiltinChain(table, chain)) {
    for (const m of spec.matches) {
      if (m.kind === 'in-iface' && (chain === 'OUTPUT' || chain === 'POSTROUTING')) return `Can't use -i with ${chain}`;
      if (m.kind === 'out-iface' && (chain === 'PREROUTING' || chain === 'INPUT')) return `Can't use -o with ${chain}`;
    }
  }
  return null;
}

export interface CommitProblem {
  readonly chain: string;
  readonly ruleIndex: number;
  readonly message: string;
}

function edges(c: Chain): { index: number; to: string }[] {
  const out: { index: number; to: string }[] = [];
  c.rules.forEach((r, index) => {
    if (r.target.kind === 'jump' || r.target.kind === 'goto') out.push({ index, to: r.target.chain });
  });
  return out;
}

/** Hooks from which each chain can be reached, and jump loops among reachable chains. */
export function checkTableAtCommit(table: TableName, chains: readonly Chain[]): CommitProblem | null {
  const byName = new Map(chains.map((c) => [c.name, c]));
  const reach = new Map<string, Set<BuiltinChain>>();
  for (const hook of BUILTIN_CHAINS[table]) {
    // ip_tables.c mark_source_chains: depth-first from each hook; a chain on the current path
    // reached again is a loop (ELOOP).
    const onPath: string[] = [];
    const visitedFromHook = new Set<string>();
    const walk = (name: string): CommitProblem | null => {
      const c = byName.get(name);
      if (!c) return null;
      const set = reach.get(name) ?? new Set<BuiltinChain>();
      set.add(hook);
      reach.set(name, set);
      if (visitedFromHook.has(name)) return null;
      visitedFromHook.add(name);
      onPath.push(name);
      for (const e of edges(c)) {
        if (onPath.includes(e.to)) {
          return { chain: name, ruleIndex: e.index, message: `jump loop ${[...onPath.slice(onPath.indexOf(e.to)), e.to].join(' -> ')} (Too many levels of symbolic links)` };
        }
        const p = walk(e.to);
        if (p) return p;
      }
      onPath.pop();
      return null;
    };
    const p = walk(hook);
    if (p) return p;
  }
  for (const c of chains) {
    const hooks = reach.get(c.name);
    if (!hooks) continue;
    const used = HOOK_ORDER.filter((h) => hooks.has(h));
    for (const [index, r] of c.rules.entries()) {
      const tr = targetRule(r.target);
      if (tr?.hooks) {
        const bad = used.filter((h) => !tr.hooks?.includes(h));
        if (bad.length > 0) {
          return { chain: c.name, ruleIndex: index, message: `${tr.name} target: used from hooks ${bad.join('/')}, but only usable from ${tr.hooks.join('/')}` };
        }
      }
      for (const m of r.matches) {
        if (m.kind !== 'addrtype') continue;
        if (m.limitIfaceOut && (hooks.has('PREROUTING') || hooks.has('INPUT'))) {
          return { chain: c.name, ruleIndex: index, message: 'xt_addrtype: output interface limitation not valid in PREROUTING and INPUT' };
        }
        if (m.limitIfaceIn && (hooks.has('POSTROUTING') || hooks.has('OUTPUT'))) {
          return { chain: c.name, ruleIndex: index, message: 'xt_addrtype: input interface limitation not valid in POSTROUTING and OUTPUT' };
        }
      }
    }
  }
  return null;
}

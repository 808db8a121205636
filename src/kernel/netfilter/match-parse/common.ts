import { err, ok, type Result } from '../../../lib/result.js';
import type { Match, NegatedNet, NegatedPorts } from '../match.js';
import { parseNet, parsePortRange } from '../values.js';

/**
 * What every `-m MODULE` option parser shares. A draft collects options (`apply`) and is checked
 * against the rule's `-p` when the rule is complete (`finish`), where the kernel's checkentry
 * rules apply (e.g. "tcp match: only valid for protocol 6", net/netfilter/x_tables.c
 * xt_check_match).
 */

export interface OptionSpec {
  readonly args: 0 | 1 | 2;
  readonly negatable: boolean;
}

/** The rule's `-p`, which protocol matches depend on. */
export interface RuleProto {
  readonly proto: number | null;
  readonly negate: boolean;
}

export interface MatchDraft {
  /** Apply one option; returns an error message, or null. */
  apply(opt: string, args: readonly string[], negate: boolean): string | null;
  finish(p: RuleProto): Result<Match, string>;
}

export interface MatchModule {
  readonly name: string;
  readonly options: ReadonlyMap<string, OptionSpec>;
  create(): MatchDraft;
}

export const opts = (spec: Record<string, [0 | 1 | 2, boolean]>): ReadonlyMap<string, OptionSpec> =>
  new Map(Object.entries(spec).map(([k, [args, negatable]]) => [k, { args, negatable }]));

export function once(seen: Set<string>, key: string): string | null {
  if (seen.has(key)) return `multiple --${key} options are not allowed in one match`;
  seen.add(key);
  return null;
}

export function requireProto(module: string, want: number, p: RuleProto): string | null {
  if (p.proto !== want || p.negate) return `${module} match: only valid for protocol ${want}`;
  return null;
}

export function ports(text: string, negate: boolean): Result<NegatedPorts, string> {
  const r = parsePortRange(text);
  return r.ok ? ok({ negate, range: r.value }) : r;
}

export function net(text: string, negate: boolean): Result<NegatedNet, string> {
  const r = parseNet(text);
  return r.ok ? ok({ negate, net: r.value }) : r;
}

export function nameList<T extends string>(text: string, names: readonly T[], what: string): Result<T[], string> {
  const out: T[] = [];
  for (const part of text.split(',')) {
    const n = names.find((x) => x.toLowerCase() === part.toLowerCase());
    if (!n) return err(`bad ${what} "${part}": expected one of ${names.join(', ')}`);
    if (!out.includes(n)) out.push(n);
  }
  // Printed in bit order, whatever order they were written in.
  return ok(names.filter((n) => out.includes(n)));
}

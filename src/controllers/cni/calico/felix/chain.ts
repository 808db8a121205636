import { createHash } from 'node:crypto';

/**
 * A Felix rule before rendering: its matches (in Felix's MatchCriteria order), its comments and
 * its action, as generictables.Rule holds them. Rendering puts the `cali:` hash comment first,
 * then the rule's comments, then the matches and the action, which is the order Felix's
 * iptables backend writes (iptables-save then moves -s/-d/-i/-o/-p to the front).
 */
export interface FelixRule {
  readonly match: readonly string[];
  readonly comments: readonly string[];
  /** `-j TARGET ...` / `-g CHAIN`; null for a rule that only counts (an empty chain's comment rule). */
  readonly action: string | null;
}

export interface FelixChain {
  readonly name: string;
  readonly rules: readonly FelixRule[];
}

export function rule(match: readonly string[], action: string | null, ...comments: string[]): FelixRule {
  return { match, comments, action };
}

function quote(c: string): string {
  return `"${c}"`;
}

function body(r: FelixRule): string {
  return [...r.comments.map((c) => `-m comment --comment ${quote(c)}`), ...r.match, ...(r.action ? [r.action] : [])].join(' ');
}

/**
 * The `cali:` comment of each rule of a chain. Felix hashes its internal rendering of the rule
 * chained from sha224(chain name) (generictables/rules.go); podnet chains its own way over the
 * rule text it writes, so the values have Felix's shape (16 base64url characters) and change
 * when a rule or anything before it changes, but are not Felix's values.
 */
export function ruleHashes(chain: string, rules: readonly FelixRule[]): string[] {
  let prev = createHash('sha224').update(chain).digest();
  return rules.map((r) => {
    prev = createHash('sha224').update(prev).update(body(r)).digest();
    return prev.toString('base64url').slice(0, 16);
  });
}

/** `-A CHAIN ...` lines (or `-I CHAIN N ...` when `insertAt` is given) for iptables-restore. */
export function renderRules(chain: string, rules: readonly FelixRule[], op: { readonly insertAt?: number; readonly hashChain?: string } = {}): string[] {
  const hashes = ruleHashes(op.hashChain ?? chain, rules);
  return rules.map((r, i) => {
    const head = op.insertAt !== undefined ? `-I ${chain} ${op.insertAt + i}` : `-A ${chain}`;
    const b = body(r);
    return `${head} -m comment --comment "cali:${hashes[i] as string}"${b === '' ? '' : ` ${b}`}`;
  });
}

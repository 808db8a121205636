import { inputError, type InputError } from '../../lib/input-error.js';
import { err, ok, type Result } from '../../lib/result.js';
import { iptablesCommand } from './parse.js';
import { isProblem, parseCommand } from './parse-rule.js';
import { printRule } from './print-rule.js';
import { splitWords } from './quote.js';
import { emptyTable, findChain, isBuiltinChain, type Ruleset, type TableName } from './ruleset.js';

/**
 * The single-rule iptables invocations daemons make besides iptables-restore, over the model:
 * `iptables -t T -C CHAIN RULE` and the check-then-add pattern of kube-proxy's and flanneld's
 * EnsureRule (`-C`, then `-A` or `-I` if missing), and `-N` if the chain is missing.
 * `rule` is the rule body, e.g. `-m comment --comment "kubernetes service portals" -j KUBE-SERVICES`.
 */

/** The canonical iptables-save text the rule would have in CHAIN. */
export function canonicalRule(rs: Ruleset, table: TableName, chain: string, rule: string): Result<string, InputError> {
  const words = splitWords(`-A ${chain} ${rule}`);
  if (!Array.isArray(words)) return err(inputError('iptables', words.error, 1, words.col));
  const t = rs.tables.get(table) ?? emptyTable(table);
  const cmd = parseCommand(words, { hasChain: (n) => t.chains.some((c) => c.name === n) && !isBuiltinChain(table, n) });
  if (isProblem(cmd)) return err(inputError('iptables', cmd.message, 1, cmd.col));
  if (cmd.kind !== 'append' || cmd.rules.length !== 1 || !cmd.rules[0]) return err(inputError('iptables', 'expected exactly one rule', 1, 1));
  return ok(printRule(chain, cmd.rules[0].matches, cmd.rules[0].target));
}

/** `iptables -C`: is the rule in the chain? */
export function ruleExists(rs: Ruleset, table: TableName, chain: string, rule: string): Result<boolean, InputError> {
  const text = canonicalRule(rs, table, chain, rule);
  if (!text.ok) return text;
  return ok(findChain(rs, table, chain)?.rules.some((r) => r.text === text.value) ?? false);
}

/** `iptables -N CHAIN` unless it exists. */
export function ensureChain(rs: Ruleset, table: TableName, chain: string): Result<Ruleset, InputError> {
  if (findChain(rs, table, chain)) return ok(rs);
  return iptablesCommand(rs, table, `-N ${chain}`);
}

/** EnsureRule: add the rule at the end (append) or the top (prepend) unless it is already there. */
export function ensureRule(rs: Ruleset, table: TableName, position: 'append' | 'prepend', chain: string, rule: string): Result<Ruleset, InputError> {
  const exists = ruleExists(rs, table, chain, rule);
  if (!exists.ok) return exists;
  if (exists.value) return ok(rs);
  return iptablesCommand(rs, table, `${position === 'append' ? '-A' : '-I'} ${chain} ${rule}`);
}

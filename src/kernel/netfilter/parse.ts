import { match } from 'ts-pattern';
import { inputError, type InputError } from '../../lib/input-error.js';
import { err, ok, type Result } from '../../lib/result.js';
import { isProblem, parseCommand, type Command, type RuleSpec } from './parse-rule.js';
import { printRule } from './print-rule.js';
import { splitWords } from './quote.js';
import {
  EMPTY_RULESET,
  emptyTable,
  isBuiltinChain,
  isTableName,
  sortChains,
  type Chain,
  type Rule,
  type Ruleset,
  type Table,
  type TableName,
} from './ruleset.js';
import { checkRuleInChain, checkTableAtCommit } from './validate.js';

/**
 * iptables-restore (nf_tables backend) over the model: `*table` ... `COMMIT` sections of chain
 * declarations (`:NAME POLICY [packets:bytes]`) and commands (-A -I -D -N -X -F -P), with the
 * same flush semantics: without --noflush a section replaces the whole table; with --noflush
 * the table is kept and a declared user chain is flushed. A table only comes into existence when
 * something in it is created (`*raw` + `COMMIT` alone creates nothing), and then with all its
 * built-in chains. Errors are values naming the file, line and column; nothing half-loads.
 */

export interface RestoreOptions {
  /** Name used in error messages. */
  readonly file?: string;
  /** iptables-restore --noflush. */
  readonly noflush?: boolean;
}

interface WorkTable {
  readonly name: TableName;
  /** Chains by name; rules carry their canonical text. */
  readonly chains: Map<string, { policy: Chain['policy']; rules: Rule[] }>;
  /** False while nothing has created the table (it did not exist before either). */
  exists: boolean;
}

function toWork(t: Table | undefined, name: TableName): WorkTable {
  const base = t ?? emptyTable(name);
  return { name, chains: new Map(base.chains.map((c) => [c.name, { policy: c.policy, rules: [...c.rules] }])), exists: t !== undefined };
}

function fromWork(w: WorkTable): Table {
  const chains: Chain[] = [...w.chains.entries()].map(([name, c]) => ({ name, policy: c.policy, rules: c.rules }));
  return { name: w.name, chains: sortChains(w.name, chains) };
}

function makeRule(chain: string, spec: RuleSpec, line: number | null): Rule {
  return { matches: spec.matches, target: spec.target, text: printRule(chain, spec.matches, spec.target), line };
}

function referencedBy(w: WorkTable, chain: string): string | null {
  for (const [name, c] of w.chains) {
    if (name === chain) continue;
    if (c.rules.some((r) => (r.target.kind === 'jump' || r.target.kind === 'goto') && r.target.chain === chain)) return name;
  }
  return null;
}

/** Apply one parsed command to a working table; an error message or null. */
function applyCommand(w: WorkTable, cmd: Command, line: number | null): string | null {
  const userChains = () => [...w.chains.keys()].filter((n) => !isBuiltinChain(w.name, n));
  const need = (chain: string) => w.chains.get(chain) ?? null;
  const missing = (chain: string) => `chain ${chain} does not exist in table ${w.name} (declare it first with :${chain} - [0:0] or -N ${chain})`;
  /** -A, -I, -D, -C: rules into (or out of) one chain. */
  const ruleCommand = (cmd: Extract<Command, { rules: readonly RuleSpec[] }>): string | null => {
    const c = need(cmd.chain);
    if (!c) return missing(cmd.chain);
    for (const spec of cmd.rules) {
      const e = checkRuleInChain(w.name, cmd.chain, spec);
      if (e) return e;
    }
    const rules = cmd.rules.map((s) => makeRule(cmd.chain, s, line));
    const e = match(cmd)
      .with({ kind: 'append' }, () => {
        c.rules.push(...rules);
        return null;
      })
      .with({ kind: 'insert' }, (x) => {
        if (x.position > c.rules.length + 1) return `Index of insertion too big: chain ${x.chain} has ${c.rules.length} rules`;
        c.rules.splice(x.position - 1, 0, ...rules);
        return null;
      })
      .with({ kind: 'delete' }, { kind: 'check' }, (x) => {
        for (const r of rules) {
          const i = c.rules.findIndex((y) => y.text === r.text);
          if (i < 0) return `Bad rule (does a matching rule exist in that chain?): ${r.text}`;
          if (x.kind === 'delete') c.rules.splice(i, 1);
        }
        return null;
      })
      .exhaustive();
    if (!e) w.exists = true;
    return e;
  };
  return match(cmd)
    .with({ kind: 'append' }, { kind: 'insert' }, { kind: 'delete' }, { kind: 'check' }, ruleCommand)
    .with({ kind: 'delete-num' }, (x) => {
      const c = need(x.chain);
      if (!c) return missing(x.chain);
      if (x.position > c.rules.length) return `Index of deletion too big: chain ${x.chain} has ${c.rules.length} rules`;
      c.rules.splice(x.position - 1, 1);
      return null;
    })
    .with({ kind: 'new-chain' }, (x) => {
      if (w.chains.has(x.chain)) return `Chain already exists: ${x.chain}`;
      w.chains.set(x.chain, { policy: null, rules: [] });
      w.exists = true;
      return null;
    })
    .with({ kind: 'delete-chain' }, (x) => {
      const targets = x.chain === null ? userChains() : [x.chain];
      for (const t of targets) {
        if (isBuiltinChain(w.name, t)) return `Can't delete built-in chain ${t}`;
        if (!w.chains.has(t)) return missing(t);
      }
      for (const t of targets) {
        const by = referencedBy(w, t);
        if (by && !targets.includes(by)) return `Can't delete chain ${t}: rules in ${by} still refer to it (Too many links)`;
      }
      for (const t of targets) w.chains.delete(t);
      return null;
    })
    .with({ kind: 'flush' }, (x) => {
      if (x.chain === null) {
        for (const c of w.chains.values()) c.rules = [];
        return null;
      }
      const c = need(x.chain);
      if (!c) return missing(x.chain);
      c.rules = [];
      return null;
    })
    .with({ kind: 'policy' }, (x) => {
      if (!isBuiltinChain(w.name, x.chain)) return `Can't set policy on ${x.chain}: not a built-in chain of table ${w.name}`;
      const c = need(x.chain);
      if (c) c.policy = x.policy;
      w.exists = true;
      return null;
    })
    .exhaustive();
}

const COUNTERS = /^\[\d+:\d+\]$/;

/** iptables-restore: apply restore text to `base`. */
export function iptablesRestore(base: Ruleset, text: string, opts: RestoreOptions = {}): Result<Ruleset, InputError> {
  const file = opts.file ?? 'iptables-restore';
  const tables = new Map(base.tables);
  let cur: { work: WorkTable; line: number } | null = null;
  const lines = text.split('\n');
  for (let idx = 0; idx < lines.length; idx++) {
    const lineNo = idx + 1;
    const raw = (lines[idx] as string).replace(/\r$/, '');
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const lead = raw.length - raw.trimStart().length + 1;
    const fail = (message: string, col = lead) => err(inputError(file, message, lineNo, col));
    if (trimmed.startsWith('*')) {
      if (cur) return fail(`expected COMMIT for table ${cur.work.name} (opened at line ${cur.line}), found a new table "${trimmed}"`);
      const name = trimmed.slice(1).trim();
      if (!isTableName(name)) return fail(`expected a table name (raw, mangle, nat or filter) after *, found "${name}"`, lead + 1);
      const existing = tables.get(name);
      // Without --noflush the table is replaced: iptables-nft deletes it and recreates it.
      cur = { work: opts.noflush ? toWork(existing, name) : { ...toWork(undefined, name), exists: existing !== undefined }, line: lineNo };
      continue;
    }
    if (!cur) {
      if (trimmed === 'COMMIT') return fail('COMMIT outside a table: expected a *table line before it');
      return fail(`expected a table line such as *filter, found "${trimmed.slice(0, 40)}" (a rule outside a table)`);
    }
    const work: WorkTable = cur.work;
    if (trimmed === 'COMMIT') {
      const chains = fromWork(work).chains;
      const problem = checkTableAtCommit(work.name, chains);
      if (problem) {
        const rule = chains.find((c) => c.name === problem.chain)?.rules[problem.ruleIndex];
        return err(inputError(file, `${problem.message}${rule ? ` (in "${rule.text}")` : ''}`, rule?.line ?? lineNo, 1));
      }
      if (work.exists) tables.set(work.name, fromWork(work));
      cur = null;
      continue;
    }
    const wordsOrErr = splitWords(raw);
    if (!Array.isArray(wordsOrErr)) return fail(wordsOrErr.error, wordsOrErr.col);
    let words = wordsOrErr;
    if (trimmed.startsWith(':')) {
      const [decl, policy, counters, extra] = words;
      const name = decl?.text.slice(1) ?? '';
      if (name === '') return fail('expected a chain name after ":"');
      if (!policy) return fail(`expected a policy (ACCEPT, DROP or -) after :${name}, found the end of the line`);
      if (counters && !COUNTERS.test(counters.text)) return fail(`expected counters like [0:0], found "${counters.text}"`, counters.col);
      if (extra) return fail(`unexpected "${extra.text}" after the chain declaration`, extra.col);
      if (isBuiltinChain(work.name, name)) {
        // "-" keeps the current policy (iptables-restore sets a policy only when it is not "-";
        // iptables 1.8.9 accepts `:INPUT - [0:0]`, as kube-proxy's hand-written test dumps use).
        if (policy.text !== 'ACCEPT' && policy.text !== 'DROP' && policy.text !== '-') return fail(`expected ACCEPT, DROP or - as the policy of built-in chain ${name}, found "${policy.text}"`, policy.col);
        const c = work.chains.get(name);
        if (c && policy.text !== '-') c.policy = policy.text;
      } else {
        if (policy.text !== '-') {
          return fail(`${name} is not a built-in chain of table ${work.name}: expected "-" as its policy, found "${policy.text}"`, policy.col);
        }
        if (name.length > 28) return fail(`chain name "${name}" is too long (at most 28 characters)`, (decl?.col ?? lead) + 1);
        // Declaring a user chain creates it, or flushes it when it exists.
        work.chains.set(name, { policy: null, rules: [] });
      }
      work.exists = true;
      continue;
    }
    if (words[0] && COUNTERS.test(words[0].text)) words = words.slice(1);
    const cmd = parseCommand(words, { hasChain: (n) => work.chains.has(n) && !isBuiltinChain(work.name, n) });
    if (isProblem(cmd)) return fail(cmd.message, cmd.col);
    const e = applyCommand(work, cmd, lineNo);
    if (e) return fail(e);
  }
  if (cur) {
    return err(inputError(file, `table ${cur.work.name} opened here has no COMMIT: expected COMMIT, found the end of the input`, cur.line, 1));
  }
  return ok({ tables });
}

/** Parse iptables-save output (or restore input) into a fresh Ruleset. */
export function parseIptablesSave(text: string, file = 'iptables-save'): Result<Ruleset, InputError> {
  return iptablesRestore(EMPTY_RULESET, text, { file });
}

/**
 * One `iptables -t TABLE ARGS` invocation (e.g. `-I POSTROUTING -m comment --comment x -j Y`).
 * iptables-nft creates the table with its built-in chains on first use.
 */
export function iptablesCommand(base: Ruleset, table: TableName, args: string, file = 'iptables'): Result<Ruleset, InputError> {
  const words = splitWords(args);
  if (!Array.isArray(words)) return err(inputError(file, words.error, 1, words.col));
  const work = toWork(base.tables.get(table), table);
  const cmd = parseCommand(words, { hasChain: (n) => work.chains.has(n) && !isBuiltinChain(table, n) });
  if (isProblem(cmd)) return err(inputError(file, cmd.message, 1, cmd.col));
  if (cmd.kind === 'check') return err(inputError(file, 'use ruleExists() for -C', 1, 1));
  const e = applyCommand(work, cmd, null);
  if (e) return err(inputError(file, e, 1, 1));
  const t = fromWork(work);
  const problem = checkTableAtCommit(table, t.chains);
  if (problem) return err(inputError(file, problem.message, 1, 1));
  const tables = new Map(base.tables);
  tables.set(table, t);
  return ok({ tables });
}

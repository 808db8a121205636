import type { Cidr } from '../../net/cidr.js';
import type { Match } from './match.js';
import { parseProto } from './names.js';
import { MATCH_MODULES, protoMatchModule, type MatchDraft, type MatchModule, type OptionSpec, type RuleProto } from './parse-match.js';
import { STANDARD_TARGETS, TARGET_MODULES, type TargetDraft, type TargetModule } from './parse-target.js';
import type { Word } from './quote.js';
import type { Policy } from './ruleset.js';
import type { Target } from './target.js';
import { parseIfaceName, parseNet } from './values.js';

/**
 * One iptables command line (a line of iptables-restore input, or the arguments of an
 * `iptables` invocation), parsed the way iptables/xshared.c does_command()/command_default()
 * parses it: the ipt_ip options (-s -d -i -o -p), `-m` matches whose options go to the match
 * that owns them, `-p PROTO` loading the protocol's match implicitly for an unknown option,
 * `-j`/`-g` and the target's options, and `!` before a negatable option.
 */

/** A rule body: its matches (ipt_ip fields first) and target. */
export interface RuleSpec {
  readonly matches: readonly Match[];
  readonly target: Target;
}

export type Command =
  | { readonly kind: 'append'; readonly chain: string; readonly rules: readonly RuleSpec[] }
  | { readonly kind: 'insert'; readonly chain: string; readonly position: number; readonly rules: readonly RuleSpec[] }
  | { readonly kind: 'delete'; readonly chain: string; readonly rules: readonly RuleSpec[] }
  | { readonly kind: 'delete-num'; readonly chain: string; readonly position: number }
  | { readonly kind: 'check'; readonly chain: string; readonly rules: readonly RuleSpec[] }
  | { readonly kind: 'new-chain'; readonly chain: string }
  | { readonly kind: 'delete-chain'; readonly chain: string | null }
  | { readonly kind: 'flush'; readonly chain: string | null }
  | { readonly kind: 'policy'; readonly chain: string; readonly policy: Policy };

export interface ParseProblem {
  readonly message: string;
  /** 1-based column in the line. */
  readonly col: number;
}

/** What a rule's target may refer to: the chains of its table. */
export interface ChainLookup {
  hasChain(name: string): boolean;
}

const SHORT: Readonly<Record<string, string>> = {
  '-A': 'append',
  '-I': 'insert',
  '-D': 'delete',
  '-C': 'check',
  '-N': 'new-chain',
  '-X': 'delete-chain',
  '-F': 'flush',
  '-P': 'policy',
  '-s': 'source',
  '-d': 'destination',
  '-p': 'protocol',
  '-i': 'in-interface',
  '-o': 'out-interface',
  '-j': 'jump',
  '-g': 'goto',
  '-m': 'match',
  '-f': 'fragment',
  '-c': 'set-counters',
};

const LONG_ALIASES: Readonly<Record<string, string>> = {
  '--append': 'append',
  '--insert': 'insert',
  '--delete': 'delete',
  '--check': 'check',
  '--new-chain': 'new-chain',
  '--new': 'new-chain',
  '--delete-chain': 'delete-chain',
  '--flush': 'flush',
  '--policy': 'policy',
  '--source': 'source',
  '--src': 'source',
  '--destination': 'destination',
  '--dst': 'destination',
  '--protocol': 'protocol',
  '--in-interface': 'in-interface',
  '--out-interface': 'out-interface',
  '--jump': 'jump',
  '--goto': 'goto',
  '--match': 'match',
  '--fragment': 'fragment',
  '--set-counters': 'set-counters',
};

interface Loaded {
  readonly module: MatchModule;
  readonly draft: MatchDraft;
  /** Where `-m` (or the implicitly loading option) was, for error positions. */
  readonly col: number;
}

class Fail {
  constructor(readonly problem: ParseProblem) {}
}

function fail(message: string, col: number): never {
  throw new Fail({ message, col });
}

/** Parse one command. `words` must not be empty. */
export function parseCommand(words: readonly Word[], chains: ChainLookup): Command | ParseProblem {
  try {
    return parseCommandOrThrow(words, chains);
  } catch (e) {
    if (e instanceof Fail) return e.problem;
    throw e;
  }
}

export function isProblem(x: Command | ParseProblem): x is ParseProblem {
  return 'message' in x;
}

function parseCommandOrThrow(words: readonly Word[], chains: ChainLookup): Command {
  const first = words[0];
  if (!first) fail('expected a command such as -A CHAIN, found nothing', 1);
  const cmd = SHORT[first.text] ?? LONG_ALIASES[first.text];
  const chainWord = words[1];
  const isCommand = cmd === 'append' || cmd === 'insert' || cmd === 'delete' || cmd === 'check' || cmd === 'new-chain' || cmd === 'delete-chain' || cmd === 'flush' || cmd === 'policy';
  if (!isCommand) fail(`expected a command (-A, -I, -D, -C, -N, -X, -F or -P), found "${first.text}"`, first.col);
  const endCol = (words[words.length - 1]?.col ?? 1) + (words[words.length - 1]?.text.length ?? 0);
  if (cmd === 'delete-chain' || cmd === 'flush') {
    if (words.length > 2) fail(`unexpected "${words[2]?.text}" after ${first.text} ${chainWord?.text}`, words[2]?.col ?? endCol);
    return { kind: cmd, chain: chainWord?.text ?? null };
  }
  if (!chainWord) fail(`${first.text} expects a chain name, found the end of the line`, endCol);
  const chain = chainWord.text;
  if (chain.length > 28) fail(`chain name "${chain}" is too long (at most 28 characters)`, chainWord.col);
  if (cmd === 'new-chain') {
    if (words.length > 2) fail(`unexpected "${words[2]?.text}" after -N ${chain}`, words[2]?.col ?? endCol);
    if (chain.startsWith('-') || STANDARD_TARGETS.has(chain) || TARGET_MODULES.has(chain)) fail(`invalid chain name "${chain}"`, chainWord.col);
    return { kind: 'new-chain', chain };
  }
  if (cmd === 'policy') {
    const p = words[2];
    if (!p || (p.text !== 'ACCEPT' && p.text !== 'DROP')) fail(`-P ${chain} expects ACCEPT or DROP, found ${p ? `"${p.text}"` : 'the end of the line'}`, p?.col ?? endCol);
    if (words.length > 3) fail(`unexpected "${words[3]?.text}" after -P ${chain} ${p.text}`, words[3]?.col ?? endCol);
    return { kind: 'policy', chain, policy: p.text };
  }
  let rest = words.slice(2);
  let position = 1;
  if ((cmd === 'insert' || cmd === 'delete') && rest[0] && /^\d+$/.test(rest[0].text)) {
    position = Number(rest[0].text);
    if (position < 1) fail(`invalid rule number "${rest[0].text}"`, rest[0].col);
    if (cmd === 'delete') {
      if (rest.length > 1) fail(`unexpected "${rest[1]?.text}" after -D ${chain} ${position}`, rest[1]?.col ?? endCol);
      return { kind: 'delete-num', chain, position };
    }
    rest = rest.slice(1);
  }
  const rules = parseRuleWords(rest, chain, chains);
  if (cmd === 'append') return { kind: 'append', chain, rules };
  if (cmd === 'insert') return { kind: 'insert', chain, position, rules };
  if (cmd === 'check') return { kind: 'check', chain, rules };
  return { kind: 'delete', chain, rules };
}

/** Parse the options of one rule. `-s a,b -d c,d` expands to one rule per pair, as iptables does. */
function parseRuleWords(words: readonly Word[], chain: string, chains: ChainLookup): RuleSpec[] {
  let srcs: Cidr[] | null = null;
  let srcNeg = false;
  let dsts: Cidr[] | null = null;
  let dstNeg = false;
  let inIface: { negate: boolean; name: string } | null = null;
  let outIface: { negate: boolean; name: string } | null = null;
  let proto: RuleProto = { proto: null, negate: false };
  let protoUsed = false;
  const loaded: Loaded[] = [];
  let target: { kind: 'standard'; t: Target } | { kind: 'module'; module: TargetModule; draft: TargetDraft; col: number } | null = null;
  let negate: Word | null = null;

  const takeArgs = (i: number, n: number, opt: string, col: number): string[] => {
    const args: string[] = [];
    for (let k = 1; k <= n; k++) {
      const w = words[i + k];
      if (!w) fail(`option "${opt}" requires ${n === 1 ? 'an argument' : `${n} arguments`}`, col);
      args.push(w.text);
    }
    return args;
  };
  const noNegate = (what: string) => {
    if (negate) fail(`cannot have ! before ${what}`, negate.col);
  };
  const parseNets = (text: string, col: number): Cidr[] =>
    text.split(',').map((part) => {
      const r = parseNet(part);
      if (!r.ok) fail(r.error, col);
      return r.value;
    });

  for (let i = 0; i < words.length; ) {
    const w = words[i] as Word;
    if (w.text === '!') {
      if (negate) fail('multiple consecutive ! not allowed', w.col);
      negate = w;
      i++;
      continue;
    }
    const core = SHORT[w.text] ?? LONG_ALIASES[w.text];
    if (core !== undefined && w.text !== '-c' && !['append', 'insert', 'delete', 'check', 'new-chain', 'delete-chain', 'flush', 'policy'].includes(core)) {
      const neg = negate !== null;
      switch (core) {
        case 'source':
        case 'destination': {
          const [a] = takeArgs(i, 1, w.text, w.col);
          const nets = parseNets(a as string, words[i + 1]?.col ?? w.col);
          if (core === 'source') {
            if (srcs) fail('multiple -s flags not allowed', w.col);
            srcs = nets;
            srcNeg = neg;
          } else {
            if (dsts) fail('multiple -d flags not allowed', w.col);
            dsts = nets;
            dstNeg = neg;
          }
          if (neg && nets.length > 1) fail(`! not allowed with multiple ${core} or destination IP addresses`, w.col);
          i += 2;
          break;
        }
        case 'protocol': {
          if (proto.proto !== null) fail('multiple -p flags not allowed', w.col);
          const [a] = takeArgs(i, 1, w.text, w.col);
          const p = parseProto(a as string);
          if (p === null) fail(`unknown protocol "${a}" specified`, words[i + 1]?.col ?? w.col);
          if (p === 0 && neg) fail('rule would never match protocol', w.col);
          proto = { proto: p, negate: neg };
          i += 2;
          break;
        }
        case 'in-interface':
        case 'out-interface': {
          const [a] = takeArgs(i, 1, w.text, w.col);
          const r = parseIfaceName(a as string);
          if (!r.ok) fail(r.error, words[i + 1]?.col ?? w.col);
          if (core === 'in-interface') {
            if (inIface) fail('multiple -i flags not allowed', w.col);
            inIface = { negate: neg, name: r.value };
          } else {
            if (outIface) fail('multiple -o flags not allowed', w.col);
            outIface = { negate: neg, name: r.value };
          }
          i += 2;
          break;
        }
        case 'match': {
          noNegate('-m');
          const [name] = takeArgs(i, 1, w.text, w.col);
          const module = MATCH_MODULES.get(name as string);
          if (!module) {
            fail(`Couldn't load match \`${name}': podnet models the matches ${[...MATCH_MODULES.keys()].join(', ')}`, words[i + 1]?.col ?? w.col);
          }
          // iptables-nft folds repeated tcp/udp/sctp matches into one (they become native
          // payload expressions); other modules get a new instance per -m.
          const reuse = (module.name === 'tcp' || module.name === 'udp' || module.name === 'sctp') && loaded.find((l) => l.module === module);
          if (!reuse) loaded.push({ module, draft: module.create(), col: w.col });
          i += 2;
          break;
        }
        case 'jump':
        case 'goto': {
          noNegate(w.text);
          if (target) fail('multiple -j or -g flags not allowed', w.col);
          const [name] = takeArgs(i, 1, w.text, w.col);
          const n = name as string;
          const nameCol = words[i + 1]?.col ?? w.col;
          const std = STANDARD_TARGETS.get(n);
          const mod = TARGET_MODULES.get(n);
          if (core === 'goto') {
            if (std || mod) fail(`goto '${n}' is not a chain`, nameCol);
            if (!chains.hasChain(n)) fail(`Chain '${n}' does not exist`, nameCol);
            target = { kind: 'standard', t: { kind: 'goto', chain: n } };
          } else if (std) target = { kind: 'standard', t: std };
          else if (mod) target = { kind: 'module', module: mod, draft: mod.create(), col: w.col };
          else if (chains.hasChain(n)) {
            if (n === chain) fail(`a rule in chain ${chain} cannot jump to ${chain} itself (loop)`, nameCol);
            target = { kind: 'standard', t: { kind: 'jump', chain: n } };
          } else fail(`Chain '${n}' does not exist`, nameCol);
          i += 2;
          break;
        }
        case 'fragment':
          fail('-f (fragment matching) is not modelled', w.col);
          break;
        default:
          fail(`unknown option "${w.text}"`, w.col);
      }
      negate = null;
      continue;
    }
    if (w.text === '-c' || w.text === '--set-counters') {
      noNegate(w.text);
      takeArgs(i, 2, w.text, w.col);
      i += 3;
      continue;
    }
    if (!w.text.startsWith('--')) fail(`unexpected "${w.text}": expected an option`, w.col);
    const opt = w.text.slice(2);
    // 1. the target's own options
    let handled = false;
    if (target && target.kind === 'module') {
      const spec = target.module.options.get(opt);
      if (spec) {
        noNegate(w.text);
        const args = takeArgs(i, spec.args, w.text, w.col);
        const e = target.draft.apply(opt, args);
        if (e) fail(e, w.col);
        i += 1 + spec.args;
        handled = true;
      }
    }
    if (!handled) {
      // 2. the first loaded match module that knows the option; its newest instance
      let owner: Loaded | undefined;
      for (const l of loaded) {
        if (l.module.options.has(opt)) {
          owner = [...loaded].reverse().find((x) => x.module === l.module);
          break;
        }
      }
      // 3. -p PROTO loads the protocol's match implicitly (once)
      if (!owner && proto.proto !== null && !protoUsed) {
        const pm = protoMatchModule(proto.proto);
        if (pm && pm.options.has(opt)) {
          protoUsed = true;
          const existing = loaded.find((l) => l.module === pm);
          owner = existing ?? { module: pm, draft: pm.create(), col: w.col };
          if (!existing) loaded.push(owner);
        }
      }
      if (!owner) fail(`unknown option "${w.text}"`, w.col);
      const spec = owner.module.options.get(opt) as OptionSpec;
      if (negate && !spec.negatable) fail(`option "${w.text}" cannot be inverted`, negate.col);
      const args = takeArgs(i, spec.args, w.text, w.col);
      const e = owner.draft.apply(opt, args, negate !== null);
      if (e) fail(e, w.col);
      i += 1 + spec.args;
    }
    negate = null;
  }
  if (negate) fail('! must be followed by an option', (negate as Word).col);

  const matches: Match[] = [];
  for (const l of loaded) {
    const r = l.draft.finish(proto);
    if (!r.ok) fail(r.error, l.col);
    matches.push(r.value);
  }
  let t: Target = { kind: 'none' };
  if (target) {
    if (target.kind === 'standard') t = target.t;
    else {
      const r = target.draft.finish(proto);
      if (!r.ok) fail(r.error, target.col);
      t = r.value;
    }
  }
  const header: Match[] = [];
  if (inIface) header.push({ kind: 'in-iface', ...inIface });
  if (outIface) header.push({ kind: 'out-iface', ...outIface });
  if (proto.proto !== null && proto.proto !== 0) header.push({ kind: 'protocol', negate: proto.negate, proto: proto.proto });
  const out: RuleSpec[] = [];
  for (const s of srcs ?? [null]) {
    for (const d of dsts ?? [null]) {
      const ip: Match[] = [];
      // -s 0.0.0.0/0 and -i + match everything; iptables-save omits them.
      if (s && (s.prefix > 0 || srcNeg)) ip.push({ kind: 'src', negate: srcNeg, net: s });
      if (d && (d.prefix > 0 || dstNeg)) ip.push({ kind: 'dst', negate: dstNeg, net: d });
      const hdr = header.filter((m) => !((m.kind === 'in-iface' || m.kind === 'out-iface') && m.name === '+' && !m.negate));
      out.push({ matches: [...ip, ...hdr, ...matches], target: t });
    }
  }
  return out;
}

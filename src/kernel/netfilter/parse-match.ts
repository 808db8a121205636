import { err, ok, type Result } from '../../lib/result.js';
import type { Ipv4 } from '../../net/ipv4.js';
import {
  ADDR_TYPE_NAMES,
  CT_STATE_NAMES,
  CT_STATUS_NAMES,
  type AddrTypeName,
  type AddrTypeSel,
  type CtStateName,
  type CtStatusName,
  type Flag,
  type Match,
  type NegatedNet,
  type NegatedName,
  type NegatedPorts,
  type PortRange,
  type RecentCommand,
  type StatisticMode,
  type TcpFlagsMatch,
} from './match.js';
import { ICMP_TYPES, IPPROTO, parseProto, TCP_FLAG_BITS } from './names.js';
import { parseAddr, parseIfaceName, parseMarkMask, parseNet, parsePortRange, parseProbability, parseUint } from './values.js';

/**
 * `-m MODULE` option parsing, one parser per xtables match extension the model supports. A
 * draft collects options (`apply`) and is checked against the rule's `-p` when the rule is
 * complete (`finish`), where the kernel's checkentry rules apply (e.g. "tcp match: only valid for
 * protocol 6", net/netfilter/x_tables.c xt_check_match).
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

const opts = (spec: Record<string, [0 | 1 | 2, boolean]>): ReadonlyMap<string, OptionSpec> =>
  new Map(Object.entries(spec).map(([k, [args, negatable]]) => [k, { args, negatable }]));

function once(seen: Set<string>, key: string): string | null {
  if (seen.has(key)) return `multiple --${key} options are not allowed in one match`;
  seen.add(key);
  return null;
}

function requireProto(module: string, want: number, p: RuleProto): string | null {
  if (p.proto !== want || p.negate) return `${module} match: only valid for protocol ${want}`;
  return null;
}

function ports(text: string, negate: boolean): Result<NegatedPorts, string> {
  const r = parsePortRange(text);
  return r.ok ? ok({ negate, range: r.value }) : r;
}

function net(text: string, negate: boolean): Result<NegatedNet, string> {
  const r = parseNet(text);
  return r.ok ? ok({ negate, net: r.value }) : r;
}

// --- comment (xt_comment) -------------------------------------------------------------------

const comment: MatchModule = {
  name: 'comment',
  options: opts({ comment: [1, false] }),
  create() {
    let text: string | null = null;
    return {
      apply(_opt, args) {
        if (text !== null) return 'multiple --comment options are not allowed in one match';
        const t = args[0] ?? '';
        if (t.length > 255) return 'comment may not exceed 255 characters';
        text = t;
        return null;
      },
      finish() {
        return text === null ? err('comment: option "--comment" must be specified') : ok({ kind: 'comment', text });
      },
    };
  },
};

// --- tcp / udp / sctp (xt_tcpudp, xt_sctp) ---------------------------------------------------

function parseTcpFlagList(text: string): number | null {
  if (text === 'NONE') return 0;
  if (text === 'ALL') return 0x3f;
  let bits = 0;
  for (const name of text.split(',')) {
    const f = TCP_FLAG_BITS.find(([n]) => n === name.toUpperCase());
    if (!f) return null;
    bits |= f[1];
  }
  return bits;
}

function portModule(name: 'tcp' | 'udp' | 'sctp'): MatchModule {
  const spec: Record<string, [0 | 1 | 2, boolean]> = { sport: [1, true], dport: [1, true], 'source-port': [1, true], 'destination-port': [1, true] };
  if (name === 'tcp') Object.assign(spec, { 'tcp-flags': [2, true], syn: [0, true] });
  return {
    name,
    options: opts(spec),
    create() {
      let sport: NegatedPorts | null = null;
      let dport: NegatedPorts | null = null;
      let flags: TcpFlagsMatch | null = null;
      const seen = new Set<string>();
      return {
        apply(opt, args, negate) {
          const a = args[0] ?? '';
          if (opt === 'sport' || opt === 'source-port') {
            const e = once(seen, 'sport');
            if (e) return e;
            const r = ports(a, negate);
            if (!r.ok) return r.error;
            sport = r.value;
          } else if (opt === 'dport' || opt === 'destination-port') {
            const e = once(seen, 'dport');
            if (e) return e;
            const r = ports(a, negate);
            if (!r.ok) return r.error;
            dport = r.value;
          } else if (opt === 'tcp-flags' || opt === 'syn') {
            const e = once(seen, 'tcp-flags');
            if (e) return e;
            if (opt === 'syn') {
              // libxt_tcp: --syn is --tcp-flags FIN,SYN,RST,ACK SYN
              flags = { negate, mask: 0x17, comp: 0x02 };
            } else {
              const mask = parseTcpFlagList(a);
              const comp = parseTcpFlagList(args[1] ?? '');
              if (mask === null || comp === null) return `expected TCP flags like SYN,RST,ACK SYN, found "${args.join(' ')}"`;
              flags = { negate, mask, comp };
            }
          }
          return null;
        },
        finish(p) {
          const e = requireProto(name, IPPROTO[name], p);
          if (e) return err(e);
          if (name === 'tcp') return ok({ kind: 'tcp', sport, dport, flags });
          return ok({ kind: name, sport, dport });
        },
      };
    },
  };
}

// --- icmp (ipt_icmp) ------------------------------------------------------------------------

export function parseIcmpType(text: string): Result<readonly [number, number, number], string> {
  const m = /^(\d+)(?:\/(\d+))?$/.exec(text);
  if (m) {
    const type = Number(m[1]);
    if (type > 255) return err(`invalid ICMP type "${text}"`);
    if (m[2] === undefined) return ok([type, 0, 0xff]);
    const code = Number(m[2]);
    if (code > 255) return err(`invalid ICMP code in "${text}"`);
    return ok([type, code, code]);
  }
  const lower = text.toLowerCase();
  const exact = [...ICMP_TYPES.entries()].find(([n]) => n.toLowerCase() === lower);
  if (exact) return ok(exact[1]);
  const prefixed = [...ICMP_TYPES.entries()].filter(([n]) => n.toLowerCase().startsWith(lower));
  if (prefixed.length === 1 && prefixed[0]) return ok(prefixed[0][1]);
  if (prefixed.length > 1) return err(`ambiguous ICMP type "${text}": ${prefixed.map(([n]) => n).join(', ')}`);
  return err(`invalid ICMP type "${text}"`);
}

const icmp: MatchModule = {
  name: 'icmp',
  options: opts({ 'icmp-type': [1, true] }),
  create() {
    let v: { negate: boolean; t: readonly [number, number, number] } | null = null;
    return {
      apply(_opt, args, negate) {
        if (v) return 'multiple --icmp-type options are not allowed in one match';
        const r = parseIcmpType(args[0] ?? '');
        if (!r.ok) return r.error;
        v = { negate, t: r.value };
        return null;
      },
      finish(p) {
        if (!v) return err('icmp: option "--icmp-type" must be specified');
        const e = requireProto('icmp', IPPROTO.icmp, p);
        if (e) return err(e);
        return ok({ kind: 'icmp', negate: v.negate, type: v.t[0], codeMin: v.t[1], codeMax: v.t[2] });
      },
    };
  },
};

// --- multiport (xt_multiport) ---------------------------------------------------------------

const multiport: MatchModule = {
  name: 'multiport',
  options: opts({ sports: [1, true], 'source-ports': [1, true], dports: [1, true], 'destination-ports': [1, true], ports: [1, true] }),
  create() {
    let v: { negate: boolean; dir: 'src' | 'dst' | 'any'; ports: PortRange[] } | null = null;
    return {
      apply(opt, args, negate) {
        if (v) return 'multiport can only have one option';
        const list: PortRange[] = [];
        let slots = 0;
        for (const part of (args[0] ?? '').split(',')) {
          const r = parsePortRange(part);
          if (!r.ok) return r.error;
          list.push(r.value);
          slots += r.value.min === r.value.max ? 1 : 2;
        }
        // XT_MULTI_PORTS = 15 slots; a range takes two.
        if (slots > 15) return 'too many ports specified (multiport takes at most 15, a range counts twice)';
        const dir = opt === 'sports' || opt === 'source-ports' ? 'src' : opt === 'ports' ? 'any' : 'dst';
        v = { negate, dir, ports: list };
        return null;
      },
      finish(p) {
        if (!v) return err('multiport: one of --sports, --dports or --ports must be specified');
        const okProtos: readonly number[] = [IPPROTO.tcp, IPPROTO.udp, IPPROTO.udplite, IPPROTO.sctp, IPPROTO.dccp];
        if (p.proto === null || p.negate || !okProtos.includes(p.proto)) return err('multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP');
        return ok({ kind: 'multiport', negate: v.negate, dir: v.dir, ports: v.ports });
      },
    };
  },
};

// --- mark (xt_mark) -------------------------------------------------------------------------

const mark: MatchModule = {
  name: 'mark',
  options: opts({ mark: [1, true] }),
  create() {
    let v: { negate: boolean; value: number; mask: number } | null = null;
    return {
      apply(_opt, args, negate) {
        if (v) return 'multiple --mark options are not allowed in one match';
        const r = parseMarkMask(args[0] ?? '');
        if (!r.ok) return r.error;
        v = { negate, ...r.value };
        return null;
      },
      finish() {
        return v ? ok({ kind: 'mark', ...v }) : err('mark: option "--mark" must be specified');
      },
    };
  },
};

// --- conntrack / state (xt_conntrack, xt_state) ---------------------------------------------

function nameList<T extends string>(text: string, names: readonly T[], what: string): Result<T[], string> {
  const out: T[] = [];
  for (const part of text.split(',')) {
    const n = names.find((x) => x.toLowerCase() === part.toLowerCase());
    if (!n) return err(`bad ${what} "${part}": expected one of ${names.join(', ')}`);
    if (!out.includes(n)) out.push(n);
  }
  // Printed in bit order, whatever order they were written in.
  return ok(names.filter((n) => out.includes(n)));
}

const conntrack: MatchModule = {
  name: 'conntrack',
  options: opts({
    ctstate: [1, true],
    ctproto: [1, true],
    ctorigsrc: [1, true],
    ctorigdst: [1, true],
    ctreplsrc: [1, true],
    ctrepldst: [1, true],
    ctorigsrcport: [1, true],
    ctorigdstport: [1, true],
    ctreplsrcport: [1, true],
    ctrepldstport: [1, true],
    ctstatus: [1, true],
    ctdir: [1, false],
  }),
  create() {
    const m: {
      dir: 'ORIGINAL' | 'REPLY' | null;
      state: { negate: boolean; states: readonly CtStateName[] } | null;
      proto: { negate: boolean; proto: number } | null;
      origSrc: NegatedNet | null;
      origDst: NegatedNet | null;
      replSrc: NegatedNet | null;
      replDst: NegatedNet | null;
      origSrcPort: NegatedPorts | null;
      origDstPort: NegatedPorts | null;
      replSrcPort: NegatedPorts | null;
      replDstPort: NegatedPorts | null;
      status: { negate: boolean; flags: readonly CtStatusName[] } | null;
    } = {
      dir: null,
      state: null,
      proto: null,
      origSrc: null,
      origDst: null,
      replSrc: null,
      replDst: null,
      origSrcPort: null,
      origDstPort: null,
      replSrcPort: null,
      replDstPort: null,
      status: null,
    };
    const seen = new Set<string>();
    const netKeys = { ctorigsrc: 'origSrc', ctorigdst: 'origDst', ctreplsrc: 'replSrc', ctrepldst: 'replDst' } as const;
    const portKeys = { ctorigsrcport: 'origSrcPort', ctorigdstport: 'origDstPort', ctreplsrcport: 'replSrcPort', ctrepldstport: 'replDstPort' } as const;
    return {
      apply(opt, args, negate) {
        const e = once(seen, opt);
        if (e) return e;
        const a = args[0] ?? '';
        if (opt === 'ctstate') {
          const r = nameList(a, CT_STATE_NAMES, 'ctstate');
          if (!r.ok) return r.error;
          m.state = { negate, states: r.value };
        } else if (opt === 'ctstatus') {
          const r = nameList(a, CT_STATUS_NAMES, 'ctstatus');
          if (!r.ok) return r.error;
          // NONE adds no bit: it only survives alone (an empty mask).
          const flags = r.value.filter((f) => f !== 'NONE');
          m.status = { negate, flags: flags.length > 0 ? flags : ['NONE'] };
        } else if (opt === 'ctproto') {
          const p = parseProto(a);
          if (p === null || p === 0) return `expected a protocol for --ctproto, found "${a}"`;
          m.proto = { negate, proto: p };
        } else if (opt === 'ctdir') {
          const d = a.toUpperCase();
          if (d !== 'ORIGINAL' && d !== 'REPLY') return `--ctdir expects ORIGINAL or REPLY, found "${a}"`;
          m.dir = d;
        } else if (opt in netKeys) {
          const r = net(a, negate);
          if (!r.ok) return r.error;
          m[netKeys[opt as keyof typeof netKeys]] = r.value;
        } else if (opt in portKeys) {
          const r = ports(a, negate);
          if (!r.ok) return r.error;
          m[portKeys[opt as keyof typeof portKeys]] = r.value;
        }
        return null;
      },
      finish() {
        if (seen.size === 0) return err('conntrack: at least one option is required');
        return ok({ kind: 'conntrack', ...m });
      },
    };
  },
};

const state: MatchModule = {
  name: 'state',
  options: opts({ state: [1, true] }),
  create() {
    let v: { negate: boolean; states: readonly CtStateName[] } | null = null;
    return {
      apply(_opt, args, negate) {
        if (v) return 'multiple --state options are not allowed in one match';
        const r = nameList(args[0] ?? '', ['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED'] as const, 'state');
        if (!r.ok) return r.error;
        v = { negate, states: r.value };
        return null;
      },
      finish() {
        return v ? ok({ kind: 'state', ...v }) : err('state: option "--state" must be specified');
      },
    };
  },
};

// --- addrtype (xt_addrtype) -----------------------------------------------------------------

const addrtype: MatchModule = {
  name: 'addrtype',
  options: opts({ 'src-type': [1, true], 'dst-type': [1, true], 'limit-iface-in': [0, false], 'limit-iface-out': [0, false] }),
  create() {
    let src: AddrTypeSel | null = null;
    let dst: AddrTypeSel | null = null;
    let limitIfaceIn = false;
    let limitIfaceOut = false;
    const seen = new Set<string>();
    return {
      apply(opt, args, negate) {
        const e = once(seen, opt);
        if (e) return e;
        if (opt === 'limit-iface-in') limitIfaceIn = true;
        else if (opt === 'limit-iface-out') limitIfaceOut = true;
        else {
          const r = nameList<AddrTypeName>(args[0] ?? '', ADDR_TYPE_NAMES, 'address type');
          if (!r.ok) return r.error;
          if (opt === 'src-type') src = { negate, types: r.value };
          else dst = { negate, types: r.value };
        }
        return null;
      },
      finish() {
        if (!src && !dst) return err('addrtype: you must specify --src-type or --dst-type');
        if (limitIfaceIn && limitIfaceOut) return err('addrtype: you can\'t specify both --limit-iface-in and --limit-iface-out');
        return ok({ kind: 'addrtype', src, dst, limitIfaceIn, limitIfaceOut });
      },
    };
  },
};

// --- statistic (xt_statistic) ---------------------------------------------------------------

const statistic: MatchModule = {
  name: 'statistic',
  options: opts({ mode: [1, false], probability: [1, true], every: [1, true], packet: [1, false] }),
  create() {
    let mode: string | null = null;
    let prob: { negate: boolean; text: string } | null = null;
    let every: { negate: boolean; n: number } | null = null;
    let packet: number | null = null;
    const seen = new Set<string>();
    return {
      apply(opt, args, negate) {
        const e = once(seen, opt);
        if (e) return e;
        const a = args[0] ?? '';
        if (opt === 'mode') {
          if (a !== 'random' && a !== 'nth') return `statistic: bad mode "${a}", expected random or nth`;
          mode = a;
        } else if (opt === 'probability') prob = { negate, text: a };
        else if (opt === 'every') {
          const n = parseUint(a);
          if (n === null || n === 0) return `statistic: --every expects a positive number, found "${a}"`;
          every = { negate, n };
        } else {
          const n = parseUint(a);
          if (n === null) return `statistic: --packet expects a number, found "${a}"`;
          packet = n;
        }
        return null;
      },
      finish() {
        let m: StatisticMode;
        if (mode === 'random') {
          if (!prob) return err('statistic: option "--mode random" requires "--probability"');
          if (every || packet !== null) return err('statistic: --every and --packet are only valid with --mode nth');
          const r = parseProbability(prob.text);
          if (!r.ok) return r;
          m = { kind: 'random', negate: prob.negate, probability: r.value };
        } else if (mode === 'nth') {
          if (!every) return err('statistic: option "--mode nth" requires "--every"');
          if (packet === null) return err('statistic: option "--every" also requires "--packet".');
          if (prob) return err('statistic: --probability is only valid with --mode random');
          if (packet > every.n - 1) return err('statistic: --packet must be smaller than --every');
          m = { kind: 'nth', negate: every.negate, every: every.n, packet };
        } else return err('statistic: option "--mode" must be specified');
        return ok({ kind: 'statistic', mode: m });
      },
    };
  },
};

// --- recent (xt_recent) ---------------------------------------------------------------------

const recent: MatchModule = {
  name: 'recent',
  options: opts({
    set: [0, true],
    rcheck: [0, true],
    update: [0, true],
    remove: [0, true],
    seconds: [1, false],
    reap: [0, false],
    hitcount: [1, false],
    rttl: [0, false],
    name: [1, false],
    mask: [1, false],
    rsource: [0, false],
    rdest: [0, false],
  }),
  create() {
    let command: RecentCommand | null = null;
    let negate = false;
    let name = 'DEFAULT';
    let seconds: number | null = null;
    let hitcount: number | null = null;
    let reap = false;
    let rttl = false;
    let mask = 0xffffffff as Ipv4;
    let side: 'source' | 'dest' = 'source';
    const seen = new Set<string>();
    return {
      apply(opt, args, neg) {
        const e = once(seen, opt);
        if (e) return e;
        const a = args[0] ?? '';
        switch (opt) {
          case 'set':
          case 'rcheck':
          case 'update':
          case 'remove':
            if (command) return 'recent: only one of `--set\', `--rcheck\', `--update\' or `--remove\' may be set';
            command = opt;
            negate = neg;
            return null;
          case 'seconds': {
            const n = parseUint(a);
            if (n === null) return `recent: --seconds expects a number, found "${a}"`;
            seconds = n;
            return null;
          }
          case 'hitcount': {
            const n = parseUint(a, 255);
            if (n === null) return `recent: --hitcount expects a number, found "${a}"`;
            hitcount = n;
            return null;
          }
          case 'reap':
            reap = true;
            return null;
          case 'rttl':
            rttl = true;
            return null;
          case 'name':
            if (a === '' || a.length > 199) return `recent: bad --name "${a}"`;
            name = a;
            return null;
          case 'mask': {
            const r = parseAddr(a);
            if (!r.ok) return r.error;
            mask = r.value;
            return null;
          }
          case 'rsource':
          case 'rdest':
            if (seen.has('rsource') && seen.has('rdest')) return 'recent: --rsource and --rdest are mutually exclusive';
            side = opt === 'rsource' ? 'source' : 'dest';
            return null;
          default:
            return `unknown option "--${opt}"`;
        }
      },
      finish() {
        if (!command) return err("recent: you must specify one of `--set', `--rcheck' `--update' or `--remove'");
        if ((seconds !== null || hitcount !== null) && command !== 'rcheck' && command !== 'update') {
          return err('recent: --seconds and --hitcount can only be used with --rcheck or --update');
        }
        if (reap && seconds === null) return err('recent: --reap requires --seconds');
        return ok({ kind: 'recent', negate, command, name, seconds, reap, hitcount, rttl, mask, side });
      },
    };
  },
};

// --- set (xt_set) ---------------------------------------------------------------------------

const set: MatchModule = {
  name: 'set',
  options: opts({ 'match-set': [2, true] }),
  create() {
    let v: { negate: boolean; name: string; dirs: ('src' | 'dst')[] } | null = null;
    return {
      apply(_opt, args, negate) {
        if (v) return 'set: --match-set can be specified only once';
        const name = args[0] ?? '';
        if (name === '' || name.length > 31) return `set: bad set name "${name}" (at most 31 characters)`;
        const dirs: ('src' | 'dst')[] = [];
        for (const d of (args[1] ?? '').split(',')) {
          if (d !== 'src' && d !== 'dst') return `set: expected src or dst flags like src,dst, found "${args[1] ?? ''}"`;
          dirs.push(d);
        }
        if (dirs.length > 6) return 'set: too many src/dst flags (at most 6)';
        v = { negate, name, dirs };
        return null;
      },
      finish() {
        return v ? ok({ kind: 'set', ...v }) : err('set: you must specify --match-set');
      },
    };
  },
};

// --- physdev (xt_physdev) -------------------------------------------------------------------

const physdev: MatchModule = {
  name: 'physdev',
  options: opts({
    'physdev-in': [1, true],
    'physdev-out': [1, true],
    'physdev-is-in': [0, true],
    'physdev-is-out': [0, true],
    'physdev-is-bridged': [0, true],
  }),
  create() {
    let isIn: Flag | null = null;
    let isOut: Flag | null = null;
    let isBridged: Flag | null = null;
    let inDev: NegatedName | null = null;
    let outDev: NegatedName | null = null;
    const seen = new Set<string>();
    return {
      apply(opt, args, negate) {
        const e = once(seen, opt);
        if (e) return e;
        if (opt === 'physdev-in' || opt === 'physdev-out') {
          const r = parseIfaceName(args[0] ?? '');
          if (!r.ok) return r.error;
          if (opt === 'physdev-in') inDev = { negate, name: r.value };
          else outDev = { negate, name: r.value };
        } else if (opt === 'physdev-is-in') isIn = { negate };
        else if (opt === 'physdev-is-out') isOut = { negate };
        else isBridged = { negate };
        return null;
      },
      finish() {
        if (seen.size === 0) return err('physdev: no option specified');
        return ok({ kind: 'physdev', isIn, in: inDev, isOut, out: outDev, isBridged });
      },
    };
  },
};

// --- limit (xt_limit) -----------------------------------------------------------------------

/** libxt_limit parse_rate: avg = XT_LIMIT_SCALE * seconds-per-unit / rate. */
export function parseLimitRate(text: string): Result<number, string> {
  const m = /^(\d+)(?:\/([a-zA-Z]+))?$/.exec(text);
  if (!m) return err(`bad rate "${text}": expected N/sec, N/min, N/hour or N/day`);
  const r = Number(m[1]);
  const unit = (m[2] ?? 'second').toLowerCase();
  const units: readonly [string, number][] = [
    ['second', 1],
    ['minute', 60],
    ['hour', 60 * 60],
    ['day', 24 * 60 * 60],
  ];
  const u = units.find(([name]) => name.startsWith(unit));
  if (!u) return err(`bad rate unit "${m[2] ?? ''}" in "${text}"`);
  if (r === 0) return err(`bad rate "${text}": the rate must be positive`);
  const avg = Math.floor((10000 * u[1]) / r);
  if (avg === 0) return err(`Rate too fast "${text}"`);
  return ok(avg);
}

const limit: MatchModule = {
  name: 'limit',
  options: opts({ limit: [1, false], 'limit-burst': [1, false] }),
  create() {
    let avg = Math.floor((10000 * 60 * 60) / 3); // default 3/hour
    let burst = 5;
    const seen = new Set<string>();
    return {
      apply(opt, args) {
        const e = once(seen, opt);
        if (e) return e;
        const a = args[0] ?? '';
        if (opt === 'limit') {
          const r = parseLimitRate(a);
          if (!r.ok) return r.error;
          avg = r.value;
        } else {
          const n = parseUint(a, 10000);
          if (n === null) return `bad --limit-burst "${a}"`;
          burst = n;
        }
        return null;
      },
      finish() {
        return ok({ kind: 'limit', avg, burst });
      },
    };
  },
};

// --- nfacct (xt_nfacct) ---------------------------------------------------------------------

const nfacct: MatchModule = {
  name: 'nfacct',
  options: opts({ 'nfacct-name': [1, false] }),
  create() {
    let name: string | null = null;
    return {
      apply(_opt, args) {
        name = args[0] ?? '';
        return null;
      },
      finish() {
        return name === null ? err('nfacct: you must specify --nfacct-name') : ok({ kind: 'nfacct', name });
      },
    };
  },
};

export const MATCH_MODULES: ReadonlyMap<string, MatchModule> = new Map(
  [comment, portModule('tcp'), portModule('udp'), portModule('sctp'), icmp, multiport, mark, conntrack, state, addrtype, statistic, recent, set, physdev, limit, nfacct].map(
    (m) => [m.name, m],
  ),
);

/** The match iptables loads implicitly for `-p PROTO` when an unknown option follows. */
export function protoMatchModule(proto: number): MatchModule | undefined {
  const name = proto === IPPROTO.tcp ? 'tcp' : proto === IPPROTO.udp ? 'udp' : proto === IPPROTO.sctp ? 'sctp' : proto === IPPROTO.icmp ? 'icmp' : null;
  return name ? MATCH_MODULES.get(name) : undefined;
}

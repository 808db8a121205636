import { err, ok, type Result } from '../../lib/result.js';
import type { PortRange } from './match.js';
import { IPPROTO, LOG_LEVELS } from './names.js';
import type { OptionSpec, RuleProto } from './parse-match.js';
import { LOG_FLAGS, REJECT_WITH, type LogFlag, type NatRange, type RejectWith, type Target } from './target.js';
import { parseIpv4Fast, parseMarkMask, parsePortRange, parseUint } from './values.js';

/**
 * `-j TARGET` option parsing for the target extensions the model supports (libxt_NAT.c for
 * DNAT/SNAT/MASQUERADE/REDIRECT, libxt_MARK.c, libipt_REJECT.c, libxt_LOG.c, libxt_CT.c).
 */

export interface TargetDraft {
  apply(opt: string, args: readonly string[]): string | null;
  finish(p: RuleProto): Result<Target, string>;
}

export interface TargetModule {
  readonly name: string;
  readonly options: ReadonlyMap<string, OptionSpec>;
  create(): TargetDraft;
}

const opts = (spec: Record<string, 0 | 1>): ReadonlyMap<string, OptionSpec> =>
  new Map(Object.entries(spec).map(([k, args]) => [k, { args, negatable: false }]));

/** NAT with ports needs a protocol that has ports (libxt_NAT.c: "Need TCP, UDP, SCTP or DCCP with port specification"). */
function portsAllowed(p: RuleProto): boolean {
  const withPorts: readonly number[] = [IPPROTO.tcp, IPPROTO.udp, IPPROTO.sctp, IPPROTO.dccp, IPPROTO.udplite];
  return p.proto !== null && !p.negate && withPorts.includes(p.proto);
}

const NEED_PORT_PROTO = 'Need TCP, UDP, SCTP or DCCP with port specification';

function parsePortsDash(text: string): Result<PortRange, string> {
  return parsePortRange(text, '-');
}

/** `ADDR[-ADDR][:PORT[-PORT]]` of --to-destination / --to-source. */
export function parseNatRange(text: string): Result<NatRange, string> {
  const colon = text.indexOf(':');
  const addrPart = colon < 0 ? text : text.slice(0, colon);
  const portPart = colon < 0 ? null : text.slice(colon + 1);
  const [a, b, extra] = addrPart.split('-');
  const min = parseIpv4Fast(a ?? '');
  const max = b === undefined ? min : parseIpv4Fast(b);
  if (!min.ok || !max.ok || extra !== undefined) return err(`expected ADDR[-ADDR][:PORT[-PORT]], found "${text}"`);
  if (max.value < min.value) return err(`bad address range "${addrPart}": the first address is larger than the second`);
  let ports: PortRange | null = null;
  if (portPart !== null) {
    const r = parsePortsDash(portPart);
    if (!r.ok) return r;
    ports = r.value;
  }
  return ok({ addrMin: min.value, addrMax: max.value, ports });
}

function natModule(name: 'DNAT' | 'SNAT'): TargetModule {
  const rangeOpt = name === 'DNAT' ? 'to-destination' : 'to-source';
  return {
    name,
    options: opts(name === 'DNAT' ? { 'to-destination': 1, random: 0, persistent: 0 } : { 'to-source': 1, random: 0, 'random-fully': 0, persistent: 0 }),
    create() {
      let range: NatRange | null = null;
      const flags = new Set<string>();
      return {
        apply(opt, args) {
          if (opt === rangeOpt) {
            if (range) return `${name}: multiple --${rangeOpt} options are not supported`;
            const r = parseNatRange(args[0] ?? '');
            if (!r.ok) return r.error;
            range = r.value;
          } else flags.add(opt);
          return null;
        },
        finish(p) {
          if (!range) return err(`${name}: option "--${rangeOpt}" must be specified`);
          if (range.ports && !portsAllowed(p)) return err(NEED_PORT_PROTO);
          if (name === 'DNAT') return ok({ kind: 'dnat', range, random: flags.has('random'), persistent: flags.has('persistent') });
          return ok({ kind: 'snat', range, random: flags.has('random'), randomFully: flags.has('random-fully'), persistent: flags.has('persistent') });
        },
      };
    },
  };
}

function portsModule(name: 'MASQUERADE' | 'REDIRECT'): TargetModule {
  return {
    name,
    options: opts(name === 'MASQUERADE' ? { 'to-ports': 1, random: 0, 'random-fully': 0 } : { 'to-ports': 1, random: 0 }),
    create() {
      let ports: PortRange | null = null;
      const flags = new Set<string>();
      return {
        apply(opt, args) {
          if (opt === 'to-ports') {
            const r = parsePortsDash(args[0] ?? '');
            if (!r.ok) return r.error;
            ports = r.value;
          } else flags.add(opt);
          return null;
        },
        finish(p) {
          if (ports && !portsAllowed(p)) return err(NEED_PORT_PROTO);
          if (name === 'MASQUERADE') return ok({ kind: 'masquerade', ports, random: flags.has('random'), randomFully: flags.has('random-fully') });
          return ok({ kind: 'redirect', ports, random: flags.has('random') });
        },
      };
    },
  };
}

/** MARK v2 (libxt_MARK.c mark_tg_parse): every form becomes value/mask with mark = (mark & ~mask) ^ value. */
const MARK: TargetModule = {
  name: 'MARK',
  options: opts({ 'set-xmark': 1, 'set-mark': 1, 'and-mark': 1, 'or-mark': 1, 'xor-mark': 1 }),
  create() {
    let v: { value: number; mask: number } | null = null;
    return {
      apply(opt, args) {
        if (v) return 'MARK target: Can\'t specify --set-mark twice';
        const a = args[0] ?? '';
        if (opt === 'set-xmark' || opt === 'set-mark') {
          const r = parseMarkMask(a);
          if (!r.ok) return r.error;
          v = opt === 'set-xmark' ? r.value : { value: r.value.value, mask: (r.value.value | r.value.mask) >>> 0 };
          return null;
        }
        const n = parseUint(a);
        if (n === null) return `MARK: expected a mark value, found "${a}"`;
        if (opt === 'and-mark') v = { value: 0, mask: ~n >>> 0 };
        else if (opt === 'or-mark') v = { value: n, mask: n };
        else v = { value: n, mask: 0 };
        return null;
      },
      finish() {
        return v ? ok({ kind: 'mark', ...v }) : err('MARK target: Parameter --set/and/or/xor-mark is required');
      },
    };
  },
};

const REJECT_ALIASES: ReadonlyMap<string, RejectWith> = new Map([
  ['net-unreach', 'icmp-net-unreachable'],
  ['host-unreach', 'icmp-host-unreachable'],
  ['proto-unreach', 'icmp-proto-unreachable'],
  ['port-unreach', 'icmp-port-unreachable'],
  ['net-prohib', 'icmp-net-prohibited'],
  ['host-prohib', 'icmp-host-prohibited'],
  ['tcp-rst', 'tcp-reset'],
  ['admin-prohib', 'icmp-admin-prohibited'],
]);

const REJECT: TargetModule = {
  name: 'REJECT',
  options: opts({ 'reject-with': 1 }),
  create() {
    let w: RejectWith = 'icmp-port-unreachable';
    return {
      apply(_opt, args) {
        const a = args[0] ?? '';
        const found = (REJECT_WITH as readonly string[]).includes(a) ? (a as RejectWith) : REJECT_ALIASES.get(a);
        if (!found) return `REJECT: unknown reject type "${a}"`;
        w = found;
        return null;
      },
      finish(p) {
        // ipt_REJECT.c reject_tg_check
        if (w === 'tcp-reset' && (p.proto !== IPPROTO.tcp || p.negate)) return err('REJECT: TCP_RESET invalid for non-tcp');
        return ok({ kind: 'reject', with: w });
      },
    };
  },
};

const LOG: TargetModule = {
  name: 'LOG',
  options: opts({ 'log-prefix': 1, 'log-level': 1, ...Object.fromEntries(LOG_FLAGS.map((f) => [`log-${f}`, 0])) }),
  create() {
    let prefix = '';
    let level = 4;
    const flags = new Set<LogFlag>();
    return {
      apply(opt, args) {
        const a = args[0] ?? '';
        if (opt === 'log-prefix') {
          if (a.length > 29) return 'LOG: Maximum prefix length 29 for --log-prefix';
          prefix = a;
        } else if (opt === 'log-level') {
          const n = /^\d$/.test(a) ? Number(a) : LOG_LEVELS.get(a.toLowerCase());
          if (n === undefined || n > 7) return `LOG: log level "${a}" unknown`;
          level = n;
        } else flags.add(opt.slice(4) as LogFlag);
        return null;
      },
      finish() {
        return ok({ kind: 'log', prefix, level, flags: LOG_FLAGS.filter((f) => flags.has(f)) });
      },
    };
  },
};

const NOTRACK: TargetModule = {
  name: 'NOTRACK',
  options: opts({}),
  create() {
    return { apply: () => null, finish: () => ok({ kind: 'notrack', spelling: 'NOTRACK' }) };
  },
};

const CT: TargetModule = {
  name: 'CT',
  options: opts({ notrack: 0 }),
  create() {
    let notrack = false;
    return {
      apply() {
        notrack = true;
        return null;
      },
      finish: () => ok(notrack ? { kind: 'notrack', spelling: 'CT' } : { kind: 'ct' }),
    };
  },
};

export const TARGET_MODULES: ReadonlyMap<string, TargetModule> = new Map(
  [natModule('DNAT'), natModule('SNAT'), portsModule('MASQUERADE'), portsModule('REDIRECT'), MARK, REJECT, LOG, NOTRACK, CT].map((m) => [m.name, m]),
);

/** The standard targets, which take no options. */
export const STANDARD_TARGETS: ReadonlyMap<string, Target> = new Map<string, Target>([
  ['ACCEPT', { kind: 'accept' }],
  ['DROP', { kind: 'drop' }],
  ['RETURN', { kind: 'return' }],
]);


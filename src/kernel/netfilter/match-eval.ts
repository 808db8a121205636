import { match } from 'ts-pattern';
import { cidrContains } from '../../net/cidr.js';
import type { Ipv4 } from '../../net/ipv4.js';
import { portsOf, type Ipv4Packet } from '../../net/packet.js';
import type { CtStatus } from '../conntrack/entry.js';
import { icmpTypeCode } from '../conntrack/tuple.js';
import type { Tuple } from '../conntrack/tuple.js';
import type { CtInfo } from './ct-info.js';
import { ipsetTest, type IpsetMap } from './ipset.js';
import type { AddrTypeName, CtStateName, CtStatusName, Match, NegatedNet, NegatedPorts, PortRange } from './match.js';
import { evalRecent, type RecentState, type RecentUpdate } from './recent.js';
import type { BuiltinChain } from './ruleset.js';
import { ifaceMatches } from './values.js';

/**
 * Evaluating one match against one packet, following each match's kernel function. Most
 * matches are deterministic; `-m statistic` branches (each branch carries its probability) and
 * `-m recent` changes the recent lists, so the result is a list of branches with their state.
 */

/** How the route model classifies an address (inet_dev_addr_type): the caller supplies it. */
export type AddrType = 'LOCAL' | 'UNICAST' | 'BROADCAST' | 'MULTICAST' | 'BLACKHOLE' | 'UNREACHABLE' | 'PROHIBIT';
export type AddrTypeOracle = (addr: Ipv4, dev: string | null) => AddrType;

/** br_netfilter's physical ports (nf_bridge_info); null when the packet did not cross a bridge. */
export interface Physdev {
  readonly in: string | null;
  readonly out: string | null;
}

/**
 * ipt_rpfilter's reverse-path check for one packet (the caller owns the FIB): does the route
 * back to `src` leave through `inDev` (or, `loose`, exist at all)? See kernel/rpfilter.ts.
 */
export type RpfilterOracle = (q: {
  readonly src: Ipv4;
  readonly dst: Ipv4;
  readonly inDev: string | null;
  readonly mark: number;
  readonly loose: boolean;
  readonly acceptLocal: boolean;
}) => boolean;

export interface MatchEnv {
  readonly hook: BuiltinChain;
  readonly packet: Ipv4Packet;
  readonly inDev: string | null;
  readonly outDev: string | null;
  readonly physdev: Physdev | null;
  readonly mark: number;
  readonly ct: CtInfo;
  readonly addrType: AddrTypeOracle;
  readonly ipsets: IpsetMap;
  readonly now: number;
  /** Needed only by `-m rpfilter`; a rule using it without one is a bug in the caller. */
  readonly rpfilter?: RpfilterOracle;
}

/** Why a branch was taken, for `-m statistic`. */
export interface StatisticChoice {
  readonly taken: boolean;
  readonly probability: number;
}

export interface MatchBranch {
  readonly probability: number;
  readonly matched: boolean;
  readonly recent: RecentState;
  readonly recentUpdate: RecentUpdate | null;
  readonly statistic: StatisticChoice | null;
}

function inRange(r: PortRange, p: number): boolean {
  return p >= r.min && p <= r.max;
}

/** xt_tcpudp port_match: range test xor invert. */
function portTest(spec: NegatedPorts | null, p: number): boolean {
  return spec === null || inRange(spec.range, p) !== spec.negate;
}

function netTest(spec: NegatedNet | null, a: Ipv4 | undefined): boolean {
  return spec === null || (a !== undefined && cidrContains(spec.net, a) !== spec.negate);
}

function tcpFlagBits(p: Ipv4Packet): number {
  if (p.payload.kind !== 'tcp') return 0;
  const f = p.payload.flags;
  return (f.fin ? 0x01 : 0) | (f.syn ? 0x02 : 0) | (f.rst ? 0x04 : 0) | (f.psh ? 0x08 : 0) | (f.ack ? 0x10 : 0);
}

/**
 * The state bits xt_conntrack / xt_state test: the ctinfo state, plus the virtual SNAT/DNAT
 * states from the IPS_SRC_NAT/IPS_DST_NAT status bits (conntrack_mt).
 */
function ctStateBits(ct: CtInfo, withNat: boolean): Set<CtStateName> {
  const s = new Set<CtStateName>([ct.state]);
  if (withNat && ct.status.includes('SRC_NAT')) s.add('SNAT');
  if (withNat && ct.status.includes('DST_NAT')) s.add('DNAT');
  return s;
}

function tuplePort(t: Tuple | null, which: 'sport' | 'dport'): number | undefined {
  return t && t.l4.kind === 'ports' ? t.l4[which] : undefined;
}

function ctPortTest(spec: NegatedPorts | null, port: number | undefined): boolean {
  return spec === null || (port !== undefined && inRange(spec.range, port) !== spec.negate);
}

/** `--ctstatus`: any of the bits set (NONE stands for an empty mask, which never matches). */
function ctStatusTest(flags: readonly CtStatusName[], status: readonly CtStatus[]): boolean {
  return flags.some((f) => f !== 'NONE' && status.includes(f));
}

function addrTypeTest(types: readonly AddrTypeName[], t: AddrType): boolean {
  return types.includes(t);
}

function one(matched: boolean, env: { recent: RecentState }): MatchBranch[] {
  return [{ probability: 1, matched, recent: env.recent, recentUpdate: null, statistic: null }];
}

export function evalMatch(m: Match, env: MatchEnv, recent: RecentState): MatchBranch[] {
  const p = env.packet;
  const ports = portsOf(p);
  const st = { recent };
  return match(m)
    .with({ kind: 'src' }, (x) => one(cidrContains(x.net, p.header.src) !== x.negate, st))
    .with({ kind: 'dst' }, (x) => one(cidrContains(x.net, p.header.dst) !== x.negate, st))
    .with({ kind: 'in-iface' }, (x) => one(ifaceMatches(x.name, env.inDev) !== x.negate, st))
    .with({ kind: 'out-iface' }, (x) => one(ifaceMatches(x.name, env.outDev) !== x.negate, st))
    .with({ kind: 'protocol' }, (x) => one((p.header.protocol === x.proto) !== x.negate, st))
    .with({ kind: 'comment' }, { kind: 'limit' }, { kind: 'nfacct' }, () => one(true, st))
    .with({ kind: 'tcp' }, (x) => {
      if (p.payload.kind !== 'tcp') return one(false, st);
      const flagsOk = x.flags === null || ((tcpFlagBits(p) & x.flags.mask) === x.flags.comp) !== x.flags.negate;
      return one(portTest(x.sport, p.payload.sport) && portTest(x.dport, p.payload.dport) && flagsOk, st);
    })
    .with({ kind: 'udp' }, (x) => {
      if (p.payload.kind !== 'udp') return one(false, st);
      return one(portTest(x.sport, p.payload.sport) && portTest(x.dport, p.payload.dport), st);
    })
    // xt_sctp.c sctp_mt: source/destination port ranges (chunk-type and flag options are not parsed).
    .with({ kind: 'sctp' }, (x) => {
      if (p.payload.kind !== 'sctp') return one(false, st);
      return one(portTest(x.sport, p.payload.sport) && portTest(x.dport, p.payload.dport), st);
    })
    .with({ kind: 'icmp' }, (x) => {
      const t = icmpTypeCode(p);
      if (!t) return one(false, st);
      // icmp_type_code_match: type 0xFF matches any type.
      const hit = x.type === 0xff || (t.type === x.type && t.code >= x.codeMin && t.code <= x.codeMax);
      return one(hit !== x.negate, st);
    })
    .with({ kind: 'multiport' }, (x) => {
      if (!ports) return one(false, st);
      const hit = x.ports.some((r) => (x.dir !== 'dst' && inRange(r, ports.sport)) || (x.dir !== 'src' && inRange(r, ports.dport)));
      return one(hit !== x.negate, st);
    })
    .with({ kind: 'mark' }, (x) => one((((env.mark & x.mask) >>> 0) === x.value) !== x.negate, st))
    .with({ kind: 'conntrack' }, (x) => {
      const ct = env.ct;
      // conntrack_mt: the state test comes first; without an entry only a state option can match.
      if (x.state && x.state.states.some((s) => ctStateBits(ct, true).has(s)) === x.state.negate) return one(false, st);
      const hasEntry = ct.original !== null;
      if (!hasEntry) return one(x.state !== null, st);
      const orig = ct.original;
      const repl = ct.reply;
      const ok =
        (x.dir === null || (x.dir === 'ORIGINAL') === (ct.dir === 'original')) &&
        (x.proto === null || (orig?.proto === x.proto.proto) !== x.proto.negate) &&
        netTest(x.origSrc, orig?.src) &&
        netTest(x.origDst, orig?.dst) &&
        netTest(x.replSrc, repl?.src) &&
        netTest(x.replDst, repl?.dst) &&
        ctPortTest(x.origSrcPort, tuplePort(orig, 'sport')) &&
        ctPortTest(x.origDstPort, tuplePort(orig, 'dport')) &&
        ctPortTest(x.replSrcPort, tuplePort(repl, 'sport')) &&
        ctPortTest(x.replDstPort, tuplePort(repl, 'dport')) &&
        (x.status === null || ctStatusTest(x.status.flags, ct.status) !== x.status.negate);
      return one(ok, st);
    })
    .with({ kind: 'state' }, (x) => one(x.states.some((s) => ctStateBits(env.ct, false).has(s)) !== x.negate, st))
    .with({ kind: 'addrtype' }, (x) => {
      // addrtype_mt_v1: one device limits both lookups.
      const dev = x.limitIfaceIn ? env.inDev : x.limitIfaceOut ? env.outDev : null;
      const srcOk = x.src === null || addrTypeTest(x.src.types, env.addrType(p.header.src, dev)) !== x.src.negate;
      const dstOk = x.dst === null || addrTypeTest(x.dst.types, env.addrType(p.header.dst, dev)) !== x.dst.negate;
      return one(srcOk && dstOk, st);
    })
    .with({ kind: 'statistic' }, (x) => {
      // xt_statistic.c: random mode matches when (get_random_u32() & 0x7FFFFFFF) < probability,
      // so it matches with probability kernel/2^31; the packet counter of nth mode is not kept,
      // so nth is modelled as matching one packet in `every`.
      const pm = x.mode.kind === 'random' ? x.mode.probability.effective : 1 / x.mode.every;
      const pMatch = x.mode.negate ? 1 - pm : pm;
      const branches: MatchBranch[] = [];
      if (pMatch > 0) branches.push({ probability: pMatch, matched: true, recent, recentUpdate: null, statistic: { taken: true, probability: pMatch } });
      if (pMatch < 1) branches.push({ probability: 1 - pMatch, matched: false, recent, recentUpdate: null, statistic: { taken: false, probability: 1 - pMatch } });
      return branches;
    })
    .with({ kind: 'recent' }, (x) => {
      const r = evalRecent(x, recent, { src: p.header.src, dst: p.header.dst, ttl: p.header.ttl }, env.now);
      return [{ probability: 1, matched: r.matched, recent: r.state, recentUpdate: r.update, statistic: null }];
    })
    .with({ kind: 'set' }, (x) => {
      const set = env.ipsets.get(x.name);
      // A rule can only name an existing set; a set missing from the supplied map matches nothing.
      const hit = set !== undefined && ipsetTest(set, x.dirs, { src: p.header.src, dst: p.header.dst, proto: p.header.protocol, sport: ports?.sport ?? null, dport: ports?.dport ?? null });
      return one(hit !== x.negate, st);
    })
    .with({ kind: 'physdev' }, (x) => one(physdevMatch(x, env.physdev), st))
    .with({ kind: 'rpfilter' }, (x) => {
      if (!env.rpfilter) throw new Error('netfilter: -m rpfilter needs the netns FIB (pass HookContext.rpfilter, e.g. rpfilterOracle(netns))');
      const passed = env.rpfilter({ src: p.header.src, dst: p.header.dst, inDev: env.inDev, mark: x.validmark ? env.mark : 0, loose: x.loose, acceptLocal: x.acceptLocal });
      return one(passed !== x.invert, st);
    })
    .exhaustive();
}

type PhysdevMatch = Extract<Match, { kind: 'physdev' }>;

/** physdev_mt (net/netfilter/xt_physdev.c), including its behaviour for non-bridged packets. */
function physdevMatch(x: PhysdevMatch, info: Physdev | null): boolean {
  if (info === null) {
    // "Return MATCH if the invert flags of the used options are on"
    for (const f of [x.isBridged, x.isIn, x.isOut, x.in, x.out]) if (f && !f.negate) return false;
    return true;
  }
  const outdev = info.out;
  const indev = info.in;
  if (x.isBridged && (outdev !== null) === x.isBridged.negate) return false;
  if (x.isIn && (indev === null) !== x.isIn.negate) return false;
  if (x.isOut && (outdev === null) !== x.isOut.negate) return false;
  if (x.in && indev !== null && ifaceMatches(x.in.name, indev) === x.in.negate) return false;
  if (!x.out) return true;
  if (outdev === null) return false;
  return ifaceMatches(x.out.name, outdev) !== x.out.negate;
}

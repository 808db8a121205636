import { match } from 'ts-pattern';
import { fnv32 } from '../../lib/hash.js';
import type { Ipv4 } from '../../net/ipv4.js';
import type { Ipv4Packet } from '../../net/packet.js';
import type { NatStep } from '../netfilter/evaluate.js';
import { manipOfHook } from '../netfilter/evaluate.js';
import type { PortRange } from '../netfilter/match.js';
import type { BuiltinChain } from '../netfilter/ruleset.js';
import type { NatAction } from '../netfilter/verdict.js';
import { hasStatus, withStatus, type ConntrackEntry } from './entry.js';
import { translateIcmpError } from './icmp-error.js';
import { rewriteDst, rewriteSrc } from './rewrite.js';
import { tupleTaken, type ConntrackTable } from './table.js';
import { entryOf, type PacketCt } from './track.js';
import { invertTuple, tupleEquals, tupleKey, type Tuple } from './tuple.js';

/**
 * NAT bindings and packet translation (net/netfilter/nf_nat_core.c).
 *
 * A binding is set up once per manip type for a connection's first packet: DNAT/REDIRECT at
 * PREROUTING/OUTPUT, SNAT/MASQUERADE at POSTROUTING/INPUT; when the nat table chose nothing, a
 * null binding to the current addresses (nf_nat_alloc_null_binding), which can still move the
 * source port off a clashing one. nf_nat_setup_info then rewrites the entry's reply tuple, so
 * replies are recognised and translated back.
 *
 * Port choice (get_unique_tuple) without randomness: the source port is kept unless the
 * resulting tuple is already in use (or --random/--random-fully asks for a new one); then the
 * search starts at an offset the kernel draws from get_random_u16(), here
 * fnv32(original tuple) & 0xffff, so the same connection always gets the same port.
 */

export interface NatOptions {
  /** MASQUERADE's address: inet_select_addr() on the out device, from the route model. */
  readonly masqueradeAddr?: Ipv4 | null;
  /** REDIRECT's address: 127.0.0.1 in OUTPUT, the in device's primary address in PREROUTING. */
  readonly redirectAddr?: Ipv4 | null;
  /** Seconds, for liveness of the entries a new tuple might clash with. */
  readonly now: number;
}

/** struct nf_nat_range2 as the binding code needs it. */
interface Range {
  readonly addrMin: Ipv4;
  readonly addrMax: Ipv4;
  readonly ports: PortRange | null;
  /** NF_NAT_RANGE_PROTO_RANDOM_ALL */
  readonly random: boolean;
  readonly persistent: boolean;
}

function rangeOf(action: NatAction, opts: NatOptions): Range | string {
  return match(action)
    .with({ kind: 'dnat' }, (a): Range => ({ addrMin: a.range.addrMin, addrMax: a.range.addrMax, ports: a.range.ports, random: a.random, persistent: a.persistent }))
    .with({ kind: 'snat' }, (a): Range => ({ addrMin: a.range.addrMin, addrMax: a.range.addrMax, ports: a.range.ports, random: a.random || a.randomFully, persistent: a.persistent }))
    .with({ kind: 'masquerade' }, (a): Range | string =>
      opts.masqueradeAddr ? { addrMin: opts.masqueradeAddr, addrMax: opts.masqueradeAddr, ports: a.ports, random: a.random || a.randomFully, persistent: false } : 'MASQUERADE needs the out device address',
    )
    .with({ kind: 'redirect' }, (a): Range | string =>
      opts.redirectAddr ? { addrMin: opts.redirectAddr, addrMax: opts.redirectAddr, ports: a.ports, random: a.random, persistent: false } : 'REDIRECT needs the local address',
    )
    .exhaustive();
}

type Manip = 'src' | 'dst';

function getAddr(t: Tuple, m: Manip): Ipv4 {
  return m === 'src' ? t.src : t.dst;
}

function getPort(t: Tuple, m: Manip): number | null {
  if (t.l4.kind === 'ports') return m === 'src' ? t.l4.sport : t.l4.dport;
  if (t.l4.kind === 'icmp') return t.l4.id;
  return null;
}

function setManip(t: Tuple, m: Manip, addr: Ipv4, port: number | null): Tuple {
  let l4 = t.l4;
  if (port !== null && l4.kind === 'ports') l4 = m === 'src' ? { ...l4, sport: port } : { ...l4, dport: port };
  // The ICMP id is the "port" of both directions (nf_nat_l4proto_unique_tuple keys on src.u.icmp.id).
  if (port !== null && l4.kind === 'icmp' && m === 'src') l4 = { ...l4, id: port };
  return m === 'src' ? { ...t, src: addr, l4 } : { ...t, dst: addr, l4 };
}

/** nf_nat_used_tuple: would the reply of this (translated original) tuple clash with a live entry? */
function used(table: ConntrackTable, t: Tuple, self: number, now: number): boolean {
  const reply = invertTuple(t);
  return reply !== null && tupleTaken(table, reply, now, self);
}

/** find_best_ips_proto: one address of the range, by a hash of the source (and destination). */
function pickAddr(t: Tuple, r: Range): Ipv4 {
  if (r.addrMin === r.addrMax) return r.addrMin;
  const size = r.addrMax - r.addrMin + 1;
  const h = fnv32(`${t.src}|${r.persistent ? 0 : t.dst}`);
  return (r.addrMin + (h % size)) as Ipv4;
}

/** get_unique_tuple for one manip type. `orig` is the current original-direction tuple. */
function uniqueTuple(table: ConntrackTable, orig: Tuple, r: Range, m: Manip, self: number, now: number): Tuple {
  const port = getPort(orig, m);
  const inRange = (p: number | null) => r.ports === null || (p !== null && p >= r.ports.min && p <= r.ports.max);
  // 1) SNAT: try the original tuple first, if it already satisfies the range.
  if (m === 'src' && !r.random) {
    const a = getAddr(orig, m);
    if (a >= r.addrMin && a <= r.addrMax && inRange(port) && !used(table, orig, self, now)) return orig;
  }
  // 2) the address
  let t = setManip(orig, m, pickAddr(orig, r), null);
  // 3) keep the port when it is in range and unique
  if (!r.random) {
    if (r.ports !== null) {
      if (inRange(port) && (r.ports.min === r.ports.max || !used(table, t, self, now))) return t;
    } else if (!used(table, t, self, now)) return t;
  }
  // nf_nat_l4proto_unique_tuple
  if (port === null) return t;
  let min: number;
  let size: number;
  if (orig.l4.kind === 'icmp') {
    min = r.ports?.min ?? 0;
    size = r.ports ? r.ports.max - r.ports.min + 1 : 65536;
  } else if (r.ports === null) {
    if (m === 'dst') return t; // "If it's dst rewrite, can't change port"
    if (port < 512) [min, size] = [1, 511];
    else if (port < 1024) [min, size] = [600, 424];
    else [min, size] = [1024, 65535 - 1024 + 1];
  } else [min, size] = [r.ports.min, r.ports.max - r.ports.min + 1];
  // The kernel draws the offset from get_random_u16() for SNAT and random DNAT, 0 for plain DNAT.
  let off = r.random || m === 'src' ? fnv32(tupleKey(orig)) & 0xffff : 0;
  for (let i = 0; i < size; i++, off++) {
    t = setManip(t, m, getAddr(t, m), min + (off % size));
    if (!used(table, t, self, now)) return t;
  }
  return t;
}

/**
 * nf_nat_setup_info: bind an unconfirmed entry for one manip type. `action` null is the null
 * binding. Returns the entry with its new reply tuple and IPS_*_NAT(_DONE) bits, or an error.
 */
export function bindNat(table: ConntrackTable, e: ConntrackEntry, m: Manip, action: NatAction | null, opts: NatOptions): ConntrackEntry | string {
  const curr = invertTuple(e.reply);
  if (!curr) return 'no reply tuple';
  let r: Range;
  if (action) {
    const rr = rangeOf(action, opts);
    if (typeof rr === 'string') return rr;
    r = rr;
  } else {
    // __nf_nat_alloc_null_binding: "Use reply in case it's already been mangled".
    const a = m === 'src' ? e.reply.dst : e.reply.src;
    r = { addrMin: a, addrMax: a, ports: null, random: false, persistent: false };
  }
  const next = uniqueTuple(table, curr, r, m, e.id, opts.now);
  const done = m === 'src' ? 'SRC_NAT_DONE' : 'DST_NAT_DONE';
  if (tupleEquals(next, curr)) return { ...e, status: withStatus(e.status, done) };
  const reply = invertTuple(next);
  if (!reply) return 'no reply tuple';
  return { ...e, reply, status: withStatus(e.status, done, m === 'src' ? 'SRC_NAT' : 'DST_NAT') };
}

/**
 * nf_nat_packet: translate a packet travelling in `dir` at a hook of manip type `m`. The target
 * is the inverse of the other direction's tuple; only the manip's half is written.
 */
export function translate(e: ConntrackEntry, dir: 'original' | 'reply', m: Manip, packet: Ipv4Packet): Ipv4Packet {
  // statusbit = SRC_NAT for SRC manip, flipped for the reply direction.
  const natBit = (m === 'src') === (dir === 'original') ? 'SRC_NAT' : 'DST_NAT';
  if (!hasStatus(e, natBit)) return packet;
  const target = invertTuple(dir === 'original' ? e.reply : e.original);
  if (!target) return packet;
  return m === 'src' ? rewriteSrc(packet, { addr: target.src, port: getPort(target, 'src') }) : rewriteDst(packet, { addr: target.dst, port: getPort(target, 'dst') });
}

export interface NatResult {
  readonly pkt: PacketCt;
  readonly packet: Ipv4Packet;
  /** Why a binding could not be made (the kernel drops the packet). */
  readonly error: string | null;
}

/**
 * The nat table's position in a hook, end to end: for a new connection bind (the nat table's
 * action, or a null binding) if this manip type is not bound yet; then translate the packet.
 */
export function applyNat(table: ConntrackTable, pkt: PacketCt, hook: BuiltinChain, action: NatAction | null, packet: Ipv4Packet, opts: NatOptions): NatResult {
  const m = manipOfHook(hook);
  if (!m) return { pkt, packet, error: null };
  const unchanged: NatResult = { pkt, packet, error: null };
  return match(pkt)
    .with({ kind: 'new' }, (x): NatResult => {
      let e = x.entry;
      if (!hasStatus(e, m === 'src' ? 'SRC_NAT_DONE' : 'DST_NAT_DONE')) {
        const b = bindNat(table, e, m, action, opts);
        if (typeof b === 'string') return { pkt, packet, error: b };
        e = b;
      }
      return { pkt: { kind: 'new', entry: e }, packet: translate(e, 'original', m, packet), error: null };
    })
    .with({ kind: 'tracked' }, (x): NatResult => {
      const e = entryOf(table, x);
      return e ? { pkt, packet: translate(e, x.dir, m, packet), error: null } : unchanged;
    })
    .with({ kind: 'related' }, (x): NatResult => {
      const e = entryOf(table, x);
      return e ? { pkt, packet: translateIcmpError(e, x.dir, m, packet), error: null } : unchanged;
    })
    .with({ kind: 'invalid' }, { kind: 'untracked' }, () => unchanged)
    .exhaustive();
}

/** A NatStep for evaluateHook backed by the conntrack table. */
export function natStepFor(table: ConntrackTable, pkt: PacketCt, hook: BuiltinChain, opts: NatOptions): NatStep {
  return (packet, action) => applyNat(table, pkt, hook, action, packet, opts).packet;
}

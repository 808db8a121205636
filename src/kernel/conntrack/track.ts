import { match } from 'ts-pattern';
import type { Ipv4Packet } from '../../net/packet.js';
import type { CtInfo } from '../netfilter/ct-info.js';
import { INVALID, UNTRACKED } from '../netfilter/ct-info.js';
import { hasStatus, TIMEOUTS, withStatus, type ConntrackEntry, type CtStatus, type ProtoState } from './entry.js';
import { findByTuple, getEntry, removeEntry, replaceEntry, type ConntrackTable } from './table.js';
import { tcpIndex, tcpTransition } from './tcp-state.js';
import { ICMP_ERROR_TYPES, ICMP_NEW_TYPES, icmpTypeCode, invertTuple, quotedTuple, tupleOfPacket, type Tuple } from './tuple.js';

/**
 * nf_conntrack_in for one packet (run at PREROUTING / OUTPUT, priority -200): find the entry
 * the packet belongs to and update its protocol state, or start a new unconfirmed entry, or
 * classify the packet as RELATED (an ICMP error quoting a tracked flow) or INVALID.
 */
export type PacketCt =
  /** The raw table said NOTRACK. */
  | { readonly kind: 'untracked' }
  | { readonly kind: 'invalid'; readonly reason: string }
  /** First packet of a connection: an unconfirmed entry, not yet in the table. */
  | { readonly kind: 'new'; readonly entry: ConntrackEntry }
  /** A packet of a confirmed entry; `state` NEW while the original side has had no reply. */
  | { readonly kind: 'tracked'; readonly id: number; readonly dir: 'original' | 'reply'; readonly state: 'NEW' | 'ESTABLISHED' }
  /** An ICMP error about entry `id`, travelling in direction `dir` of that entry. */
  | { readonly kind: 'related'; readonly id: number; readonly dir: 'original' | 'reply' };

export interface TrackOptions {
  /** Seconds. */
  readonly now: number;
  /** net.netfilter.nf_conntrack_tcp_loose (default 1): pick up connections from a bare ACK. */
  readonly tcpLoose?: boolean;
}

export interface TrackResult {
  readonly table: ConntrackTable;
  readonly pkt: PacketCt;
}

function newProtoState(t: Tuple, now: number): ProtoState {
  if (t.l4.kind === 'icmp') return { kind: 'icmp' };
  if (t.proto === 6) return { kind: 'tcp', state: 'NONE', lastIndex: null, lastDir: null };
  if (t.proto === 17) return { kind: 'udp', streamTs: now + 2 };
  return { kind: 'generic' };
}

/** Start an unconfirmed entry for the first packet of a flow, or say why it is invalid. */
function startEntry(table: ConntrackTable, packet: Ipv4Packet, t: Tuple, opts: TrackOptions): TrackResult {
  const reply = invertTuple(t);
  if (!reply) return { table, pkt: { kind: 'invalid', reason: 'ICMP type without a reply type' } };
  if (t.l4.kind === 'icmp' && !ICMP_NEW_TYPES.has(t.l4.type)) {
    return { table, pkt: { kind: 'invalid', reason: `icmp_new: ICMP type ${t.l4.type} cannot start a connection` } };
  }
  let proto = newProtoState(t, opts.now);
  let timeout: number;
  if (proto.kind === 'tcp') {
    if (packet.payload.kind !== 'tcp') return { table, pkt: { kind: 'invalid', reason: 'TCP header not decoded' } };
    // tcp_new(): only SYN, or (nf_conntrack_tcp_loose) a bare ACK, may start a connection.
    const index = tcpIndex(packet.payload.flags);
    const next = tcpTransition('original', index, 'NONE');
    if (next === 'IV' || next === 'IG' || (index === 'ack' && opts.tcpLoose === false)) {
      return { table, pkt: { kind: 'invalid', reason: `tcp_new: ${index.toUpperCase()} cannot start a connection` } };
    }
    proto = { kind: 'tcp', state: next, lastIndex: index, lastDir: 'original' };
    // ESTABLISHED without a reply yet (mid-stream pickup) gets the UNACK timeout.
    timeout = next === 'ESTABLISHED' ? TIMEOUTS.tcpUnack : TIMEOUTS.tcp[next];
  } else if (proto.kind === 'udp') timeout = TIMEOUTS.udpUnreplied;
  else if (proto.kind === 'icmp') timeout = TIMEOUTS.icmp;
  else timeout = TIMEOUTS.generic;
  const entry: ConntrackEntry = { id: table.nextId, original: t, reply, status: [], proto, mark: 0, timeout, refreshedAt: opts.now };
  return { table: { ...table, nextId: table.nextId + 1 }, pkt: { kind: 'new', entry } };
}

/** The protocol's packet() callback for an existing entry, then the SEEN_REPLY bit. */
function updateEntry(table: ConntrackTable, e: ConntrackEntry, dir: 'original' | 'reply', packet: Ipv4Packet, opts: TrackOptions): TrackResult | 'reopen' {
  const now = opts.now;
  const seenReply = hasStatus(e, 'SEEN_REPLY');
  const state: 'NEW' | 'ESTABLISHED' = dir === 'reply' || seenReply ? 'ESTABLISHED' : 'NEW';
  const tracked: PacketCt = { kind: 'tracked', id: e.id, dir, state };
  let status: CtStatus[] = [...e.status];
  let next: ConntrackEntry = e;
  const refresh = (timeout: number) => ({ timeout, refreshedAt: now });
  const p = e.proto;
  if (p.kind === 'tcp') {
    if (packet.payload.kind !== 'tcp') return { table, pkt: { kind: 'invalid', reason: 'TCP header not decoded' } };
    const index = tcpIndex(packet.payload.flags);
    const old = p.state;
    // A SYN on a closed connection reopens it: the old entry is killed and the lookup repeated.
    if (dir === 'original' && index === 'syn' && (old === 'TIME_WAIT' || old === 'CLOSE')) return 'reopen';
    const n = tcpTransition(dir, index, old);
    if (n === 'IV') return { table, pkt: { kind: 'invalid', reason: `tcp: ${index.toUpperCase()} invalid in state ${old} (${dir})` } };
    if (n === 'IG') return { table, pkt: tracked };
    let timeout: number = index === 'rst' ? TIMEOUTS.tcp.CLOSE : TIMEOUTS.tcp[n];
    const proto: ProtoState = { kind: 'tcp', state: n, lastIndex: index, lastDir: dir };
    if (!seenReply) {
      // "If only reply is a RST, we can consider ourselves not to have an established connection"
      // nf_ct_kill: the entry leaves the hash (no later packet finds it), but this packet keeps
      // its reference, so the rules still see it as part of the connection.
      if (index === 'rst') return { table: replaceEntry(table, { ...e, proto, status: withStatus(status, 'DYING'), timeout: 0, refreshedAt: now }), pkt: tracked };
      if (index === 'syn' && old === 'SYN_SENT') {
        // Retransmitted SYN: the timeout is not renewed.
        next = { ...e, proto };
        timeout = -1;
      } else if (n === 'ESTABLISHED' && timeout > TIMEOUTS.tcpUnack) timeout = TIMEOUTS.tcpUnack;
    } else if (!hasStatus(e, 'ASSURED') && (old === 'SYN_RECV' || old === 'ESTABLISHED') && n === 'ESTABLISHED') {
      status = withStatus(status, 'ASSURED');
    }
    next = timeout < 0 ? next : { ...e, proto, ...refresh(timeout) };
  } else if (p.kind === 'udp') {
    // nf_conntrack_udp_packet: a reply makes it a stream; still active after 2 s, it is ASSURED.
    if (seenReply && now > p.streamTs) {
      next = { ...e, ...refresh(TIMEOUTS.udpStream) };
      status = withStatus(status, 'ASSURED');
    } else next = { ...e, ...refresh(TIMEOUTS.udpUnreplied) };
  } else if (p.kind === 'icmp') next = { ...e, ...refresh(TIMEOUTS.icmp) };
  else next = { ...e, ...refresh(TIMEOUTS.generic) };
  if (dir === 'reply') status = withStatus(status, 'SEEN_REPLY');
  next = { ...next, status: withStatus(status) };
  return { table: replaceEntry(table, next), pkt: tracked };
}

/** nf_conntrack_in. */
export function conntrackIn(table: ConntrackTable, packet: Ipv4Packet, opts: TrackOptions): TrackResult {
  const t = tupleOfPacket(packet);
  if (!t) {
    const icmp = icmpTypeCode(packet);
    if (icmp && ICMP_ERROR_TYPES.has(icmp.type) && packet.payload.kind === 'icmp') {
      const m = packet.payload.message;
      const inner = 'quoted' in m ? quotedTuple(m.quoted) : null;
      // nf_conntrack_inet_error: the quoted datagram's tuple, looked up as is; the error
      // travels opposite to the direction the quoted packet went.
      const found = inner ? findByTuple(table, inner, opts.now) : null;
      if (!found) return { table, pkt: { kind: 'invalid', reason: 'ICMP error about no tracked connection' } };
      return { table, pkt: { kind: 'related', id: found.entry.id, dir: found.dir === 'original' ? 'reply' : 'original' } };
    }
    return { table, pkt: { kind: 'invalid', reason: 'no conntrack tuple for this packet' } };
  }
  const found = findByTuple(table, t, opts.now);
  if (found) {
    const r = updateEntry(table, found.entry, found.dir, packet, opts);
    if (r !== 'reopen') return r;
    return startEntry(removeEntry(table, found.entry.id), packet, t, opts);
  }
  return startEntry(table, packet, t, opts);
}

/** The entry a packet belongs to: the unconfirmed one, or the table's. */
export function entryOf(table: ConntrackTable, pkt: PacketCt): ConntrackEntry | null {
  return match(pkt)
    .with({ kind: 'new' }, (x) => x.entry)
    .with({ kind: 'tracked' }, { kind: 'related' }, (x) => getEntry(table, x.id) ?? null)
    .with({ kind: 'untracked' }, { kind: 'invalid' }, () => null)
    .exhaustive();
}

/** What the netfilter rules see of the packet's conntrack state. */
export function ctInfoOf(table: ConntrackTable, pkt: PacketCt): CtInfo {
  const e = entryOf(table, pkt);
  const base = (state: CtInfo['state'], dir: 'original' | 'reply', entry: ConntrackEntry): CtInfo => ({
    state,
    dir,
    status: entry.status,
    original: entry.original,
    reply: entry.reply,
    natDone: { src: hasStatus(entry, 'SRC_NAT_DONE'), dst: hasStatus(entry, 'DST_NAT_DONE') },
  });
  return match(pkt)
    .with({ kind: 'untracked' }, () => UNTRACKED)
    .with({ kind: 'invalid' }, () => INVALID)
    .with({ kind: 'new' }, (x) => base('NEW', 'original', x.entry))
    .with({ kind: 'tracked' }, (x) => (e ? base(x.state, x.dir, e) : INVALID))
    .with({ kind: 'related' }, (x) => (e ? base('RELATED', x.dir, e) : INVALID))
    .exhaustive();
}

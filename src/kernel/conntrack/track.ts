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
  return match(t.l4)
    .with({ kind: 'icmp' }, (): ProtoState => ({ kind: 'icmp' }))
    .with({ kind: 'ports' }, { kind: 'none' }, (): ProtoState => {
      if (t.proto === 6) return { kind: 'tcp', state: 'NONE', lastIndex: null, lastDir: null };
      if (t.proto === 17) return { kind: 'udp', streamTs: now + 2 };
      if (t.proto === 132) return { kind: 'sctp', state: 'COOKIE_WAIT' };
      return { kind: 'generic' };
    })
    .exhaustive();
}

/** Start an unconfirmed entry for the first packet of a flow, or say why it is invalid. */
function startEntry(table: ConntrackTable, packet: Ipv4Packet, t: Tuple, opts: TrackOptions): TrackResult {
  const reply = invertTuple(t);
  if (!reply) return { table, pkt: { kind: 'invalid', reason: 'ICMP type without a reply type' } };
  if (t.l4.kind === 'icmp' && !ICMP_NEW_TYPES.has(t.l4.type)) {
    return { table, pkt: { kind: 'invalid', reason: `icmp_new: ICMP type ${t.l4.type} cannot start a connection` } };
  }
  const invalid = (reason: string): TrackResult => ({ table, pkt: { kind: 'invalid', reason } });
  const first = match(newProtoState(t, opts.now))
    .with({ kind: 'tcp' }, (): { proto: ProtoState; timeout: number } | string => {
      if (packet.payload.kind !== 'tcp') return 'TCP header not decoded';
      // tcp_new(): only SYN, or (nf_conntrack_tcp_loose) a bare ACK, may start a connection.
      const index = tcpIndex(packet.payload.flags);
      const next = tcpTransition('original', index, 'NONE');
      if (next === 'IV' || next === 'IG' || (index === 'ack' && opts.tcpLoose === false)) return `tcp_new: ${index.toUpperCase()} cannot start a connection`;
      // ESTABLISHED without a reply yet (mid-stream pickup) gets the UNACK timeout.
      return { proto: { kind: 'tcp', state: next, lastIndex: index, lastDir: 'original' }, timeout: next === 'ESTABLISHED' ? TIMEOUTS.tcpUnack : TIMEOUTS.tcp[next] };
    })
    .with({ kind: 'udp' }, (proto) => ({ proto, timeout: TIMEOUTS.udpUnreplied }))
    .with({ kind: 'sctp' }, (proto): { proto: ProtoState; timeout: number } | string => {
      if (packet.payload.kind !== 'sctp') return 'SCTP header not decoded';
      // sctp_new(): the model only starts associations with INIT (NONE -> COOKIE_WAIT), and an
      // INIT must carry verification tag 0 (RFC 9260 §8.5.1), else "invalid new deleting".
      if (packet.payload.chunks.kind !== 'init') return 'sctp_new: only an INIT chunk is modelled as the start of an association';
      if (packet.payload.vtag !== 0) return `sctp_new: INIT with verification tag ${packet.payload.vtag}, expected 0`;
      return { proto, timeout: TIMEOUTS.sctpCookieWait };
    })
    .with({ kind: 'icmp' }, (proto) => ({ proto, timeout: TIMEOUTS.icmp }))
    .with({ kind: 'generic' }, (proto) => ({ proto, timeout: TIMEOUTS.generic }))
    .exhaustive();
  if (typeof first === 'string') return invalid(first);
  const entry: ConntrackEntry = { id: table.nextId, original: t, reply, status: [], proto: first.proto, mark: 0, timeout: first.timeout, refreshedAt: opts.now };
  return { table: { ...table, nextId: table.nextId + 1 }, pkt: { kind: 'new', entry } };
}

/** What a protocol's packet() callback decided for an existing entry. */
type ProtoUpdate =
  /** The packet is done with (invalid, ignored, entry killed, or reopened). */
  | { readonly kind: 'result'; readonly result: TrackResult | 'reopen' }
  /** New protocol state and timeout (null: not refreshed), and status bits to add. */
  | { readonly kind: 'update'; readonly proto: ProtoState; readonly timeout: number | null; readonly add: readonly CtStatus[] };

/** nf_conntrack_tcp_packet, without window tracking. */
function tcpPacket(table: ConntrackTable, e: ConntrackEntry, p: Extract<ProtoState, { kind: 'tcp' }>, dir: 'original' | 'reply', packet: Ipv4Packet, tracked: PacketCt, now: number): ProtoUpdate {
  const result = (r: TrackResult | 'reopen'): ProtoUpdate => ({ kind: 'result', result: r });
  if (packet.payload.kind !== 'tcp') return result({ table, pkt: { kind: 'invalid', reason: 'TCP header not decoded' } });
  const seenReply = hasStatus(e, 'SEEN_REPLY');
  const index = tcpIndex(packet.payload.flags);
  const old = p.state;
  // A SYN on a closed connection reopens it: the old entry is killed and the lookup repeated.
  if (dir === 'original' && index === 'syn' && (old === 'TIME_WAIT' || old === 'CLOSE')) return result('reopen');
  const n = tcpTransition(dir, index, old);
  if (n === 'IV') return result({ table, pkt: { kind: 'invalid', reason: `tcp: ${index.toUpperCase()} invalid in state ${old} (${dir})` } });
  if (n === 'IG') return result({ table, pkt: tracked });
  const proto: ProtoState = { kind: 'tcp', state: n, lastIndex: index, lastDir: dir };
  let timeout: number | null = index === 'rst' ? TIMEOUTS.tcp.CLOSE : TIMEOUTS.tcp[n];
  if (!seenReply) {
    // "If only reply is a RST, we can consider ourselves not to have an established connection"
    // nf_ct_kill: the entry leaves the hash (no later packet finds it), but this packet keeps
    // its reference, so the rules still see it as part of the connection.
    if (index === 'rst') return result({ table: replaceEntry(table, { ...e, proto, status: withStatus(e.status, 'DYING'), timeout: 0, refreshedAt: now }), pkt: tracked });
    // Retransmitted SYN: the timeout is not renewed.
    if (index === 'syn' && old === 'SYN_SENT') timeout = null;
    else if (n === 'ESTABLISHED' && timeout > TIMEOUTS.tcpUnack) timeout = TIMEOUTS.tcpUnack;
    return { kind: 'update', proto, timeout, add: [] };
  }
  // "Set ASSURED if we see valid ack in ESTABLISHED after SYN_RECV"
  const assured = !hasStatus(e, 'ASSURED') && (old === 'SYN_RECV' || old === 'ESTABLISHED') && n === 'ESTABLISHED';
  return { kind: 'update', proto, timeout, add: assured ? ['ASSURED'] : [] };
}

/** The protocol's packet() callback for an existing entry, then the SEEN_REPLY bit. */
function updateEntry(table: ConntrackTable, e: ConntrackEntry, dir: 'original' | 'reply', packet: Ipv4Packet, opts: TrackOptions): TrackResult | 'reopen' {
  const now = opts.now;
  const seenReply = hasStatus(e, 'SEEN_REPLY');
  const state: 'NEW' | 'ESTABLISHED' = dir === 'reply' || seenReply ? 'ESTABLISHED' : 'NEW';
  const tracked: PacketCt = { kind: 'tracked', id: e.id, dir, state };
  const u = match(e.proto)
    .with({ kind: 'tcp' }, (p) => tcpPacket(table, e, p, dir, packet, tracked, now))
    // nf_conntrack_udp_packet: a reply makes it a stream; still active after 2 s, it is ASSURED.
    .with({ kind: 'udp' }, (p): ProtoUpdate =>
      seenReply && now > p.streamTs
        ? { kind: 'update', proto: p, timeout: TIMEOUTS.udpStream, add: ['ASSURED'] }
        : { kind: 'update', proto: p, timeout: TIMEOUTS.udpUnreplied, add: [] },
    )
    // nf_conntrack_sctp_packet's state machine past COOKIE_WAIT is not modelled: the entry is refreshed in place.
    .with({ kind: 'sctp' }, (p): ProtoUpdate => ({ kind: 'update', proto: p, timeout: TIMEOUTS.sctpCookieWait, add: [] }))
    .with({ kind: 'icmp' }, (p): ProtoUpdate => ({ kind: 'update', proto: p, timeout: TIMEOUTS.icmp, add: [] }))
    .with({ kind: 'generic' }, (p): ProtoUpdate => ({ kind: 'update', proto: p, timeout: TIMEOUTS.generic, add: [] }))
    .exhaustive();
  if (u.kind === 'result') return u.result;
  const status = withStatus(e.status, ...u.add, ...(dir === 'reply' ? (['SEEN_REPLY'] as const) : []));
  const next: ConntrackEntry = { ...e, proto: u.proto, status, ...(u.timeout === null ? {} : { timeout: u.timeout, refreshedAt: now }) };
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
      // nf_conntrack_inet_error: the quoted datagram is one this host sent on (after its NAT),
      // so its inverted tuple is the one to look up; the error travels in that direction.
      const inverted = inner ? invertTuple(inner) : null;
      const found = inverted ? findByTuple(table, inverted, opts.now) : null;
      if (!found) return { table, pkt: { kind: 'invalid', reason: 'ICMP error about no tracked connection' } };
      return { table, pkt: { kind: 'related', id: found.entry.id, dir: found.dir } };
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

import type { Tuple } from './tuple.js';

/**
 * One conntrack entry (struct nf_conn): the original and reply tuples (the reply tuple carries
 * the NAT translation), the IPS_* status bits, the protocol's state and the timeout.
 */

/** IPS_* status bits (include/uapi/linux/netfilter/nf_conntrack_common.h), in bit order. */
export const CT_STATUS = ['EXPECTED', 'SEEN_REPLY', 'ASSURED', 'CONFIRMED', 'SRC_NAT', 'DST_NAT', 'SEQ_ADJUST', 'SRC_NAT_DONE', 'DST_NAT_DONE', 'DYING'] as const;
export type CtStatus = (typeof CT_STATUS)[number];

/** TCP conntrack states (tcp_conntrack_names[] in nf_conntrack_proto_tcp.c). */
export type TcpCtState = 'NONE' | 'SYN_SENT' | 'SYN_RECV' | 'ESTABLISHED' | 'FIN_WAIT' | 'CLOSE_WAIT' | 'LAST_ACK' | 'TIME_WAIT' | 'CLOSE' | 'SYN_SENT2';

export type ProtoState =
  | { readonly kind: 'tcp'; readonly state: TcpCtState; readonly lastIndex: TcpIndex | null; readonly lastDir: 'original' | 'reply' | null }
  | { readonly kind: 'udp'; /** ct->proto.udp.stream_ts: after this time a reply makes the flow a stream. */ readonly streamTs: number }
  /**
   * ct->proto.sctp.state (sctp_conntrack_names[] in nf_conntrack_proto_sctp.c). Only the first
   * transition is modelled: an INIT from NONE gives COOKIE_WAIT; later packets keep the state.
   */
  | { readonly kind: 'sctp'; readonly state: 'COOKIE_WAIT' }
  | { readonly kind: 'icmp' }
  | { readonly kind: 'generic' };

/** get_conntrack_index(): which row of the TCP state table a segment uses. */
export type TcpIndex = 'syn' | 'synack' | 'fin' | 'ack' | 'rst' | 'none';

export interface ConntrackEntry {
  /** Insertion order in the table (stands in for the hash bucket order conntrack -L shows). */
  readonly id: number;
  readonly original: Tuple;
  readonly reply: Tuple;
  readonly status: readonly CtStatus[];
  readonly proto: ProtoState;
  /** ct->mark (CONNMARK). */
  readonly mark: number;
  /** Seconds the entry lives after `refreshedAt` (nf_ct_refresh). */
  readonly timeout: number;
  readonly refreshedAt: number;
}

export function hasStatus(e: { readonly status: readonly CtStatus[] }, s: CtStatus): boolean {
  return e.status.includes(s);
}

/** Status bits kept in bit order, without duplicates. */
export function withStatus(status: readonly CtStatus[], ...add: CtStatus[]): CtStatus[] {
  return CT_STATUS.filter((s) => status.includes(s) || add.includes(s));
}

/** Seconds left before the entry expires, as conntrack -L shows it. */
export function remaining(e: ConntrackEntry, now: number): number {
  return Math.max(0, Math.ceil(e.timeout - (now - e.refreshedAt)));
}

export function isExpired(e: ConntrackEntry, now: number): boolean {
  return now - e.refreshedAt >= e.timeout;
}

/**
 * Default timeouts in seconds (net/netfilter/nf_conntrack_proto_{tcp,udp,sctp,icmp,generic}.c and
 * the nf_conntrack_*_timeout sysctls of kernel 6.x).
 */
export const TIMEOUTS = {
  tcp: {
    NONE: 120,
    SYN_SENT: 120,
    SYN_RECV: 60,
    ESTABLISHED: 432000,
    FIN_WAIT: 120,
    CLOSE_WAIT: 60,
    LAST_ACK: 30,
    TIME_WAIT: 120,
    CLOSE: 10,
    SYN_SENT2: 120,
  } satisfies Record<TcpCtState, number>,
  /** TCP_CONNTRACK_UNACK: ESTABLISHED picked up mid-stream without a reply yet. */
  tcpUnack: 300,
  udpUnreplied: 30,
  udpStream: 120,
  icmp: 30,
  /** sctp_timeouts[SCTP_CONNTRACK_COOKIE_WAIT]. */
  sctpCookieWait: 3,
  generic: 600,
} as const;

import { match } from 'ts-pattern';
import { formatIpv4, ipv4FromBytes, type Ipv4 } from '../../net/ipv4.js';
import { IPPROTO_ICMP, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP, type Ipv4Packet } from '../../net/packet.js';

/**
 * struct nf_conntrack_tuple for IPv4: addresses, protocol and the per-protocol part, ports for
 * TCP/UDP/SCTP (nf_conntrack_proto_tcp.c etc.), type/code/id for ICMP queries
 * (nf_conntrack_proto_icmp.c), nothing for other protocols (nf_conntrack_proto_generic.c).
 */
export type TupleL4 =
  | { readonly kind: 'ports'; readonly sport: number; readonly dport: number }
  | { readonly kind: 'icmp'; readonly type: number; readonly code: number; readonly id: number }
  | { readonly kind: 'none' };

export interface Tuple {
  readonly proto: number;
  readonly src: Ipv4;
  readonly dst: Ipv4;
  readonly l4: TupleL4;
}

/** ICMP query types conntrack can track, with the type of their reply (icmp_invert_tuple). */
const ICMP_INVERSE: ReadonlyMap<number, number> = new Map([
  [8, 0],
  [0, 8],
  [13, 14],
  [14, 13],
  [15, 16],
  [16, 15],
  [17, 18],
  [18, 17],
]);

/** ICMP types that may start a connection (icmp_new's valid_new[]): the requests. */
export const ICMP_NEW_TYPES: ReadonlySet<number> = new Set([8, 13, 15, 17]);

/** ICMP error types whose payload quotes the offending datagram (icmp_error). */
export const ICMP_ERROR_TYPES: ReadonlySet<number> = new Set([3, 4, 5, 11, 12]);

export function icmpTypeCode(p: Ipv4Packet): { type: number; code: number; id: number | null } | null {
  if (p.payload.kind !== 'icmp') return null;
  const m = p.payload.message;
  return match(m)
    .with({ type: 'echo-request' }, (x) => ({ type: 8, code: 0, id: x.id }))
    .with({ type: 'echo-reply' }, (x) => ({ type: 0, code: 0, id: x.id }))
    .with({ type: 'dest-unreachable' }, (x) => ({ type: 3, code: x.code, id: null }))
    .with({ type: 'time-exceeded' }, (x) => ({ type: 11, code: x.code, id: null }))
    .with({ type: 'other' }, (x) => ({
      type: x.icmpType,
      code: x.code,
      id: x.rest.length >= 2 ? ((x.rest[0] ?? 0) << 8) | (x.rest[1] ?? 0) : null,
    }))
    .exhaustive();
}

/**
 * The tuple of a packet in the direction it travels, or null when it has none (an ICMP error,
 * which conntrack attributes to the flow it quotes; an ICMP type without an id).
 */
export function tupleOfPacket(p: Ipv4Packet): Tuple | null {
  const { src, dst, protocol } = p.header;
  return match(p.payload)
    // nf_conntrack_proto_sctp.c tracks SCTP by ports too (sctp_pkt_to_tuple reads source/dest ports).
    .with({ kind: 'tcp' }, { kind: 'udp' }, { kind: 'sctp' }, (l4): Tuple => ({ proto: protocol, src, dst, l4: { kind: 'ports', sport: l4.sport, dport: l4.dport } }))
    .with({ kind: 'icmp' }, (): Tuple | null => {
      const t = icmpTypeCode(p);
      if (!t || ICMP_ERROR_TYPES.has(t.type) || t.id === null) return null;
      return { proto: protocol, src, dst, l4: { kind: 'icmp', type: t.type, code: t.code, id: t.id } };
    })
    // nf_conntrack_proto_generic.c: other protocols are tracked by addresses alone.
    .with({ kind: 'ipip' }, { kind: 'raw' }, (): Tuple => ({ proto: protocol, src, dst, l4: { kind: 'none' } }))
    .exhaustive();
}

/** nf_ct_invert_tuple: the tuple a reply would carry; null for ICMP types without a reply type. */
export function invertTuple(t: Tuple): Tuple | null {
  const l4 = match(t.l4)
    .with({ kind: 'ports' }, (x): TupleL4 => ({ kind: 'ports', sport: x.dport, dport: x.sport }))
    .with({ kind: 'icmp' }, (x): TupleL4 | null => {
      const inv = ICMP_INVERSE.get(x.type);
      return inv === undefined ? null : { kind: 'icmp', type: inv, code: x.code, id: x.id };
    })
    .with({ kind: 'none' }, (x): TupleL4 => x)
    .exhaustive();
  return l4 ? { proto: t.proto, src: t.dst, dst: t.src, l4 } : null;
}

export function tupleEquals(a: Tuple, b: Tuple): boolean {
  return tupleKey(a) === tupleKey(b);
}

export function tupleKey(t: Tuple): string {
  const l4 = match(t.l4)
    .with({ kind: 'ports' }, (x) => `${x.sport}>${x.dport}`)
    // conntrack keys ICMP by id and type, the reply type being derived; code is part of the tuple.
    .with({ kind: 'icmp' }, (x) => `i${x.type}/${x.code}#${x.id}`)
    .with({ kind: 'none' }, () => '-')
    .exhaustive();
  return `${t.proto}|${t.src}|${t.dst}|${l4}`;
}

/** `src=A dst=B sport=X dport=Y` as conntrack -L prints one direction. */
export function formatTuple(t: Tuple): string {
  const addrs = `src=${formatIpv4(t.src)} dst=${formatIpv4(t.dst)}`;
  return match(t.l4)
    .with({ kind: 'ports' }, (x) => `${addrs} sport=${x.sport} dport=${x.dport}`)
    .with({ kind: 'icmp' }, (x) => `${addrs} type=${x.type} code=${x.code} id=${x.id}`)
    .with({ kind: 'none' }, () => addrs)
    .exhaustive();
}

/**
 * The tuple of the datagram an ICMP error quotes (its IP header + first 8 bytes), in the
 * direction the quoted datagram travelled. Null when the quote is too short to read.
 */
export function quotedTuple(quoted: Uint8Array): Tuple | null {
  if (quoted.length < 20) return null;
  const ihl = ((quoted[0] ?? 0x45) & 0x0f) * 4;
  const proto = quoted[9] ?? 0;
  const src = ipv4FromBytes(quoted, 12);
  const dst = ipv4FromBytes(quoted, 16);
  const at = (i: number) => quoted[ihl + i] ?? 0;
  if (proto === IPPROTO_TCP || proto === IPPROTO_UDP || proto === IPPROTO_SCTP) {
    if (quoted.length < ihl + 4) return null;
    return { proto, src, dst, l4: { kind: 'ports', sport: (at(0) << 8) | at(1), dport: (at(2) << 8) | at(3) } };
  }
  if (proto === IPPROTO_ICMP) {
    if (quoted.length < ihl + 8) return null;
    return { proto, src, dst, l4: { kind: 'icmp', type: at(0), code: at(1), id: (at(4) << 8) | at(5) } };
  }
  return { proto, src, dst, l4: { kind: 'none' } };
}

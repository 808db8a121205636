import type { Ipv4Packet } from '../../net/packet.js';
import { hasStatus, type ConntrackEntry } from './entry.js';
import { rewriteDst, rewriteSrc } from './rewrite.js';
import { invertTuple, type Tuple } from './tuple.js';

/**
 * NAT of an ICMP error RELATED to a NATed connection (nf_nat_icmp_reply_translation, net/
 * netfilter/nf_nat_proto.c): the quoted datagram is rewritten with the other direction's tuple
 * and the opposite manip ("change inner back to look like incoming packet"), and the outer
 * header like a reply of the flow. The quoted IPv4 header checksum is recomputed; the quoted
 * transport checksum is left alone (TCP's is not even inside the 8 quoted bytes).
 */

function setU16(b: Uint8Array, at: number, v: number): void {
  if (at + 1 < b.length) {
    b[at] = (v >>> 8) & 0xff;
    b[at + 1] = v & 0xff;
  }
}

function setAddr(b: Uint8Array, at: number, a: number): void {
  setU16(b, at, a >>> 16);
  setU16(b, at + 2, a & 0xffff);
}

function ipHeaderChecksum(b: Uint8Array, ihl: number): number {
  let sum = 0;
  for (let i = 0; i < ihl; i += 2) if (i !== 10) sum += ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** nf_nat_ipv4_manip_pkt on the quoted datagram. */
function manipQuoted(quoted: Uint8Array, t: Tuple, m: 'src' | 'dst'): Uint8Array {
  const b = Uint8Array.from(quoted);
  if (b.length < 20) return b;
  const ihl = ((b[0] ?? 0x45) & 0x0f) * 4;
  setAddr(b, m === 'src' ? 12 : 16, m === 'src' ? t.src : t.dst);
  if (t.l4.kind === 'ports') setU16(b, ihl + (m === 'src' ? 0 : 2), m === 'src' ? t.l4.sport : t.l4.dport);
  if (t.l4.kind === 'icmp') setU16(b, ihl + 4, t.l4.id);
  setU16(b, 10, ipHeaderChecksum(b, ihl));
  return b;
}

export function translateIcmpError(e: ConntrackEntry, dir: 'original' | 'reply', m: 'src' | 'dst', packet: Ipv4Packet): Ipv4Packet {
  const natBit = (m === 'src') === (dir === 'original') ? 'SRC_NAT' : 'DST_NAT';
  if (!hasStatus(e, natBit) || packet.payload.kind !== 'icmp') return packet;
  const msg = packet.payload.message;
  if (msg.type !== 'dest-unreachable' && msg.type !== 'time-exceeded') return packet;
  const other = dir === 'original' ? e.reply : e.original;
  const quoted = manipQuoted(msg.quoted, other, m === 'src' ? 'dst' : 'src');
  const target = invertTuple(other);
  const inner: Ipv4Packet = { header: packet.header, payload: { kind: 'icmp', message: { ...msg, quoted } } };
  if (!target) return inner;
  return m === 'src' ? rewriteSrc(inner, { addr: target.src, port: null }) : rewriteDst(inner, { addr: target.dst, port: null });
}

import { ipv4 } from '../../../src/net/ipv4.js';
import { TCP_NO_FLAGS, type Ipv4Packet, type TcpFlags } from '../../../src/net/packet.js';
import { confirm } from '../../../src/kernel/conntrack/confirm.js';
import { applyNat } from '../../../src/kernel/conntrack/nat.js';
import type { ConntrackTable } from '../../../src/kernel/conntrack/table.js';
import { conntrackIn, type PacketCt } from '../../../src/kernel/conntrack/track.js';
import type { NatAction } from '../../../src/kernel/netfilter/verdict.js';

export function seg(src: string, sport: number, dst: string, dport: number, flags: Partial<TcpFlags>): Ipv4Packet {
  return {
    header: { src: ipv4(src), dst: ipv4(dst), ttl: 64, protocol: 6, id: 0, df: true, tos: 0 },
    payload: { kind: 'tcp', sport, dport, seq: 0, ack: 0, flags: { ...TCP_NO_FLAGS, ...flags }, window: 64240, options: new Uint8Array(), data: new Uint8Array() },
  };
}

export function dgram(src: string, sport: number, dst: string, dport: number): Ipv4Packet {
  return { header: { src: ipv4(src), dst: ipv4(dst), ttl: 64, protocol: 17, id: 0, df: false, tos: 0 }, payload: { kind: 'udp', sport, dport, payload: { kind: 'raw', bytes: new Uint8Array() } } };
}

/** An SCTP packet carrying INIT (vtag 0 unless given) or, with `abort`, an ABORT chunk. */
export function init(src: string, sport: number, dst: string, dport: number, o: { vtag?: number; abort?: boolean } = {}): Ipv4Packet {
  return {
    header: { src: ipv4(src), dst: ipv4(dst), ttl: 64, protocol: 132, id: 0, df: true, tos: 0 },
    payload: {
      kind: 'sctp',
      sport,
      dport,
      vtag: o.vtag ?? 0,
      chunks: o.abort ? { kind: 'raw', bytes: Uint8Array.of(6, 0, 0, 4) } : { kind: 'init', initiateTag: 7, arwnd: 106496, outboundStreams: 10, inboundStreams: 65535, initialTsn: 1 },
    },
  };
}

export function echo(src: string, dst: string, id: number, reply = false): Ipv4Packet {
  return { header: { src: ipv4(src), dst: ipv4(dst), ttl: 64, protocol: 1, id: 0, df: false, tos: 0 }, payload: { kind: 'icmp', message: { type: reply ? 'echo-reply' : 'echo-request', id, seq: 1, data: new Uint8Array() } } };
}

export const dnat = (addr: string, port: number | null): NatAction => ({
  kind: 'dnat',
  addr: ipv4(addr),
  port,
  range: { addrMin: ipv4(addr), addrMax: ipv4(addr), ports: port === null ? null : { min: port, max: port } },
  random: false,
  persistent: false,
  rule: { table: 'nat', chain: 'T', num: 1, text: '-A T -j DNAT' },
});

export const masq = (randomFully = false): NatAction => ({ kind: 'masquerade', ports: null, random: false, randomFully, rule: { table: 'nat', chain: 'T', num: 1, text: '-A T -j MASQUERADE' } });

export interface Sent {
  readonly table: ConntrackTable;
  readonly packet: Ipv4Packet;
  readonly pkt: PacketCt;
}

/**
 * One packet through a forwarding netns's conntrack: conntrack_in and DNAT at PREROUTING,
 * SNAT at POSTROUTING, then confirmation, without any rules (the NAT actions are given).
 */
export function forward(table: ConntrackTable, packet: Ipv4Packet, o: { now?: number; dnat?: NatAction | null; snat?: NatAction | null; masqueradeAddr?: string } = {}): Sent {
  const now = o.now ?? 0;
  const opts = { now, masqueradeAddr: o.masqueradeAddr ? ipv4(o.masqueradeAddr) : null };
  const t = conntrackIn(table, packet, { now });
  const pre = applyNat(t.table, t.pkt, 'PREROUTING', o.dnat ?? null, packet, opts);
  const post = applyNat(t.table, pre.pkt, 'POSTROUTING', o.snat ?? null, pre.packet, opts);
  if (pre.error || post.error) throw new Error(pre.error ?? post.error ?? '');
  const c = confirm(t.table, post.pkt, now);
  if (c.clash) throw new Error(c.clash);
  return { table: c.table, packet: post.packet, pkt: post.pkt };
}

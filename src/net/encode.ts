import { match } from 'ts-pattern';
import { internetChecksum, pseudoHeaderSum } from './checksum.js';
import { ipv4ToBytes } from './ipv4.js';
import { frameLength, ipv4Length } from './length.js';
import { macToBytes } from './mac.js';
import { ETHERTYPE_ARP, ETHERTYPE_IPV4, IPPROTO_UDP, type ArpMessage, type Frame, type IcmpMessage, type Ipv4Packet, type L4 } from './packet.js';

export { frameLength, ipv4Length };

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** RFC 792: type, code, checksum, then the type-specific word and data. */
function encodeIcmp(m: IcmpMessage): Uint8Array {
  const body = match(m)
    .with({ type: 'echo-request' }, { type: 'echo-reply' }, (e) => {
      const b = new Uint8Array(8 + e.data.length);
      const v = new DataView(b.buffer);
      v.setUint8(0, e.type === 'echo-request' ? 8 : 0);
      v.setUint16(4, e.id);
      v.setUint16(6, e.seq);
      b.set(e.data, 8);
      return b;
    })
    .with({ type: 'dest-unreachable' }, { type: 'time-exceeded' }, (e) => {
      const b = new Uint8Array(8 + e.quoted.length);
      const v = new DataView(b.buffer);
      v.setUint8(0, e.type === 'dest-unreachable' ? 3 : 11);
      v.setUint8(1, e.code);
      // RFC 1191: "fragmentation needed" carries the next-hop MTU in the low 16 bits.
      v.setUint16(6, e.mtu);
      b.set(e.quoted, 8);
      return b;
    })
    .with({ type: 'other' }, (e) => {
      const b = new Uint8Array(4 + e.rest.length);
      b[0] = e.icmpType;
      b[1] = e.code;
      b.set(e.rest, 4);
      return b;
    })
    .exhaustive();
  new DataView(body.buffer).setUint16(2, internetChecksum(body));
  return body;
}

function encodeL4(p: Ipv4Packet): Uint8Array {
  const l4: L4 = p.payload;
  return match(l4)
    .with({ kind: 'icmp' }, (x) => encodeIcmp(x.message))
    .with({ kind: 'udp' }, (u) => {
      const payload = u.payload.kind === 'vxlan' ? concat([encodeVxlan(u.payload.vni), encodeFrame(u.payload.frame)]) : u.payload.bytes;
      const b = new Uint8Array(8 + payload.length);
      const v = new DataView(b.buffer);
      v.setUint16(0, u.sport);
      v.setUint16(2, u.dport);
      v.setUint16(4, b.length);
      b.set(payload, 8);
      // Linux's vxlan sends IPv4 outer UDP without a checksum (udp_tunnel: `udpcsum` off by default).
      if (u.payload.kind !== 'vxlan') {
        const c = internetChecksum(b, pseudoHeaderSum(p.header.src, p.header.dst, IPPROTO_UDP, b.length));
        v.setUint16(6, c === 0 ? 0xffff : c); // RFC 768: a computed 0 is sent as all ones.
      }
      return b;
    })
    .with({ kind: 'tcp' }, (t) => {
      const hlen = 20 + t.options.length;
      const b = new Uint8Array(hlen + t.data.length);
      const v = new DataView(b.buffer);
      v.setUint16(0, t.sport);
      v.setUint16(2, t.dport);
      v.setUint32(4, t.seq >>> 0);
      v.setUint32(8, t.ack >>> 0);
      v.setUint8(12, (hlen / 4) << 4);
      v.setUint8(13, (t.flags.fin ? 1 : 0) | (t.flags.syn ? 2 : 0) | (t.flags.rst ? 4 : 0) | (t.flags.psh ? 8 : 0) | (t.flags.ack ? 16 : 0));
      v.setUint16(14, t.window);
      b.set(t.options, 20);
      b.set(t.data, hlen);
      v.setUint16(16, internetChecksum(b, pseudoHeaderSum(p.header.src, p.header.dst, p.header.protocol, b.length)));
      return b;
    })
    .with({ kind: 'raw' }, (r) => r.bytes)
    .exhaustive();
}

/** RFC 7348: flags with the I bit (0x08), 24 reserved bits, the 24-bit VNI, 8 reserved bits. */
function encodeVxlan(vni: number): Uint8Array {
  const b = new Uint8Array(8);
  b[0] = 0x08;
  new DataView(b.buffer).setUint32(4, (vni << 8) >>> 0);
  return b;
}

/** RFC 791 header (IHL 5, no options) followed by the encoded payload. */
export function encodeIpv4Packet(p: Ipv4Packet): Uint8Array {
  const payload = encodeL4(p);
  const h = new Uint8Array(20);
  const v = new DataView(h.buffer);
  v.setUint8(0, 0x45);
  v.setUint8(1, p.header.tos);
  v.setUint16(2, 20 + payload.length);
  v.setUint16(4, p.header.id);
  v.setUint16(6, p.header.df ? 0x4000 : 0);
  v.setUint8(8, p.header.ttl);
  v.setUint8(9, p.header.protocol);
  h.set(ipv4ToBytes(p.header.src), 12);
  h.set(ipv4ToBytes(p.header.dst), 16);
  v.setUint16(10, internetChecksum(h));
  return concat([h, payload]);
}

/** RFC 826 for Ethernet/IPv4. */
function encodeArp(a: ArpMessage): Uint8Array {
  const b = new Uint8Array(28);
  const v = new DataView(b.buffer);
  v.setUint16(0, 1);
  v.setUint16(2, ETHERTYPE_IPV4);
  v.setUint8(4, 6);
  v.setUint8(5, 4);
  v.setUint16(6, a.op === 'request' ? 1 : 2);
  b.set(macToBytes(a.senderMac), 8);
  b.set(ipv4ToBytes(a.senderIp), 14);
  b.set(macToBytes(a.targetMac), 18);
  b.set(ipv4ToBytes(a.targetIp), 24);
  return b;
}

/** An Ethernet II frame as a capture on a Linux device shows it: no padding, no FCS. */
export function encodeFrame(f: Frame): Uint8Array {
  const [ethertype, payload] = match(f.payload)
    .with({ kind: 'ipv4' }, (x): [number, Uint8Array] => [ETHERTYPE_IPV4, encodeIpv4Packet(x.packet)])
    .with({ kind: 'arp' }, (x): [number, Uint8Array] => [ETHERTYPE_ARP, encodeArp(x.arp)])
    .with({ kind: 'raw' }, (x): [number, Uint8Array] => [x.ethertype, x.bytes])
    .exhaustive();
  const h = new Uint8Array(14);
  h.set(macToBytes(f.eth.dst), 0);
  h.set(macToBytes(f.eth.src), 6);
  new DataView(h.buffer).setUint16(12, ethertype);
  return concat([h, payload]);
}

import { match } from 'ts-pattern';
import { internetChecksum, pseudoHeaderSum } from './checksum.js';
import { crc32c } from './crc32c.js';
import { frameLength, ipv4Length } from './length.js';
import { macToBytes, type Mac } from './mac.js';
import { ETHERTYPE_ARP, ETHERTYPE_IPV4, IPPROTO_ICMP, IPPROTO_IPIP, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP, type ArpMessage, type Frame, type IcmpMessage, type Ipv4Packet, type SctpPacket, type TcpSegment } from './packet.js';

/**
 * Packets to bytes. Lengths and checksums are computed here, never stored in the model. The whole
 * frame is written into one buffer sized by length.ts; each layer writes its payload first and
 * then its header, so a length or checksum always covers bytes already in place.
 *
 * A field out of range (a TTL of -1, a 17-bit port) or a header that contradicts its payload is a
 * bug in whoever built the packet, so it throws a RangeError instead of wrapping silently.
 */

export { frameLength, ipv4Length };

const ETH_LEN = 14;
const IPV4_LEN = 20;
const UDP_LEN = 8;
const VXLAN_LEN = 8;
const TCP_LEN = 20;
const SCTP_COMMON_LEN = 12;
const SCTP_INIT_LEN = 20;
const ARP_LEN = 28;

/** Bounds-checked big-endian writes over one output buffer. */
class Out {
  readonly v: DataView;
  constructor(readonly b: Uint8Array) {
    this.v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  u8(at: number, n: number, what: string): void {
    this.v.setUint8(at, field(n, 0xff, what));
  }
  u16(at: number, n: number, what: string): void {
    this.v.setUint16(at, field(n, 0xffff, what));
  }
  u32(at: number, n: number, what: string): void {
    this.v.setUint32(at, field(n, 0xffffffff, what));
  }
  u32le(at: number, n: number, what: string): void {
    this.v.setUint32(at, field(n, 0xffffffff, what), true);
  }
  bytes(at: number, data: Uint8Array): number {
    this.b.set(data, at);
    return at + data.length;
  }
  mac(at: number, m: Mac): void {
    this.b.set(macToBytes(m), at);
  }
}

function field(n: number, max: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > max) throw new RangeError(`cannot encode ${what} = ${n}: expected an integer from 0 to ${max}`);
  return n;
}

/** An Ethernet II frame as a capture on a Linux device shows it: no padding to 60 bytes, no FCS. */
export function encodeFrame(f: Frame): Uint8Array {
  return encodeWith(frameLength(f), (out) => writeFrame(out, 0, f));
}

/** An IPv4 datagram (for IPIP payloads, or a capture without link layer). */
export function encodeIpv4Packet(p: Ipv4Packet): Uint8Array {
  return encodeWith(ipv4Length(p), (out) => writeIpv4(out, 0, p));
}

function encodeWith(length: number, write: (out: Out) => number): Uint8Array {
  const out = new Out(new Uint8Array(length));
  const end = write(out);
  if (end !== length) throw new Error(`encoder wrote ${end} bytes but length.ts computed ${length}`);
  return out.b;
}

function writeFrame(out: Out, at: number, f: Frame): number {
  // IEEE 802.3 / Ethernet II: destination MAC, source MAC, EtherType.
  out.mac(at, f.eth.dst);
  out.mac(at + 6, f.eth.src);
  const body = at + ETH_LEN;
  return match(f.payload)
    .with({ kind: 'ipv4' }, (x) => {
      out.u16(at + 12, ETHERTYPE_IPV4, 'EtherType');
      return writeIpv4(out, body, x.packet);
    })
    .with({ kind: 'arp' }, (x) => {
      out.u16(at + 12, ETHERTYPE_ARP, 'EtherType');
      return writeArp(out, body, x.arp);
    })
    .with({ kind: 'raw' }, (x) => {
      out.u16(at + 12, x.ethertype, 'EtherType');
      return out.bytes(body, x.bytes);
    })
    .exhaustive();
}

/** RFC 826, for Ethernet hardware (1) and IPv4 protocol addresses (0x0800). */
function writeArp(out: Out, at: number, a: ArpMessage): number {
  out.u16(at, 1, 'ARP hrd'); // ar$hrd: Ethernet
  out.u16(at + 2, ETHERTYPE_IPV4, 'ARP pro'); // ar$pro: IPv4
  out.u8(at + 4, 6, 'ARP hln'); // ar$hln: 6-byte MACs
  out.u8(at + 5, 4, 'ARP pln'); // ar$pln: 4-byte IPv4 addresses
  out.u16(at + 6, a.op === 'request' ? 1 : 2, 'ARP op'); // ar$op: ares_op$REQUEST = 1, REPLY = 2
  out.mac(at + 8, a.senderMac); // ar$sha
  out.u32(at + 14, a.senderIp, 'ARP sender IP'); // ar$spa
  out.mac(at + 18, a.targetMac); // ar$tha
  out.u32(at + 24, a.targetIp, 'ARP target IP'); // ar$tpa
  return at + ARP_LEN;
}

/** RFC 791 §3.1 header without options (IHL 5), then the payload. */
function writeIpv4(out: Out, at: number, p: Ipv4Packet): number {
  const h = p.header;
  const end = writeL4(out, at + IPV4_LEN, p);
  out.u8(at, 0x45, 'IPv4 version/IHL'); // Version 4, IHL 5 (32-bit words)
  out.u8(at + 1, h.tos, 'IPv4 TOS'); // DSCP + ECN (RFC 2474, RFC 3168)
  out.u16(at + 2, end - at, 'IPv4 total length'); // header + data, in bytes
  out.u16(at + 4, h.id, 'IPv4 identification');
  out.u16(at + 6, h.df ? 0x4000 : 0, 'IPv4 flags'); // flags: bit 1 = DF; MF clear, fragment offset 0
  out.u8(at + 8, h.ttl, 'IPv4 TTL');
  out.u8(at + 9, h.protocol, 'IPv4 protocol');
  out.u32(at + 12, h.src, 'IPv4 source');
  out.u32(at + 16, h.dst, 'IPv4 destination');
  // RFC 791: "the 16 bit one's complement of the one's complement sum of all 16 bit words in the header".
  out.u16(at + 10, internetChecksum(out.b.subarray(at, at + IPV4_LEN)), 'IPv4 checksum');
  return end;
}

function writeL4(out: Out, at: number, p: Ipv4Packet): number {
  const proto = p.header.protocol;
  const expect = (want: number, kind: string): void => {
    if (proto !== want) throw new RangeError(`cannot encode a ${kind} payload under IPv4 protocol ${proto}: expected ${want}`);
  };
  return match(p.payload)
    .with({ kind: 'icmp' }, (x) => {
      expect(IPPROTO_ICMP, 'ICMP');
      return writeIcmp(out, at, x.message);
    })
    .with({ kind: 'udp' }, (x) => {
      expect(IPPROTO_UDP, 'UDP');
      const data = at + UDP_LEN;
      const end =
        x.payload.kind === 'vxlan' ? writeFrame(out, writeVxlanHeader(out, data, x.payload.vni), x.payload.frame) : out.bytes(data, x.payload.bytes);
      // RFC 768: source port, destination port, length (header + data), checksum.
      out.u16(at, x.sport, 'UDP source port');
      out.u16(at + 2, x.dport, 'UDP destination port');
      out.u16(at + 4, end - at, 'UDP length');
      // Linux vxlan leaves the outer IPv4 UDP checksum off by default (`udpcsum` unset; RFC 7348 §5
      // "UDP Checksum: It SHOULD be transmitted as zero"). RFC 768: zero means "no checksum".
      if (x.payload.kind !== 'vxlan') {
        const sum = internetChecksum(out.b.subarray(at, end), pseudoHeaderSum(p.header.src, p.header.dst, IPPROTO_UDP, end - at));
        // RFC 768: "If the computed checksum is zero, it is transmitted as all ones".
        out.u16(at + 6, sum === 0 ? 0xffff : sum, 'UDP checksum');
      }
      return end;
    })
    .with({ kind: 'tcp' }, (x) => {
      expect(IPPROTO_TCP, 'TCP');
      return writeTcp(out, at, x, p);
    })
    .with({ kind: 'sctp' }, (x) => {
      expect(IPPROTO_SCTP, 'SCTP');
      return writeSctp(out, at, x);
    })
    .with({ kind: 'ipip' }, (x) => {
      // RFC 2003 §3: the outer header is followed directly by the unchanged inner datagram.
      expect(IPPROTO_IPIP, 'IPIP');
      return writeIpv4(out, at, x.packet);
    })
    .with({ kind: 'raw' }, (x) => out.bytes(at, x.bytes))
    .exhaustive();
}

/** RFC 7348 §5: flags (I = 0x08), 24 reserved bits, the 24-bit VNI, 8 reserved bits. */
function writeVxlanHeader(out: Out, at: number, vni: number): number {
  out.u8(at, 0x08, 'VXLAN flags'); // I flag: "MUST be set to 1 for a valid VXLAN Network ID"
  out.u32(at + 4, field(vni, 0xffffff, 'VXLAN VNI') * 0x100, 'VXLAN VNI'); // VNI in bytes 4-6, byte 7 reserved
  return at + VXLAN_LEN;
}

/** RFC 793 §3.1 header; options are raw bytes padded by the caller to 32-bit words. */
function writeTcp(out: Out, at: number, t: TcpSegment, p: Ipv4Packet): number {
  if (t.options.length % 4 !== 0 || t.options.length > 40) {
    throw new RangeError(`cannot encode ${t.options.length} bytes of TCP options: expected a multiple of 4, at most 40`);
  }
  const hlen = TCP_LEN + t.options.length;
  out.bytes(at + TCP_LEN, t.options);
  const end = out.bytes(at + hlen, t.data);
  out.u16(at, t.sport, 'TCP source port');
  out.u16(at + 2, t.dport, 'TCP destination port');
  out.u32(at + 4, t.seq, 'TCP sequence number');
  out.u32(at + 8, t.ack, 'TCP acknowledgment number');
  out.u8(at + 12, (hlen / 4) << 4, 'TCP data offset'); // data offset in 32-bit words, reserved bits 0
  // Control bits, low to high: FIN, SYN, RST, PSH, ACK (URG, ECE, CWR are not modelled: 0).
  const f = t.flags;
  out.u8(at + 13, (f.fin ? 0x01 : 0) | (f.syn ? 0x02 : 0) | (f.rst ? 0x04 : 0) | (f.psh ? 0x08 : 0) | (f.ack ? 0x10 : 0), 'TCP flags');
  out.u16(at + 14, t.window, 'TCP window');
  // Checksum over pseudo-header + segment (RFC 793 §3.1 "Checksum"); the urgent pointer stays 0.
  out.u16(at + 16, internetChecksum(out.b.subarray(at, end), pseudoHeaderSum(p.header.src, p.header.dst, IPPROTO_TCP, end - at)), 'TCP checksum');
  return end;
}

/** RFC 9260 §3.1 common header, then the chunks (§3.2); no pseudo-header is involved. */
function writeSctp(out: Out, at: number, s: SctpPacket): number {
  const chunks = at + SCTP_COMMON_LEN;
  const end = match(s.chunks)
    .with({ kind: 'init' }, (c) => {
      // RFC 9260 §3.3.2: type 1, flags 0, length 20 (no optional parameters), then the fixed fields.
      if (c.initiateTag === 0) throw new RangeError('cannot encode an SCTP INIT with Initiate Tag 0: RFC 9260 §3.3.2 forbids it');
      if (c.outboundStreams === 0 || c.inboundStreams === 0) throw new RangeError('cannot encode an SCTP INIT with 0 streams: RFC 9260 §3.3.2 forbids it');
      out.u8(chunks, 1, 'SCTP chunk type');
      out.u8(chunks + 1, 0, 'SCTP chunk flags');
      out.u16(chunks + 2, SCTP_INIT_LEN, 'SCTP chunk length');
      out.u32(chunks + 4, c.initiateTag, 'SCTP Initiate Tag');
      out.u32(chunks + 8, c.arwnd, 'SCTP a_rwnd');
      out.u16(chunks + 12, c.outboundStreams, 'SCTP outbound streams');
      out.u16(chunks + 14, c.inboundStreams, 'SCTP inbound streams');
      out.u32(chunks + 16, c.initialTsn, 'SCTP Initial TSN');
      return chunks + SCTP_INIT_LEN;
    })
    .with({ kind: 'raw' }, (c) => {
      // RFC 9260 §3.2: every chunk is padded to a multiple of 4 bytes.
      if (c.bytes.length % 4 !== 0) throw new RangeError(`cannot encode ${c.bytes.length} bytes of SCTP chunks: expected a multiple of 4`);
      return out.bytes(chunks, c.bytes);
    })
    .exhaustive();
  out.u16(at, s.sport, 'SCTP source port');
  out.u16(at + 2, s.dport, 'SCTP destination port');
  out.u32(at + 4, s.vtag, 'SCTP verification tag');
  // RFC 9260 §6.8 / Appendix A: CRC32c over the whole SCTP packet with the checksum field zero
  // (it still is: the buffer starts zeroed). Linux's sctp_compute_cksum() stores it as
  // cpu_to_le32(~crc32c): the CRC's low byte goes first on the wire ("reflected" order).
  out.u32le(at + 8, crc32c(out.b.subarray(at, end)), 'SCTP checksum');
  return end;
}

/** RFC 792: type, code, checksum, a type-specific 32-bit word, then data. */
function writeIcmp(out: Out, at: number, m: IcmpMessage): number {
  const end = match(m)
    .with({ type: 'echo-request' }, { type: 'echo-reply' }, (e) => {
      out.u8(at, e.type === 'echo-request' ? 8 : 0, 'ICMP type'); // RFC 792: Echo = 8, Echo Reply = 0; code 0
      out.u16(at + 4, e.id, 'ICMP echo identifier');
      out.u16(at + 6, e.seq, 'ICMP echo sequence number');
      return out.bytes(at + 8, e.data);
    })
    .with({ type: 'dest-unreachable' }, { type: 'time-exceeded' }, (e) => {
      const unreachable = e.type === 'dest-unreachable';
      out.u8(at, unreachable ? 3 : 11, 'ICMP type'); // RFC 792: Destination Unreachable = 3, Time Exceeded = 11
      out.u8(at + 1, e.code, 'ICMP code');
      // RFC 1191 §4: "fragmentation needed and DF set" (3/4) carries the next-hop MTU in the low
      // 16 bits of the otherwise unused word; every other code leaves the word zero (RFC 792).
      if (unreachable && e.code === 4) out.u16(at + 6, e.mtu, 'ICMP next-hop MTU');
      else if (e.mtu !== 0) throw new RangeError(`cannot encode ICMP ${e.type} code ${e.code} with mtu ${e.mtu}: only dest-unreachable code 4 carries an MTU`);
      return out.bytes(at + 8, e.quoted);
    })
    .with({ type: 'other' }, (e) => {
      if (e.rest.length < 4) throw new RangeError(`cannot encode ICMP type ${e.icmpType} with ${e.rest.length} bytes after the checksum: expected at least the 4-byte rest of header`);
      out.u8(at, e.icmpType, 'ICMP type');
      out.u8(at + 1, e.code, 'ICMP code');
      return out.bytes(at + 4, e.rest);
    })
    .exhaustive();
  // RFC 792: checksum over the whole ICMP message, starting with the type.
  out.u16(at + 2, internetChecksum(out.b.subarray(at, end)), 'ICMP checksum');
  return end;
}

import { err, ok, type Result } from '../lib/result.js';
import { ipv4FromBytes } from './ipv4.js';
import { macFromBytes } from './mac.js';
import { DNS_PORT, dnsPayloadOf } from './dns.js';
import {
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  IPPROTO_ICMP,
  IPPROTO_IPIP,
  IPPROTO_SCTP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  type ArpMessage,
  type EthHeader,
  type Frame,
  type IcmpMessage,
  type Ipv4Header,
  type Ipv4Packet,
  type L4,
  type SctpChunks,
  type UdpPayload,
} from './packet.js';

/**
 * Bytes to packets, the inverse of encode.ts: decodeFrame(encodeFrame(f)) equals f.
 *
 * - Malformed or truncated bytes are an error value naming the layer, the byte offset (from the
 *   start of the outermost frame, as Wireshark counts) and what was expected. Nothing throws.
 * - Well-formed bytes the model cannot represent (an unknown EtherType or IP protocol, IPv4
 *   options or fragments, TCP URG/ECE/CWR, a non-VXLAN header on a VXLAN port) become `raw` at
 *   the enclosing layer, so re-encoding gives the same bytes back.
 * - Checksums are not verified (captures on veth carry partial checksums when offload is on) and
 *   Ethernet padding after the IPv4 total length or the ARP message is dropped.
 */

export interface DecodeOptions {
  /** UDP destination ports decoded as VXLAN. */
  readonly vxlanPorts?: readonly number[];
}

/** 8472: the Linux vxlan default, which Flannel uses; 4789: the IANA port (RFC 7348 §5). */
export const DEFAULT_VXLAN_PORTS: readonly number[] = [8472, 4789];

export function decodeFrame(bytes: Uint8Array, opts: DecodeOptions = {}): Result<Frame, string> {
  return frameAt(input(bytes, opts), 0, bytes.length);
}

/** An IPv4 datagram without link layer; options and fragments are errors here (no raw fallback). */
export function decodeIpv4Packet(bytes: Uint8Array, opts: DecodeOptions = {}): Result<Ipv4Packet, string> {
  const r = ipv4At(input(bytes, opts), 0, bytes.length);
  if (!r.ok) return r;
  return 'unmodelled' in r.value ? err(`IPv4 header at byte 0: ${r.value.unmodelled}, which podnet does not model`) : ok(r.value);
}

interface Input {
  readonly b: Uint8Array;
  readonly v: DataView;
  readonly vxlanPorts: readonly number[];
}

/** Well-formed, but beyond what the model represents: the caller keeps the bytes raw. */
interface Unmodelled {
  readonly unmodelled: string;
}

function input(bytes: Uint8Array, opts: DecodeOptions): Input {
  // A plain view, so slice() copies even when given a Node Buffer (whose slice() aliases).
  const b = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { b, v: new DataView(b.buffer, b.byteOffset, b.byteLength), vxlanPorts: opts.vxlanPorts ?? DEFAULT_VXLAN_PORTS };
}

function bad(what: string, at: number, expected: string, found: string | number): Result<never, string> {
  return err(`${what} at byte ${at}: expected ${expected}, found ${found}`);
}

function short(what: string, at: number, need: number, have: number): Result<never, string> {
  return bad(what, at, `${need} bytes`, `${have} (truncated)`);
}

function frameAt(x: Input, at: number, end: number): Result<Frame, string> {
  if (end - at < 14) return short('Ethernet header', at, 14, end - at);
  // Ethernet II: destination MAC, source MAC, EtherType.
  const eth: EthHeader = { dst: macFromBytes(x.b, at), src: macFromBytes(x.b, at + 6) };
  const ethertype = x.v.getUint16(at + 12);
  const body = at + 14;
  const raw = (): Result<Frame, string> => ok({ eth, payload: { kind: 'raw', ethertype, bytes: x.b.slice(body, end) } });
  if (ethertype === ETHERTYPE_IPV4) {
    const p = ipv4At(x, body, end);
    if (!p.ok) return p;
    return 'unmodelled' in p.value ? raw() : ok({ eth, payload: { kind: 'ipv4', packet: p.value } });
  }
  if (ethertype === ETHERTYPE_ARP) {
    const a = arpAt(x, body, end);
    if (!a.ok) return a;
    return a.value === null ? raw() : ok({ eth, payload: { kind: 'arp', arp: a.value } });
  }
  return raw();
}

/** RFC 826; null for hardware/protocol types or opcodes other than Ethernet/IPv4 request/reply. */
function arpAt(x: Input, at: number, end: number): Result<ArpMessage | null, string> {
  if (end - at < 8) return short('ARP header', at, 8, end - at);
  const hrd = x.v.getUint16(at); // ar$hrd
  const pro = x.v.getUint16(at + 2); // ar$pro
  const hln = x.v.getUint8(at + 4); // ar$hln
  const pln = x.v.getUint8(at + 5); // ar$pln
  const op = x.v.getUint16(at + 6); // ar$op
  if (hrd !== 1 || pro !== ETHERTYPE_IPV4 || hln !== 6 || pln !== 4 || (op !== 1 && op !== 2)) return ok(null);
  if (end - at < 28) return short('ARP message for Ethernet/IPv4', at, 28, end - at);
  return ok({
    op: op === 1 ? 'request' : 'reply',
    senderMac: macFromBytes(x.b, at + 8), // ar$sha
    senderIp: ipv4FromBytes(x.b, at + 14), // ar$spa
    targetMac: macFromBytes(x.b, at + 18), // ar$tha
    targetIp: ipv4FromBytes(x.b, at + 24), // ar$tpa
  });
}

/** RFC 791 §3.1. */
function ipv4At(x: Input, at: number, end: number): Result<Ipv4Packet | Unmodelled, string> {
  const n = end - at;
  if (n < 20) return bad('IPv4 header', at, 'at least 20 bytes', `${n} (truncated)`);
  const version = x.v.getUint8(at) >> 4;
  if (version !== 4) return bad('IP version', at, '4', version);
  const ihl = (x.v.getUint8(at) & 0x0f) * 4; // IHL counts 32-bit words
  if (ihl < 20) return bad('IPv4 header length (IHL)', at, 'at least 5 words (20 bytes)', `${ihl / 4} words`);
  const total = x.v.getUint16(at + 2); // Total Length: header + data
  if (total < ihl) return bad('IPv4 total length', at + 2, `at least the ${ihl}-byte header`, total);
  if (total > n) return bad('IPv4 total length', at + 2, `at most the ${n} bytes present`, `${total} (truncated)`);
  if (ihl > 20) return ok({ unmodelled: `${ihl - 20} bytes of IPv4 options` });
  const frag = x.v.getUint16(at + 6); // flags (reserved, DF 0x4000, MF 0x2000) + 13-bit fragment offset
  if ((frag & 0x8000) !== 0) return ok({ unmodelled: 'the reserved IPv4 flag set' });
  if ((frag & 0x3fff) !== 0) return ok({ unmodelled: 'a fragment (MF set or a fragment offset)' });
  const header: Ipv4Header = {
    tos: x.v.getUint8(at + 1),
    id: x.v.getUint16(at + 4),
    df: (frag & 0x4000) !== 0,
    ttl: x.v.getUint8(at + 8),
    protocol: x.v.getUint8(at + 9),
    src: ipv4FromBytes(x.b, at + 12),
    dst: ipv4FromBytes(x.b, at + 16),
  };
  // Bytes after `total` are Ethernet padding (a frame is at least 60 bytes on the wire): dropped.
  const payload = l4At(x, at + 20, at + total, header.protocol);
  return payload.ok ? ok({ header, payload: payload.value }) : payload;
}

function l4At(x: Input, at: number, end: number, protocol: number): Result<L4, string> {
  if (protocol === IPPROTO_ICMP) {
    const m = icmpAt(x, at, end);
    return m.ok ? ok({ kind: 'icmp', message: m.value }) : m;
  }
  if (protocol === IPPROTO_UDP) return udpAt(x, at, end);
  if (protocol === IPPROTO_TCP) return tcpAt(x, at, end);
  if (protocol === IPPROTO_SCTP) return sctpAt(x, at, end);
  if (protocol === IPPROTO_IPIP) {
    // RFC 2003: the payload is an IPv4 datagram; one the model cannot represent stays raw.
    const inner = ipv4At(x, at, end);
    if (!inner.ok) return inner;
    return 'unmodelled' in inner.value ? ok({ kind: 'raw', bytes: x.b.slice(at, end) }) : ok({ kind: 'ipip', packet: inner.value });
  }
  return ok({ kind: 'raw', bytes: x.b.slice(at, end) });
}

/** RFC 792; anything that does not fit the structured messages exactly is `other`. */
function icmpAt(x: Input, at: number, end: number): Result<IcmpMessage, string> {
  if (end - at < 8) return bad('ICMP header', at, '8 bytes', `${end - at} (truncated)`);
  const type = x.v.getUint8(at);
  const code = x.v.getUint8(at + 1);
  const hi = x.v.getUint16(at + 4);
  const lo = x.v.getUint16(at + 6);
  const data = x.b.slice(at + 8, end);
  // RFC 792 Echo (8) / Echo Reply (0), code 0: identifier, sequence number, data.
  if ((type === 8 || type === 0) && code === 0) return ok({ type: type === 8 ? 'echo-request' : 'echo-reply', id: hi, seq: lo, data });
  // RFC 792 Destination Unreachable (3): unused word, except code 4's next-hop MTU (RFC 1191 §4).
  if (type === 3 && hi === 0 && (code === 4 || lo === 0)) return ok({ type: 'dest-unreachable', code, mtu: code === 4 ? lo : 0, quoted: data });
  // RFC 792 Time Exceeded (11): unused word.
  if (type === 11 && hi === 0 && lo === 0) return ok({ type: 'time-exceeded', code, mtu: 0, quoted: data });
  return ok({ type: 'other', icmpType: type, code, rest: x.b.slice(at + 4, end) });
}

/** RFC 768. */
function udpAt(x: Input, at: number, end: number): Result<L4, string> {
  const n = end - at;
  if (n < 8) return short('UDP header', at, 8, n);
  const length = x.v.getUint16(at + 4); // header + data
  if (length < 8) return bad('UDP length', at + 4, 'at least 8 (the header)', length);
  if (length > n) return bad('UDP length', at + 4, `at most the ${n} bytes of IPv4 payload`, `${length} (truncated)`);
  // IPv4 payload beyond the UDP length is legal but not representable: keep the datagram raw.
  if (length < n) return ok({ kind: 'raw', bytes: x.b.slice(at, end) });
  const sport = x.v.getUint16(at);
  const dport = x.v.getUint16(at + 2);
  let payload: UdpPayload = { kind: 'raw', bytes: x.b.slice(at + 8, end) };
  if (x.vxlanPorts.includes(dport)) {
    const vx = vxlanAt(x, at + 8, end);
    if (!vx.ok) return vx;
    payload = vx.value;
  } else if (dport === DNS_PORT || sport === DNS_PORT) {
    // Either direction of a DNS exchange; bytes that are not a modelled DNS message stay raw.
    payload = dnsPayloadOf(payload.bytes) ?? payload;
  }
  return ok({ kind: 'udp', sport, dport, payload });
}

/** RFC 7348 §5: flags 0x08 (I), 24 reserved bits, 24-bit VNI, 8 reserved bits, inner frame. */
function vxlanAt(x: Input, at: number, end: number): Result<UdpPayload, string> {
  if (end - at < 8) return short('VXLAN header', at, 8, end - at);
  const word0 = x.v.getUint32(at);
  const word1 = x.v.getUint32(at + 4);
  // Only the header encode.ts writes (I flag alone, reserved bits zero) is modelled; others stay raw.
  if (word0 !== 0x08000000 || (word1 & 0xff) !== 0) return ok({ kind: 'raw', bytes: x.b.slice(at, end) });
  const vni = word1 >>> 8;
  const inner = frameAt(x, at + 8, end);
  if (!inner.ok) return err(`inside VXLAN VNI ${vni}: ${inner.error}`);
  return ok({ kind: 'vxlan', vni, frame: inner.value });
}

/** RFC 9260 §3.1 common header, then the chunks; only a lone bare INIT (§3.3.2) is structured. */
function sctpAt(x: Input, at: number, end: number): Result<L4, string> {
  const n = end - at;
  if (n < 12) return short('SCTP common header', at, 12, n);
  // RFC 9260 §3.2: chunks are padded to 4 bytes; a packet that is not cannot be re-encoded, so it stays raw.
  if ((n - 12) % 4 !== 0) return ok({ kind: 'raw', bytes: x.b.slice(at, end) });
  const c = at + 12;
  const isInit =
    n - 12 === 20 &&
    x.v.getUint8(c) === 1 && // chunk type INIT
    x.v.getUint8(c + 1) === 0 && // chunk flags
    x.v.getUint16(c + 2) === 20 && // chunk length: fixed fields only, no optional parameters
    x.v.getUint32(c + 4) !== 0 && // Initiate Tag "MUST NOT take the value 0"
    x.v.getUint16(c + 12) !== 0 && // outbound streams "MUST NOT be 0"
    x.v.getUint16(c + 14) !== 0; // inbound streams "MUST NOT be 0"
  const chunks: SctpChunks = isInit
    ? {
        kind: 'init',
        initiateTag: x.v.getUint32(c + 4),
        arwnd: x.v.getUint32(c + 8),
        outboundStreams: x.v.getUint16(c + 12),
        inboundStreams: x.v.getUint16(c + 14),
        initialTsn: x.v.getUint32(c + 16),
      }
    : { kind: 'raw', bytes: x.b.slice(c, end) };
  // The CRC32c at at + 8 is not verified, like the other checksums (see the note above).
  return ok({ kind: 'sctp', sport: x.v.getUint16(at), dport: x.v.getUint16(at + 2), vtag: x.v.getUint32(at + 4), chunks });
}

/** RFC 793 §3.1. */
function tcpAt(x: Input, at: number, end: number): Result<L4, string> {
  const n = end - at;
  if (n < 20) return bad('TCP header', at, 'at least 20 bytes', `${n} (truncated)`);
  const offsetByte = x.v.getUint8(at + 12);
  const hlen = (offsetByte >> 4) * 4; // Data Offset counts 32-bit words
  if (hlen < 20) return bad('TCP data offset', at + 12, 'at least 5 words (20 bytes)', `${hlen / 4} words`);
  if (hlen > n) return bad('TCP data offset', at + 12, `a header within the ${n}-byte segment`, `${hlen} bytes (truncated)`);
  const flags = x.v.getUint8(at + 13);
  // Reserved bits (incl. NS), CWR/ECE (RFC 3168), URG and the urgent pointer are not modelled.
  if ((offsetByte & 0x0f) !== 0 || (flags & 0xe0) !== 0 || x.v.getUint16(at + 18) !== 0) return ok({ kind: 'raw', bytes: x.b.slice(at, end) });
  return ok({
    kind: 'tcp',
    sport: x.v.getUint16(at),
    dport: x.v.getUint16(at + 2),
    seq: x.v.getUint32(at + 4),
    ack: x.v.getUint32(at + 8),
    flags: { fin: (flags & 0x01) !== 0, syn: (flags & 0x02) !== 0, rst: (flags & 0x04) !== 0, psh: (flags & 0x08) !== 0, ack: (flags & 0x10) !== 0 },
    window: x.v.getUint16(at + 14),
    options: x.b.slice(at + 20, at + hlen),
    data: x.b.slice(at + hlen, end),
  });
}

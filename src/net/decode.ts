import { err, ok, type Result } from '../lib/result.js';
import { ipv4FromBytes } from './ipv4.js';
import { macFromBytes } from './mac.js';
import { ETHERTYPE_ARP, ETHERTYPE_IPV4, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, type Frame, type IcmpMessage, type Ipv4Packet, type L4, type UdpPayload } from './packet.js';

/** Which UDP destination ports carry VXLAN (Linux's 8472 and IANA's 4789 by default). */
export interface DecodeOptions {
  readonly vxlanPorts?: readonly number[];
}

const DEFAULT_VXLAN_PORTS = [8472, 4789];

function need(b: Uint8Array, offset: number, n: number, what: string): string | null {
  return b.length - offset < n ? `truncated ${what} at byte ${offset}: need ${n} bytes, have ${Math.max(0, b.length - offset)}` : null;
}

function decodeIcmp(b: Uint8Array): Result<IcmpMessage, string> {
  const short = need(b, 0, 4, 'ICMP header');
  if (short) return err(short);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const type = b[0] ?? 0;
  const code = b[1] ?? 0;
  if (type === 8 || type === 0) {
    const s = need(b, 0, 8, 'ICMP echo');
    if (s) return err(s);
    return ok({ type: type === 8 ? 'echo-request' : 'echo-reply', id: v.getUint16(4), seq: v.getUint16(6), data: b.slice(8) });
  }
  if (type === 3 || type === 11) {
    const s = need(b, 0, 8, 'ICMP error');
    if (s) return err(s);
    return ok({ type: type === 3 ? 'dest-unreachable' : 'time-exceeded', code, mtu: v.getUint16(6), quoted: b.slice(8) });
  }
  return ok({ type: 'other', icmpType: type, code, rest: b.slice(4) });
}

function decodeL4(protocol: number, b: Uint8Array, opts: DecodeOptions, base: number): Result<L4, string> {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (protocol === IPPROTO_ICMP) {
    const m = decodeIcmp(b);
    return m.ok ? ok({ kind: 'icmp', message: m.value }) : m;
  }
  if (protocol === IPPROTO_UDP) {
    const s = need(b, 0, 8, 'UDP header');
    if (s) return err(`${s} (offset ${base})`);
    const sport = v.getUint16(0);
    const dport = v.getUint16(2);
    const len = v.getUint16(4);
    if (len < 8 || len > b.length) return err(`UDP length ${len} at byte ${base + 4} does not fit the ${b.length} bytes left`);
    const data = b.slice(8, len);
    let payload: UdpPayload = { kind: 'raw', bytes: data };
    if ((opts.vxlanPorts ?? DEFAULT_VXLAN_PORTS).includes(dport) && data.length >= 8 && ((data[0] ?? 0) & 0x08) !== 0) {
      // RFC 7348: I flag set, VNI in bytes 4-6.
      const vni = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(4) >>> 8;
      const inner = decodeFrame(data.slice(8), opts);
      if (!inner.ok) return err(`inner frame of VXLAN VNI ${vni}: ${inner.error}`);
      payload = { kind: 'vxlan', vni, frame: inner.value };
    }
    return ok({ kind: 'udp', sport, dport, payload });
  }
  if (protocol === IPPROTO_TCP) {
    const s = need(b, 0, 20, 'TCP header');
    if (s) return err(s);
    const hlen = ((b[12] ?? 0) >> 4) * 4;
    if (hlen < 20 || hlen > b.length) return err(`TCP data offset ${hlen} at byte ${base + 12} is invalid`);
    const f = b[13] ?? 0;
    return ok({
      kind: 'tcp',
      sport: v.getUint16(0),
      dport: v.getUint16(2),
      seq: v.getUint32(4),
      ack: v.getUint32(8),
      flags: { fin: (f & 1) !== 0, syn: (f & 2) !== 0, rst: (f & 4) !== 0, psh: (f & 8) !== 0, ack: (f & 16) !== 0 },
      window: v.getUint16(14),
      options: b.slice(20, hlen),
      data: b.slice(hlen),
    });
  }
  return ok({ kind: 'raw', bytes: b.slice() });
}

export function decodeIpv4Packet(b: Uint8Array, opts: DecodeOptions = {}, base = 0): Result<Ipv4Packet, string> {
  const s = need(b, 0, 20, 'IPv4 header');
  if (s) return err(s);
  const version = (b[0] ?? 0) >> 4;
  const ihl = ((b[0] ?? 0) & 15) * 4;
  if (version !== 4) return err(`IP version ${version} at byte ${base}; expected 4`);
  if (ihl < 20) return err(`IPv4 header length ${ihl} at byte ${base} is below 20`);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const total = v.getUint16(2);
  if (total < ihl || total > b.length) return err(`IPv4 total length ${total} at byte ${base + 2} does not fit the ${b.length} bytes captured`);
  const l4 = decodeL4(b[9] ?? 0, b.slice(ihl, total), opts, base + ihl);
  if (!l4.ok) return l4;
  return ok({
    header: { src: ipv4FromBytes(b, 12), dst: ipv4FromBytes(b, 16), ttl: b[8] ?? 0, protocol: b[9] ?? 0, id: v.getUint16(4), df: (v.getUint16(6) & 0x4000) !== 0, tos: b[1] ?? 0 },
    payload: l4.value,
  });
}

/** Decode an Ethernet II frame; unknown ethertypes and protocols stay as raw bytes. */
export function decodeFrame(b: Uint8Array, opts: DecodeOptions = {}): Result<Frame, string> {
  const s = need(b, 0, 14, 'Ethernet header');
  if (s) return err(s);
  const eth = { dst: macFromBytes(b, 0), src: macFromBytes(b, 6) };
  const ethertype = ((b[12] ?? 0) << 8) | (b[13] ?? 0);
  const body = b.slice(14);
  if (ethertype === ETHERTYPE_IPV4) {
    const p = decodeIpv4Packet(body, opts, 14);
    return p.ok ? ok({ eth, payload: { kind: 'ipv4', packet: p.value } }) : p;
  }
  if (ethertype === ETHERTYPE_ARP) {
    const a = need(body, 0, 28, 'ARP message');
    if (a) return err(a);
    const op = ((body[6] ?? 0) << 8) | (body[7] ?? 0);
    if (op !== 1 && op !== 2) return err(`ARP opcode ${op} at byte 20; expected 1 (request) or 2 (reply)`);
    return ok({
      eth,
      payload: { kind: 'arp', arp: { op: op === 1 ? 'request' : 'reply', senderMac: macFromBytes(body, 8), senderIp: ipv4FromBytes(body, 14), targetMac: macFromBytes(body, 18), targetIp: ipv4FromBytes(body, 24) } },
    });
  }
  return ok({ eth, payload: { kind: 'raw', ethertype, bytes: body } });
}

import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeIpv4Packet } from '../../src/net/decode.js';
import { encodeFrame } from '../../src/net/encode.js';
import { ipv4 } from '../../src/net/ipv4.js';
import { mac } from '../../src/net/mac.js';
import { IPPROTO_TCP, IPPROTO_UDP, TCP_NO_FLAGS, type Frame, type FramePayload, type Ipv4Packet, type L4 } from '../../src/net/packet.js';
import { podPing, vxlanPodPing } from './frames.js';

const eth = { src: mac('0a:58:0a:f4:01:02'), dst: mac('0a:58:0a:f4:01:01') };
const header = { src: ipv4('10.244.1.2'), dst: ipv4('10.244.2.2'), ttl: 64, id: 7, df: true, tos: 0 };
const frame = (packet: Ipv4Packet): Frame => ({ eth, payload: { kind: 'ipv4', packet } });

/** Encode, let `edit` damage or change the bytes, decode. */
function decodeEdited(f: Frame, edit: (b: Uint8Array, v: DataView) => Uint8Array | void): ReturnType<typeof decodeFrame> {
  const b = encodeFrame(f);
  return decodeFrame(edit(b, new DataView(b.buffer)) ?? b);
}

function payloadOf(r: ReturnType<typeof decodeFrame>): FramePayload {
  if (!r.ok) throw new Error(r.error);
  return r.value.payload;
}

function l4Of(r: ReturnType<typeof decodeFrame>): L4 {
  const p = payloadOf(r);
  if (p.kind !== 'ipv4') throw new Error(`expected IPv4, got ${p.kind}`);
  return p.packet.payload;
}

describe('malformed or truncated bytes: an error naming layer, byte offset and expectation', () => {
  it.each([
    ['a runt frame', () => decodeFrame(new Uint8Array(10)), 'Ethernet header at byte 0: expected 14 bytes, found 10 (truncated)'],
    ['a ping cut at 40 bytes', () => decodeEdited(podPing(), (b) => b.slice(0, 40)), 'IPv4 total length at byte 16: expected at most the 26 bytes present, found 84 (truncated)'],
    ['IPv6 behind EtherType 0x0800', () => decodeEdited(podPing(), (b) => void (b[14] = 0x60)), 'IP version at byte 14: expected 4, found 6'],
    ['an IHL of 4 words', () => decodeEdited(podPing(), (b) => void (b[14] = 0x44)), 'IPv4 header length (IHL) at byte 14: expected at least 5 words (20 bytes), found 4 words'],
    ['a total length shorter than the header', () => decodeEdited(podPing(), (_b, v) => v.setUint16(16, 12)), 'IPv4 total length at byte 16: expected at least the 20-byte header, found 12'],
    ['a 4-byte ICMP message', () => decodeEdited(podPing(), (b, v) => (v.setUint16(16, 24), b.slice(0, 38))), 'ICMP header at byte 34: expected 8 bytes, found 4 (truncated)'],
    ['a UDP length past the datagram', () => decodeEdited(vxlanPodPing(), (_b, v) => v.setUint16(38, 0xffff)), 'UDP length at byte 38: expected at most the 114 bytes of IPv4 payload, found 65535 (truncated)'],
    ['a UDP length below 8', () => decodeEdited(vxlanPodPing(), (_b, v) => v.setUint16(38, 4)), 'UDP length at byte 38: expected at least 8 (the header), found 4'],
    [
      'a truncated frame inside VXLAN',
      () => decodeEdited(vxlanPodPing(), (_b, v) => v.setUint16(66, 200)),
      'inside VXLAN VNI 1: IPv4 total length at byte 66: expected at most the 84 bytes present, found 200 (truncated)',
    ],
    [
      'a VXLAN header cut short',
      () => decodeFrame(encodeFrame(frame({ header: { ...header, protocol: IPPROTO_UDP }, payload: { kind: 'udp', sport: 1, dport: 4789, payload: { kind: 'raw', bytes: new Uint8Array(4) } } }))),
      'VXLAN header at byte 42: expected 8 bytes, found 4 (truncated)',
    ],
    [
      'a TCP data offset past the segment',
      () => decodeEdited(frame({ header: { ...header, protocol: IPPROTO_TCP }, payload: tcp({}) }), (b) => void (b[46] = 0xf0)),
      'TCP data offset at byte 46: expected a header within the 20-byte segment, found 60 bytes (truncated)',
    ],
    [
      'an ARP request cut short',
      () => decodeEdited({ eth, payload: { kind: 'arp', arp: { op: 'request', senderMac: eth.src, senderIp: header.src, targetMac: eth.dst, targetIp: header.dst } } }, (b) => b.slice(0, 34)),
      'ARP message for Ethernet/IPv4 at byte 14: expected 28 bytes, found 20 (truncated)',
    ],
  ] satisfies [string, () => ReturnType<typeof decodeFrame>, string][])('%s', (_name, run, message) => {
    expect(run()).toEqual({ ok: false, error: message });
  });
});

function tcp(over: Partial<Extract<L4, { kind: 'tcp' }>>): L4 {
  return { kind: 'tcp', sport: 40000, dport: 80, seq: 1, ack: 0, flags: { ...TCP_NO_FLAGS, syn: true }, window: 64240, options: new Uint8Array(0), data: new Uint8Array(0), ...over };
}

describe('well-formed bytes the model does not represent stay raw and re-encode unchanged', () => {
  const rawRoundTrip = (bytes: Uint8Array): FramePayload => {
    const r = decodeFrame(bytes);
    if (!r.ok) throw new Error(r.error);
    expect(encodeFrame(r.value)).toEqual(bytes);
    return r.value.payload;
  };

  it('an unknown EtherType (IPv6)', () => {
    const b = encodeFrame(podPing());
    b.set([0x86, 0xdd], 12);
    expect(rawRoundTrip(b)).toMatchObject({ kind: 'raw', ethertype: 0x86dd, bytes: b.slice(14) });
  });

  it('IPv4 options, as a raw 0x0800 payload; decodeIpv4Packet says why', () => {
    const ping = encodeFrame(podPing());
    const b = new Uint8Array(ping.length + 4);
    b.set(ping.subarray(0, 34));
    b.set([1, 1, 1, 0], 34); // NOP NOP NOP EOL
    b.set(ping.subarray(34), 38);
    b[14] = 0x46;
    new DataView(b.buffer).setUint16(16, 88);
    expect(rawRoundTrip(b)).toMatchObject({ kind: 'raw', ethertype: 0x0800 });
    expect(decodeIpv4Packet(b.subarray(14))).toEqual({ ok: false, error: 'IPv4 header at byte 0: 4 bytes of IPv4 options, which podnet does not model' });
  });

  it('an IPv4 fragment (MF set)', () => {
    const b = encodeFrame(podPing());
    b[20] = 0x20; // MF, DF clear
    expect(rawRoundTrip(b)).toMatchObject({ kind: 'raw', ethertype: 0x0800 });
  });

  it('an unknown IP protocol (GRE) as a raw L4 payload', () => {
    const b = encodeFrame(podPing());
    b[23] = 47;
    expect(l4Of(decodeFrame(b))).toEqual({ kind: 'raw', bytes: b.slice(34) });
  });

  it('ARP for something other than Ethernet/IPv4 request/reply', () => {
    const arp = encodeFrame({ eth, payload: { kind: 'arp', arp: { op: 'reply', senderMac: eth.src, senderIp: header.src, targetMac: eth.dst, targetIp: header.dst } } });
    arp[21] = 3; // RARP request
    expect(rawRoundTrip(arp)).toMatchObject({ kind: 'raw', ethertype: 0x0806 });
  });

  it('a VXLAN header with more than the I flag (e.g. GBP) as raw UDP payload', () => {
    const b = encodeFrame(vxlanPodPing());
    b[42] = 0x88;
    expect(l4Of(decodeFrame(b))).toMatchObject({ kind: 'udp', dport: 8472, payload: { kind: 'raw', bytes: b.slice(42) } });
  });

  it('TCP with ECE/CWR or an urgent pointer', () => {
    const b = encodeFrame(frame({ header: { ...header, protocol: IPPROTO_TCP }, payload: tcp({}) }));
    b[47] = 0xc2; // SYN + ECE + CWR (RFC 3168)
    expect(l4Of(decodeFrame(b))).toEqual({ kind: 'raw', bytes: b.slice(34) });
  });

  it('IPv4 payload beyond the UDP length', () => {
    const b = encodeFrame(frame({ header: { ...header, protocol: IPPROTO_UDP }, payload: { kind: 'udp', sport: 1, dport: 53, payload: { kind: 'raw', bytes: new Uint8Array(8) } } }));
    new DataView(b.buffer).setUint16(38, 12);
    expect(l4Of(decodeFrame(b))).toEqual({ kind: 'raw', bytes: b.slice(34) });
  });

  it('ICMP that does not fit the structured messages becomes "other"', () => {
    const echoCode1 = encodeFrame(podPing());
    echoCode1[35] = 1;
    expect(l4Of(decodeFrame(echoCode1))).toMatchObject({ kind: 'icmp', message: { type: 'other', icmpType: 8, code: 1, rest: echoCode1.slice(38) } });
    const unreachableWithMtu = encodeFrame(frame({ header: { ...header, protocol: 1 }, payload: { kind: 'icmp', message: { type: 'dest-unreachable', code: 1, mtu: 0, quoted: new Uint8Array(28) } } }));
    unreachableWithMtu[41] = 9;
    expect(l4Of(decodeFrame(unreachableWithMtu))).toMatchObject({ kind: 'icmp', message: { type: 'other', icmpType: 3, code: 1 } });
  });
});

describe('decoding details', () => {
  it('drops Ethernet padding after the IPv4 total length and after ARP', () => {
    const syn = frame({ header: { ...header, protocol: IPPROTO_TCP }, payload: tcp({}) });
    const padded = new Uint8Array(60);
    padded.set(encodeFrame(syn));
    expect(decodeFrame(padded)).toEqual({ ok: true, value: syn });
    const arp: Frame = { eth, payload: { kind: 'arp', arp: { op: 'request', senderMac: eth.src, senderIp: header.src, targetMac: mac('00:00:00:00:00:00'), targetIp: header.dst } } };
    const arpPadded = new Uint8Array(60);
    arpPadded.set(encodeFrame(arp));
    expect(decodeFrame(arpPadded)).toEqual({ ok: true, value: arp });
  });

  it('decodes UDP to 8472 and 4789 as VXLAN by default, and only the given ports with vxlanPorts', () => {
    const b = encodeFrame(vxlanPodPing());
    expect(decodeFrame(b)).toEqual({ ok: true, value: vxlanPodPing() });
    expect(l4Of(decodeFrame(b, { vxlanPorts: [4789] }))).toMatchObject({ kind: 'udp', payload: { kind: 'raw' } });
    new DataView(b.buffer).setUint16(36, 4789);
    expect(l4Of(decodeFrame(b))).toMatchObject({ kind: 'udp', dport: 4789, payload: { kind: 'vxlan', vni: 1 } });
  });

  it('does not verify checksums (offloaded captures carry partial ones)', () => {
    const b = encodeFrame(podPing());
    b.set([0, 0], 24); // IPv4 header checksum
    b.set([0, 0], 36); // ICMP checksum
    expect(decodeFrame(b)).toEqual({ ok: true, value: podPing() });
  });

  it('decodes into copies: changing the input afterwards changes nothing', () => {
    const b = encodeFrame(podPing());
    const r = decodeFrame(b);
    b.fill(0);
    expect(r).toEqual({ ok: true, value: podPing() });
    const buf = Buffer.from(encodeFrame(vxlanPodPing())); // Buffer.slice() would alias
    const fromBuffer = decodeFrame(buf);
    buf.fill(0);
    expect(fromBuffer).toEqual({ ok: true, value: vxlanPodPing() });
  });
});

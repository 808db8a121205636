import { describe, expect, it } from 'vitest';
import { encodeFrame, encodeIpv4Packet, frameLength } from '../../src/net/encode.js';
import { ipv4 } from '../../src/net/ipv4.js';
import { BROADCAST_MAC, mac, ZERO_MAC } from '../../src/net/mac.js';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, TCP_NO_FLAGS, type Frame, type IcmpMessage, type Ipv4Header, type Ipv4Packet, type L4 } from '../../src/net/packet.js';
import { podPing, vxlanPodPing } from './frames.js';

const hex = (b: Uint8Array, from: number, to: number): string => Buffer.from(b.subarray(from, to)).toString('hex');
const header: Ipv4Header = { src: ipv4('10.244.1.2'), dst: ipv4('10.244.2.2'), ttl: 64, protocol: IPPROTO_ICMP, id: 0, df: true, tos: 0 };
const icmp = (message: IcmpMessage): Ipv4Packet => ({ header, payload: { kind: 'icmp', message } });

describe('encodeFrame', () => {
  it('gives a default ping its real 98 bytes on a veth (no padding, no FCS)', () => {
    const b = encodeFrame(podPing());
    expect(b.length).toBe(98);
    expect(frameLength(podPing())).toBe(98);
    expect(hex(b, 12, 14)).toBe('0800');
    expect(hex(b, 14, 24)).toBe('450000541c4640004001'); // IHL 5, total 84, id, DF, TTL 64, ICMP
    expect(hex(b, 34, 42)).toMatch(/^0800....0b4d0001$/); // echo request, checksum, id, seq
  });

  it('lays out the VXLAN-encapsulated ping as Flannel sends it: 148 bytes', () => {
    const b = encodeFrame(vxlanPodPing());
    expect(b.length).toBe(148);
    expect(hex(b, 14, 24)).toBe('45000086000000004011'); // total 134, no DF, TTL 64, UDP
    expect(hex(b, 34, 42)).toBe('9c40211800720000'); // 40000 -> 8472, length 114, checksum 0
    expect(hex(b, 42, 50)).toBe('0800000000000100'); // RFC 7348: I flag, VNI 1
    expect(hex(b, 50 + 12, 50 + 24)).toBe('0800450000541c4640003f01'); // inner IPv4, total 84, TTL 63
  });

  it('encodes ARP per RFC 826 for Ethernet/IPv4 in 42 bytes', () => {
    const f: Frame = {
      eth: { src: mac('0a:58:0a:f4:01:02'), dst: BROADCAST_MAC },
      payload: { kind: 'arp', arp: { op: 'request', senderMac: mac('0a:58:0a:f4:01:02'), senderIp: ipv4('10.244.1.2'), targetMac: ZERO_MAC, targetIp: ipv4('10.244.1.1') } },
    };
    const b = encodeFrame(f);
    expect(b.length).toBe(42);
    expect(hex(b, 12, 42)).toBe('0806' + '0001080006040001' + '0a580af40102' + '0af40102' + '000000000000' + '0af40101');
  });

  it('writes the next-hop MTU of "fragmentation needed" (RFC 1191) and zero for other ICMP errors', () => {
    const quoted = new Uint8Array(28);
    expect(hex(encodeIpv4Packet(icmp({ type: 'dest-unreachable', code: 4, mtu: 1450, quoted })), 20, 28)).toMatch(/^0304....000005aa$/);
    expect(hex(encodeIpv4Packet(icmp({ type: 'dest-unreachable', code: 3, mtu: 0, quoted })), 20, 28)).toMatch(/^0303....00000000$/);
    expect(hex(encodeIpv4Packet(icmp({ type: 'time-exceeded', code: 0, mtu: 0, quoted })), 20, 28)).toMatch(/^0b00....00000000$/);
  });

  it('writes the TCP data offset from the options and the flags byte', () => {
    const syn: L4 = { kind: 'tcp', sport: 40000, dport: 80, seq: 1, ack: 0, flags: { ...TCP_NO_FLAGS, syn: true }, window: 64240, options: Uint8Array.of(2, 4, 0x05, 0xb4), data: new Uint8Array(0) };
    const b = encodeIpv4Packet({ header: { ...header, protocol: IPPROTO_TCP }, payload: syn });
    expect(b.length).toBe(44);
    expect(hex(b, 20 + 12, 20 + 14)).toBe('6002'); // 6 words, SYN
  });
});

describe('encoding a packet the model should never hold is a bug and throws', () => {
  const udp = (sport: number, bytes = new Uint8Array(0)): Ipv4Packet => ({ header: { ...header, protocol: IPPROTO_UDP }, payload: { kind: 'udp', sport, dport: 53, payload: { kind: 'raw', bytes } } });
  it.each([
    ['a TTL of -1', { ...icmp({ type: 'echo-request', id: 1, seq: 1, data: new Uint8Array(0) }), header: { ...header, ttl: -1 } }, /IPv4 TTL = -1/],
    ['a 17-bit port', udp(65536), /UDP source port = 65536/],
    ['an ICMP payload under protocol 6', { ...icmp({ type: 'echo-request', id: 1, seq: 1, data: new Uint8Array(0) }), header: { ...header, protocol: IPPROTO_TCP } }, /ICMP payload under IPv4 protocol 6/],
    ['an MTU on a non-code-4 unreachable', icmp({ type: 'dest-unreachable', code: 1, mtu: 1400, quoted: new Uint8Array(0) }), /only dest-unreachable code 4/],
    ['an ICMP "other" without its 4-byte rest of header', icmp({ type: 'other', icmpType: 13, code: 0, rest: new Uint8Array(2) }), /at least the 4-byte rest of header/],
    ['a datagram over 65535 bytes', udp(1, new Uint8Array(65535)), /UDP length = 65543/],
    [
      'a 25-bit VNI',
      { header: { ...header, protocol: IPPROTO_UDP }, payload: { kind: 'udp', sport: 1, dport: 8472, payload: { kind: 'vxlan', vni: 0x1000000, frame: podPing() } } },
      /VXLAN VNI = 16777216/,
    ],
    [
      'TCP options that are not whole words',
      { header: { ...header, protocol: IPPROTO_TCP }, payload: { kind: 'tcp', sport: 1, dport: 2, seq: 0, ack: 0, flags: TCP_NO_FLAGS, window: 0, options: new Uint8Array(3), data: new Uint8Array(0) } },
      /3 bytes of TCP options/,
    ],
  ] satisfies [string, Ipv4Packet, RegExp][])('%s', (_name, p, message) => {
    expect(() => encodeIpv4Packet(p)).toThrow(message);
  });
});

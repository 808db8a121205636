import { describe, expect, it } from 'vitest';
import { checksumVerifies, internetChecksum, onesComplementSum, pseudoHeaderSum } from '../../src/net/checksum.js';
import { encodeIpv4Packet } from '../../src/net/encode.js';
import { ipv4 } from '../../src/net/ipv4.js';
import { IPPROTO_UDP, type Ipv4Packet } from '../../src/net/packet.js';

const bytes = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));

describe('RFC 1071 internet checksum', () => {
  it('reproduces the numerical example of RFC 1071 §3', () => {
    // "Byte-by-byte ... 00 01 f2 03 f4 f5 f6 f7": the folded sum is ddf2, the checksum its complement.
    const data = bytes('0001f203f4f5f6f7');
    expect(onesComplementSum(data)).toBe(0xddf2);
    expect(internetChecksum(data)).toBe(0x220d);
  });

  it('pads an odd trailing byte with zero (RFC 1071 §4.1)', () => {
    expect(onesComplementSum(bytes('0001f2'))).toBe(0xf201);
    expect(internetChecksum(bytes('0001f2'))).toBe(0x0dfe);
    expect(internetChecksum(new Uint8Array(0))).toBe(0xffff);
  });

  it('computes the header checksum of a known IPv4 header: 45 00 00 73 00 00 40 00 40 11 [b8 61] c0 a8 00 01 c0 a8 00 c7', () => {
    const header = bytes('450000730000400040110000c0a80001c0a800c7');
    expect(internetChecksum(header)).toBe(0xb861);
    header.set([0xb8, 0x61], 10);
    expect(checksumVerifies(header)).toBe(true);
    header[19] = 0xc8; // one damaged bit
    expect(checksumVerifies(header)).toBe(false);
  });

  it('encodes that same header byte for byte, checksum included', () => {
    const p: Ipv4Packet = {
      header: { src: ipv4('192.168.0.1'), dst: ipv4('192.168.0.199'), ttl: 64, protocol: IPPROTO_UDP, id: 0, df: true, tos: 0 },
      payload: { kind: 'udp', sport: 1, dport: 2, payload: { kind: 'raw', bytes: new Uint8Array(0x73 - 28) } },
    };
    expect(Buffer.from(encodeIpv4Packet(p).subarray(0, 20)).toString('hex')).toBe('45000073000040004011b861c0a80001c0a800c7');
  });

  it('sends a computed UDP checksum of zero as all ones (RFC 768)', () => {
    const src = ipv4('10.244.1.2');
    const dst = ipv4('10.244.2.2');
    const udp = (payload: Uint8Array): Ipv4Packet => ({
      header: { src, dst, ttl: 64, protocol: IPPROTO_UDP, id: 0, df: true, tos: 0 },
      payload: { kind: 'udp', sport: 5353, dport: 53, payload: { kind: 'raw', bytes: payload } },
    });
    const udpChecksum = (p: Ipv4Packet): number => new DataView(encodeIpv4Packet(p).buffer).getUint16(20 + 6);
    // With a zero data word the checksum is c; putting c in that word makes the sum all ones, the checksum 0.
    const c = udpChecksum(udp(new Uint8Array(2)));
    const zeroing = udp(Uint8Array.of(c >> 8, c & 0xff));
    const l4 = encodeIpv4Packet(zeroing).subarray(20);
    expect(onesComplementSum(l4.map((b, i) => (i === 6 || i === 7 ? 0 : b)), pseudoHeaderSum(src, dst, IPPROTO_UDP, l4.length))).toBe(0xffff);
    expect(udpChecksum(zeroing)).toBe(0xffff);
  });
});

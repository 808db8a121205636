import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checksumVerifies, pseudoHeaderSum } from '../../src/net/checksum.js';
import { decodeFrame, decodeIpv4Packet } from '../../src/net/decode.js';
import { encodeFrame, encodeIpv4Packet, frameLength, ipv4Length } from '../../src/net/encode.js';
import type { Frame } from '../../src/net/packet.js';
import { arbFrame, arbPacket } from './arbitraries.js';

const anyFrame = arbFrame(2);
/** Messages name the layer, the offset and what was expected, possibly inside VXLAN. */
const ERROR_SHAPE = /^(inside VXLAN VNI \d+: )*[A-Za-z0-9 ()/-]+ at byte \d+: expected .+, found .+$/;

/** Every checksum the encoder wrote verifies (RFC 1071), at every level of nesting. */
function expectChecksumsVerify(f: Frame, b: Uint8Array): void {
  if (f.payload.kind !== 'ipv4') return;
  const p = f.payload.packet;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  expect(checksumVerifies(b.subarray(14, 34))).toBe(true);
  const l4 = b.subarray(34, 14 + v.getUint16(16));
  const pseudo = pseudoHeaderSum(p.header.src, p.header.dst, p.header.protocol, l4.length);
  const x = p.payload;
  if (x.kind === 'icmp') expect(checksumVerifies(l4)).toBe(true);
  if (x.kind === 'tcp') expect(checksumVerifies(l4, pseudo)).toBe(true);
  if (x.kind === 'udp' && x.payload.kind === 'raw') {
    expect(checksumVerifies(l4, pseudo)).toBe(true);
    expect(v.getUint16(34 + 6)).not.toBe(0); // RFC 768: a computed zero goes out as 0xffff
  }
  if (x.kind === 'udp' && x.payload.kind === 'vxlan') {
    expect(v.getUint16(34 + 6)).toBe(0); // Linux vxlan: no outer UDP checksum over IPv4
    expectChecksumsVerify(x.payload.frame, l4.subarray(16));
  }
}

describe('encode/decode round trip', () => {
  it('decode(encode(frame)) == frame for Ethernet/ARP/IPv4/ICMP/UDP/TCP/raw, VXLAN-nested twice', () => {
    fc.assert(
      fc.property(anyFrame, (f) => {
        const bytes = encodeFrame(f);
        expect(bytes.length).toBe(frameLength(f));
        expect(decodeFrame(bytes)).toEqual({ ok: true, value: f });
      }),
      { numRuns: 400 },
    );
  });

  it('writes IPv4, ICMP, UDP and TCP checksums that verify at every nesting level', () => {
    fc.assert(
      fc.property(anyFrame, (f) => expectChecksumsVerify(f, encodeFrame(f))),
      { numRuns: 300 },
    );
  });

  it('decodeIpv4Packet(encodeIpv4Packet(p)) == p', () => {
    fc.assert(
      fc.property(arbPacket(arbFrame(1)), (p) => {
        const bytes = encodeIpv4Packet(p);
        expect(bytes.length).toBe(ipv4Length(p));
        expect(decodeIpv4Packet(bytes)).toEqual({ ok: true, value: p });
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary bytes; errors say where and what was expected', () => {
    const bytesLikeFrames = fc.oneof(
      fc.uint8Array({ maxLength: 120 }),
      // Random bytes behind a real IPv4 or ARP EtherType reach the deeper decoders.
      fc.tuple(fc.constantFrom(0x00, 0x06), fc.uint8Array({ maxLength: 120 })).map(([lo, rest]) => {
        const b = new Uint8Array(14 + rest.length);
        b[12] = 0x08;
        b[13] = lo;
        b.set(rest, 14);
        return b;
      }),
    );
    fc.assert(
      fc.property(bytesLikeFrames, (b) => {
        const r = decodeFrame(b);
        if (!r.ok) expect(r.error).toMatch(ERROR_SHAPE);
      }),
      { numRuns: 2000 },
    );
  });

  it('reports every truncation of an IPv4 or ARP frame as an error, never a shorter frame', () => {
    const structured = anyFrame.filter((f) => f.payload.kind !== 'raw');
    fc.assert(
      fc.property(structured, fc.nat(), (f, n) => {
        const bytes = encodeFrame(f);
        const r = decodeFrame(bytes.slice(0, n % bytes.length));
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error).toMatch(ERROR_SHAPE);
      }),
      { numRuns: 500 },
    );
  });

  it('decodes corrupted frames to values that round-trip (unmodelled layers stay raw)', () => {
    const corrupted = fc.tuple(anyFrame, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }));
    let decoded = 0;
    fc.assert(
      fc.property(corrupted, ([f, edits]) => {
        const bytes = encodeFrame(f);
        for (const [i, value] of edits) bytes[i % bytes.length] = value;
        const r = decodeFrame(bytes);
        if (!r.ok) {
          expect(r.error).toMatch(ERROR_SHAPE);
          return;
        }
        decoded++;
        expect(decodeFrame(encodeFrame(r.value))).toEqual(r);
      }),
      { numRuns: 1000 },
    );
    expect(decoded).toBeGreaterThan(300);
  });
});

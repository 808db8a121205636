import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/net/decode.js';
import { encodeFrame, encodeIpv4Packet } from '../../src/net/encode.js';
import { internetChecksum } from '../../src/net/checksum.js';
import { frameLength } from '../../src/net/length.js';
import { ipv4 } from '../../src/net/ipv4.js';
import { mac, type Mac } from '../../src/net/mac.js';
import type { Frame, Ipv4Packet, L4 } from '../../src/net/packet.js';
import { readPcap } from '../../src/net/pcap-read.js';
import { writePcap } from '../../src/net/pcap-write.js';
import type { Ipv4 } from '../../src/net/ipv4.js';

const dir = mkdtempSync(join(tmpdir(), 'podnet-wire-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const arbMac = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':') as Mac);
const arbIp = fc.integer({ min: 0, max: 0xffffffff }).map((n) => n as Ipv4);
const arbPort = fc.integer({ min: 0, max: 65535 });
const arbBytes = (max: number) => fc.uint8Array({ maxLength: max });
const arbFlags = fc.record({ fin: fc.boolean(), syn: fc.boolean(), rst: fc.boolean(), psh: fc.boolean(), ack: fc.boolean() });

const arbL4 = (inner: fc.Arbitrary<Frame> | null): fc.Arbitrary<L4> =>
  fc.oneof(
    fc.record({ kind: fc.constant('icmp' as const), message: fc.record({ type: fc.constantFrom('echo-request' as const, 'echo-reply' as const), id: fc.integer({ min: 0, max: 65535 }), seq: fc.integer({ min: 0, max: 65535 }), data: arbBytes(64) }) }),
    fc.record({ kind: fc.constant('udp' as const), sport: arbPort, dport: arbPort.filter((p) => p !== 8472 && p !== 4789), payload: fc.record({ kind: fc.constant('raw' as const), bytes: arbBytes(64) }) }),
    fc.record({
      kind: fc.constant('tcp' as const),
      sport: arbPort,
      dport: arbPort,
      seq: fc.integer({ min: 0, max: 0xffffffff }),
      ack: fc.integer({ min: 0, max: 0xffffffff }),
      flags: arbFlags,
      window: fc.integer({ min: 0, max: 65535 }),
      options: fc.integer({ min: 0, max: 10 }).map((n) => new Uint8Array(n * 4).fill(1)),
      data: arbBytes(64),
    }),
    ...(inner ? [fc.record({ kind: fc.constant('udp' as const), sport: arbPort, dport: fc.constant(8472), payload: fc.record({ kind: fc.constant('vxlan' as const), vni: fc.integer({ min: 0, max: 0xffffff }), frame: inner }) })] : []),
  );

const arbPacket = (inner: fc.Arbitrary<Frame> | null): fc.Arbitrary<Ipv4Packet> =>
  arbL4(inner).chain((payload) =>
    fc.record({
      header: fc.record({ src: arbIp, dst: arbIp, ttl: fc.integer({ min: 0, max: 255 }), protocol: fc.constant(payload.kind === 'icmp' ? 1 : payload.kind === 'udp' ? 17 : payload.kind === 'tcp' ? 6 : 99), id: fc.integer({ min: 0, max: 65535 }), df: fc.boolean(), tos: fc.integer({ min: 0, max: 255 }) }),
      payload: fc.constant(payload),
    }),
  );

const arbFrame = (inner: fc.Arbitrary<Frame> | null): fc.Arbitrary<Frame> =>
  fc.record({
    eth: fc.record({ src: arbMac, dst: arbMac }),
    payload: fc.oneof(
      fc.record({ kind: fc.constant('ipv4' as const), packet: arbPacket(inner) }),
      fc.record({ kind: fc.constant('arp' as const), arp: fc.record({ op: fc.constantFrom('request' as const, 'reply' as const), senderMac: arbMac, senderIp: arbIp, targetMac: arbMac, targetIp: arbIp }) }),
    ),
  });

const anyFrame = arbFrame(arbFrame(null));

describe('wire formats', () => {
  it('decode(encode(frame)) == frame, including VXLAN-nested frames', () => {
    fc.assert(
      fc.property(anyFrame, (f) => {
        const bytes = encodeFrame(f);
        expect(bytes.length).toBe(frameLength(f));
        const back = decodeFrame(bytes);
        expect(back).toEqual({ ok: true, value: f });
      }),
      { numRuns: 300 },
    );
  });

  it('computes the RFC 1071 checksum of a known IPv4 header', () => {
    // A classic worked example: 45 00 00 73 00 00 40 00 40 11 [b8 61] c0 a8 00 01 c0 a8 00 c7.
    const h = Uint8Array.from([0x45, 0, 0, 0x73, 0, 0, 0x40, 0, 0x40, 0x11, 0, 0, 0xc0, 0xa8, 0, 1, 0xc0, 0xa8, 0, 0xc7]);
    expect(internetChecksum(h)).toBe(0xb861);
    const p: Ipv4Packet = { header: { src: ipv4('192.168.0.1'), dst: ipv4('192.168.0.199'), ttl: 64, protocol: 17, id: 0, df: true, tos: 0 }, payload: { kind: 'udp', sport: 1, dport: 2, payload: { kind: 'raw', bytes: new Uint8Array(0x73 - 28) } } };
    expect([...encodeIpv4Packet(p).slice(10, 12)]).toEqual([0xb8, 0x61]);
  });

  it('reports truncated or garbage bytes as values with the offset', () => {
    expect(decodeFrame(new Uint8Array(10))).toMatchObject({ ok: false, error: expect.stringMatching(/truncated Ethernet header at byte 0/) });
    const f: Frame = { eth: { src: mac('02:00:00:00:00:01'), dst: mac('02:00:00:00:00:02') }, payload: { kind: 'ipv4', packet: { header: { src: ipv4('10.0.0.1'), dst: ipv4('10.0.0.2'), ttl: 64, protocol: 1, id: 0, df: true, tos: 0 }, payload: { kind: 'icmp', message: { type: 'echo-request', id: 1, seq: 1, data: new Uint8Array(56) } } } } };
    const cut = encodeFrame(f).slice(0, 40);
    expect(decodeFrame(cut)).toMatchObject({ ok: false, error: expect.stringMatching(/IPv4 total length 84 at byte 16/) });
  });

  it('round-trips frames through a pcap file read by pcap-parser', async () => {
    const frames = fc.sample(anyFrame, { numRuns: 20, seed: 7 });
    const file = join(dir, 'rt.pcap');
    writeFileSync(file, writePcap(frames.map((f, i) => ({ timestampMicros: 1_000_000 + i, bytes: encodeFrame(f) }))));
    const r = await readPcap(file);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.map((x) => x.frame)).toEqual(frames.map((f) => ({ ok: true, value: f })));
    expect(r.value[1]?.timestampMicros).toBe(1_000_001);
  });

  it('rejects garbage and truncated pcap files with a message naming the file', async () => {
    const garbage = join(dir, 'garbage.pcap');
    writeFileSync(garbage, 'this is not a capture at all, just text');
    const g = await readPcap(garbage);
    expect(g).toMatchObject({ ok: false, error: { file: garbage, message: expect.stringMatching(/not a pcap file: magic/) } });
    const trunc = join(dir, 'trunc.pcap');
    writeFileSync(trunc, writePcap([{ timestampMicros: 0, bytes: new Uint8Array(60) }]).slice(0, 24 + 16 + 30));
    const t = await readPcap(trunc);
    expect(t).toMatchObject({ ok: false, error: { file: trunc, message: expect.stringMatching(/truncated|corrupt/) } });
  });
});

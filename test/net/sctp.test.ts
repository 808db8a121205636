import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32c } from '../../src/net/crc32c.js';
import { decodeFrame, decodeIpv4Packet } from '../../src/net/decode.js';
import { encodeFrame, encodeIpv4Packet, frameLength } from '../../src/net/encode.js';
import { ipv4 } from '../../src/net/ipv4.js';
import { mac } from '../../src/net/mac.js';
import { IPPROTO_SCTP, IPPROTO_TCP, portsOf, type Frame, type Ipv4Packet, type SctpPacket } from '../../src/net/packet.js';
import { writePcap } from '../../src/net/pcap-write.js';
import { tupleOfPacket } from '../../src/kernel/conntrack/tuple.js';
import { rewriteDst } from '../../src/kernel/conntrack/rewrite.js';
import { describePacket } from '../../src/trace/describe.js';

const hex = (b: Uint8Array, from: number, to?: number): string => Buffer.from(b.subarray(from, to)).toString('hex');
const header = { src: ipv4('10.180.0.2'), dst: ipv4('172.30.0.42'), ttl: 64, protocol: IPPROTO_SCTP, id: 0, df: true, tos: 0 };
const INIT: SctpPacket = {
  kind: 'sctp',
  sport: 40000,
  dport: 53,
  vtag: 0,
  chunks: { kind: 'init', initiateTag: 0x12345678, arwnd: 106496, outboundStreams: 10, inboundStreams: 65535, initialTsn: 0xdeadbeef },
};
const init: Ipv4Packet = { header, payload: INIT };
const frame: Frame = { eth: { src: mac('0a:58:0a:b4:00:02'), dst: mac('0a:58:0a:b4:00:01') }, payload: { kind: 'ipv4', packet: init } };

describe('CRC32c (RFC 9260 Appendix A, RFC 3309)', () => {
  it('gives the standard check value for "123456789"', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
  });

  it('matches the CRC32c examples of RFC 3720 §B.4 (same polynomial)', () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(new Uint8Array())).toBe(0);
  });
});

describe('SCTP encode (RFC 9260 §3.1, §3.3.2)', () => {
  const b = encodeIpv4Packet(init);

  it('lays out the common header and a bare INIT chunk: 20 + 12 + 20 bytes', () => {
    expect(b.length).toBe(52);
    expect(frameLength(frame)).toBe(66);
    expect(hex(b, 2, 4)).toBe('0034'); // IPv4 total length 52
    expect(b[9]).toBe(132); // IPv4 protocol SCTP
    expect(hex(b, 20, 28)).toBe('9c40' + '0035' + '00000000'); // ports 40000 > 53, verification tag 0
    expect(hex(b, 32)).toBe('01000014' + '12345678' + '0001a000' + '000a' + 'ffff' + 'deadbeef');
  });

  it('stores CRC32c over the packet with the checksum zeroed, low byte first (sctp_compute_cksum)', () => {
    const sctp = b.slice(20);
    const stored = new DataView(sctp.buffer).getUint32(8, true);
    sctp.fill(0, 8, 12);
    expect(stored).toBe(crc32c(sctp));
    // A changed port changes the checksum: it is computed, never stored in the model.
    const other = encodeIpv4Packet({ header, payload: { ...INIT, dport: 54 } });
    expect(hex(other, 28, 32)).not.toBe(hex(b, 28, 32));
  });

  it('throws on what RFC 9260 forbids or the model cannot write', () => {
    const bad = (chunks: SctpPacket['chunks']) => () => encodeIpv4Packet({ header, payload: { ...INIT, chunks } });
    expect(bad({ ...(INIT.chunks as Extract<SctpPacket['chunks'], { kind: 'init' }>), initiateTag: 0 })).toThrow(/Initiate Tag 0/);
    expect(bad({ ...(INIT.chunks as Extract<SctpPacket['chunks'], { kind: 'init' }>), inboundStreams: 0 })).toThrow(/0 streams/);
    expect(bad({ kind: 'raw', bytes: new Uint8Array(3) })).toThrow(/multiple of 4/);
    expect(() => encodeIpv4Packet({ header: { ...header, protocol: IPPROTO_TCP }, payload: INIT })).toThrow(/SCTP payload under IPv4 protocol 6/);
  });
});

describe('SCTP decode', () => {
  it('round-trips an INIT, and chunks other than a lone INIT as raw chunk bytes', () => {
    expect(decodeFrame(encodeFrame(frame))).toEqual({ ok: true, value: frame });
    const abort: Ipv4Packet = { header, payload: { ...INIT, vtag: 0x12345678, chunks: { kind: 'raw', bytes: Uint8Array.of(6, 0, 0, 4) } } };
    expect(decodeIpv4Packet(encodeIpv4Packet(abort))).toEqual({ ok: true, value: abort });
  });

  it('keeps an unpadded SCTP packet raw and reports a truncated common header', () => {
    const b = encodeIpv4Packet(init).slice(0, 20 + 14);
    const v = new DataView(b.buffer);
    v.setUint16(2, 34);
    v.setUint16(10, 0);
    const r = decodeIpv4Packet(b);
    expect(r.ok && r.value.payload.kind).toBe('raw');
    v.setUint16(2, 28);
    const short = decodeIpv4Packet(b.slice(0, 28));
    expect(short).toEqual({ ok: false, error: 'SCTP common header at byte 20: expected 12 bytes, found 8 (truncated)' });
  });
});

describe('SCTP in the rest of the model', () => {
  it('has ports for conntrack (nf_conntrack_proto_sctp) and NAT (sctp_manip_pkt), and a tcpdump-like line', () => {
    expect(portsOf(init)).toEqual({ sport: 40000, dport: 53 });
    expect(tupleOfPacket(init)?.l4).toEqual({ kind: 'ports', sport: 40000, dport: 53 });
    const dnat = rewriteDst(init, { addr: ipv4('10.180.2.1'), port: 5353 });
    expect(dnat.payload).toEqual({ ...INIT, dport: 5353 });
    expect(describePacket(init)).toBe(`SCTP 10.180.0.2:40000 > 172.30.0.42:53 [INIT] [init tag: ${0x12345678}]`);
  });
});

const TSHARK = '/usr/bin/tshark';
const hasTshark = existsSync(TSHARK);

describe.skipIf(!hasTshark)(`tshark decodes podnet's SCTP INIT${hasTshark ? '' : ` (SKIPPED: tshark not found at ${TSHARK})`}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-sctp-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('without malformed-packet warnings and with a good CRC32c', () => {
    const file = join(dir, 'init.pcap');
    const dnat = rewriteDst(init, { addr: ipv4('10.180.2.1'), port: 5353 });
    const frames = [frame, { ...frame, payload: { kind: 'ipv4' as const, packet: dnat } }].map(encodeFrame);
    // The oracle must be able to say "bad": the same INIT with one checksum byte flipped.
    const corrupt = encodeFrame(frame);
    corrupt[14 + 20 + 8] = (corrupt[14 + 20 + 8] ?? 0) ^ 0xff;
    writeFileSync(file, writePcap([...frames, corrupt].map((bytes, i) => ({ timestampMicros: 1_700_000_000_000_000 + i, bytes }))));
    const fields = ['sctp.srcport', 'sctp.dstport', 'sctp.verification_tag', 'sctp.checksum.status', 'sctp.chunk_type', 'sctp.init_initiate_tag', 'sctp.init_credit', 'sctp.init_nr_out_streams', 'sctp.init_nr_in_streams', 'sctp.init_initial_tsn', '_ws.malformed', '_ws.expert.severity'];
    const out = execFileSync(TSHARK, ['-n', '-r', file, '-o', 'sctp.checksum:CRC 32c', '-T', 'fields', '-E', 'occurrence=a', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const rows = out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
    // sctp.checksum.status: 1 = Good, 0 = Bad; the bad checksum is the only expert info.
    expect(rows).toEqual([
      ['40000', '53', '0x00000000', '1', '1', '0x12345678', '106496', '10', '65535', '3735928559', '', ''],
      ['40000', '5353', '0x00000000', '1', '1', '0x12345678', '106496', '10', '65535', '3735928559', '', ''],
      ['40000', '53', '0x00000000', '0', '1', '0x12345678', '106496', '10', '65535', '3735928559', '', expect.stringMatching(/^\d+$/)],
    ]);
  });
});

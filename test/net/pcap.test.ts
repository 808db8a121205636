import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { formatInputError } from '../../src/lib/input-error.js';
import { encodeFrame } from '../../src/net/encode.js';
import { parsePcap, readPcap } from '../../src/net/pcap-read.js';
import { writePcap } from '../../src/net/pcap-write.js';
import { arbFrame } from './arbitraries.js';
import { podPing, vxlanPodPing } from './frames.js';

const dir = mkdtempSync(join(tmpdir(), 'podnet-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('writePcap', () => {
  it('writes the classic libpcap header: magic a1b2c3d4, v2.4, snaplen 262144, Ethernet', () => {
    const b = writePcap([{ timestampMicros: 1_500_000, bytes: encodeFrame(podPing()) }]);
    const hex = Buffer.from(b).toString('hex');
    // Little-endian: magic, 2, 4, thiszone 0, sigfigs 0, snaplen 0x40000, LINKTYPE_ETHERNET.
    expect(hex.slice(0, 48)).toBe('d4c3b2a1' + '0200' + '0400' + '00000000' + '00000000' + '00000400' + '01000000');
    // Record: ts_sec 1, ts_usec 500000, incl_len = orig_len = 98.
    expect(hex.slice(48, 80)).toBe('01000000' + '20a10700' + '62000000' + '62000000');
    expect(b.length).toBe(24 + 16 + 98);
  });

  it('takes seconds + microseconds as well, and rejects timestamps it cannot represent', () => {
    const bytes = encodeFrame(podPing());
    expect(writePcap([{ ts: { seconds: 1, micros: 500000 }, bytes }])).toEqual(writePcap([{ timestampMicros: 1_500_000, bytes }]));
    expect(() => writePcap([{ timestampMicros: -1, bytes }])).toThrow(/record 0: timestamp -1/);
    expect(() => writePcap([{ ts: { seconds: 0, micros: 1e6 }, bytes }])).toThrow(/out of range/);
  });
});

describe('readPcap (pcap-parser)', () => {
  it('round-trips random frames, VXLAN-nested included, with their timestamps', async () => {
    const frames = fc.sample(arbFrame(2), { numRuns: 50, seed: 7 });
    const path = file('rt.pcap', writePcap(frames.map((f, i) => ({ timestampMicros: 1_700_000_000_000_000 + i * 250_001, bytes: encodeFrame(f) }))));
    const r = await readPcap(path);
    if (!r.ok) throw new Error(formatInputError(r.error));
    expect(r.value.map((x) => x.frame)).toEqual(frames.map((f) => ({ ok: true, value: f })));
    expect(r.value[4]).toMatchObject({ index: 5, ts: { seconds: 1_700_000_001, micros: 4 }, timestampMicros: 1_700_000_001_000_004 });
    expect(r.value.every((x) => x.originalLength === x.bytes.length)).toBe(true);
  });

  it('reads a big-endian file too', async () => {
    const le = writePcap([{ timestampMicros: 3, bytes: encodeFrame(vxlanPodPing()) }]);
    const be = Uint8Array.from(le);
    const v = new DataView(be.buffer);
    const swap32 = (o: number) => v.setUint32(o, v.getUint32(o, true));
    const swap16 = (o: number) => v.setUint16(o, v.getUint16(o, true));
    [0, 8, 12, 16, 20, 24, 28, 32, 36].forEach(swap32);
    [4, 6].forEach(swap16);
    expect(be.subarray(0, 4)).toEqual(Uint8Array.of(0xa1, 0xb2, 0xc3, 0xd4));
    const r = await parsePcap(be, 'be.pcap');
    expect(r).toMatchObject({ ok: true, value: [{ ts: { seconds: 0, micros: 3 }, frame: { ok: true, value: vxlanPodPing() } }] });
  });

  it('keeps a frame it cannot decode as a per-record error; the file itself is fine', async () => {
    const r = await parsePcap(writePcap([{ timestampMicros: 0, bytes: new Uint8Array(10) }, { timestampMicros: 1, bytes: encodeFrame(podPing()) }]), 'mixed.pcap');
    expect(r).toMatchObject({ ok: true, value: [{ frame: { ok: false, error: 'Ethernet header at byte 0: expected 14 bytes, found 10 (truncated)' } }, { frame: { ok: true } }] });
  });

  it('reads an empty capture (header only) as no records', async () => {
    expect(await parsePcap(writePcap([]), 'empty.pcap')).toEqual({ ok: true, value: [] });
  });
});

describe('readPcap on files that are not good pcaps: an InputError naming the file, never a throw', () => {
  const good = writePcap([
    { timestampMicros: 0, bytes: encodeFrame(podPing()) },
    { timestampMicros: 1, bytes: encodeFrame(vxlanPodPing()) },
  ]);
  const withHeader = (edit: (v: DataView) => void): Uint8Array => {
    const b = Uint8Array.from(good);
    edit(new DataView(b.buffer));
    return b;
  };
  mkdirSync(join(dir, 'a-directory.pcap'));

  it.each([
    ['text', () => file('garbage.pcap', 'this is not a capture at all, just some text'), /^pcap magic number at byte 0: expected a1b2c3d4 \(or d4c3b2a1, byte-swapped\), found 74686973; this is not a pcap file$/],
    ['pcapng', () => file('ng.pcap', Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a, ...new Array<number>(28).fill(0))), /found 0a0d0d0a; this is a pcapng file, convert it with `editcap -F pcap IN OUT`$/],
    ['nanosecond pcap', () => file('ns.pcap', withHeader((v) => v.setUint32(0, 0xa1b23c4d, true))), /found 4d3cb2a1; this is a nanosecond pcap/],
    ['empty', () => file('zero.pcap', new Uint8Array(0)), /^the file is empty; expected a pcap capture$/],
    ['a cut global header', () => file('short.pcap', good.slice(0, 10)), /^expected a 24-byte pcap global header, found 10 bytes \(truncated\)$/],
    ['a cut record header', () => file('cut-rec.pcap', good.slice(0, 24 + 16 + 98 + 5)), /^record 2 at byte 138: expected a 16-byte record header, found 5 bytes \(truncated\)$/],
    ['a cut frame', () => file('cut-frame.pcap', good.slice(0, 24 + 16 + 50)), /^record 1 at byte 24: expected the 98 captured bytes its header declares, found 50 \(truncated\)$/],
    ['a huge captured length', () => file('huge.pcap', withHeader((v) => v.setUint32(24 + 8, 0xffffffff, true))), /^record 1 at byte 24: expected the 4294967295 captured bytes/],
    ['version 1.0', () => file('v1.pcap', withHeader((v) => (v.setUint16(4, 1, true), v.setUint16(6, 0, true)))), /^pcap version at byte 4: expected 2.4, found 1.0$/],
    ['version 2.3', () => file('v23.pcap', withHeader((v) => v.setUint16(6, 3, true))), /^pcap version at byte 4: expected 2.4, found 2.3$/],
    ['Linux cooked capture', () => file('sll.pcap', withHeader((v) => v.setUint32(20, 113, true))), /^link-layer type at byte 20: expected 1 \(Ethernet\), found 113 \(Linux cooked \(tcpdump -i any\)\); capture on one interface instead$/],
    ['a missing file', () => join(dir, 'nope.pcap'), /^cannot read the file: no such file$/],
    ['a directory', () => join(dir, 'a-directory.pcap'), /^cannot read the file: it is a directory$/],
  ] satisfies [string, () => string, RegExp][])('%s', async (_name, make, message) => {
    const path = make();
    const r = await readPcap(path);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.file).toBe(path);
    expect(r.error.message).toMatch(message);
    expect(formatInputError(r.error)).toBe(`${path}: ${r.error.message}`);
  });
});

import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import pcapParser from 'pcap-parser';
import { inputError, type InputError } from '../lib/input-error.js';
import { err, ok, type Result } from '../lib/result.js';
import { decodeFrame, type DecodeOptions } from './decode.js';
import type { Frame } from './packet.js';
import { LINKTYPE_ETHERNET, PCAP_GLOBAL_HEADER_LEN, PCAP_RECORD_HEADER_LEN, PCAP_VERSION_MAJOR, PCAP_VERSION_MINOR, type PcapTimestamp } from './pcap-write.js';

/** One record of a pcap file; a frame podnet cannot decode keeps the reason, the file is still fine. */
export interface PcapReadRecord {
  /** 1-based, as Wireshark numbers frames. */
  readonly index: number;
  readonly ts: PcapTimestamp;
  readonly timestampMicros: number;
  readonly bytes: Uint8Array;
  /** Length on the wire; more than bytes.length when the capture cut the frame at its snaplen. */
  readonly originalLength: number;
  readonly frame: Result<Frame, string>;
}

/**
 * Read a classic pcap file (Ethernet link type) with pcap-parser. Whatever is wrong with the file
 * itself (missing, not a pcap, pcapng, truncated, another link type) is an InputError naming it.
 */
export async function readPcap(file: string, opts: DecodeOptions = {}): Promise<Result<PcapReadRecord[], InputError>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    return err(inputError(file, `cannot read the file: ${fsProblem(e)}`));
  }
  return parsePcap(bytes, file, opts);
}

/**
 * Parse pcap bytes already in memory; `file` names them in errors. The bytes go to pcap-parser as
 * one chunk (its multi-chunk path uses the deprecated `new Buffer` and warns on stderr).
 */
export function parsePcap(bytes: Uint8Array, file: string, opts: DecodeOptions = {}): Promise<Result<PcapReadRecord[], InputError>> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return new Promise((resolve, reject) => {
    const records: PcapReadRecord[] = [];
    let sawHeader = false;
    let done = false;
    const fail = (message: string): void => {
      done = true;
      resolve(err(inputError(file, message)));
    };
    // pcap-parser calls these from a stream 'data' handler: a throw there would escape the Promise.
    const guard =
      <A extends unknown[]>(fn: (...args: A) => void) =>
      (...args: A): void => {
        if (done) return;
        try {
          fn(...args);
        } catch (e) {
          done = true;
          reject(e);
        }
      };
    const parser = pcapParser.parse(Readable.from([buf]));
    parser.on(
      'globalHeader',
      guard((h) => {
        sawHeader = true;
        const problem = headerProblem(h);
        if (problem !== null) fail(problem);
      }),
    );
    parser.on(
      'packet',
      guard((p) => {
        const bytes = new Uint8Array(p.data); // a copy: p.data is a view of the whole file
        const ts = { seconds: p.header.timestampSeconds, micros: p.header.timestampMicroseconds };
        const index = records.length + 1;
        records.push({ index, ts, timestampMicros: ts.seconds * 1e6 + ts.micros, bytes, originalLength: p.header.originalLength, frame: decodeFrame(bytes, opts) });
      }),
    );
    parser.on(
      'error',
      guard((e) => fail(magicProblem(buf) ?? versionProblem(buf) ?? `not a readable pcap file: ${e.message}`)),
    );
    parser.on(
      'end',
      guard(() => {
        if (!sawHeader) {
          return fail(buf.length === 0 ? 'the file is empty; expected a pcap capture' : `expected a ${PCAP_GLOBAL_HEADER_LEN}-byte pcap global header, found ${buf.length} bytes (truncated)`);
        }
        const consumed = records.reduce((n, r) => n + PCAP_RECORD_HEADER_LEN + r.bytes.length, PCAP_GLOBAL_HEADER_LEN);
        if (consumed < buf.length) return fail(truncation(buf, consumed, records.length + 1));
        done = true;
        resolve(ok(records));
      }),
    );
  });
}

const LINKTYPE_NAMES: Readonly<Record<number, string>> = { 0: 'BSD loopback', 101: 'raw IP', 113: 'Linux cooked (tcpdump -i any)', 276: 'Linux cooked v2' };

function headerProblem(h: pcapParser.GlobalHeader): string | null {
  if (h.majorVersion !== PCAP_VERSION_MAJOR || h.minorVersion !== PCAP_VERSION_MINOR) {
    return `pcap version at byte 4: expected ${PCAP_VERSION_MAJOR}.${PCAP_VERSION_MINOR}, found ${h.majorVersion}.${h.minorVersion}`;
  }
  if (h.linkLayerType !== LINKTYPE_ETHERNET) {
    const name = LINKTYPE_NAMES[h.linkLayerType];
    return `link-layer type at byte 20: expected ${LINKTYPE_ETHERNET} (Ethernet), found ${h.linkLayerType}${name ? ` (${name}); capture on one interface instead` : ''}`;
  }
  return null;
}

function magicProblem(buf: Buffer): string | null {
  const magic = buf.subarray(0, 4).toString('hex');
  if (magic === 'a1b2c3d4' || magic === 'd4c3b2a1') return null;
  const hint =
    magic === '0a0d0d0a'
      ? '; this is a pcapng file, convert it with `editcap -F pcap IN OUT`'
      : magic === 'a1b23c4d' || magic === '4d3cb2a1'
        ? '; this is a nanosecond pcap, convert it with `editcap -F pcap IN OUT`'
        : '; this is not a pcap file';
  return `pcap magic number at byte 0: expected a1b2c3d4 (or d4c3b2a1, byte-swapped), found ${magic}${hint}`;
}

function versionProblem(buf: Buffer): string | null {
  if (buf.length < 8) return null;
  const le = buf[0] === 0xd4;
  const major = le ? buf.readUInt16LE(4) : buf.readUInt16BE(4);
  const minor = le ? buf.readUInt16LE(6) : buf.readUInt16BE(6);
  return headerProblem({ magicNumber: 0, majorVersion: major, minorVersion: minor, gmtOffset: 0, timestampAccuracy: 0, snapshotLength: 0, linkLayerType: LINKTYPE_ETHERNET });
}

/** pcap-parser stops silently at a partial record; say which one and how much is missing. */
function truncation(buf: Buffer, at: number, index: number): string {
  const left = buf.length - at;
  if (left < PCAP_RECORD_HEADER_LEN) return `record ${index} at byte ${at}: expected a ${PCAP_RECORD_HEADER_LEN}-byte record header, found ${left} bytes (truncated)`;
  const captured = buf[0] === 0xd4 ? buf.readUInt32LE(at + 8) : buf.readUInt32BE(at + 8);
  return `record ${index} at byte ${at}: expected the ${captured} captured bytes its header declares, found ${left - PCAP_RECORD_HEADER_LEN} (truncated)`;
}

function fsProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return e instanceof Error ? e.message : String(e);
}

import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import * as pcapParser from 'pcap-parser';
import type { PcapGlobalHeader, PcapPacket } from 'pcap-parser';
import { inputError, type InputError } from '../lib/input-error.js';
import { err, ok, type Result } from '../lib/result.js';
import { decodeFrame, type DecodeOptions } from './decode.js';
import type { Frame } from './packet.js';

export interface PcapReadRecord {
  readonly index: number;
  readonly timestampMicros: number;
  readonly bytes: Uint8Array;
  /** The decoded frame, or why it could not be decoded (the file itself is still fine). */
  readonly frame: Result<Frame, string>;
}

const LINKTYPE_ETHERNET = 1;

/**
 * Read a classic pcap file with pcap-parser. A file that is not a pcap (bad magic, truncated
 * header, a link type other than Ethernet) is an InputError naming the file; a frame podnet cannot
 * decode is kept with its reason.
 */
export async function readPcap(file: string, opts: DecodeOptions = {}): Promise<Result<PcapReadRecord[], InputError>> {
  let head: Buffer;
  try {
    head = await readFile(file);
  } catch (e) {
    return err(inputError(file, `cannot read the file: ${(e as Error).message}`));
  }
  if (head.length < 24) return err(inputError(file, `not a pcap file: ${head.length} bytes, a pcap header alone is 24`));
  const magic = head.readUInt32LE(0);
  if (magic !== 0xa1b2c3d4 && magic !== 0xd4c3b2a1) {
    const ng = magic === 0x0a0d0d0a ? ' (this is pcapng; convert it with `editcap -F pcap IN OUT`)' : '';
    return err(inputError(file, `not a pcap file: magic 0x${magic.toString(16).padStart(8, '0')}, expected 0xa1b2c3d4${ng}`));
  }
  return new Promise((resolve) => {
    const records: PcapReadRecord[] = [];
    let failed = false;
    const parser = pcapParser.parse(Readable.from(head));
    parser.on('globalHeader', (h: PcapGlobalHeader) => {
      if (h.linkLayerType !== LINKTYPE_ETHERNET) {
        failed = true;
        resolve(err(inputError(file, `link type ${h.linkLayerType}; podnet reads Ethernet captures (link type 1) only`)));
      }
    });
    parser.on('packet', (p: PcapPacket) => {
      const bytes = new Uint8Array(p.data);
      records.push({ index: records.length + 1, timestampMicros: p.header.timestampSeconds * 1e6 + p.header.timestampMicroseconds, bytes, frame: decodeFrame(bytes, opts) });
    });
    parser.on('error', (e: Error) => {
      if (!failed) resolve(err(inputError(file, `corrupt pcap after ${records.length} packets: ${e.message}`)));
      failed = true;
    });
    parser.on('end', () => {
      if (failed) return;
      // pcap-parser stops silently on a truncated record; compare what was consumed.
      const consumed = 24 + records.reduce((n, r) => n + 16 + r.bytes.length, 0);
      if (consumed !== head.length) resolve(err(inputError(file, `truncated pcap: ${head.length - consumed} trailing bytes after packet ${records.length} do not form a whole record`)));
      else resolve(ok(records));
    });
  });
}


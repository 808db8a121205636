/**
 * The classic libpcap file format (https://wiki.wireshark.org/Development/LibpcapFileFormat,
 * draft-ietf-opsawg-pcap): a 24-byte global header, then per frame a 16-byte record header and the
 * frame bytes. Timestamps come from the caller so the same input always gives the same file.
 */

export const PCAP_MAGIC = 0xa1b2c3d4; // microsecond timestamps
export const PCAP_VERSION_MAJOR = 2;
export const PCAP_VERSION_MINOR = 4;
export const PCAP_SNAPLEN = 262144; // what tcpdump and Wireshark use by default
export const LINKTYPE_ETHERNET = 1;
export const PCAP_GLOBAL_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;

export interface PcapTimestamp {
  readonly seconds: number;
  /** 0 to 999999. */
  readonly micros: number;
}

/** One captured frame, stamped either in microseconds or as seconds + microseconds. */
export type PcapRecord = { readonly bytes: Uint8Array } & ({ readonly timestampMicros: number } | { readonly ts: PcapTimestamp });

/**
 * Written little-endian, as libpcap does on x86; readers tell the byte order from the magic.
 * A timestamp out of range or a frame longer than the snaplen is a caller bug and throws.
 */
export function writePcap(records: readonly PcapRecord[]): Uint8Array {
  const size = PCAP_GLOBAL_HEADER_LEN + records.reduce((n, r) => n + PCAP_RECORD_HEADER_LEN + r.bytes.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, PCAP_MAGIC, true);
  v.setUint16(4, PCAP_VERSION_MAJOR, true);
  v.setUint16(6, PCAP_VERSION_MINOR, true);
  v.setInt32(8, 0, true); // thiszone: timestamps are UTC
  v.setUint32(12, 0, true); // sigfigs: always 0
  v.setUint32(16, PCAP_SNAPLEN, true);
  v.setUint32(20, LINKTYPE_ETHERNET, true);
  let o = PCAP_GLOBAL_HEADER_LEN;
  records.forEach((r, i) => {
    const ts = 'ts' in r ? r.ts : splitMicros(r.timestampMicros, i);
    checkTimestamp(ts, i);
    if (r.bytes.length > PCAP_SNAPLEN) throw new RangeError(`pcap record ${i}: ${r.bytes.length} bytes exceed the snaplen ${PCAP_SNAPLEN}`);
    v.setUint32(o, ts.seconds, true); // ts_sec
    v.setUint32(o + 4, ts.micros, true); // ts_usec
    v.setUint32(o + 8, r.bytes.length, true); // incl_len: nothing is cut off
    v.setUint32(o + 12, r.bytes.length, true); // orig_len
    out.set(r.bytes, o + PCAP_RECORD_HEADER_LEN);
    o += PCAP_RECORD_HEADER_LEN + r.bytes.length;
  });
  return out;
}

function splitMicros(us: number, i: number): PcapTimestamp {
  if (!Number.isSafeInteger(us) || us < 0) throw new RangeError(`pcap record ${i}: timestamp ${us} µs is not a non-negative integer`);
  return { seconds: Math.floor(us / 1e6), micros: us % 1e6 };
}

function checkTimestamp(ts: PcapTimestamp, i: number): void {
  const okSeconds = Number.isInteger(ts.seconds) && ts.seconds >= 0 && ts.seconds <= 0xffffffff;
  const okMicros = Number.isInteger(ts.micros) && ts.micros >= 0 && ts.micros < 1e6;
  if (!okSeconds || !okMicros) throw new RangeError(`pcap record ${i}: timestamp ${ts.seconds}s ${ts.micros}µs is out of range`);
}

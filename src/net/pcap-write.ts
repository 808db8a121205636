/** One captured frame: when (µs since the epoch of the capture) and its bytes. */
export interface PcapRecord {
  readonly timestampMicros: number;
  readonly bytes: Uint8Array;
}

const LINKTYPE_ETHERNET = 1;
const SNAPLEN = 262144;

/** The classic libpcap format (magic 0xa1b2c3d4, version 2.4), little-endian. */
export function writePcap(records: readonly PcapRecord[]): Uint8Array {
  const size = 24 + records.reduce((n, r) => n + 16 + r.bytes.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setInt32(8, 0, true); // thiszone
  v.setUint32(12, 0, true); // sigfigs
  v.setUint32(16, SNAPLEN, true);
  v.setUint32(20, LINKTYPE_ETHERNET, true);
  let o = 24;
  for (const r of records) {
    v.setUint32(o, Math.floor(r.timestampMicros / 1e6), true);
    v.setUint32(o + 4, r.timestampMicros % 1e6, true);
    v.setUint32(o + 8, r.bytes.length, true);
    v.setUint32(o + 12, r.bytes.length, true);
    out.set(r.bytes, o + 16);
    o += 16 + r.bytes.length;
  }
  return out;
}

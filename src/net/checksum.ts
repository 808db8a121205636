/**
 * The Internet checksum of RFC 1071, used by the IPv4 header (RFC 791), ICMP (RFC 792), UDP
 * (RFC 768) and TCP (RFC 793).
 */

/**
 * RFC 1071 §1: the 16-bit one's-complement sum of `bytes` taken as big-endian 16-bit words, added
 * to `initial` (a pseudo-header sum), folded to 16 bits. Not inverted.
 */
export function onesComplementSum(bytes: Uint8Array, initial = 0): number {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let sum = initial;
  const even = bytes.length & ~1;
  for (let i = 0; i < even; i += 2) sum += v.getUint16(i);
  // RFC 1071 §4.1: an odd trailing byte is summed as if padded with a zero byte.
  if (even < bytes.length) sum += v.getUint8(even) << 8;
  // RFC 1071 §2(B): end-around carry — fold the carries back into the low 16 bits.
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/**
 * RFC 1071 §1: the checksum is the one's complement of the one's-complement sum, computed with the
 * checksum field itself zero.
 */
export function internetChecksum(bytes: Uint8Array, initial = 0): number {
  return ~onesComplementSum(bytes, initial) & 0xffff;
}

/**
 * RFC 1071 §1: a receiver sums the data *including* the transmitted checksum; the result is all
 * ones (0xffff) when nothing was damaged.
 */
export function checksumVerifies(bytes: Uint8Array, initial = 0): boolean {
  return onesComplementSum(bytes, initial) === 0xffff;
}

/**
 * Sum of the IPv4 pseudo-header that seeds a UDP or TCP checksum: source address, destination
 * address, a zero byte, the protocol and the UDP/TCP length (RFC 768 "Fields"; RFC 793 §3.1).
 */
export function pseudoHeaderSum(src: number, dst: number, protocol: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
}

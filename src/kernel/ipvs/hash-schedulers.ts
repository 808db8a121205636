import type { Ipv4 } from '../../net/ipv4.js';
import type { IpvsDest, IpvsService } from './table.js';

/**
 * The hashing schedulers: a 256-bucket table over the service's destination list, indexed by a
 * hash of the client (sh) or of the destination address (dh). Given the packet they pick exactly
 * one server; only the table's contents (the destination list order) matter, never past traffic.
 */

/** CONFIG_IP_VS_SH_TAB_BITS / CONFIG_IP_VS_DH_TAB_BITS default: 8 -> 256 buckets. */
export const HASH_TAB_BITS = 8;
export const HASH_TAB_SIZE = 1 << HASH_TAB_BITS;

/** include/linux/hash.h: GOLDEN_RATIO_32, and hash_32(val, bits) = (val * GOLDEN_RATIO_32) >> (32 - bits). */
const GOLDEN_RATIO_32 = 0x61c88647;

export function hash32(val: number, bits: number): number {
  return Math.imul(val >>> 0, GOLDEN_RATIO_32) >>> (32 - bits);
}

/** A destination the hashing schedulers will not use (is_unavailable): weight <= 0. */
const unavailable = (d: IpvsDest) => d.weight <= 0;

/**
 * ip_vs_sh_reassign: walk the destination list round the 256 buckets, giving each destination
 * `weight` consecutive buckets ("Don't move to next dest until filling weight"). A destination
 * of weight 0 still takes one bucket (the counter reaches its weight at once).
 */
export function shBuckets(dests: readonly IpvsDest[]): (IpvsDest | null)[] {
  const out: (IpvsDest | null)[] = [];
  let i = 0;
  let count = 0;
  for (let b = 0; b < HASH_TAB_SIZE; b++) {
    const d = dests[i % Math.max(1, dests.length)];
    if (!d) {
      out.push(null);
      continue;
    }
    out.push(d);
    if (++count >= d.weight) {
      i++;
      count = 0;
    }
  }
  return out;
}

/** ip_vs_sh_hashkey: (offset + hash_32(port + ntohl(addr), 8)) & 255; port is 0 without sh-port. */
export function shHashKey(addr: Ipv4, port: number, offset: number): number {
  return (offset + hash32((port + addr) >>> 0, HASH_TAB_BITS)) & (HASH_TAB_SIZE - 1);
}

export interface HashPick {
  readonly dest: IpvsDest | null;
  readonly bucket: number;
}

/**
 * ip_vs_sh_schedule: the bucket of the client address (and source port with sh-port). With
 * sh-fallback an unavailable server is skipped by probing buckets hash(addr, offset) for
 * offsets from the original bucket on (ip_vs_sh_get_fallback).
 */
export function shSchedule(svc: IpvsService, src: Ipv4, sport: number | null): HashPick {
  const table = shBuckets(svc.dests);
  const port = svc.schedFlags.port ? (sport ?? 0) : 0;
  const ihash = shHashKey(src, port, 0);
  const first = table[ihash] ?? null;
  if (first === null) return { dest: null, bucket: ihash };
  if (!unavailable(first)) return { dest: first, bucket: ihash };
  if (!svc.schedFlags.fallback) return { dest: null, bucket: ihash };
  for (let offset = 0; offset < HASH_TAB_SIZE; offset++) {
    const h = shHashKey(src, port, (offset + ihash) % HASH_TAB_SIZE);
    const d = table[h] ?? null;
    if (d === null) break;
    if (!unavailable(d)) return { dest: d, bucket: h };
  }
  return { dest: null, bucket: ihash };
}

/** ip_vs_dh_assign: one bucket per destination in list order, round and round (weights unused). */
export function dhBuckets(dests: readonly IpvsDest[]): (IpvsDest | null)[] {
  return Array.from({ length: HASH_TAB_SIZE }, (_, b) => (dests.length === 0 ? null : (dests[b % dests.length] ?? null)));
}

/** ip_vs_dh_hashkey: (ntohl(addr) * 2654435761) & 255. Only the low 8 bits survive, so 32-bit math is exact. */
export function dhHashKey(addr: Ipv4): number {
  return Math.imul(addr >>> 0, 2654435761 >>> 0) & (HASH_TAB_SIZE - 1);
}

/** ip_vs_dh_schedule: the bucket of the destination address (the VIP); NULL if that server is unavailable. */
export function dhSchedule(svc: IpvsService, dst: Ipv4): HashPick {
  const bucket = dhHashKey(dst);
  const d = dhBuckets(svc.dests)[bucket] ?? null;
  return { dest: d !== null && !unavailable(d) ? d : null, bucket };
}

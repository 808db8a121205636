import { IPv4, Validator } from 'ip-num';
import { err, ok, type Result } from '../lib/result.js';

/**
 * An IPv4 address as an unsigned 32-bit integer. Parsing and validation go through ip-num; the
 * hot paths (longest-prefix match, netfilter matching) work on the plain number.
 */
export type Ipv4 = number & { readonly __brand: 'Ipv4' };

export function parseIpv4(text: string): Result<Ipv4, string> {
  const [valid, messages] = Validator.isValidIPv4String(text);
  if (!valid) return err(`"${text}" is not an IPv4 address (${messages.join('; ')})`);
  return ok(Number(IPv4.fromDecimalDottedString(text).getValue()) as Ipv4);
}

/** For literals in code and tests; a malformed literal is a bug. */
export function ipv4(text: string): Ipv4 {
  const r = parseIpv4(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

export function ipv4FromNumber(n: number): Ipv4 {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`not a 32-bit address: ${n}`);
  return n as Ipv4;
}

export function formatIpv4(a: Ipv4): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

export function ipv4ToBytes(a: Ipv4): Uint8Array {
  return Uint8Array.of(a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255);
}

export function ipv4FromBytes(b: Uint8Array, offset = 0): Ipv4 {
  return ((((b[offset] ?? 0) << 24) | ((b[offset + 1] ?? 0) << 16) | ((b[offset + 2] ?? 0) << 8) | (b[offset + 3] ?? 0)) >>> 0) as Ipv4;
}

export function addIpv4(a: Ipv4, n: number): Ipv4 {
  return ipv4FromNumber(a + n);
}

export const IPV4_ANY = 0 as Ipv4;

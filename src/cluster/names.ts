/**
 * The random-looking names Kubernetes controllers generate, made deterministic: the same input
 * always gives the same names. The alphabet is apimachinery's `rand` alphabet (no vowels, no
 * 0/1/3 that look like letters), so the names look exactly like those kubectl shows.
 */
import { fnv32 } from '../lib/hash.js';

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** `rand.SafeEncodeString`: each character mapped onto the alphabet. */
export function safeEncode(s: string): string {
  let out = '';
  for (const ch of s) out += ALPHANUMS[ch.charCodeAt(0) % ALPHANUMS.length] ?? 'b';
  return out;
}

/**
 * `controller.ComputeHash` as the Deployment and StatefulSet controllers label pods with
 * (`pod-template-hash`, `controller-revision-hash`): FNV-32a of the pod template, printed in
 * decimal and safe-encoded, e.g. "7d4b9c8f5".
 */
export function templateHash(templateText: string): string {
  return safeEncode(String(fnv32(templateText)));
}

/** A five-character generateName suffix (`utilrand.String(5)`), e.g. "x7k2q". */
export function kubeSuffix(seed: number): string {
  let out = '';
  let n = seed >>> 0;
  for (let i = 0; i < 5; i++) {
    out += ALPHANUMS[n % ALPHANUMS.length] ?? 'b';
    n = fnv32(`${n}:${i}`);
  }
  return out;
}

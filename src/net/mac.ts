import { err, ok, type Result } from '../lib/result.js';

/** A MAC address in the lower-case, colon-separated form `ip link` prints. */
export type Mac = string & { readonly __brand: 'Mac' };

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

export function parseMac(text: string): Result<Mac, string> {
  const t = text.toLowerCase();
  return MAC_RE.test(t) ? ok(t as Mac) : err(`"${text}" is not a MAC address like 0a:58:0a:f4:01:02`);
}

export function mac(text: string): Mac {
  const r = parseMac(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff' as Mac;
export const ZERO_MAC = '00:00:00:00:00:00' as Mac;

export function macToBytes(m: Mac): Uint8Array {
  return Uint8Array.from(m.split(':').map((h) => parseInt(h, 16)));
}

export function macFromBytes(b: Uint8Array, offset = 0): Mac {
  const parts: string[] = [];
  for (let i = 0; i < 6; i++) parts.push((b[offset + i] ?? 0).toString(16).padStart(2, '0'));
  return parts.join(':') as Mac;
}

/** Group bit (I/G): multicast and broadcast frames are flooded by a bridge. */
export function isMulticastMac(m: Mac): boolean {
  return (parseInt(m.slice(0, 2), 16) & 1) === 1;
}

/**
 * A deterministic, locally administered unicast MAC derived from a name, standing in for the
 * random MACs the kernel and CNI plugins pick (`hw[0] = (hw[0] & 0xfe) | 0x02`). Deterministic so
 * the same topology always gives the same output.
 */
export function macFromSeed(seed: string): Mac {
  const bytes = fnv1aBytes(seed, 6);
  bytes[0] = ((bytes[0] ?? 0) & 0xfe) | 0x02;
  return macFromBytes(bytes);
}

function fnv1aBytes(seed: string, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let h = 0x811c9dc5;
  for (let i = 0; i < n; i++) {
    for (const ch of `${seed}#${i}`) {
      h ^= ch.charCodeAt(0);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    out[i] = h & 0xff;
  }
  return out;
}

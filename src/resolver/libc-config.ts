import { isIP } from 'node:net';

/**
 * How each libc reads the same /etc/resolv.conf text. They differ: glibc (resolv/res_init.c)
 * has no line-length or search-count limit since 2.26 and understands a dozen options; musl
 * (src/network/resolvconf.c) reads lines into a 256-byte buffer and skips any line that does
 * not fit, and knows only ndots, attempts and timeout.
 */

export interface GlibcResolverConfig {
  /** At most 3 (MAXNS); 127.0.0.1 when the file names none. */
  readonly nameservers: readonly string[];
  readonly search: readonly string[];
  /** Default 1, capped at 15 (RES_MAXNDOTS). */
  readonly ndots: number;
  /** Seconds; default 5 (RES_TIMEOUT), capped at 30. */
  readonly timeout: number;
  /** Default 2 (RES_DFLRETRY), capped at 5. */
  readonly attempts: number;
  readonly rotate: boolean;
  readonly singleRequest: boolean;
  readonly singleRequestReopen: boolean;
  readonly noTldQuery: boolean;
  readonly noAaaa: boolean;
  readonly edns0: boolean;
  readonly trustAd: boolean;
  readonly useVc: boolean;
  /** What glibc skipped or capped, one line each. */
  readonly notes: readonly string[];
}

export interface MuslResolverConfig {
  /** At most 3; 127.0.0.1 when the file names none. */
  readonly nameservers: readonly string[];
  /** The words of the last `search`/`domain` line (musl splits it at query time). */
  readonly search: readonly string[];
  /** Default 1, capped at 15. */
  readonly ndots: number;
  /** Seconds; default 5, capped at 60. */
  readonly timeout: number;
  /** Default 2, capped at 10. */
  readonly attempts: number;
  readonly notes: readonly string[];
}

const MAXNS = 3;

/** res_init.c: `search`/`domain` (last wins), `nameserver` (first 3), `options` (every line applies). */
export function glibcConfig(text: string): GlibcResolverConfig {
  const nameservers: string[] = [];
  let search: string[] = [];
  const notes: string[] = [];
  const opts = { ndots: 1, timeout: 5, attempts: 2, rotate: false, singleRequest: false, singleRequestReopen: false, noTldQuery: false, noAaaa: false, edns0: false, trustAd: false, useVc: false };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '');
    const f = line.trim().split(/[ \t]+/).filter((x) => x !== '');
    const [kw, ...rest] = f;
    if (kw === undefined) continue;
    if (kw === 'domain' && rest[0] !== undefined) search = [rest[0]];
    else if (kw === 'search') search = rest;
    else if (kw === 'nameserver' && rest[0] !== undefined) {
      if (isIP(rest[0]) === 0) notes.push(`glibc skips "nameserver ${rest[0]}": not an address`);
      else if (nameservers.length >= MAXNS) notes.push(`glibc uses only the first ${MAXNS} nameservers; ${rest[0]} is ignored`);
      else nameservers.push(rest[0]);
    } else if (kw === 'options') {
      for (const o of rest) applyGlibcOption(o, opts, notes);
    }
  }
  if (nameservers.length === 0) {
    nameservers.push('127.0.0.1');
    notes.push('no nameserver line: glibc asks 127.0.0.1');
  }
  return { nameservers, search, ...opts, notes };
}

function applyGlibcOption(o: string, opts: { ndots: number; timeout: number; attempts: number; rotate: boolean; singleRequest: boolean; singleRequestReopen: boolean; noTldQuery: boolean; noAaaa: boolean; edns0: boolean; trustAd: boolean; useVc: boolean }, notes: string[]): void {
  const num = (prefix: string, cap: number): number | null => {
    const m = new RegExp(`^${prefix}:(\\d+)`).exec(o);
    if (!m || m[1] === undefined) return null;
    const v = Number(m[1]);
    if (v > cap) notes.push(`glibc caps ${prefix} at ${cap} (${o})`);
    return Math.min(v, cap);
  };
  const ndots = num('ndots', 15);
  if (ndots !== null) return void (opts.ndots = ndots);
  const timeout = num('timeout', 30);
  if (timeout !== null) return void (opts.timeout = Math.max(1, timeout));
  const attempts = num('attempts', 5);
  if (attempts !== null) return void (opts.attempts = Math.max(1, attempts));
  const clear = o.startsWith('-');
  const name = clear ? o.slice(1) : o;
  const flags: Record<string, keyof typeof opts> = {
    rotate: 'rotate',
    'single-request': 'singleRequest',
    'single-request-reopen': 'singleRequestReopen',
    'no-tld-query': 'noTldQuery',
    'no-aaaa': 'noAaaa',
    edns0: 'edns0',
    'trust-ad': 'trustAd',
    'use-vc': 'useVc',
  };
  const key = flags[name];
  if (key !== undefined) {
    (opts as Record<string, unknown>)[key] = !clear;
    return;
  }
  if (['debug', 'no-reload', 'inet6', 'ip6-bytestring', 'ip6-dotint', 'no-ip6-dotint', 'no-check-names', 'strict-error'].includes(name)) return;
  notes.push(`glibc ignores unknown option "${o}"`);
}

/** resolvconf.c: lines of 255 bytes or more are skipped whole; only ndots/attempts/timeout are read. */
export function muslConfig(text: string): MuslResolverConfig {
  const nameservers: string[] = [];
  let search: string[] = [];
  let ndots = 1;
  let timeout = 5;
  let attempts = 2;
  const notes: string[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    if (line.length >= 255) {
      notes.push(`musl skips a ${line.length}-byte line (its buffer holds 255): "${line.slice(0, 40)}..."`);
      continue;
    }
    const ws = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);
    if (line.startsWith('options') && ws(line[7])) {
      const val = (key: string, cap: number): number | null => {
        const i = line.indexOf(`${key}:`);
        if (i < 0) return null;
        const m = /^\d+/.exec(line.slice(i + key.length + 1));
        if (!m) return null;
        return Math.min(Number(m[0]), cap);
      };
      ndots = val('ndots', 15) ?? ndots;
      attempts = val('attempts', 10) ?? attempts;
      timeout = val('timeout', 60) ?? timeout;
      for (const o of line.slice(8).trim().split(/\s+/)) {
        if (o !== '' && !/^(ndots|attempts|timeout):/.test(o)) notes.push(`musl ignores option "${o}"`);
      }
      continue;
    }
    if (line.startsWith('nameserver') && ws(line[10])) {
      const addr = line.slice(11).trim().split(/\s+/)[0] ?? '';
      if (nameservers.length >= MAXNS) notes.push(`musl uses only the first ${MAXNS} nameservers; ${addr} is ignored`);
      else if (isIP(addr) !== 0) nameservers.push(addr);
      continue;
    }
    if ((line.startsWith('search') || line.startsWith('domain')) && ws(line[6])) {
      search = line.slice(7).trim().split(/\s+/).filter((x) => x !== '');
    }
  }
  if (nameservers.length === 0) {
    nameservers.push('127.0.0.1');
    notes.push('no nameserver line: musl asks 127.0.0.1');
  }
  // musl's attempts is at least 1 for the retry interval (timeout/attempts).
  return { nameservers, search, ndots, timeout, attempts: Math.max(1, attempts), notes };
}

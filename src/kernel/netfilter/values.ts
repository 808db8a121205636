import { cidrOf, maskOf, type Cidr } from '../../net/cidr.js';
import { formatIpv4, type Ipv4 } from '../../net/ipv4.js';
import { err, ok, type Result } from '../../lib/result.js';
import type { PortRange, Probability } from './match.js';

/**
 * Value parsers and printers shared by the rule parser and printer, following libxtables
 * (xtables_ipparse_any, xtables_parse_port, xtables_strtoui) and the extensions' save functions.
 */

const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * A dotted-quad IPv4 address. (net/ipv4's parseIpv4 validates through ip-num, which costs about
 * 100 µs an address; rulesets have thousands.)
 */
export function parseIpv4Fast(text: string): Result<Ipv4, string> {
  const m = DOTTED.exec(text);
  if (!m) return err(`"${text}" is not an IPv4 address`);
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255 || (m[i] as string).length > 1 && (m[i] as string).startsWith('0')) return err(`"${text}" is not an IPv4 address`);
    n = n * 256 + o;
  }
  return ok(n as Ipv4);
}

/** Contiguous netmask -> prefix length, or null. */
export function prefixOfMask(mask: number): number | null {
  for (let p = 0; p <= 32; p++) if (maskOf(p) === mask >>> 0) return p;
  return null;
}

/**
 * `ADDR[/PREFIX|/MASK]` as -s/-d/--ctorigdst accept it; the address is masked to the network
 * (iptables-save prints `-d 10.0.0.0/8` for `-d 10.1.2.3/8`). Host names are not resolved.
 */
export function parseNet(text: string): Result<Cidr, string> {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const addr = parseIpv4Fast(addrText);
  if (!addr.ok) return err(`expected an IPv4 address or CIDR, found "${text}"`);
  if (slash < 0) return ok(cidrOf(addr.value, 32));
  const m = text.slice(slash + 1);
  if (/^\d{1,2}$/.test(m)) {
    const p = Number(m);
    if (p > 32) return err(`invalid mask "${m}" in "${text}": expected a prefix length 0-32`);
    return ok(cidrOf(addr.value, p));
  }
  const dotted = parseIpv4Fast(m);
  if (!dotted.ok) return err(`invalid mask "${m}" in "${text}": expected a prefix length 0-32 or a dotted netmask`);
  const p = prefixOfMask(dotted.value);
  if (p === null) return err(`non-contiguous netmask "${m}" in "${text}" is not supported`);
  return ok(cidrOf(addr.value, p));
}

/** `-s 10.0.0.1/32` form: iptables-save always prints the prefix length. */
export function formatNet(c: Cidr): string {
  return `${formatIpv4(c.network)}/${c.prefix}`;
}

/** xt_conntrack prints addresses without `/32` (xtables_ipmask_to_numeric gives "" for a full mask). */
export function formatNetShort(c: Cidr): string {
  return c.prefix === 32 ? formatIpv4(c.network) : formatNet(c);
}

/** xtables_strtoui with base 0: decimal, 0x hex or 0 octal, up to max. */
export function parseUint(text: string, max = 0xffffffff): number | null {
  let n: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) n = parseInt(text.slice(2), 16);
  else if (/^0[0-7]+$/.test(text)) n = parseInt(text.slice(1), 8);
  else if (/^\d+$/.test(text)) n = Number(text);
  else return null;
  return Number.isSafeInteger(n) && n <= max ? n : null;
}

export function formatHex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

/** `VALUE[/MASK]` for marks; the mask defaults to 0xffffffff. */
export function parseMarkMask(text: string): Result<{ value: number; mask: number }, string> {
  const [v, m, extra] = text.split('/');
  const value = parseUint(v ?? '');
  const mask = m === undefined ? 0xffffffff : parseUint(m);
  if (value === null || mask === null || extra !== undefined) return err(`expected a mark like 0x4000 or 0x4000/0x4000, found "${text}"`);
  return ok({ value, mask });
}

export function parsePort(text: string): number | null {
  return /^\d+$/.test(text) && Number(text) <= 65535 ? Number(text) : null;
}

/** `P`, `A:B`, `A:` (to 65535) or `:B` (from 0), as libxt_tcp parses --sport/--dport. */
export function parsePortRange(text: string, sep = ':'): Result<PortRange, string> {
  const i = text.indexOf(sep);
  if (i < 0) {
    const p = parsePort(text);
    return p === null ? err(`expected a port number 0-65535, found "${text}"`) : ok({ min: p, max: p });
  }
  const a = text.slice(0, i);
  const b = text.slice(i + 1);
  const min = a === '' ? 0 : parsePort(a);
  const max = b === '' ? 65535 : parsePort(b);
  if (min === null || max === null) return err(`expected a port range like 1000${sep}2000, found "${text}"`);
  if (min > max) return err(`invalid port range "${text}": the first port is larger than the second`);
  return ok({ min, max });
}

/** libxt_tcp's print_ports: a single port, or `min:max`. */
export function formatPortRange(r: PortRange, sep = ':'): string {
  return r.min === r.max ? String(r.min) : `${r.min}${sep}${r.max}`;
}

export function parseProbability(text: string): Result<Probability, string> {
  if (!/^(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(text)) return err(`expected a probability between 0 and 1, found "${text}"`);
  const value = Number(text);
  if (!(value >= 0 && value <= 1)) return err(`--probability must be between 0 and 1, found "${text}"`);
  // libxt_statistic.c: info->u.random.probability = lround(0x80000000 * prob)
  const kernel = Math.round(0x80000000 * value);
  return ok({ text, value, kernel, effective: kernel / 0x80000000 });
}

/** printf("%.11f", kernel / 2^31), exactly (BigInt, round half to even like glibc). */
export function formatProbability(p: Probability): string {
  const scale = 10n ** 11n;
  const num = BigInt(p.kernel) * scale;
  const den = 0x80000000n;
  let q = num / den;
  const r = num % den;
  if (r * 2n > den || (r * 2n === den && q % 2n === 1n)) q += 1n;
  const s = q.toString().padStart(12, '0');
  return `${s.slice(0, -11)}.${s.slice(-11)}`;
}

/** Interface names: at most IFNAMSIZ-1 (15) characters; a trailing `+` is a prefix wildcard. */
export function parseIfaceName(text: string): Result<string, string> {
  if (text.length > 15) return err(`interface name "${text}" must be shorter than IFNAMSIZ (15)`);
  if (text === '' || /[\s/]/.test(text)) return err(`expected an interface name, found "${text}"`);
  return ok(text);
}

/** Kernel ifname matching with the iptables mask: `eth+` matches every name starting with `eth`. */
export function ifaceMatches(pattern: string, dev: string | null): boolean {
  const d = dev ?? '';
  if (pattern.endsWith('+')) return d.startsWith(pattern.slice(0, -1));
  return d === pattern;
}

/** An IPv4 address as a plain dotted quad (for --mask). */
export function parseAddr(text: string): Result<Ipv4, string> {
  const r = parseIpv4Fast(text);
  return r.ok ? r : err(`expected an IPv4 address, found "${text}"`);
}

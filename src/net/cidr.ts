import { Validator } from 'ip-num';
import { err, ok, type Result } from '../lib/result.js';
import { formatIpv4, ipv4FromNumber, parseIpv4, type Ipv4 } from './ipv4.js';

/** A network prefix: `network` has no host bits set. */
export interface Cidr {
  readonly network: Ipv4;
  readonly prefix: number;
}

/** An interface address: host bits allowed (10.244.1.1/24). */
export interface IfAddrSpec {
  readonly addr: Ipv4;
  readonly prefix: number;
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function cidrOf(addr: Ipv4, prefix: number): Cidr {
  return { network: ((addr & maskOf(prefix)) >>> 0) as Ipv4, prefix };
}

export function cidrContains(c: Cidr, a: Ipv4): boolean {
  return ((a & maskOf(c.prefix)) >>> 0) === c.network;
}

/** True when `inner` lies wholly inside `outer`. */
export function cidrCovers(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && cidrContains(outer, inner.network);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return cidrCovers(a, b) || cidrCovers(b, a);
}

export function cidrBroadcast(c: Cidr): Ipv4 {
  return ipv4FromNumber((c.network | (~maskOf(c.prefix) >>> 0)) >>> 0);
}

export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

/** The n-th address of the prefix (0 = network address). */
export function cidrNth(c: Cidr, n: number): Ipv4 {
  if (n < 0 || n >= cidrSize(c)) throw new Error(`address ${n} is outside ${formatCidr(c)}`);
  return ipv4FromNumber(c.network + n);
}

export function formatCidr(c: Cidr): string {
  return `${formatIpv4(c.network)}/${c.prefix}`;
}

/** `ip route` prints a /32 destination without its prefix length. */
export function formatRouteDst(c: Cidr): string {
  if (c.prefix === 0) return 'default';
  return c.prefix === 32 ? formatIpv4(c.network) : formatCidr(c);
}

/** Parse a network prefix; host bits must be zero, as the Kubernetes API requires of CIDR fields. */
export function parseCidr(text: string): Result<Cidr, string> {
  const [valid, messages] = Validator.isValidIPv4CidrNotation(text);
  if (!valid) return err(`"${text}" is not an IPv4 CIDR like 10.244.0.0/16 (${messages.join('; ')})`);
  const spec = parseIfAddr(text);
  if (!spec.ok) return spec;
  const c = cidrOf(spec.value.addr, spec.value.prefix);
  if (c.network !== spec.value.addr) {
    return err(`"${text}" has host bits set; the network is ${formatCidr(c)}`);
  }
  return ok(c);
}

/** Parse an address with prefix length (host bits allowed), or a bare address as /32. */
export function parseIfAddr(text: string): Result<IfAddrSpec, string> {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const addr = parseIpv4(addrText);
  if (!addr.ok) return addr;
  if (slash < 0) return ok({ addr: addr.value, prefix: 32 });
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,2}$/.test(prefixText) || Number(prefixText) > 32) {
    return err(`"${text}" has prefix length "${prefixText}"; expected 0 to 32`);
  }
  return ok({ addr: addr.value, prefix: Number(prefixText) });
}

export function cidr(text: string): Cidr {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

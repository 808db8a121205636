import { isIP } from 'node:net';
import { fnv32 } from '../lib/hash.js';
import { dnsQuery, fqdn, relative, sameName, type DnsMessage, type DnsRcode, type DnsRecord, type DnsType } from '../net/dns.js';
import type { CandidateOutcome, CandidateTrace, Delivery, LookupCall, QueryResult, ResolverEnv, SendReason, SentQuery } from './types.js';

/**
 * The bookkeeping both stub resolvers share: a simulated clock, deterministic query IDs and
 * ephemeral source ports, the datagram log, and a queue of replies in arrival order.
 */

/** Linux's default ephemeral port range (net.ipv4.ip_local_port_range). */
const PORT_LOW = 32768;
const PORT_HIGH = 60999;

/** MurmurHash3's finalizer: spreads FNV's low bits so consecutive seeds give unrelated IDs. */
function mix32(h: number): number {
  let x = h >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

interface MutableSent {
  seq: number;
  t: number;
  candidate: number;
  name: string;
  type: DnsType;
  server: number;
  serverIp: string;
  id: number;
  sourcePort: number;
  transmission: number;
  why: SendReason;
  result: QueryResult;
}

/** A reply (or ICMP error) on its way back. */
export interface Arrival {
  readonly at: number;
  /** Tie-break: send order. */
  readonly seq: number;
  /** Which of the current queries it answers (index into the caller's list). */
  readonly query: number;
  readonly server: number;
  readonly delivery: Exclude<Delivery, { kind: 'lost' }>;
}

export class Recorder {
  t = 0;
  private readonly sent: MutableSent[] = [];
  private readonly cands: CandidateTrace[] = [];
  private sockets = 0;
  private ids = 0;
  private readonly transmissions = new Map<string, number>();

  constructor(
    private readonly env: ResolverEnv,
    private readonly seedText: string,
    readonly servers: readonly string[],
  ) {}

  /** A new UDP socket's ephemeral port. */
  newPort(): number {
    this.sockets++;
    return PORT_LOW + (mix32(fnv32(`${this.seedText}|${this.env.seed ?? 0}|port|${this.sockets}`)) % (PORT_HIGH - PORT_LOW + 1));
  }

  /** A fresh 16-bit query ID. */
  newId(): number {
    this.ids++;
    return mix32(fnv32(`${this.seedText}|${this.env.seed ?? 0}|id|${this.ids}`)) & 0xffff;
  }

  /** Send one datagram now; returns its log index and when (if ever) something comes back. */
  send(o: { candidate: number; name: string; type: DnsType; server: number; id: number; port: number; why: SendReason; edns0: boolean; query: number }): { seq: number; arrival: Arrival | null } {
    const serverIp = this.servers[o.server] ?? '127.0.0.1';
    const key = `${o.name.toLowerCase()}|${o.type}|${o.server}`;
    const transmission = (this.transmissions.get(key) ?? 0) + 1;
    this.transmissions.set(key, transmission);
    const message: DnsMessage = dnsQuery(o.id, o.name, o.type, { edns0: o.edns0 });
    const delivery = this.env.transport({ message, name: fqdn(o.name), type: o.type, server: o.server, serverIp, sourcePort: o.port, t: this.t, transmission });
    const seq = this.sent.length + 1;
    this.sent.push({ seq, t: this.t, candidate: o.candidate, name: fqdn(o.name), type: o.type, server: o.server, serverIp, id: o.id, sourcePort: o.port, transmission, why: o.why, result: { kind: 'lost' } });
    if (delivery.kind === 'lost') return { seq, arrival: null };
    const at = this.t + Math.max(0, delivery.latencyMs ?? 0);
    if (delivery.kind === 'unreachable') this.setResult(seq, { kind: 'unreachable', at, note: null });
    else this.setResult(seq, { kind: 'reply', at, message: delivery.message, use: 'ignored', note: null });
    return { seq, arrival: { at, seq, query: o.query, server: o.server, delivery } };
  }

  setResult(seq: number, r: QueryResult): void {
    const s = this.sent[seq - 1];
    if (s) s.result = r;
  }

  /** Mark a reply as used by the resolver, or ignored with a reason. */
  markReply(seq: number, use: 'used' | 'ignored', note: string | null = null): void {
    const s = this.sent[seq - 1];
    if (s && s.result.kind === 'reply') s.result = { ...s.result, use, note };
    if (s && s.result.kind === 'unreachable' && note !== null) s.result = { ...s.result, note };
  }

  /** Datagrams sent since log index `from` (0-based). */
  countSince(from: number): number {
    return this.sent.length - from;
  }

  get sentCount(): number {
    return this.sent.length;
  }

  addCandidate(c: Omit<CandidateTrace, 'index'>): number {
    this.cands.push({ ...c, name: fqdn(c.name), index: this.cands.length });
    return this.cands.length - 1;
  }

  /** The index the next candidate will get. */
  get nextCandidate(): number {
    return this.cands.length;
  }

  setNext(index: number, next: string): void {
    const c = this.cands[index];
    if (c) this.cands[index] = { ...c, next };
  }

  get queries(): readonly SentQuery[] {
    return this.sent.map((s) => ({ ...s }));
  }

  get candidates(): readonly CandidateTrace[] {
    return this.cands;
  }
}

/** A min-queue of arrivals by (time, send order). */
export class ArrivalQueue {
  private items: Arrival[] = [];
  push(a: Arrival | null): void {
    if (a) this.items.push(a);
  }
  /** The earliest arrival at or before `deadline`, removed from the queue. */
  popUntil(deadline: number): Arrival | null {
    let best = -1;
    for (let i = 0; i < this.items.length; i++) {
      const a = this.items[i];
      const b = best >= 0 ? this.items[best] : undefined;
      if (!a || a.at > deadline) continue;
      if (!b || a.at < b.at || (a.at === b.at && a.seq < b.seq)) best = i;
    }
    if (best < 0) return null;
    const [a] = this.items.splice(best, 1);
    return a ?? null;
  }
  clear(): void {
    this.items = [];
  }
}

/** Dots in a name, counting a trailing one (both libcs count this way). */
export function countDots(name: string): number {
  return [...name].filter((c) => c === '.').length;
}

/** The DNS types one candidate costs. */
export function typesFor(call: LookupCall, noAaaa: boolean): DnsType[] {
  if (call.kind === 'getaddrinfo') {
    if (call.family === 'AF_INET') return ['A'];
    if (call.family === 'AF_INET6') return ['AAAA'];
    return noAaaa ? ['A'] : ['A', 'AAAA'];
  }
  if (call.kind === 'getnameinfo') return ['PTR'];
  return [call.type];
}

/** The addresses and canonical name in a set of replies (A/AAAA records, CNAME chain). */
export function addressesOf(replies: readonly (DnsMessage | null)[], qname: string): { addresses: string[]; canonical: string } {
  const addresses: string[] = [];
  let canonical = relative(qname);
  for (const m of replies) {
    if (!m) continue;
    const want = m.questions[0]?.type;
    let owner = relative(qname);
    for (const rr of m.answers) {
      if (rr.type === 'CNAME' && sameName(rr.name, owner)) {
        owner = relative(rr.data);
        canonical = owner;
      }
    }
    for (const rr of m.answers) if ((rr.type === 'A' || rr.type === 'AAAA') && rr.type === want && !addresses.includes(rr.data)) addresses.push(rr.data);
  }
  const v4 = addresses.filter((a) => isIP(a) === 4);
  const v6 = addresses.filter((a) => isIP(a) === 6);
  return { addresses: [...v4, ...v6], canonical };
}

/** Records of the asked type in the answer section. */
export function recordsOf(m: DnsMessage | null, type: DnsType): DnsRecord[] {
  return m ? m.answers.filter((r) => r.type === type) : [];
}

/** One outcome word for a set of per-type rcodes. */
export function outcomeOf(rcodes: readonly (DnsRcode | null)[], found: boolean): CandidateOutcome {
  if (found) return 'answer';
  if (rcodes.includes('NXDOMAIN')) return 'NXDOMAIN';
  if (rcodes.includes('SERVFAIL')) return 'SERVFAIL';
  if (rcodes.includes('REFUSED')) return 'REFUSED';
  if (rcodes.length > 0 && rcodes.every((r) => r === 'NOERROR')) return 'NODATA';
  return 'timeout';
}

/** A literal address: getaddrinfo returns it without any lookup. */
export function isLiteral(name: string): boolean {
  return isIP(name) !== 0;
}

/** /etc/hosts lookup (exact name; glibc compares case-insensitively, musl does not). */
export function hostsLookup(hostsText: string, name: string, caseInsensitive: boolean, family: 'AF_UNSPEC' | 'AF_INET' | 'AF_INET6'): { addresses: string[]; canonical: string } | null {
  const addresses: string[] = [];
  let canonical: string | null = null;
  for (const raw of hostsText.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const [ip, ...names] = line.split(/\s+/);
    if (ip === undefined || names.length === 0) continue;
    const hit = names.some((n) => (caseInsensitive ? n.toLowerCase() === name.toLowerCase() : n === name));
    if (!hit) continue;
    const fam = isIP(ip);
    if (fam === 0 || (family === 'AF_INET' && fam !== 4) || (family === 'AF_INET6' && fam !== 6)) continue;
    if (!addresses.includes(ip)) addresses.push(ip);
    canonical ??= names[0] ?? name;
  }
  return addresses.length > 0 ? { addresses, canonical: canonical ?? name } : null;
}

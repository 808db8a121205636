import * as dnsPacket from 'dns-packet';
import { isIPv4, isIPv6 } from 'node:net';
import { match } from 'ts-pattern';
import { err, ok, type Result } from '../lib/result.js';

/**
 * DNS messages (RFC 1035) as typed data, and their wire form through the `dns-packet` package,
 * so a UDP payload built here decodes in Wireshark and `tcpdump`. Nothing here knows about
 * Kubernetes: CoreDNS (controllers/coredns) and the libc stub resolvers (resolver/) use it.
 *
 * Names are absolute and in presentation form with the trailing dot, as `dig` prints them:
 * `web.default.svc.cluster.local.`, and `.` for the root. Case is kept as written (DNS compares
 * names case-insensitively; use `sameName`).
 */

/** Query and record types podnet models. */
export type DnsType = 'A' | 'AAAA' | 'CNAME' | 'NS' | 'PTR' | 'SOA' | 'SRV' | 'TXT' | 'MX' | 'AXFR' | 'IXFR';

export const DNS_TYPES: readonly DnsType[] = ['A', 'AAAA', 'CNAME', 'NS', 'PTR', 'SOA', 'SRV', 'TXT', 'MX', 'AXFR', 'IXFR'];

export type DnsRcode = 'NOERROR' | 'FORMERR' | 'SERVFAIL' | 'NXDOMAIN' | 'NOTIMP' | 'REFUSED';

export const DNS_RCODES: readonly DnsRcode[] = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

/** The numeric RCODE on the wire (RFC 1035 §4.1.1). */
export function rcodeNumber(r: DnsRcode): number {
  return match(r)
    .with('NOERROR', () => 0)
    .with('FORMERR', () => 1)
    .with('SERVFAIL', () => 2)
    .with('NXDOMAIN', () => 3)
    .with('NOTIMP', () => 4)
    .with('REFUSED', () => 5)
    .exhaustive();
}

export interface SoaData {
  readonly mname: string;
  readonly rname: string;
  readonly serial: number;
  readonly refresh: number;
  readonly retry: number;
  readonly expire: number;
  readonly minimum: number;
}

export interface SrvData {
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  readonly target: string;
}

interface RrBase {
  /** Owner name, absolute with the trailing dot. */
  readonly name: string;
  readonly ttl: number;
}

/** A resource record of class IN. */
export type DnsRecord =
  | (RrBase & { readonly type: 'A'; readonly data: string })
  | (RrBase & { readonly type: 'AAAA'; readonly data: string })
  | (RrBase & { readonly type: 'CNAME' | 'NS' | 'PTR'; readonly data: string })
  | (RrBase & { readonly type: 'SRV'; readonly data: SrvData })
  | (RrBase & { readonly type: 'TXT'; readonly data: readonly string[] })
  | (RrBase & { readonly type: 'MX'; readonly data: { readonly preference: number; readonly exchange: string } })
  | (RrBase & { readonly type: 'SOA'; readonly data: SoaData });

export interface DnsQuestion {
  readonly name: string;
  readonly type: DnsType;
}

/** EDNS(0) OPT pseudo-record (RFC 6891), when the sender added one. */
export interface DnsEdns {
  readonly udpPayloadSize: number;
}

export interface DnsMessage {
  readonly id: number;
  /** false: a query; true: a response. */
  readonly qr: boolean;
  readonly aa: boolean;
  readonly tc: boolean;
  readonly rd: boolean;
  readonly ra: boolean;
  readonly ad: boolean;
  readonly cd: boolean;
  readonly rcode: DnsRcode;
  readonly questions: readonly DnsQuestion[];
  readonly answers: readonly DnsRecord[];
  readonly authority: readonly DnsRecord[];
  readonly additional: readonly DnsRecord[];
  readonly edns: DnsEdns | null;
}

/** The body of a response: what a server decides, before it is tied to a query's ID. */
export interface DnsReplyBody {
  readonly rcode: DnsRcode;
  readonly aa: boolean;
  readonly ra: boolean;
  readonly tc?: boolean;
  readonly answers: readonly DnsRecord[];
  readonly authority: readonly DnsRecord[];
  readonly additional: readonly DnsRecord[];
}

/** A standard query as a stub resolver sends it: RD=1, one question, AD clear. */
export function dnsQuery(id: number, name: string, type: DnsType, opts: { readonly edns0?: boolean; readonly ad?: boolean } = {}): DnsMessage {
  return {
    id,
    qr: false,
    aa: false,
    tc: false,
    rd: true,
    ra: false,
    ad: opts.ad ?? false,
    cd: false,
    rcode: 'NOERROR',
    questions: [{ name: fqdn(name), type }],
    answers: [],
    authority: [],
    additional: [],
    edns: opts.edns0 ? { udpPayloadSize: 1200 } : null,
  };
}

/** The response to `query` carrying `body`: same ID and question, RD copied (miekg/dns SetReply). */
export function dnsResponse(query: DnsMessage, body: DnsReplyBody): DnsMessage {
  return {
    id: query.id,
    qr: true,
    aa: body.aa,
    tc: body.tc ?? false,
    rd: query.rd,
    ra: body.ra,
    ad: false,
    cd: query.cd,
    rcode: body.rcode,
    questions: query.questions,
    answers: body.answers,
    authority: body.authority,
    additional: body.additional,
    edns: query.edns,
  };
}

// ---------------------------------------------------------------------------------------------
// Names

/** Absolute presentation form: one trailing dot, root is `.`. */
export function fqdn(name: string): string {
  if (name === '' || name === '.') return '.';
  return name.endsWith('.') ? name : `${name}.`;
}

/** Without the trailing dot (`` for the root). */
export function relative(name: string): string {
  return name === '.' ? '' : name.endsWith('.') ? name.slice(0, -1) : name;
}

/** Case-insensitive name comparison (RFC 4343), ignoring a trailing dot. */
export function sameName(a: string, b: string): boolean {
  return relative(a).toLowerCase() === relative(b).toLowerCase();
}

/** `name` equals `zone` or lies under it (miekg/dns IsSubDomain). */
export function isSubdomain(zone: string, name: string): boolean {
  const z = relative(zone).toLowerCase();
  const n = relative(name).toLowerCase();
  if (z === '') return true;
  return n === z || n.endsWith(`.${z}`);
}

/** The labels of a name, left to right, without the root. */
export function labels(name: string): string[] {
  const r = relative(name);
  return r === '' ? [] : r.split('.');
}

/** The `.in-addr.arpa.` / `.ip6.arpa.` name for an address (what getnameinfo asks for). */
export function reverseName(ip: string): string | null {
  if (isIPv4(ip)) return `${ip.split('.').reverse().join('.')}.in-addr.arpa.`;
  if (isIPv6(ip)) {
    const hex = expandIpv6(ip);
    return `${[...hex].reverse().join('.')}.ip6.arpa.`;
  }
  return null;
}

/** The address a full reverse name stands for (dnsutil.ExtractAddressFromReverse); null otherwise. */
export function addressFromReverse(name: string): string | null {
  const r = relative(name).toLowerCase();
  if (r.endsWith('.in-addr.arpa')) {
    const parts = r.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4) return null;
    const ip = parts.reverse().join('.');
    return isIPv4(ip) ? ip : null;
  }
  if (r.endsWith('.ip6.arpa')) {
    const nibbles = r.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return null;
    const hex = nibbles.reverse().join('');
    const groups = hex.match(/.{4}/g) ?? [];
    return compressIpv6(groups.join(':'));
  }
  return null;
}

/** 32 hex digits of an IPv6 address. */
function expandIpv6(ip: string): string {
  const [head = '', tail] = ip.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? [] : Array.from({ length: 8 - h.length - t.length }, () => '0');
  return [...h, ...fill, ...t].map((g) => g.padStart(4, '0')).join('');
}

/** RFC 5952 text of a full IPv6 address (lowercase, longest zero run compressed). */
export function compressIpv6(full: string): string {
  const groups = full.split(':').map((g) => g.replace(/^0+(?=.)/, '').toLowerCase());
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** IPv6 address text in RFC 5952 form (as Go's net.IP.String and dns-packet print it). */
export function canonicalIpv6(ip: string): string {
  return compressIpv6(expandIpv6(ip).match(/.{4}/g)?.join(':') ?? ip);
}

// ---------------------------------------------------------------------------------------------
// Presentation

/** A record as one zone-file line, the way `dig` prints it. */
export function recordText(rr: DnsRecord): string {
  const data = match(rr)
    .with({ type: 'A' }, { type: 'AAAA' }, { type: 'CNAME' }, { type: 'NS' }, { type: 'PTR' }, (r) => r.data)
    .with({ type: 'SRV' }, (r) => `${r.data.priority} ${r.data.weight} ${r.data.port} ${r.data.target}`)
    .with({ type: 'TXT' }, (r) => r.data.map((s) => JSON.stringify(s)).join(' '))
    .with({ type: 'MX' }, (r) => `${r.data.preference} ${r.data.exchange}`)
    .with({ type: 'SOA' }, (r) => `${r.data.mname} ${r.data.rname} ${r.data.serial} ${r.data.refresh} ${r.data.retry} ${r.data.expire} ${r.data.minimum}`)
    .exhaustive();
  return `${rr.name} ${rr.ttl} IN ${rr.type} ${data}`;
}

/** The data of a record without owner and TTL, e.g. `A 10.96.0.50`. */
export function recordDataText(rr: DnsRecord): string {
  const full = recordText(rr);
  return full.slice(full.indexOf(' IN ') + 4);
}

// ---------------------------------------------------------------------------------------------
// Wire form (dns-packet)

function toPacketAnswer(rr: DnsRecord): dnsPacket.Answer {
  const base = { name: relative(rr.name) || '.', ttl: rr.ttl, class: 'IN' as const };
  return match(rr)
    .with({ type: 'A' }, { type: 'AAAA' }, { type: 'CNAME' }, { type: 'NS' }, { type: 'PTR' }, (r): dnsPacket.Answer => ({
      ...base,
      type: r.type,
      data: r.type === 'A' || r.type === 'AAAA' ? r.data : relative(r.data) || '.',
    }))
    .with({ type: 'SRV' }, (r): dnsPacket.Answer => ({ ...base, type: 'SRV', data: { ...r.data, target: relative(r.data.target) || '.' } }))
    .with({ type: 'TXT' }, (r): dnsPacket.Answer => ({ ...base, type: 'TXT', data: [...r.data] }))
    .with({ type: 'MX' }, (r): dnsPacket.Answer => ({ ...base, type: 'MX', data: { preference: r.data.preference, exchange: relative(r.data.exchange) || '.' } }))
    .with({ type: 'SOA' }, (r): dnsPacket.Answer => ({ ...base, type: 'SOA', data: { ...r.data, mname: relative(r.data.mname) || '.', rname: relative(r.data.rname) || '.' } }))
    .exhaustive();
}

function headerFlags(m: DnsMessage): number {
  return (
    (m.aa ? dnsPacket.AUTHORITATIVE_ANSWER : 0) |
    (m.tc ? dnsPacket.TRUNCATED_RESPONSE : 0) |
    (m.rd ? dnsPacket.RECURSION_DESIRED : 0) |
    (m.ra ? dnsPacket.RECURSION_AVAILABLE : 0) |
    (m.ad ? dnsPacket.AUTHENTIC_DATA : 0) |
    (m.cd ? dnsPacket.CHECKING_DISABLED : 0) |
    rcodeNumber(m.rcode)
  );
}

/** The message as a UDP payload (RFC 1035 §4, name compression as dns-packet does it). */
export function encodeDnsMessage(m: DnsMessage): Uint8Array {
  const additionals: dnsPacket.Answer[] = m.additional.map(toPacketAnswer);
  if (m.edns) additionals.push({ type: 'OPT', name: '.', udpPayloadSize: m.edns.udpPayloadSize, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] });
  const buf = dnsPacket.encode({
    type: m.qr ? 'response' : 'query',
    id: m.id,
    flags: headerFlags(m),
    questions: m.questions.map((q) => ({ name: relative(q.name) || '.', type: q.type, class: 'IN' })),
    answers: m.answers.map(toPacketAnswer),
    authorities: m.authority.map(toPacketAnswer),
    additionals,
  });
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function isDnsType(t: string): t is DnsType {
  return (DNS_TYPES as readonly string[]).includes(t);
}

function isRcode(r: string): r is DnsRcode {
  return (DNS_RCODES as readonly string[]).includes(r);
}

function fromPacketAnswer(a: dnsPacket.Answer): Result<DnsRecord | null, string> {
  const name = fqdn(a.name);
  const ttl = 'ttl' in a && typeof a.ttl === 'number' ? a.ttl : 0;
  switch (a.type) {
    case 'A':
    case 'AAAA':
      return ok({ name, ttl, type: a.type, data: a.type === 'AAAA' ? canonicalIpv6(String(a.data)) : String(a.data) });
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return ok({ name, ttl, type: a.type, data: fqdn(String(a.data)) });
    case 'SRV':
      return ok({ name, ttl, type: 'SRV', data: { priority: a.data.priority ?? 0, weight: a.data.weight ?? 0, port: a.data.port, target: fqdn(a.data.target) } });
    case 'TXT': {
      const parts = Array.isArray(a.data) ? a.data : [a.data];
      return ok({ name, ttl, type: 'TXT', data: parts.map((p) => (typeof p === 'string' ? p : Buffer.from(p).toString('utf8'))) });
    }
    case 'MX':
      return ok({ name, ttl, type: 'MX', data: { preference: a.data.preference ?? 0, exchange: fqdn(a.data.exchange) } });
    case 'SOA':
      return ok({
        name,
        ttl,
        type: 'SOA',
        data: {
          mname: fqdn(a.data.mname),
          rname: fqdn(a.data.rname),
          serial: a.data.serial ?? 0,
          refresh: a.data.refresh ?? 0,
          retry: a.data.retry ?? 0,
          expire: a.data.expire ?? 0,
          minimum: a.data.minimum ?? 0,
        },
      });
    case 'OPT':
      return ok(null);
    default:
      return err(`record type ${a.type} of ${name} is not modelled`);
  }
}

/** Parse a UDP payload. Malformed bytes are an error value, never an exception. */
export function decodeDnsMessage(bytes: Uint8Array): Result<DnsMessage, string> {
  let p: dnsPacket.DecodedPacket;
  try {
    p = dnsPacket.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    return err(`not a DNS message: ${e instanceof Error ? e.message : String(e)}`);
  }
  const rcode = String((p as unknown as { rcode?: string }).rcode ?? 'NOERROR');
  if (!isRcode(rcode)) return err(`rcode ${rcode} is not modelled`);
  const questions: DnsQuestion[] = [];
  for (const q of p.questions ?? []) {
    if (!isDnsType(q.type)) return err(`question type ${q.type} is not modelled`);
    questions.push({ name: fqdn(q.name), type: q.type });
  }
  const section = (list: readonly dnsPacket.Answer[] | undefined): Result<DnsRecord[], string> => {
    const out: DnsRecord[] = [];
    for (const a of list ?? []) {
      const r = fromPacketAnswer(a);
      if (!r.ok) return r;
      if (r.value) out.push(r.value);
    }
    return ok(out);
  };
  const answers = section(p.answers);
  if (!answers.ok) return answers;
  const authority = section(p.authorities);
  if (!authority.ok) return authority;
  const additional = section(p.additionals);
  if (!additional.ok) return additional;
  const opt = (p.additionals ?? []).find((a): a is dnsPacket.OptAnswer => a.type === 'OPT');
  return ok({
    id: p.id ?? 0,
    qr: p.flag_qr,
    aa: p.flag_aa,
    tc: p.flag_tc,
    rd: p.flag_rd,
    ra: p.flag_ra,
    ad: p.flag_ad,
    cd: p.flag_cd,
    rcode,
    questions,
    answers: answers.value,
    authority: authority.value,
    additional: additional.value,
    edns: opt ? { udpPayloadSize: opt.udpPayloadSize } : null,
  });
}

/** Encode then decode: what the receiver of the datagram sees (used to keep every hop on the wire). */
export function overTheWire(m: DnsMessage): Result<DnsMessage, string> {
  return decodeDnsMessage(encodeDnsMessage(m));
}

/** The UDP payload of a DNS datagram, for a packet's L4 (`{kind: 'udp', dport: 53, payload}`). */
export function dnsUdpPayload(m: DnsMessage): { readonly kind: 'dns'; readonly message: DnsMessage; readonly bytes: Uint8Array } {
  const bytes = encodeDnsMessage(m);
  // The message the receiver decodes (names made absolute, OPT folded into `edns`).
  const message = decodeDnsMessage(bytes);
  if (!message.ok) throw new Error(`a DNS message podnet encoded does not decode: ${message.error}`);
  return { kind: 'dns', message: message.value, bytes };
}

/**
 * The bytes of a UDP datagram read as DNS, or null when they are not a DNS message podnet models
 * exactly (re-encoding must give the same bytes, so a capture decodes and re-encodes unchanged).
 */
export function dnsPayloadOf(bytes: Uint8Array): { readonly kind: 'dns'; readonly message: DnsMessage; readonly bytes: Uint8Array } | null {
  const m = decodeDnsMessage(bytes);
  if (!m.ok) return null;
  let again: Uint8Array;
  try {
    again = encodeDnsMessage(m.value);
  } catch {
    return null;
  }
  if (again.length !== bytes.length || again.some((b, i) => b !== bytes[i])) return null;
  return { kind: 'dns', message: m.value, bytes };
}

/** A tcpdump-like summary: `query 0x1a2b A web.default.svc.cluster.local.` / `response 0x1a2b NXDOMAIN ...`. */
export function describeDnsMessage(m: DnsMessage): string {
  const id = `0x${m.id.toString(16).padStart(4, '0')}`;
  const q = m.questions[0];
  const question = q ? `${q.type} ${q.name}` : '(no question)';
  if (!m.qr) return `DNS query ${id} ${question}`;
  const answers = m.answers.length > 0 ? ` ${m.answers.map(recordDataText).join(', ')}` : m.authority.some((a) => a.type === 'SOA') ? ' (SOA in authority)' : '';
  return `DNS response ${id} ${question} ${m.rcode}${m.aa ? ' aa' : ''}${answers}`;
}

/** The well-known DNS port. */
export const DNS_PORT = 53;

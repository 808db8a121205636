import { isIPv4, isIPv6 } from 'node:net';
import { err, ok, type Result } from '../../lib/result.js';
import { canonicalIpv6, fqdn, isSubdomain, relative, sameName, type DnsRecord, type DnsReplyBody, type DnsType } from '../../net/dns.js';

/**
 * The world outside the cluster as CoreDNS's `forward . /etc/resolv.conf` sees it: the nodes'
 * nameservers (the topology header's `dns.upstream`), modelled as one recursive resolver that
 * answers from a small fixed table of external names. The table makes every run deterministic;
 * a topology can add names to it (see `UPSTREAM_RECORDS_ANNOTATION` in ./config.ts).
 *
 * Table text, one record per line (`#` starts a comment):
 *
 *     www.example.com    A      192.0.2.10
 *     www.example.com    AAAA   2001:db8::10
 *     alias.example.com  CNAME  www.example.com
 *     *.wild.example     A      192.168.99.99       a wildcard: any name under wild.example
 *     *.nodata.example   NODATA                     the name exists but has no records
 *     *.failing.example  SERVFAIL                   every type fails
 *     api.example.com    AAAA SERVFAIL              only AAAA fails
 *     10.2.0.192.in-addr.arpa PTR www.example.com
 *
 * Everything else is NXDOMAIN with the root zone's SOA (or the SOA of the table's zone the name
 * falls in), as a public resolver answers.
 */

/** One owner name of the table and what the resolver answers for it. */
export interface UpstreamEntry {
  /** Lower case, no trailing dot; `*.suffix` for a wildcard. */
  readonly name: string;
  readonly a: readonly string[];
  readonly aaaa: readonly string[];
  readonly ptr: readonly string[];
  readonly txt: readonly string[];
  readonly cname: string | null;
  /** Types (or `*` for all) that fail with this rcode. */
  readonly failures: readonly { readonly type: DnsType | '*'; readonly rcode: 'SERVFAIL' | 'REFUSED' }[];
}

export interface UpstreamModel {
  /** The nodes' nameservers: what `forward . /etc/resolv.conf` forwards to (max 15). */
  readonly servers: readonly string[];
  /** false: every upstream is down or unreachable, so forwarded queries get SERVFAIL. */
  readonly reachable: boolean;
  readonly entries: readonly UpstreamEntry[];
  /** TTL of positive upstream records. */
  readonly ttl: number;
}

/**
 * The default table: documentation addresses (RFC 5737, RFC 3849) so nothing real is implied.
 * It holds the fixture of dns.md §5 (www/api.example.com, build.corp.example and the three
 * search-domain traps) so its rows reproduce with only a search domain added to the topology.
 */
export const DEFAULT_UPSTREAM_TABLE = `# podnet's default upstream (documentation addresses)
example.com          A      192.0.2.1
example.com          AAAA   2001:db8::1
www.example.com      A      192.0.2.10
www.example.com      AAAA   2001:db8::10
api.example.com      A      192.0.2.20
build.corp.example   A      192.168.10.5
*.wild.example       A      192.168.99.99
*.nodata.example     NODATA
*.failing.example    SERVFAIL
`;

const TABLE_TYPES = ['A', 'AAAA', 'CNAME', 'PTR', 'TXT'] as const;
type TableType = (typeof TABLE_TYPES)[number];

interface MutableEntry {
  name: string;
  a: string[];
  aaaa: string[];
  ptr: string[];
  txt: string[];
  cname: string | null;
  failures: { type: DnsType | '*'; rcode: 'SERVFAIL' | 'REFUSED' }[];
}

const NAME_RE = /^(\*\.)?([a-z0-9_]([-a-z0-9_]*[a-z0-9_])?)(\.[a-z0-9_]([-a-z0-9_]*[a-z0-9_])?)*$/;

/** Parse table text; the error names the 1-based line. Later lines for a name add to it. */
export function parseUpstreamTable(text: string): Result<UpstreamEntry[], string> {
  const byName = new Map<string, MutableEntry>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/#.*$/, '').trim();
    if (line === '') continue;
    const where = `line ${i + 1} ("${line}")`;
    const f = line.split(/\s+/);
    const rawName = f[0] ?? '';
    const name = relative(rawName.toLowerCase());
    if (!NAME_RE.test(name)) return err(`${where}: "${rawName}" is not a domain name (a wildcard is written *.suffix)`);
    const entry = byName.get(name) ?? { name, a: [], aaaa: [], ptr: [], txt: [], cname: null, failures: [] };
    byName.set(name, entry);
    const kw = (f[1] ?? '').toUpperCase();
    if (kw === 'NODATA' && f.length === 2) continue;
    if ((kw === 'SERVFAIL' || kw === 'REFUSED') && f.length === 2) {
      entry.failures.push({ type: '*', rcode: kw });
      continue;
    }
    const last = (f[2] ?? '').toUpperCase();
    if ((last === 'SERVFAIL' || last === 'REFUSED') && f.length === 3) {
      if (!(TABLE_TYPES as readonly string[]).includes(kw) && kw !== 'SRV' && kw !== 'MX' && kw !== 'NS' && kw !== 'SOA') return err(`${where}: "${f[1]}" is not a record type`);
      entry.failures.push({ type: kw as DnsType, rcode: last });
      continue;
    }
    if (!(TABLE_TYPES as readonly string[]).includes(kw) || f.length < 3) {
      return err(`${where}: expected NAME TYPE VALUE with TYPE one of ${TABLE_TYPES.join(', ')}, or NAME NODATA, or NAME [TYPE] SERVFAIL|REFUSED`);
    }
    const value = f.slice(2).join(' ');
    const type = kw as TableType;
    if (type === 'A') {
      if (!isIPv4(value)) return err(`${where}: "${value}" is not an IPv4 address`);
      entry.a.push(value);
    } else if (type === 'AAAA') {
      if (!isIPv6(value)) return err(`${where}: "${value}" is not an IPv6 address`);
      entry.aaaa.push(canonicalIpv6(value));
    } else if (type === 'CNAME') {
      if (name.startsWith('*.')) return err(`${where}: a wildcard cannot be a CNAME in podnet's table`);
      entry.cname = relative(value.toLowerCase());
    } else if (type === 'PTR') {
      entry.ptr.push(relative(value));
    } else {
      entry.txt.push(value.replace(/^"(.*)"$/, '$1'));
    }
  }
  return ok([...byName.values()]);
}

/** Defaults plus a topology's own lines; a name the topology lists replaces the default one. */
export function upstreamEntries(extra: readonly UpstreamEntry[]): UpstreamEntry[] {
  const base = parseUpstreamTable(DEFAULT_UPSTREAM_TABLE);
  if (!base.ok) throw new Error(`the default upstream table does not parse: ${base.error}`);
  const own = new Set(extra.map((e) => e.name));
  return [...base.value.filter((e) => !own.has(e.name)), ...extra];
}

function findEntry(entries: readonly UpstreamEntry[], name: string): UpstreamEntry | null {
  const n = relative(name).toLowerCase();
  const exact = entries.find((e) => e.name === n);
  if (exact) return exact;
  let best: UpstreamEntry | null = null;
  for (const e of entries) {
    if (!e.name.startsWith('*.')) continue;
    const suffix = e.name.slice(2);
    if (n.endsWith(`.${suffix}`) && (best === null || suffix.length > best.name.length - 2)) best = e;
  }
  return best;
}

/** The zone a name's negative answer comes from: a table zone (last two labels of a table name) or the root. */
function negativeSoa(entries: readonly UpstreamEntry[], name: string): DnsRecord {
  const n = relative(name).toLowerCase();
  const zones = new Set<string>();
  for (const e of entries) {
    const labels = e.name.replace(/^\*\./, '').split('.');
    zones.add(labels.slice(-2).join('.'));
  }
  let zone: string | null = null;
  for (const z of zones) if (isSubdomain(z, n) && (zone === null || z.length > zone.length)) zone = z;
  if (zone === null || n.endsWith('.arpa')) {
    return { name: '.', ttl: 86400, type: 'SOA', data: { mname: 'a.root-servers.net.', rname: 'nstld.verisign-grs.com.', serial: 2026010100, refresh: 1800, retry: 900, expire: 604800, minimum: 86400 } };
  }
  return { name: fqdn(zone), ttl: 3600, type: 'SOA', data: { mname: `ns1.${zone}.`, rname: `hostmaster.${zone}.`, serial: 2026010100, refresh: 7200, retry: 3600, expire: 1209600, minimum: 3600 } };
}

function recordsOf(e: UpstreamEntry, owner: string, type: DnsType, ttl: number): DnsRecord[] {
  const name = fqdn(owner);
  switch (type) {
    case 'A':
      return e.a.map((data) => ({ name, ttl, type: 'A', data }));
    case 'AAAA':
      return e.aaaa.map((data) => ({ name, ttl, type: 'AAAA', data }));
    case 'PTR':
      return e.ptr.map((data) => ({ name, ttl, type: 'PTR', data: fqdn(data) }));
    case 'TXT':
      return e.txt.length > 0 ? [{ name, ttl, type: 'TXT', data: e.txt }] : [];
    default:
      return [];
  }
}

/** An answer from the upstream resolver, with a one-line note on why. */
export interface UpstreamReply extends DnsReplyBody {
  readonly note: string;
}

/**
 * What the upstream resolver answers for one question. Recursive-resolver flags: RA=1, AA=0.
 * CNAMEs in the table are chased (at most 8 links), as a recursive resolver does.
 */
export function upstreamAnswer(model: UpstreamModel, question: { readonly name: string; readonly type: DnsType }): UpstreamReply {
  const base = { aa: false, ra: true, additional: [] as DnsRecord[] };
  if (!model.reachable || model.servers.length === 0) {
    return { ...base, rcode: 'SERVFAIL', answers: [], authority: [], note: model.servers.length === 0 ? 'no upstream nameserver configured' : 'the upstream nameservers do not answer' };
  }
  const chain: DnsRecord[] = [];
  let owner = question.name;
  for (let hop = 0; hop <= 8; hop++) {
    const entry = findEntry(model.entries, owner);
    if (entry === null) {
      const childExists = model.entries.some((e) => {
        const n = e.name.replace(/^\*\./, '');
        return !sameName(n, owner) && isSubdomain(owner, n);
      });
      const rcode = childExists ? 'NOERROR' : 'NXDOMAIN';
      return { ...base, rcode, answers: chain, authority: [negativeSoa(model.entries, owner)], note: childExists ? `${fqdn(owner)} exists only as a parent of other names: NODATA` : `${fqdn(owner)} does not exist upstream` };
    }
    const failure = entry.failures.find((f) => f.type === '*' || f.type === question.type);
    if (failure) return { ...base, rcode: failure.rcode, answers: [], authority: [], note: `upstream answers ${failure.rcode} for ${fqdn(owner)}` };
    if (entry.cname !== null && question.type !== 'CNAME') {
      chain.push({ name: fqdn(owner), ttl: model.ttl, type: 'CNAME', data: fqdn(entry.cname) });
      owner = entry.cname;
      continue;
    }
    if (entry.cname !== null) {
      return { ...base, rcode: 'NOERROR', answers: [{ name: fqdn(owner), ttl: model.ttl, type: 'CNAME', data: fqdn(entry.cname) }], authority: [], note: `${fqdn(owner)} is an alias` };
    }
    const records = recordsOf(entry, owner, question.type, model.ttl);
    if (records.length === 0) {
      return { ...base, rcode: 'NOERROR', answers: chain, authority: chain.length > 0 ? [] : [negativeSoa(model.entries, owner)], note: `${fqdn(owner)} has no ${question.type} record: NODATA` };
    }
    return { ...base, rcode: 'NOERROR', answers: [...chain, ...records], authority: [], note: `upstream has ${records.length} ${question.type} record${records.length === 1 ? '' : 's'} for ${fqdn(owner)}` };
  }
  return { ...base, rcode: 'SERVFAIL', answers: [], authority: [], note: 'CNAME chain longer than 8' };
}

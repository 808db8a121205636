import { readFileSync } from 'node:fs';
import type { Cluster } from '../../src/cluster/cluster.js';
import { clusterTransport, coreDnsConfigFor, parseUpstreamTable, upstreamEntries, type CoreDnsConfig } from '../../src/controllers/coredns/index.js';
import { formatInputError } from '../../src/lib/input-error.js';
import { dnsResponse } from '../../src/net/dns.js';
import { lookup, type Libc, type LookupCall, type LookupTrace, type OutgoingQuery, type Transport } from '../../src/resolver/index.js';
import { parseTopology } from '../../src/topology/load.js';

/** The dns.md §5 fixture cluster (test/dns/fixture.yaml). */
let cached: Cluster | null = null;
export function fixture(): Cluster {
  if (cached) return cached;
  const r = parseTopology(readFileSync(new URL('./fixture.yaml', import.meta.url), 'utf8'), 'fixture.yaml');
  if (!r.ok) throw new Error(formatInputError(r.error));
  cached = r.value;
  return cached;
}

export function fixtureConfig(over: Partial<CoreDnsConfig> = {}): CoreDnsConfig {
  const c = coreDnsConfigFor(fixture());
  if (!c.ok) throw new Error(c.error);
  return { ...c.value, ...over };
}

/** The upstream table with extra lines (format of parseUpstreamTable). */
export function withUpstream(config: CoreDnsConfig, lines: string): CoreDnsConfig {
  const t = parseUpstreamTable(lines);
  if (!t.ok) throw new Error(t.error);
  return { ...config, upstream: { ...config.upstream, entries: upstreamEntries(t.value) } };
}

/** "STD": the ClusterFirst resolv.conf for a namespace, ndots:5, plus node search domains. */
export function std(ns = 'default', extraSearch: readonly string[] = [], options = 'ndots:5', nameservers: readonly string[] = ['10.96.0.10']): string {
  return `search ${[`${ns}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local', ...extraSearch].join(' ')}\n${nameservers.map((n) => `nameserver ${n}\n`).join('')}options ${options}\n`;
}

export interface RunOptions {
  readonly conf?: string;
  readonly config?: CoreDnsConfig;
  readonly call?: LookupCall;
  readonly clientIp?: string;
  readonly lose?: (q: OutgoingQuery) => boolean;
  readonly latencyMs?: (serverIp: string) => number;
  readonly muslVersion?: '1.2.3' | '1.2.5';
  /** Wrap the cluster transport (e.g. to add the dual-stack service podnet's model lacks). */
  readonly wrap?: (inner: Transport) => Transport;
  readonly hosts?: string;
}

/** Resolve `name` from the fixture's client pod (10.244.1.5) through the modelled CoreDNS. */
export function run(libc: Libc, name: string, o: RunOptions = {}): LookupTrace {
  const { transport } = clusterTransport(fixture(), o.config ?? fixtureConfig(), {
    clientIp: o.clientIp ?? '10.244.1.5',
    ...(o.lose ? { lose: o.lose } : {}),
    ...(o.latencyMs ? { latencyMs: o.latencyMs } : {}),
  });
  return lookup(libc, { name, call: o.call ?? { kind: 'getaddrinfo', family: 'AF_UNSPEC' } }, {
    resolvConf: o.conf ?? std(),
    transport: o.wrap ? o.wrap(transport) : transport,
    ...(o.muslVersion ? { muslVersion: o.muslVersion } : {}),
    ...(o.hosts !== undefined ? { hosts: o.hosts } : {}),
  });
}

/** The candidate names in order (relative, as dns.md writes them), with their outcome. */
export function walk(t: LookupTrace): string[] {
  return t.candidates.filter((c) => c.datagrams > 0).map((c) => `${c.name.replace(/\.$/, '')} ${c.outcome}`);
}

/** The distinct names queried, in order (trailing dot kept). */
export function names(t: LookupTrace): string[] {
  const out: string[] = [];
  for (const q of t.queries) if (out[out.length - 1] !== q.name) out.push(q.name);
  return out;
}

export function addresses(t: LookupTrace): readonly string[] {
  return t.result.ok ? t.result.addresses : [];
}

export function error(t: LookupTrace): string | null {
  return t.result.ok ? null : t.result.error;
}

/** A dual-stack default/dual (10.96.0.60 + fd00:10:96::60), which podnet's IPv4-only cluster model lacks. */
export function withDual(inner: Transport): Transport {
  return (q) => {
    if (q.name.toLowerCase() !== 'dual.default.svc.cluster.local.') return inner(q);
    const answers =
      q.type === 'A'
        ? [{ name: q.name, ttl: 30, type: 'A' as const, data: '10.96.0.60' }]
        : q.type === 'AAAA'
          ? [{ name: q.name, ttl: 30, type: 'AAAA' as const, data: 'fd00:10:96::60' }]
          : [];
    return { kind: 'reply', message: dnsResponse(q.message, { rcode: 'NOERROR', aa: true, ra: false, answers, authority: [], additional: [] }) };
  };
}

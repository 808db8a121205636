import { isIP } from 'node:net';
import { Command } from 'commander';
import { match } from 'ts-pattern';
import type { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { clusterTransport, coreDnsConfigFor, corefileText, servedKey, type CoreDnsConfig, type ServedBy } from '../../controllers/coredns/index.js';
import { formatIpv4 } from '../../net/ipv4.js';
import { recordDataText, relative } from '../../net/dns.js';
import { loadTopology } from '../../topology/load.js';
import {
  kubeletDnsSettings,
  LIBCS,
  lookup,
  podHostsText,
  podResolvConf,
  walkHints,
  type Libc,
  type LookupCall,
  type LookupTrace,
  type PodResolvConf,
  type SentQuery,
  type Transport,
  type WasteSummary,
} from '../../resolver/index.js';
import { inputErrorToUsage, UsageError } from '../exit.js';

/**
 * `podnet dns FILE --pod NS/NAME NAME`: resolve a name from a pod the way its libc does, with
 * the resolv.conf the kubelet wrote, every query in order with its answer, the total, and advice
 * when the ndots/search walk is wasteful. Queries go to the kube-dns ClusterIP and are answered by
 * the modelled CoreDNS; `runDns` takes another transport (the packet walk) through `transport`.
 */

/** The pod annotation naming its image's C library. */
export const LIBC_ANNOTATION = 'podnet.dev/libc';

export const DNS_TYPE_CHOICES = ['A', 'AAAA', 'SRV', 'PTR'] as const;
export type DnsTypeChoice = (typeof DNS_TYPE_CHOICES)[number];

export interface DnsOptions {
  readonly pod?: string;
  readonly resolver?: string;
  readonly type?: string;
  readonly json?: boolean;
  readonly corefile?: boolean;
  readonly muslVersion?: string;
}

export interface DnsReport {
  readonly topology: string;
  readonly pod: { readonly namespace: string; readonly name: string; readonly ip: string; readonly node: string; readonly hostNetwork: boolean; readonly dnsPolicy: string };
  readonly libcFrom: 'option' | 'annotation' | 'default';
  readonly resolvConf: PodResolvConf;
  readonly trace: LookupTrace;
  /** Who answered each datagram (by `seq`). */
  readonly served: ReadonlyMap<number, ServedBy>;
  readonly waste: WasteSummary;
}

/** The stub resolver call a `--type` stands for. */
export function callFor(type: DnsTypeChoice | undefined, name: string): LookupCall {
  return match(type)
    .with(undefined, (): LookupCall => ({ kind: 'getaddrinfo', family: 'AF_UNSPEC' }))
    .with('A', (): LookupCall => ({ kind: 'getaddrinfo', family: 'AF_INET' }))
    .with('AAAA', (): LookupCall => ({ kind: 'getaddrinfo', family: 'AF_INET6' }))
    .with('SRV', (): LookupCall => ({ kind: 'res_search', type: 'SRV' }))
    .with('PTR', (): LookupCall => (isIP(name) !== 0 ? { kind: 'getnameinfo' } : { kind: 'res_search', type: 'PTR' }))
    .exhaustive();
}

function parseType(t: string | undefined): DnsTypeChoice | undefined {
  if (t === undefined) return undefined;
  const u = t.toUpperCase();
  if (!(DNS_TYPE_CHOICES as readonly string[]).includes(u)) throw new UsageError(`--type ${t}: expected ${DNS_TYPE_CHOICES.join(', ')}`);
  return u as DnsTypeChoice;
}

function findPodSpec(cluster: Cluster, spec: string): Pod {
  const [ns, name] = spec.includes('/') ? spec.split('/', 2) : ['default', spec];
  const pod = cluster.pods.find((p) => p.namespace === ns && p.name === name);
  if (!pod) {
    const known = cluster.pods.map((p) => `${p.namespace}/${p.name}`);
    throw new UsageError(`--pod ${spec}: no such pod in topology ${cluster.header.name}; pods: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', ...' : ''}`);
  }
  return pod;
}

/** The libc for a pod: --resolver, else its `podnet.dev/libc` annotation, else glibc. */
export function libcFor(pod: Pod, option: string | undefined): { libc: Libc; from: DnsReport['libcFrom'] } {
  if (option !== undefined) {
    if (!(LIBCS as readonly string[]).includes(option)) throw new UsageError(`--resolver ${option}: expected glibc or musl`);
    return { libc: option as Libc, from: 'option' };
  }
  const a = pod.annotations[LIBC_ANNOTATION];
  if (a !== undefined) {
    if (!(LIBCS as readonly string[]).includes(a)) throw new UsageError(`pod ${pod.namespace}/${pod.name}: annotation ${LIBC_ANNOTATION}: expected glibc or musl, found "${a}"`);
    return { libc: a as Libc, from: 'annotation' };
  }
  return { libc: 'glibc', from: 'default' };
}

/** Resolve `name` from `pod` (pure apart from the transport). */
export function runDns(
  cluster: Cluster,
  config: CoreDnsConfig,
  o: { readonly pod: Pod; readonly name: string; readonly libc: Libc; readonly libcFrom: DnsReport['libcFrom']; readonly type?: DnsTypeChoice; readonly muslVersion?: '1.2.3' | '1.2.5'; readonly transport?: Transport },
): DnsReport {
  const { pod } = o;
  const rc = podResolvConf(pod, kubeletDnsSettings(cluster, pod.nodeName));
  if (!rc.ok) throw new UsageError(`pod ${pod.namespace}/${pod.name} would be rejected by the API server: ${rc.error}`);
  const ct = clusterTransport(cluster, config, { clientIp: formatIpv4(pod.ip) });
  const trace = lookup(o.libc, { name: o.name, call: callFor(o.type, o.name) }, {
    resolvConf: rc.value.text,
    hosts: podHostsText(pod, cluster.header.clusterDomain),
    transport: o.transport ?? ct.transport,
    ...(o.muslVersion ? { muslVersion: o.muslVersion } : {}),
  });
  const served = new Map<number, ServedBy>();
  for (const q of trace.queries) {
    const s = ct.served.get(servedKey(q));
    if (s) served.set(q.seq, s);
  }
  return {
    topology: cluster.header.name,
    pod: { namespace: pod.namespace, name: pod.name, ip: formatIpv4(pod.ip), node: pod.nodeName, hostNetwork: pod.hostNetwork, dnsPolicy: pod.dnsPolicy },
    libcFrom: o.libcFrom,
    resolvConf: rc.value,
    trace,
    served,
    waste: walkHints(trace),
  };
}

// ---------------------------------------------------------------------------------------------
// Formatting (pure)

function replyText(q: SentQuery): string {
  return match(q.result)
    .with({ kind: 'lost' }, () => 'no reply')
    .with({ kind: 'unreachable' }, () => 'ICMP port unreachable')
    .with({ kind: 'reply' }, (r) => {
      const m = r.message;
      let text: string = m.rcode;
      if (m.rcode === 'NOERROR' && m.answers.length === 0) text = 'NOERROR, no records (NODATA)';
      else if (m.answers.length > 0) text = `${m.rcode} ${m.answers.map(recordDataText).join(', ')}`;
      const soa = m.authority.find((a) => a.type === 'SOA');
      if (soa && m.answers.length === 0) text += ` (SOA ${soa.name})`;
      if (r.use === 'ignored') text += ` [ignored: ${r.note ?? ''}]`;
      return text;
    })
    .exhaustive();
}

function msText(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The report as text. */
export function dnsText(r: DnsReport): string {
  const t = r.trace;
  const out: string[] = [];
  const libcNote = r.libcFrom === 'annotation' ? ` (pod annotation ${LIBC_ANNOTATION})` : r.libcFrom === 'default' ? ` (default; set ${LIBC_ANNOTATION} or --resolver)` : '';
  out.push(`dns from ${r.pod.namespace}/${r.pod.name} (${r.pod.ip} on ${r.pod.node}${r.pod.hostNetwork ? ', host network' : ''}): ${t.callText}`);
  out.push(`resolver: ${t.libc} ${t.version}${libcNote}`);
  out.push('');
  out.push(`/etc/resolv.conf, as the kubelet wrote it (${r.resolvConf.why}):`);
  for (const l of r.resolvConf.text.trimEnd().split('\n')) out.push(`  ${l}`);
  for (const e of r.resolvConf.events) out.push(`  event ${e.type} ${e.reason} (${e.object}): ${e.message}`);
  for (const n of t.config.notes) out.push(`  note: ${n}`);
  out.push('');
  out.push(t.plan);
  if (t.queries.length > 0) {
    out.push('');
    out.push('queries, in the order the pod sends them:');
    const nameW = Math.max(4, ...t.queries.map((q) => q.name.length));
    const ipW = Math.max(6, ...t.queries.map((q) => q.serverIp.length));
    const timeW = Math.max(4, ...t.queries.map((q) => msText(q.t).length));
    out.push(`  ${'#'.padStart(3)}  ${'time'.padEnd(timeW)}  ${'name'.padEnd(nameW)}  ${'type'.padEnd(4)}  ${'server'.padEnd(ipW)}  sport  answer`);
    for (const c of t.candidates) {
      const qs = t.queries.filter((q) => q.candidate === c.index);
      for (const q of qs) {
        const why = q.why === 'query' ? '' : ` (${q.why})`;
        out.push(`  ${String(q.seq).padStart(3)}  ${msText(q.t).padEnd(timeW)}  ${q.name.padEnd(nameW)}  ${q.type.padEnd(4)}  ${q.serverIp.padEnd(ipW)}  ${String(q.sourcePort).padEnd(5)}  ${replyText(q)}${why}`);
      }
      const first = qs[0];
      const served = first ? r.served.get(first.seq) : undefined;
      if (served) out.push(`       ${served.by === 'coredns' ? `CoreDNS ${served.where ?? ''}` : served.by === 'upstream' ? 'upstream' : 'network'}: ${served.why}`);
      if (qs.length === 0) out.push(`       ${c.name}: ${c.next}`);
      else out.push(`       => ${c.next}`);
    }
  }
  out.push('');
  const names = t.candidates.filter((c) => c.datagrams > 0).length;
  const ports = new Set(t.queries.map((q) => q.sourcePort)).size;
  out.push(`total: ${t.datagrams} ${t.datagrams === 1 ? 'query' : 'queries'} (${names} ${names === 1 ? 'name' : 'names'}, ${ports} source ${ports === 1 ? 'port' : 'ports'}), ${msText(t.elapsedMs)}`);
  const res = t.result;
  if (res.ok) {
    const what = res.source === 'hosts' ? ' (from /etc/hosts)' : res.source === 'literal' ? ' (an address literal)' : '';
    if (res.addresses.length > 0) {
      out.push(`answer: ${res.canonicalName && !sameish(res.canonicalName, r.trace.request.name) ? `${relative(r.trace.request.name)} (canonical name ${res.canonicalName})` : relative(r.trace.request.name)} -> ${res.addresses.join(', ')}${what}`);
    } else {
      out.push(`answer:${res.canonicalName ? ` ${res.canonicalName}` : ''}${what}`);
      for (const rr of res.records) out.push(`  ${rr.name} ${rr.ttl} IN ${recordDataText(rr)}`);
    }
  } else out.push(`answer: ${res.error} (${res.message})`);
  for (const n of t.notes) out.push(`note: ${n}`);
  for (const h of r.waste.hints) out.push(`hint: ${h.text}`);
  return out.join('\n');
}

function sameish(a: string, b: string): boolean {
  return relative(a).toLowerCase() === relative(b).toLowerCase();
}

/** The report as JSON (a plain object). */
export function dnsJson(r: DnsReport): unknown {
  const t = r.trace;
  return {
    topology: r.topology,
    pod: r.pod,
    resolver: { libc: t.libc, version: t.version, from: r.libcFrom, call: t.callText },
    resolvConf: { text: r.resolvConf.text, dnsType: r.resolvConf.dnsType, why: r.resolvConf.why, events: r.resolvConf.events },
    config: t.config,
    dots: t.dots,
    trailingDot: t.trailingDot,
    plan: t.plan,
    candidates: t.candidates,
    queries: t.queries.map((q) => ({
      seq: q.seq,
      t: q.t,
      candidate: q.candidate,
      name: q.name,
      type: q.type,
      server: q.serverIp,
      id: q.id,
      sourcePort: q.sourcePort,
      transmission: q.transmission,
      why: q.why,
      result:
        q.result.kind === 'reply'
          ? { kind: 'reply', at: q.result.at, rcode: q.result.message.rcode, aa: q.result.message.aa, ra: q.result.message.ra, answers: q.result.message.answers, authority: q.result.message.authority, additional: q.result.message.additional, use: q.result.use, note: q.result.note }
          : q.result,
      servedBy: r.served.get(q.seq) ?? null,
    })),
    datagrams: t.datagrams,
    elapsedMs: t.elapsedMs,
    result: t.result,
    wasted: r.waste.wasted,
    hints: r.waste.hints,
    notes: t.notes,
  };
}

export async function dnsAction(file: string, name: string | undefined, o: DnsOptions): Promise<string> {
  const type = parseType(o.type);
  if (o.muslVersion !== undefined && o.muslVersion !== '1.2.3' && o.muslVersion !== '1.2.5') throw new UsageError(`--musl-version ${o.muslVersion}: expected 1.2.3 or 1.2.5`);
  const loaded = await loadTopology(file);
  if (!loaded.ok) throw inputErrorToUsage(loaded.error);
  const cluster = loaded.value;
  const config = coreDnsConfigFor(cluster);
  if (!config.ok) throw new UsageError(`${file}: ${config.error}`);
  if (o.corefile) return o.json ? JSON.stringify({ corefile: corefileText(config.value), config: { ...config.value, upstream: { ...config.value.upstream, entries: config.value.upstream.entries.length } } }, null, 2) : corefileText(config.value).trimEnd();
  if (o.pod === undefined) throw new UsageError('dns: --pod NS/NAME is required (the pod whose resolver asks)');
  if (name === undefined || name === '') throw new UsageError('dns: the NAME to resolve is required');
  const pod = findPodSpec(cluster, o.pod);
  const { libc, from } = libcFor(pod, o.resolver);
  const report = runDns(cluster, config.value, { pod, name, libc, libcFrom: from, ...(type ? { type } : {}), ...(o.muslVersion === '1.2.3' || o.muslVersion === '1.2.5' ? { muslVersion: o.muslVersion } : {}) });
  return o.json ? JSON.stringify(dnsJson(report), null, 2) : dnsText(report);
}

export function dnsCommand(): Command {
  return new Command('dns')
    .description('resolve a name from a pod as its libc does: resolv.conf, every query in order, total, answer, hints')
    .argument('<file>', 'topology file')
    .argument('[name]', 'the name to resolve (an IP with --type PTR)')
    .option('--pod <ns/name>', 'the pod that resolves the name')
    .option('--resolver <libc>', 'glibc|musl (default: the pod\'s podnet.dev/libc annotation, else glibc)')
    .option('--type <type>', `${DNS_TYPE_CHOICES.join('|')} (default: getaddrinfo, A and AAAA together)`)
    .option('--musl-version <v>', 'musl 1.2.3 or 1.2.5 (NODATA is EAI_NONAME before 1.2.4)')
    .option('--corefile', 'print the Corefile podnet assumes for this topology')
    .option('--json', 'print JSON instead of text')
    .action(async (file: string, name: string | undefined, opts: DnsOptions) => {
      process.stdout.write(`${await dnsAction(file, name, opts)}\n`);
    });
}

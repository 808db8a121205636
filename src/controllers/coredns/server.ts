import type { Cluster } from '../../cluster/cluster.js';
import { formatIpv4 } from '../../net/ipv4.js';
import {
  dnsResponse,
  fqdn,
  isSubdomain,
  relative,
  sameName,
  type DnsMessage,
  type DnsRecord,
  type DnsReplyBody,
  type DnsType,
} from '../../net/dns.js';
import { coreDnsPods, type CoreDnsConfig } from './config.js';
import { kubernetesPlugin, pluginZone, type PluginContext } from './kubernetes.js';
import { upstreamAnswer } from './upstream.js';

/**
 * One CoreDNS server block (`.:53`) as kubeadm configures it, in plugin.cfg order: autopath
 * (when configured) -> kubernetes -> forward. `cache` is left out: kubeadm v1.32+ disables it for
 * the cluster zone, and forwarded answers come out the same. `loadbalance` would rotate the
 * order of A/AAAA records; podnet keeps EndpointSlice order so output is stable.
 */

export interface DnsQuestionIn {
  readonly name: string;
  readonly type: DnsType;
}

/** Who is asking, as CoreDNS sees the packet. */
export interface DnsClient {
  /** Source IP of the query packet at CoreDNS (after any SNAT): autopath maps it to a pod. */
  readonly ip?: string;
  /** The answering CoreDNS pod's IP (its `localIPs`, for NS records); default: the first CoreDNS pod. */
  readonly selfIp?: string;
}

/** CoreDNS's answer with an account of which plugin produced it and why. */
export interface CoreDnsAnswer extends DnsReplyBody {
  /** The plugin that wrote the answer. */
  readonly plugin: 'kubernetes' | 'forward' | 'autopath';
  /** One line on why this answer. */
  readonly why: string;
  /** For forwarded answers: the upstream nameserver asked. */
  readonly forwardedTo: string | null;
  /** With autopath: the name CoreDNS actually resolved for the client. */
  readonly autopathName: string | null;
}

type ChainResult = { readonly kind: 'answer'; readonly answer: CoreDnsAnswer } | { readonly kind: 'failure'; readonly why: string };

function forward(config: CoreDnsConfig, q: DnsQuestionIn): ChainResult {
  const up = config.upstream;
  const to = up.servers[0] ?? null;
  if (to === null || !up.reachable) {
    return { kind: 'failure', why: to === null ? 'forward . /etc/resolv.conf has no upstream nameserver' : `forward: no upstream answers (${up.servers.join(', ')} down)` };
  }
  const reply = upstreamAnswer(up, q);
  return { kind: 'answer', answer: { ...reply, plugin: 'forward', why: `forwarded to ${to}: ${reply.note}`, forwardedTo: to, autopathName: null } };
}

/** kubernetes, then forward for names it does not serve (or falls through on). */
function chain(cluster: Cluster, config: CoreDnsConfig, q: DnsQuestionIn, selfIp: string | null, depth: number): ChainResult {
  const ctx: PluginContext = {
    cluster,
    config,
    selfIp,
    lookup: (name, type) => {
      if (depth > 8) return { rcode: 'SERVFAIL', aa: false, ra: false, answers: [], authority: [], additional: [] };
      const r = chain(cluster, config, { name, type }, selfIp, depth + 1);
      return r.kind === 'answer' ? r.answer : { rcode: 'SERVFAIL', aa: false, ra: false, answers: [], authority: [], additional: [] };
    },
  };
  const k = kubernetesPlugin(ctx, { qname: q.name, qtype: q.type });
  if (k.kind === 'reply') return { kind: 'answer', answer: { ...k.body, plugin: 'kubernetes', why: k.why, forwardedTo: null, autopathName: null } };
  return forward(config, q);
}

/** The per-query search path of `autopath @kubernetes` (plugin/kubernetes/autopath.go), or null. */
export function autopathSearchPath(cluster: Cluster, config: CoreDnsConfig, qname: string, clientIp: string | undefined): string[] | null {
  if (!config.autopath) return null;
  const zone = pluginZone(config, qname);
  if (zone === null) return null;
  // Only with the pod cache, i.e. `pods verified`.
  if (config.pods !== 'verified' || clientIp === undefined) return null;
  const pod = cluster.pods.find((p) => !p.terminating && formatIpv4(p.ip) === clientIp);
  if (!pod) return null;
  const z = relative(zone);
  if (z === '') return [`${pod.namespace}.svc.`, 'svc.', '.', ...config.resolvSearch.map(fqdn), ''];
  return [`${pod.namespace}.svc.${z}.`, `svc.${z}.`, `${z}.`, ...config.resolvSearch.map(fqdn), ''];
}

/** autopath's cnamer: a CNAME from the asked name to the owner of the first answer that differs. */
function cnamer(answers: readonly DnsRecord[], original: string): DnsRecord[] {
  const first = answers.find((a) => !sameName(a.name, original));
  if (!first) return [...answers];
  return [{ name: fqdn(original), ttl: first.ttl, type: 'CNAME', data: first.name }, ...answers];
}

const SERVFAIL_BODY = { rcode: 'SERVFAIL', aa: false, ra: false, answers: [], authority: [], additional: [] } as const;

/**
 * What CoreDNS answers for one question: the kubernetes plugin's records for the cluster zone
 * (and the reverse zones), the upstream's answer for everything else, with autopath in front when
 * configured. Pure: same cluster, question, config and client, same answer.
 */
export function answer(cluster: Cluster, question: DnsQuestionIn, config: CoreDnsConfig, client: DnsClient = {}): CoreDnsAnswer {
  const selfIp = client.selfIp ?? defaultSelfIp(cluster);
  const q = { name: fqdn(question.name), type: question.type };
  const path = autopathSearchPath(cluster, config, q.name, client.ip);
  if (path !== null && path[0] !== undefined && (sameName(q.name, path[0]) || isSubdomain(path[0], q.name))) {
    if (sameName(q.name, path[0])) {
      // dnsutil.TrimZone overshoots the qname: autopath returns SERVFAIL.
      return { ...SERVFAIL_BODY, plugin: 'autopath', why: `autopath cannot strip ${path[0]} from itself (TrimZone error): SERVFAIL`, forwardedTo: null, autopathName: null };
    }
    const base = relative(q.name).slice(0, relative(q.name).length - relative(path[0]).length - 1);
    let first: CoreDnsAnswer | null = null;
    for (const s of path) {
      const name = s === '' ? `${base}.` : `${base}.${s}`;
      const r = chain(cluster, config, { name, type: q.type }, selfIp, 0);
      if (r.kind === 'failure') return { ...SERVFAIL_BODY, plugin: 'autopath', why: `autopath: ${r.why}`, forwardedTo: null, autopathName: name };
      first ??= r.answer;
      if (r.answer.rcode === 'NXDOMAIN') continue;
      return {
        ...r.answer,
        answers: cnamer(r.answer.answers, q.name),
        plugin: 'autopath',
        why: `autopath (search path of the pod at ${client.ip ?? '?'}) resolved ${name}: ${r.answer.why}`,
        autopathName: name,
      };
    }
    if (first) return { ...first, plugin: 'autopath', why: `autopath: every search path element is NXDOMAIN; the first reply goes back and the client walks its own list (${first.why})`, autopathName: q.name };
  }
  const r = chain(cluster, config, q, selfIp, 0);
  if (r.kind === 'failure') return { ...SERVFAIL_BODY, plugin: 'forward', why: r.why, forwardedTo: config.upstream.servers[0] ?? null, autopathName: null };
  return r.answer;
}

/** The first CoreDNS pod's IP: the `localIPs` of the pod answering, for NS records. */
function defaultSelfIp(cluster: Cluster): string | null {
  const pod = coreDnsPods(cluster)[0];
  return pod ? formatIpv4(pod.ip) : null;
}

/** CoreDNS's response datagram to a query datagram (same ID and question; FORMERR without one). */
export function serveQuery(cluster: Cluster, config: CoreDnsConfig, query: DnsMessage, client: DnsClient = {}): { readonly response: DnsMessage; readonly answer: CoreDnsAnswer | null } {
  const q = query.questions[0];
  if (query.qr || q === undefined || query.questions.length !== 1) {
    return { response: dnsResponse(query, { rcode: 'FORMERR', aa: false, ra: false, answers: [], authority: [], additional: [] }), answer: null };
  }
  const a = answer(cluster, q, config, client);
  return { response: dnsResponse(query, a), answer: a };
}

import { isIP, isIPv4, isIPv6 } from 'node:net';
import type { Cluster } from '../../cluster/cluster.js';
import type { Service } from '../../cluster/service.js';
import { formatIpv4 } from '../../net/ipv4.js';
import {
  addressFromReverse,
  canonicalIpv6,
  fqdn,
  isSubdomain,
  labels,
  relative,
  sameName,
  type DnsRecord,
  type DnsReplyBody,
  type DnsType,
} from '../../net/dns.js';
import type { CoreDnsConfig } from './config.js';

/**
 * The CoreDNS `kubernetes` plugin (coredns/coredns plugin/kubernetes, v1.14) as pure functions
 * over the Cluster: request parsing (parse.go), findServices/findPods (kubernetes.go), reverse
 * lookups (reverse.go), the NS addresses (ns.go) and the record builders of
 * plugin/backend_lookup.go. The handler (handler.go) is `kubernetesPlugin` at the bottom.
 *
 * Names are matched lower-cased (`request.Name()`); answers keep the query's case
 * (`request.QName()`), as CoreDNS does.
 */

/** msg.Service: one backend a query matched. */
interface Backend {
  /** An IP address, or a target name (ExternalName) without trailing dot. */
  readonly host: string;
  /** -1 when the service or endpoint has no ports. */
  readonly port: number;
  readonly ttl: number;
  /** The name this backend stands for (msg.Domain(Key)), absolute: the SRV/NS target. */
  readonly key: string;
  readonly text?: string;
}

/** The plugin's errors; the first three are "name errors" (NXDOMAIN, or fallthrough). */
type PluginError = 'errNoItems' | 'errNsNotExposed' | 'errInvalidRequest' | 'errOther';

interface Found {
  readonly backends: Backend[];
  readonly error: PluginError | null;
}

const isNameError = (e: PluginError | null): boolean => e === 'errNoItems' || e === 'errNsNotExposed' || e === 'errInvalidRequest';

/** A request as the handler sees it. */
export interface PluginRequest {
  /** The query name as sent (case kept), absolute. */
  readonly qname: string;
  readonly qtype: DnsType;
}

/** Everything the plugin reads: the cluster (its informer caches), the Corefile, and the rest of the chain. */
export interface PluginContext {
  readonly cluster: Cluster;
  readonly config: CoreDnsConfig;
  /** The answering CoreDNS pod's own IP (`localIPs`), for NS records; null if unknown. */
  readonly selfIp: string | null;
  /** upstream.Lookup: re-enter the server's plugin chain for a name (used for ExternalName targets). */
  readonly lookup: (name: string, type: DnsType) => DnsReplyBody;
}

// ---------------------------------------------------------------------------------------------
// The informer caches: services, ready endpoints, pods, namespaces.

interface EpAddress {
  readonly ip: string;
  readonly hostname: string;
  readonly targetRefName: string;
}

interface EpObject {
  /** `svc.ns`, the EndpointsKey. */
  readonly index: string;
  readonly namespace: string;
  readonly service: string;
  readonly addresses: readonly EpAddress[];
  readonly ports: readonly { readonly name: string; readonly port: number; readonly protocol: string }[];
}

interface Caches {
  readonly namespaces: ReadonlySet<string>;
  readonly services: readonly Service[];
  readonly endpoints: readonly EpObject[];
}

const cacheOf = new WeakMap<Cluster, Caches>();

function caches(cluster: Cluster): Caches {
  const hit = cacheOf.get(cluster);
  if (hit) return hit;
  const endpoints: EpObject[] = cluster.endpointSlices.map((s) => ({
    index: `${s.serviceName}.${s.namespace}`,
    namespace: s.namespace,
    service: s.serviceName,
    // endpointsliceReady: ready true (or unset) only.
    addresses: s.endpoints
      .filter((e) => e.conditions.ready)
      .flatMap((e) =>
        e.addresses.map((a) => ({
          ip: formatIpv4(a),
          hostname: e.hostname ?? '',
          targetRefName: e.targetRef && e.targetRef.name.length < 64 ? e.targetRef.name : '',
        })),
      ),
    // No ports: the sentinel port -1.
    ports: s.ports.length === 0 ? [{ name: '', port: -1, protocol: '' }] : s.ports.map((p) => ({ name: p.name ?? '', port: p.port ?? -1, protocol: p.protocol })),
  }));
  const c: Caches = { namespaces: new Set(cluster.namespaces.map((n) => n.name)), services: cluster.services, endpoints };
  cacheOf.set(cluster, c);
  return c;
}

/** ClusterIPs as CoreDNS's object.Service holds them: `None` for headless, `` for ExternalName. */
function clusterIPs(s: Service): string[] {
  if (s.type === 'ExternalName') return [''];
  return [s.clusterIP === 'None' ? 'None' : formatIpv4(s.clusterIP)];
}

const headless = (s: Service): boolean => clusterIPs(s)[0] === 'None';

function endpointHostname(a: EpAddress, endpointPodNames: boolean): string {
  if (a.hostname !== '') return a.hostname;
  if (endpointPodNames && a.targetRefName !== '') return a.targetRefName;
  if (a.ip.includes('.')) return a.ip.replaceAll('.', '-');
  if (a.ip.includes(':')) {
    const h = a.ip.replaceAll(':', '-');
    return h.endsWith('-') ? `${h}0` : h;
  }
  return '';
}

const match = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
const matchPortAndProtocol = (aPort: string, bPort: string, aProto: string, bProto: string): boolean =>
  (aPort === '' || match(aPort, bPort)) && (aProto === '' || match(aProto, bProto));

// ---------------------------------------------------------------------------------------------
// parse.go

interface RecordRequest {
  readonly port: string;
  readonly protocol: string;
  readonly endpoint: string;
  readonly service: string;
  readonly namespace: string;
  /** `pod`, `svc`, or `` for the apex, `svc.<zone>` and `pod.<zone>`. */
  readonly podOrSvc: string;
}

const stripUnderscore = (s: string): string => (s.startsWith('_') ? s.slice(1) : s);

function parseRequest(name: string, zone: string): { r: RecordRequest; error: PluginError | null } {
  const empty: RecordRequest = { port: '', protocol: '', endpoint: '', service: '', namespace: '', podOrSvc: '' };
  const base = trimZone(name, zone);
  if (base === '' || base === 'svc' || base === 'pod') return { r: empty, error: null };
  const segs = base.split('.');
  let last = segs.length - 1;
  const podOrSvc = segs[last] ?? '';
  if (podOrSvc !== 'pod' && podOrSvc !== 'svc') return { r: { ...empty, podOrSvc }, error: 'errInvalidRequest' };
  last--;
  if (last < 0) return { r: { ...empty, podOrSvc }, error: null };
  const namespace = segs[last] ?? '';
  last--;
  if (last < 0) return { r: { ...empty, podOrSvc, namespace }, error: null };
  const service = segs[last] ?? '';
  last--;
  if (last < 0) return { r: { ...empty, podOrSvc, namespace, service }, error: null };
  if (last === 0) return { r: { ...empty, podOrSvc, namespace, service, endpoint: segs[0] ?? '' }, error: null };
  if (last === 1) return { r: { ...empty, podOrSvc, namespace, service, protocol: stripUnderscore(segs[1] ?? ''), port: stripUnderscore(segs[0] ?? '') }, error: null };
  // Too long (the opt-in `zonal` form is not modelled).
  return { r: { ...empty, podOrSvc, namespace, service }, error: 'errInvalidRequest' };
}

/** dnsutil.TrimZone on lower-case relative names: the labels left of the zone. */
function trimZone(name: string, zone: string): string {
  const n = relative(name).toLowerCase();
  const z = relative(zone).toLowerCase();
  if (n === z) return '';
  if (z === '') return n;
  return n.slice(0, n.length - z.length - 1);
}

const isReverse = (name: string): boolean => isSubdomain('in-addr.arpa', name) || isSubdomain('ip6.arpa', name);

// ---------------------------------------------------------------------------------------------
// kubernetes.go: Records, findPods, findServices

function primaryZone(ctx: PluginContext): string {
  return relative(ctx.config.zone);
}

function records(ctx: PluginContext, name: string, zone: string): Found {
  const { r, error } = parseRequest(name, zone);
  if (error) return { backends: [], error };
  if (r.podOrSvc === '') return { backends: [], error: null };
  if (isReverse(name)) return { backends: [], error: 'errNoItems' };
  const c = caches(ctx.cluster);
  if (!c.namespaces.has(r.namespace)) return { backends: [], error: 'errNsNotExposed' };
  return r.podOrSvc === 'pod' ? findPods(ctx, r, zone) : findServices(ctx, r, zone);
}

function findPods(ctx: PluginContext, r: RecordRequest, zone: string): Found {
  const { config, cluster } = ctx;
  if (config.pods === 'disabled') return { backends: [], error: 'errNoItems' };
  if (r.service === '') return { backends: [], error: null };
  const podname = r.service;
  const ip = (podname.split('-').length - 1 === 3 && !podname.includes('--') ? podname.replaceAll('-', '.') : podname.replaceAll('-', ':'));
  const key = `${podname}.${r.namespace}.pod.${relative(zone)}.`;
  if (config.pods === 'insecure') {
    if (isIP(ip) === 0) return { backends: [], error: 'errNoItems' };
    return { backends: [{ host: isIPv6(ip) ? canonicalIpv6(ip) : ip, port: 0, ttl: config.ttl, key }], error: null };
  }
  // pods verified: the pod cache indexes status.podIP of pods that are not terminating.
  const backends: Backend[] = cluster.pods
    .filter((p) => !p.terminating && formatIpv4(p.ip) === ip && match(r.namespace, p.namespace))
    .map(() => ({ host: ip, port: 0, ttl: config.ttl, key }));
  return { backends, error: backends.length > 0 ? null : 'errNoItems' };
}

function findServices(ctx: PluginContext, r: RecordRequest, zone: string): Found {
  const { config } = ctx;
  if (r.service === '') return { backends: [], error: null };
  const c = caches(ctx.cluster);
  const z = relative(zone);
  let error: PluginError | null = 'errNoItems';
  const out: Backend[] = [];
  const svcs = c.services.filter((s) => match(r.namespace, s.namespace) && match(r.service, s.name));
  const epsOf = (s: Service): EpObject[] => c.endpoints.filter((e) => e.index === `${s.name}.${s.namespace}`);
  for (const svc of svcs) {
    if (config.ignoreEmptyService && svc.type !== 'ExternalName' && !headless(svc)) {
      if (epsOf(svc).every((e) => e.addresses.length === 0)) continue;
    }
    if (svc.type === 'ExternalName') {
      if (r.endpoint !== '' || r.port !== '' || r.protocol !== '') continue;
      const target = relative(svc.externalName ?? '');
      // HostType: an IP literal is an A/AAAA, not a CNAME, and is not served.
      if (target !== '' && isIP(target) === 0) {
        out.push({ host: target, port: 0, ttl: config.ttl, key: `${svc.name}.${svc.namespace}.svc.${z}.` });
        error = null;
      }
      continue;
    }
    if (headless(svc) || r.endpoint !== '') {
      if (config.noEndpoints) continue;
      for (const ep of epsOf(svc)) {
        for (const addr of ep.addresses) {
          const hostname = endpointHostname(addr, config.endpointPodNames);
          if (r.endpoint !== '' && !match(r.endpoint, hostname)) continue;
          for (const p of ep.ports) {
            if (!matchPortAndProtocol(r.port, p.name, r.protocol, p.protocol)) continue;
            out.push({ host: addr.ip, port: p.port, ttl: config.ttl, key: `${hostname}.${svc.name}.${svc.namespace}.svc.${z}.` });
            error = null;
          }
        }
      }
      continue;
    }
    for (const p of svc.ports) {
      if (!matchPortAndProtocol(r.port, p.name ?? '', r.protocol, p.protocol)) continue;
      error = null;
      for (const ip of clusterIPs(svc)) out.push({ host: ip, port: p.port, ttl: config.ttl, key: `${svc.name}.${svc.namespace}.svc.${z}.` });
    }
  }
  return { backends: out, error };
}

// ---------------------------------------------------------------------------------------------
// Services (kubernetes.go) and the NS addresses (ns.go)

function nsAddrs(ctx: PluginContext, zone: string): { name: string; ip: string }[] {
  const c = caches(ctx.cluster);
  const z = relative(zone);
  if (ctx.selfIp === null) return [];
  const out: { name: string; ip: string }[] = [];
  let found = false;
  for (const ep of c.endpoints.filter((e) => e.addresses.some((a) => a.ip === ctx.selfIp))) {
    found = true;
    for (const svc of c.services.filter((s) => `${s.name}.${s.namespace}` === ep.index && s.type !== 'ExternalName')) {
      const svcName = `${svc.name}.${svc.namespace}.svc.${z}.`;
      if (headless(svc)) for (const a of ep.addresses) out.push({ name: `${endpointHostname(a, ctx.config.endpointPodNames)}.${svcName}`, ip: a.ip });
      else for (const ip of clusterIPs(svc)) out.push({ name: svcName, ip });
    }
  }
  if (!found) out.push({ name: `ns.dns.${z}.`, ip: ctx.selfIp });
  return out;
}

function isDefaultNS(name: string, zone: string): boolean {
  return sameName(name, `ns.dns.${relative(zone)}`);
}

function services(ctx: PluginContext, name: string, qtype: DnsType, zone: string): Found {
  if (qtype === 'TXT') {
    const segs = labels(trimZone(name, zone));
    if (segs.length === 1 && segs[0] === 'dns-version') return { backends: [{ host: '', port: 0, ttl: 28800, key: fqdn(name), text: '1.1.0' }], error: null };
    const existing = records(ctx, name, zone);
    if (existing.backends.length > 0) return { backends: [], error: null };
    return { backends: [], error: 'errNoItems' };
  }
  if (qtype === 'NS') {
    return { backends: nsAddrs(ctx, zone).map((a) => ({ host: a.ip, port: 0, ttl: ctx.config.ttl, key: a.name })), error: null };
  }
  if (isDefaultNS(name, zone)) {
    const want = qtype === 'A' ? isIPv4 : qtype === 'AAAA' ? isIPv6 : (): boolean => false;
    return { backends: nsAddrs(ctx, zone).filter((a) => want(a.ip)).map((a) => ({ host: a.ip, port: 0, ttl: ctx.config.ttl, key: fqdn(name) })), error: null };
  }
  const found = records(ctx, name, zone);
  if (qtype !== 'SRV') return found;
  // SRV for ExternalName services is not implemented: drop the CNAME backends.
  return { backends: found.backends.filter((b) => isIP(b.host) !== 0), error: found.error };
}

// ---------------------------------------------------------------------------------------------
// plugin/backend_lookup.go

const MAX_CNAME_CHAIN = 10;

function addressRecords(ctx: PluginContext, zone: string, qname: string, qtype: 'A' | 'AAAA', previous: readonly DnsRecord[]): { records: DnsRecord[]; error: PluginError | null } {
  // checkForApex: the apex itself is looked up as `apex.dns.<zone>` (never found here), then as-is.
  const found = services(ctx, qname, qtype, zone);
  if (found.error) return { records: [], error: found.error };
  const out: DnsRecord[] = [];
  const seen = new Set<string>();
  const family = qtype === 'A' ? isIPv4 : isIPv6;
  for (const b of found.backends) {
    if (isIP(b.host) === 0) {
      // A CNAME (ExternalName).
      const target = fqdn(b.host);
      if (sameName(qname, target)) continue;
      const cname: DnsRecord = { name: fqdn(qname), ttl: b.ttl, type: 'CNAME', data: target };
      if (previous.length > MAX_CNAME_CHAIN) continue;
      if (previous.some((p) => p.type === 'CNAME' && sameName(p.name, cname.name) && sameName(p.data, cname.data))) continue;
      if (isSubdomain(zone, target)) {
        const next = addressRecords(ctx, zone, target, qtype, [...previous, cname]);
        if (next.error === null && next.records.length > 0) out.push(cname, ...next.records);
        continue;
      }
      // Out of zone: resolved through the whole server again (upstream.Lookup), so via forward.
      const m = ctx.lookup(target, qtype);
      out.push(cname, ...m.answers);
      continue;
    }
    if (!family(b.host) || seen.has(b.host)) continue;
    seen.add(b.host);
    out.push(qtype === 'A' ? { name: fqdn(qname), ttl: b.ttl, type: 'A', data: b.host } : { name: fqdn(qname), ttl: b.ttl, type: 'AAAA', data: b.host });
  }
  return { records: out, error: null };
}

function srvRecords(ctx: PluginContext, zone: string, qname: string): { records: DnsRecord[]; extra: DnsRecord[]; error: PluginError | null } {
  const found = services(ctx, qname, 'SRV', zone);
  if (found.error) return { records: [], extra: [], error: found.error };
  // Every backend has priority 0 and weight 100 before normalisation.
  const total = 100 * found.backends.length;
  const records: DnsRecord[] = [];
  const extra: DnsRecord[] = [];
  const dup = new Set<string>();
  for (const b of found.backends) {
    if (b.port === -1) continue;
    const weight = Math.max(1, Math.floor((100 / total) * 100));
    const target = b.key;
    const srvKey = `${target.toLowerCase()}|${b.port}`;
    if (!dup.has(srvKey)) {
      dup.add(srvKey);
      records.push({ name: fqdn(qname), ttl: b.ttl, type: 'SRV', data: { priority: 0, weight, port: b.port, target } });
    }
    const addrKey = `${target.toLowerCase()}|${b.host}`;
    if (!dup.has(addrKey)) {
      dup.add(addrKey);
      extra.push(isIPv4(b.host) ? { name: target, ttl: b.ttl, type: 'A', data: b.host } : { name: target, ttl: b.ttl, type: 'AAAA', data: b.host });
    }
  }
  return { records, extra, error: null };
}

function ptrRecords(ctx: PluginContext, zone: string, qname: string): { records: DnsRecord[]; error: PluginError | null } {
  const ip = addressFromReverse(qname);
  if (ip === null) {
    const found = records(ctx, qname, zone);
    return { records: [], error: found.error };
  }
  const targets = serviceRecordForIP(ctx, ip);
  if (targets.length === 0) return { records: [], error: 'errNoItems' };
  const seen = new Set<string>();
  const out: DnsRecord[] = [];
  for (const t of targets) {
    if (seen.has(t)) continue;
    seen.add(t);
    out.push({ name: fqdn(qname), ttl: ctx.config.ttl, type: 'PTR', data: fqdn(t) });
  }
  return { records: out, error: null };
}

/** reverse.go serviceRecordForIP: the first Service with that ClusterIP, else every ready endpoint. */
function serviceRecordForIP(ctx: PluginContext, ip: string): string[] {
  const c = caches(ctx.cluster);
  const zone = primaryZone(ctx);
  const svc = c.services.find((s) => s.type !== 'ExternalName' && clusterIPs(s).includes(ip));
  if (svc) return [`${svc.name}.${svc.namespace}.svc.${zone}`];
  const out: string[] = [];
  for (const ep of c.endpoints) {
    for (const a of ep.addresses) if (a.ip === ip) out.push(`${endpointHostname(a, ctx.config.endpointPodNames)}.${ep.index}.svc.${zone}`);
  }
  return out;
}

/** The SOA of a zone (backend_lookup.go SOA): TTL min(ttl, 300), minimum = ttl. */
export function zoneSoa(config: CoreDnsConfig, zone: string): DnsRecord {
  const z = relative(zone);
  return {
    name: fqdn(zone),
    ttl: Math.min(config.ttl, 300),
    type: 'SOA',
    data: { mname: `ns.dns.${z}.`, rname: `hostmaster.${z}.`, serial: config.serial, refresh: 7200, retry: 1800, expire: 86400, minimum: config.ttl },
  };
}

// ---------------------------------------------------------------------------------------------
// handler.go

/** What the plugin did with a query. */
export type PluginOutcome =
  | { readonly kind: 'next'; readonly why: string }
  | { readonly kind: 'reply'; readonly body: DnsReplyBody; readonly why: string };

/** The zone of the plugin's zones a name falls in (longest match), or null. */
export function pluginZone(config: CoreDnsConfig, qname: string): string | null {
  let best: string | null = null;
  for (const z of [config.zone, ...config.reverseZones]) {
    if (isSubdomain(z, qname) && (best === null || relative(z).length > relative(best).length)) best = z;
  }
  if (best === null) return null;
  // Keep the case of the query (zone = qname[len(qname)-len(zone):]).
  const q = fqdn(qname);
  return q.slice(q.length - fqdn(best).length);
}

/** Kubernetes.ServeDNS. */
export function kubernetesPlugin(ctx: PluginContext, req: PluginRequest): PluginOutcome {
  const zone = pluginZone(ctx.config, req.qname);
  if (zone === null) return { kind: 'next', why: `${fqdn(req.qname)} is outside the kubernetes plugin's zones` };
  const qname = fqdn(req.qname);
  let answers: DnsRecord[] = [];
  let extra: DnsRecord[] = [];
  let error: PluginError | null = null;
  switch (req.qtype) {
    case 'A':
    case 'AAAA': {
      const r = addressRecords(ctx, zone, qname, req.qtype, []);
      answers = r.records;
      error = r.error;
      break;
    }
    case 'TXT': {
      const found = services(ctx, qname, 'TXT', zone);
      error = found.error;
      answers = found.backends.filter((b) => b.text !== undefined).map((b) => ({ name: qname, ttl: b.ttl, type: 'TXT', data: [b.text ?? ''] }));
      break;
    }
    case 'CNAME': {
      const found = services(ctx, qname, 'CNAME', zone);
      error = found.error;
      const first = found.backends[0];
      if (first && isIP(first.host) === 0) answers = [{ name: qname, ttl: first.ttl, type: 'CNAME', data: fqdn(first.host) }];
      break;
    }
    case 'PTR': {
      const r = ptrRecords(ctx, zone, qname);
      answers = r.records;
      error = r.error;
      break;
    }
    case 'MX': {
      // No backend is a mail record: NODATA, or the name error.
      error = services(ctx, qname, 'MX', zone).error;
      break;
    }
    case 'SRV': {
      const r = srvRecords(ctx, zone, qname);
      answers = r.records;
      extra = r.extra;
      error = r.error;
      break;
    }
    case 'SOA':
      if (sameName(qname, zone)) answers = [zoneSoa(ctx.config, zone)];
      break;
    case 'AXFR':
    case 'IXFR':
      return { kind: 'reply', body: { rcode: 'REFUSED', aa: false, ra: false, answers: [], authority: [], additional: [] }, why: 'zone transfers are refused (no transfer plugin)' };
    case 'NS':
      if (sameName(qname, zone)) {
        const nss = nsAddrs(ctx, zone);
        const seen = new Set<string>();
        for (const a of nss) {
          extra.push(isIPv4(a.ip) ? { name: a.name, ttl: ctx.config.ttl, type: 'A', data: a.ip } : { name: a.name, ttl: ctx.config.ttl, type: 'AAAA', data: a.ip });
          if (seen.has(a.name)) continue;
          seen.add(a.name);
          answers.push({ name: qname, ttl: ctx.config.ttl, type: 'NS', data: a.name });
        }
        break;
      }
      error = addressRecords(ctx, zone, qname, 'A', []).error;
      break;
  }
  if (isNameError(error)) {
    if (ctx.config.fallthroughReverse && ctx.config.reverseZones.some((z) => isSubdomain(z, qname))) {
      return { kind: 'next', why: `kubernetes has no ${fqdn(qname)}; fallthrough in-addr.arpa ip6.arpa passes it on` };
    }
    if (!ctx.config.synced) {
      return { kind: 'reply', body: negative(ctx.config, zone, 'SERVFAIL'), why: 'the kubernetes plugin has not synced with the API server yet' };
    }
    return { kind: 'reply', body: negative(ctx.config, zone, 'NXDOMAIN'), why: nameErrorWhy(ctx, qname, zone, error) };
  }
  if (error) return { kind: 'reply', body: { rcode: 'SERVFAIL', aa: false, ra: false, answers: [], authority: [], additional: [] }, why: 'plugin error' };
  if (answers.length === 0) return { kind: 'reply', body: negative(ctx.config, zone, 'NOERROR'), why: `${qname} exists but has no ${req.qtype} record (NODATA)` };
  return { kind: 'reply', body: { rcode: 'NOERROR', aa: true, ra: false, answers, authority: [], additional: extra }, why: positiveWhy(ctx, qname, zone, req.qtype) };
}

/** BackendError: the rcode with the zone's SOA in AUTHORITY, AA set. */
function negative(config: CoreDnsConfig, zone: string, rcode: 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL'): DnsReplyBody {
  return { rcode, aa: true, ra: false, answers: [], authority: [zoneSoa(config, zone)], additional: [] };
}

function nameErrorWhy(ctx: PluginContext, qname: string, zone: string, error: PluginError | null): string {
  const { r, error: pe } = parseRequest(qname, zone);
  if (pe === 'errInvalidRequest') {
    return r.podOrSvc !== 'svc' && r.podOrSvc !== 'pod' ? `"${r.podOrSvc}" is not "svc" or "pod" (the label left of the zone)` : 'too many labels for a service, endpoint or port name';
  }
  const read = describeRequest(r);
  if (error === 'errNsNotExposed') return `${read}: namespace "${r.namespace}" does not exist`;
  if (r.podOrSvc === 'pod') {
    return `${read}: ${ctx.config.pods === 'disabled' ? 'pod records are off (no "pods" option)' : ctx.config.pods === 'verified' ? `no pod in ${r.namespace} has that IP (pods verified)` : `"${r.service}" is not a dashed IP`}`;
  }
  const svc = caches(ctx.cluster).services.find((s) => match(s.namespace, r.namespace) && match(s.name, r.service));
  if (!svc) return `${read}: no such service`;
  if (r.port !== '' || r.protocol !== '') return `${read}: service ${svc.namespace}/${svc.name} has no such port`;
  if (r.endpoint !== '') return `${read}: service ${svc.namespace}/${svc.name} has no ready endpoint named "${r.endpoint}"`;
  if (headless(svc)) return `${read}: headless service ${svc.namespace}/${svc.name} has no ready endpoints`;
  return `${read}: no records`;
}

/** How the plugin read a name: which labels it took for port, endpoint, service and namespace. */
function describeRequest(r: RecordRequest): string {
  const parts = [
    ...(r.port !== '' || r.protocol !== '' ? [`port "${r.port}" protocol "${r.protocol}" of`] : []),
    ...(r.endpoint !== '' ? [`endpoint "${r.endpoint}" of`] : []),
    r.service === '' ? `namespace "${r.namespace}"` : `${r.podOrSvc === 'pod' ? 'pod' : 'service'} "${r.service}" in namespace "${r.namespace}"`,
  ];
  return `read as ${parts.join(' ')}`;
}

function positiveWhy(ctx: PluginContext, qname: string, zone: string, qtype: DnsType): string {
  const { r } = parseRequest(qname, zone);
  if (qtype === 'PTR') return 'reverse lookup of a service or endpoint IP';
  if (qtype === 'SOA') return `the SOA of ${zone}`;
  if (qtype === 'NS') return `the NS of ${zone}: the kube-dns service`;
  if (qtype === 'TXT') return 'the schema version of the Kubernetes DNS specification';
  if (isDefaultNS(qname, zone)) return 'ns.dns: the address of the kube-dns service';
  if (r.podOrSvc === 'pod') return `pod record (pods ${ctx.config.pods})`;
  const svc = caches(ctx.cluster).services.find((s) => match(s.namespace, r.namespace) && match(s.name, r.service));
  if (!svc) return 'kubernetes plugin';
  if (svc.type === 'ExternalName') return `ExternalName service ${svc.namespace}/${svc.name} -> ${svc.externalName ?? ''}`;
  if (r.endpoint !== '') return `endpoint "${r.endpoint}" of ${headless(svc) ? 'headless ' : ''}service ${svc.namespace}/${svc.name}`;
  if (headless(svc)) return `headless service ${svc.namespace}/${svc.name}: one record per ready endpoint`;
  return `ClusterIP of service ${svc.namespace}/${svc.name}`;
}

import { formatIpv4, parseIpv4, type Ipv4 } from '../net/ipv4.js';
import { err, ok, type Result } from '../lib/result.js';
import type { Cluster } from '../cluster/cluster.js';
import type { CniConfig, CniKind } from '../cluster/header.js';
import type { Service } from '../cluster/service.js';
import type { System } from '../topology/system.js';
import { parseEndpointSpec, type EndpointSpec } from '../trace/endpoint.js';
import { PING_DEFAULT_SIZE, type FlowKind } from '../trace/flow.js';
import type { TraceRequest, TraceRun } from '../trace/run.js';
import type { CompareColumn } from './compare-source.js';
import type { PolicyProvider } from './policy-source.js';

/** A topology brought to life, plus the Kubernetes objects it came from (for services, DNS). */
export interface Loaded {
  readonly system: System;
  /** null when the caller has only a System (hand-built in tests): no services, no DNS names. */
  readonly cluster: Cluster | null;
  /** The file it came from, for the title bar. */
  readonly file: string | null;
  /** The same file read for another CNI (a kind, or a full configuration); absent without a file. */
  readonly reparse?: (cni: CniKind | CniConfig) => Result<Cluster, string>;
}

export type TargetKind = 'pod' | 'node' | 'service' | 'dns' | 'ip';

/** Something the user can pick as a source or a destination. */
export interface Target {
  readonly kind: TargetKind;
  /** What the user would type on the command line: `default/pod-a`, `node/node1`, `svc/default/web`, a name, an IP. */
  readonly text: string;
  /** Heading it is listed under in the picker. */
  readonly group: string;
  /** Secondary text: address, node, ports. */
  readonly detail: string;
  /** For a service: the protocol and port to try first. */
  readonly suggest: { readonly proto: Proto; readonly port: number } | null;
}

export type Proto = 'icmp' | 'tcp' | 'udp';
export const PROTOS: readonly Proto[] = ['icmp', 'tcp', 'udp'];

export interface TraceQuery {
  readonly from: Target;
  readonly to: Target;
  readonly proto: Proto;
  /** Destination port for tcp/udp. */
  readonly port: number;
}

/** Where the app gets its answers. main.tsx wires the real ones; tests pass their own. */
export interface TuiDeps {
  readonly trace: (system: System, req: TraceRequest) => Result<TraceRun, string>;
  /** The same flow on several CNIs; absent until a compare feature is wired. */
  readonly compare?: (loaded: Loaded, query: TraceQuery, request: TraceRequest) => Result<readonly CompareColumn[], string>;
  /** NetworkPolicy matrix and explanations; absent (or null) until src/policy/ provides them. */
  readonly policy?: (loaded: Loaded) => PolicyProvider | null;
}

export interface Catalog {
  readonly sources: readonly Target[];
  readonly destinations: readonly Target[];
}

/** `pod default/pod-a` -> `default/pod-a`; node and underlay labels stay as they are. */
export function shortWhere(where: string): string {
  return where.replace(/^pod /, '');
}

export function whereOf(system: System): (netns: string) => string {
  return (id) => system.netns.get(id)?.where ?? id;
}

function serviceAddr(s: Service): Ipv4 | null {
  return s.type === 'ExternalName' || s.clusterIP === 'None' ? null : s.clusterIP;
}

type PortsOf = { readonly ports: readonly { readonly port: number; readonly protocol: string }[] };

function servicePorts(s: PortsOf): string {
  return s.ports.map((p) => `${p.port}/${p.protocol}`).join(',');
}

function suggestFor(s: PortsOf): Target['suggest'] {
  const p = s.ports.find((x) => x.protocol === 'TCP') ?? s.ports.find((x) => x.protocol === 'UDP');
  if (!p) return null;
  return { proto: p.protocol === 'UDP' ? 'udp' : 'tcp', port: p.port };
}

/** Everything the pickers list, in a stable order: pods by node, services, DNS names, nodes. */
export function catalog(loaded: Loaded): Catalog {
  const infos = [...loaded.system.netns.values()];
  const pods: Target[] = [];
  const nodes: Target[] = [];
  for (const i of infos) {
    if (i.role.kind === 'pod') {
      pods.push({ kind: 'pod', text: `${i.role.namespace}/${i.role.name}`, group: `pods on ${i.role.node}`, detail: i.ip ? formatIpv4(i.ip) : '', suggest: null });
    } else if (i.role.kind === 'node') {
      nodes.push({ kind: 'node', text: `node/${i.role.node}`, group: 'nodes', detail: i.ip ? formatIpv4(i.ip) : '', suggest: null });
    }
  }
  // hostNetwork pods live in their node's netns; the trace runner resolves NS/POD to it.
  for (const [key, h] of loaded.system.hostNetworkPods ?? new Map<string, { netns: string; ip: Ipv4 }>()) {
    const node = loaded.system.netns.get(h.netns);
    const nodeName = node?.role.kind === 'node' ? node.role.node : h.netns;
    pods.push({ kind: 'pod', text: key, group: `pods on ${nodeName}`, detail: `${formatIpv4(h.ip)} hostNetwork`, suggest: null });
  }
  pods.sort((a, b) => a.group.localeCompare(b.group) || a.text.localeCompare(b.text));
  const services: Target[] = [];
  const names: Target[] = [];
  const domain = loaded.cluster?.header.clusterDomain ?? 'cluster.local';
  const svcs = loaded.cluster?.services.map((s) => ({ namespace: s.namespace, name: s.name, ip: serviceAddr(s), ports: s.ports })) ??
    [...(loaded.system.services?.values() ?? [])].map((s) => ({ namespace: s.namespace, name: s.name, ip: s.clusterIP, ports: s.ports }));
  for (const s of svcs) {
    if (s.ip === null) continue;
    const suggest = suggestFor(s);
    services.push({ kind: 'service', text: `svc/${s.namespace}/${s.name}`, group: 'services', detail: `${formatIpv4(s.ip)} ${servicePorts(s)}`, suggest });
    if (loaded.cluster) names.push({ kind: 'dns', text: `${s.name}.${s.namespace}.svc.${domain}`, group: 'DNS names', detail: formatIpv4(s.ip), suggest });
  }
  return { sources: [...pods, ...nodes], destinations: [...pods, ...services, ...names, ...nodes] };
}

/** A target for text the user typed: classified the way resolveTarget will read it. */
export function typedTarget(text: string): Target {
  const t = text.trim();
  const kind: TargetKind = t.startsWith('svc/')
    ? 'service'
    : t.startsWith('node/')
      ? 'node'
      : parseIpv4(t).ok
        ? 'ip'
        : t.includes('/')
          ? 'pod'
          : 'dns';
  return { kind, text: t, group: 'typed', detail: '', suggest: null };
}

/** How a target became an endpoint, with a note when a name had to be looked up. */
export interface Resolved {
  readonly spec: EndpointSpec;
  readonly note: string | null;
}

function podNamespaceOf(loaded: Loaded, from: Target | null): string {
  if (from?.kind === 'pod') return from.text.split('/')[0] ?? 'default';
  return 'default';
}

/**
 * What CoreDNS's kubernetes plugin answers for a Service name, searching the way a pod's
 * resolv.conf does (`<ns>.svc.<domain> svc.<domain> <domain>`, ndots:5).
 */
export function lookupServiceName(loaded: Loaded, name: string, fromNamespace: string): Result<{ ip: Ipv4; service: Service; fqdn: string }, string> {
  const c = loaded.cluster;
  if (!c) return err(`cannot resolve "${name}": no Service objects are known`);
  const domain = c.header.clusterDomain;
  const bare = name.replace(/\.$/, '');
  const candidates = name.endsWith('.') ? [bare] : [...[`${fromNamespace}.svc.${domain}`, `svc.${domain}`, domain].map((s) => `${bare}.${s}`), bare];
  for (const fqdn of candidates) {
    const m = new RegExp(`^([a-z0-9-]+)\\.([a-z0-9-]+)\\.svc\\.${domain.replace(/\./g, '\\.')}$`).exec(fqdn);
    if (!m) continue;
    const svc = c.services.find((s) => s.name === m[1] && s.namespace === m[2]);
    if (!svc) continue;
    const ip = serviceAddr(svc);
    if (ip === null) return err(`${fqdn} is a headless or ExternalName Service; pick one of its pods instead`);
    return ok({ ip, service: svc, fqdn });
  }
  return err(`"${name}" does not name a Service (tried ${candidates.join(', ')})`);
}

/** Turn a picked or typed target into the endpoint the trace runner takes. */
export function resolveTarget(loaded: Loaded, t: Target, from: Target | null): Result<Resolved, string> {
  const text = t.text.trim();
  if (t.kind === 'service' || text.startsWith('svc/')) {
    // The trace runner may learn `svc/NS/NAME` itself; use that when it does.
    const native = parseEndpointSpec(text);
    if (native.ok && native.value.kind !== 'pod') return ok({ spec: native.value, note: null });
    const [, ns, name] = text.split('/');
    const svc = loaded.cluster?.services.find((s) => s.namespace === ns && s.name === name);
    if (!svc) return err(`no Service ${ns ?? ''}/${name ?? ''}`);
    const ip = serviceAddr(svc);
    if (ip === null) return err(`Service ${ns}/${name} has no cluster IP (headless or ExternalName)`);
    return ok({ spec: { kind: 'ip', ip }, note: `${text} -> ClusterIP ${formatIpv4(ip)}` });
  }
  if (t.kind === 'dns' || (t.kind !== 'pod' && !text.includes('/') && !parseIpv4(text).ok && text.includes('.'))) {
    const native = parseEndpointSpec(text);
    if (native.ok && native.value.kind !== 'pod' && native.value.kind !== 'ip') return ok({ spec: native.value, note: null });
    const r = lookupServiceName(loaded, text, podNamespaceOf(loaded, from));
    if (!r.ok) return r;
    const via = r.value.fqdn === text.replace(/\.$/, '') ? r.value.fqdn : `${text} -> ${r.value.fqdn} (search list)`;
    return ok({ spec: { kind: 'ip', ip: r.value.ip }, note: `${via} -> ${formatIpv4(r.value.ip)} (A record of Service ${r.value.service.namespace}/${r.value.service.name}; the DNS query itself is not walked)` });
  }
  const parsed = parseEndpointSpec(text);
  if (!parsed.ok) return parsed;
  if (parsed.value.kind === 'pod' && !text.includes('/')) {
    // A bare name: a pod in default, else a Service name through the search list.
    const p = parsed.value;
    const isPod = [...loaded.system.netns.values()].some((i) => i.role.kind === 'pod' && i.role.namespace === p.namespace && i.role.name === p.name);
    if (!isPod) {
      const r = lookupServiceName(loaded, text, podNamespaceOf(loaded, from));
      if (r.ok) return ok({ spec: { kind: 'ip', ip: r.value.ip }, note: `${text} -> ${r.value.fqdn} -> ${formatIpv4(r.value.ip)} (search list)` });
    }
  }
  return ok({ spec: parsed.value, note: null });
}

export function flowKind(q: Pick<TraceQuery, 'proto' | 'port'>): FlowKind {
  switch (q.proto) {
    case 'icmp':
      return { proto: 'icmp', size: PING_DEFAULT_SIZE };
    case 'tcp':
      return { proto: 'tcp', dport: q.port };
    case 'udp':
      return { proto: 'udp', dport: q.port, size: 32 };
  }
}

export function flowKindText(k: FlowKind): string {
  switch (k.proto) {
    case 'icmp':
      return `ICMP echo (${k.size} data bytes)`;
    case 'tcp':
      return `TCP connect to port ${k.dport}`;
    case 'udp':
      return `UDP to port ${k.dport}`;
  }
}

export function traceRequest(loaded: Loaded, q: TraceQuery): Result<{ request: TraceRequest; notes: string[] }, string> {
  const from = resolveTarget(loaded, q.from, null);
  if (!from.ok) return err(`from: ${from.error}`);
  const to = resolveTarget(loaded, q.to, q.from);
  if (!to.ok) return err(`to: ${to.error}`);
  const notes = [from.value.note, to.value.note].filter((n): n is string => n !== null);
  return ok({ request: { from: from.value.spec, to: to.value.spec, kind: flowKind(q) }, notes });
}

/** The flow `podnet` shows first: the first pod to a pod on another node (a cross-node walk). */
export function defaultQuery(cat: Catalog): TraceQuery | null {
  const pods = cat.sources.filter((t) => t.kind === 'pod');
  const from = pods[0] ?? cat.sources[0];
  if (!from) return null;
  const other = pods.find((p) => p.group !== from.group) ?? pods.find((p) => p !== from) ?? cat.destinations.find((d) => d.text !== from.text) ?? from;
  return { from, to: other, proto: 'icmp', port: 80 };
}

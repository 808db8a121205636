import { isIPv4 } from 'node:net';
import type { Cluster } from '../../cluster/cluster.js';
import { parseIpv4 } from '../../net/ipv4.js';
import type { Dynamic } from '../../trace/dynamic-state.js';
import type { CapturedFrame } from '../../trace/types.js';
import type { System } from '../../topology/system.js';
import { UsageError } from '../exit.js';
import { lookupJson } from '../format/dns-json.js';
import { worldPcap } from '../format/dns-pcap.js';
import { lookupLines } from '../format/dns-text.js';
import { findPodSpec } from './dns.js';
import { libcFor, runDns, type DnsReport } from './dns-report.js';

/**
 * `trace --to NAME:PORT`: the source pod resolves NAME first, with its own resolv.conf and libc,
 * every query walked as a packet; the flow then goes to the address getaddrinfo returned (its
 * first IPv4 address, as a client connecting in order would), starting from the kernel state
 * the lookup left (conntrack, ARP).
 */

/** `dns/NAME` always; otherwise a name that is not NS/POD, node/..., svc/..., an IP or a pod in default. */
export function dnsNameOf(cluster: Cluster, endpoint: string): string | null {
  if (endpoint.startsWith('dns/')) return endpoint.slice(4) || null;
  if (endpoint.includes('/') || isIPv4(endpoint)) return null;
  // A bare word that names a pod in default keeps its old meaning (`--to pod-b`).
  if (!endpoint.endsWith('.') && cluster.pods.some((p) => p.namespace === 'default' && p.name === endpoint)) return null;
  return /^[A-Za-z0-9_]([-A-Za-z0-9_.]*)$/.test(endpoint) ? endpoint : null;
}

export type NamedTarget =
  | { readonly kind: 'resolved'; readonly name: string; readonly address: string; readonly report: DnsReport; readonly dyn: Dynamic }
  | { readonly kind: 'unresolved'; readonly name: string; readonly report: DnsReport; readonly why: string };

export function resolveTarget(system: System, cluster: Cluster, from: string, name: string, o: { readonly resolver?: string; readonly seed?: number }): NamedTarget {
  if (from.startsWith('node/') || from.startsWith('svc/') || parseIpv4(from).ok) throw new UsageError(`--to ${name}: a name is resolved by the source pod's resolver, so --from must be a pod (NS/POD), not "${from}"`);
  const pod = findPodSpec(cluster, from, '--from');
  const { libc, from: libcFrom } = libcFor(pod, o.resolver);
  const report = runDns(system, cluster, { pod, name, libc, libcFrom, ...(o.seed !== undefined ? { seed: o.seed } : {}) });
  const res = report.trace.result;
  if (!res.ok) return { kind: 'unresolved', name, report, why: `${res.error} (${res.message})` };
  const v4 = res.addresses.find((a) => isIPv4(a));
  if (!v4) return { kind: 'unresolved', name, report, why: `no IPv4 address (${res.addresses.join(', ') || 'no addresses'}); podnet's network is IPv4 only` };
  return { kind: 'resolved', name, address: v4, report, dyn: report.world.dyn };
}

/** The resolution block printed before the trace. */
export function resolutionLines(t: NamedTarget): string[] {
  const r = t.report;
  const head = `resolve ${t.name} from ${r.pod.namespace}/${r.pod.name} (${r.trace.libc} ${r.trace.version}), nameserver ${r.resolvConf.config.nameservers.join(', ') || 'none'}:`;
  const body = lookupLines(r).map((l) => (l === '' ? '' : `  ${l}`));
  const tail = t.kind === 'resolved' ? `=> ${t.name} is ${t.address}; tracing to it` : `=> ${t.name} does not resolve: ${t.why}; nothing to trace`;
  return [head, ...body, tail, ''];
}

export function resolutionJson(t: NamedTarget) {
  return { name: t.name, resolved: t.kind === 'resolved', address: t.kind === 'resolved' ? t.address : null, ...(t.kind === 'unresolved' ? { why: t.why } : {}), ...lookupJson(t.report) };
}

export function namedPcap(t: NamedTarget, flowFrames: readonly CapturedFrame[]): Uint8Array {
  return worldPcap(t.report.world, flowFrames);
}

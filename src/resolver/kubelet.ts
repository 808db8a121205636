import { isIP } from 'node:net';
import { match } from 'ts-pattern';
import type { Cluster } from '../cluster/cluster.js';
import type { DnsPolicy, Pod, PodDnsConfig } from '../cluster/pod.js';
import { formatIpv4, ipv4FromNumber } from '../net/ipv4.js';
import { err, ok, type Result } from '../lib/result.js';
import { parseResolvConf, printResolvConf, type ResolvConf } from './resolv-conf.js';

/**
 * The pod's /etc/resolv.conf as the kubelet makes it (pkg/kubelet/network/dns/dns.go GetPodDNS)
 * and the container runtime writes it, with the API server's validation in front
 * (pkg/apis/core/validation validatePodDNSConfig) and the kubelet's limits and events behind.
 */

/** API limits (validation.go; ExpandedDNSConfig, GA in 1.28). */
export const MAX_DNS_NAMESERVERS = 3;
export const MAX_DNS_SEARCH_PATHS = 32;
export const MAX_DNS_SEARCH_LIST_CHARS = 2048;
/** DNS1123SubdomainMaxLength: longer search entries are dropped by the kubelet. */
export const MAX_SEARCH_ENTRY_LENGTH = 253;

/** kubelet flags/config that shape pod DNS. */
export interface KubeletDnsSettings {
  /** `clusterDomain` (empty: no cluster search entries). */
  readonly clusterDomain: string;
  /** `clusterDNS` (kubeadm: the kube-dns ClusterIP). */
  readonly clusterDns: readonly string[];
  /** Text of the `--resolv-conf` file; null means `--resolv-conf=""`. */
  readonly hostResolvConf: string | null;
  /** The node's IPs (for the `--resolv-conf=""` loopback nameserver). */
  readonly nodeIps: readonly string[];
}

/** What the pod's spec says about DNS. */
export type PodDnsSpec = Pick<Pod, 'namespace' | 'name' | 'hostNetwork' | 'dnsPolicy' | 'dnsConfig'>;

export type PodDnsType = 'cluster' | 'host' | 'none';

/** An event the kubelet records (`kubectl describe pod` / `kubectl get events`). */
export interface KubeletEvent {
  readonly type: 'Warning';
  readonly reason: 'MissingClusterDNS' | 'DNSConfigForming';
  readonly object: 'pod' | 'node';
  readonly message: string;
}

export interface PodResolvConf {
  readonly dnsType: PodDnsType;
  /** Why this type: e.g. the hostNetwork fallback of ClusterFirst. */
  readonly why: string;
  readonly config: ResolvConf;
  /** The file as the runtime writes it. */
  readonly text: string;
  readonly events: readonly KubeletEvent[];
}

/** The node's /etc/resolv.conf from the topology header (`dns.upstream`, `dns.nodeSearches`). */
export function nodeResolvConfText(cluster: Cluster): string {
  return printResolvConf({ nameservers: cluster.header.dns.upstream.map(formatIpv4), searches: cluster.header.dns.nodeSearches, options: [] });
}

/** kubeadm's kubelet on a node of this cluster: clusterDNS is the tenth service address (kube-dns). */
export function kubeletDnsSettings(cluster: Cluster, nodeName: string): KubeletDnsSettings {
  const kubeDns = cluster.services.find((s) => s.namespace === 'kube-system' && s.name === 'kube-dns');
  const clusterDns = kubeDns && kubeDns.clusterIP !== 'None' ? formatIpv4(kubeDns.clusterIP) : formatIpv4(ipv4FromNumber(cluster.header.serviceCIDR.network + 10));
  const node = cluster.nodes.find((n) => n.name === nodeName);
  return {
    clusterDomain: cluster.header.clusterDomain,
    clusterDns: [clusterDns],
    hostResolvConf: nodeResolvConfText(cluster),
    nodeIps: node ? [formatIpv4(node.ip)] : [],
  };
}

/** getPodDNSType. */
export function podDnsType(policy: DnsPolicy, hostNetwork: boolean): { type: PodDnsType; why: string } {
  return match(policy)
    .with('None', () => ({ type: 'none' as const, why: 'dnsPolicy None: only spec.dnsConfig' }))
    .with('ClusterFirstWithHostNet', () => ({ type: 'cluster' as const, why: 'dnsPolicy ClusterFirstWithHostNet: cluster DNS even on the host network' }))
    .with('ClusterFirst', () =>
      hostNetwork
        ? { type: 'host' as const, why: 'dnsPolicy ClusterFirst on the host network falls back to Default (the node\'s resolv.conf), with no event' }
        : { type: 'cluster' as const, why: 'dnsPolicy ClusterFirst: cluster DNS, cluster search list, ndots:5' },
    )
    .with('Default', () => ({ type: 'host' as const, why: 'dnsPolicy Default: the node\'s resolv.conf as it is' }))
    .exhaustive();
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** validatePodDNSConfig (API server). An error here means the pod is never created. */
export function validatePodDns(pod: PodDnsSpec): Result<null, string> {
  const c = pod.dnsConfig;
  if (pod.dnsPolicy === 'None') {
    if (c === null) return err('spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None');
    if (c.nameservers.length === 0) return err('spec.dnsConfig.nameservers: Required value: must provide at least one DNS nameserver when `dnsPolicy` is None');
  }
  if (c === null) return ok(null);
  if (c.nameservers.length > MAX_DNS_NAMESERVERS) return err(`spec.dnsConfig.nameservers: Invalid value: must not have more than ${MAX_DNS_NAMESERVERS} nameservers`);
  if (c.searches.length > MAX_DNS_SEARCH_PATHS) return err(`spec.dnsConfig.searches: Invalid value: must not have more than ${MAX_DNS_SEARCH_PATHS} search paths`);
  if (c.searches.join(' ').length > MAX_DNS_SEARCH_LIST_CHARS) return err(`spec.dnsConfig.searches: Invalid value: must not have more than ${MAX_DNS_SEARCH_LIST_CHARS} characters (including spaces) in the search list`);
  for (const s of c.searches) {
    const t = s.replace(/\.$/, '');
    if (t.length > MAX_SEARCH_ENTRY_LENGTH || !DNS1123_SUBDOMAIN.test(t)) return err(`spec.dnsConfig.searches: Invalid value: "${s}": a lowercase RFC 1123 subdomain is required`);
  }
  for (const o of c.options) if (o.name === '') return err('spec.dnsConfig.options.name: Required value');
  return ok(null);
}

function omitDuplicates(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}

/**
 * mergeDNSOptions. The kubelet rebuilds the list from a Go map, so its real order is random;
 * podnet keeps first-seen order (base options, then new dnsConfig ones), replacing values in place.
 */
export function mergeDnsOptions(existing: readonly string[], extra: PodDnsConfig['options']): string[] {
  const order: string[] = [];
  const values = new Map<string, string>();
  const put = (name: string, value: string): void => {
    if (!values.has(name)) order.push(name);
    values.set(name, value);
  };
  for (const o of existing) {
    const i = o.indexOf(':');
    put(i < 0 ? o : o.slice(0, i), i < 0 ? '' : o.slice(i + 1));
  }
  for (const o of extra) put(o.name, o.value ?? '');
  return order.map((n) => ((values.get(n) ?? '') === '' ? n : `${n}:${values.get(n) ?? ''}`));
}

/** formDNSSearchFitsLimits: 32 entries, 253 chars each, 2048 chars joined (cut from the end). */
export function searchFitsLimits(searches: readonly string[]): { searches: string[]; exceeded: boolean } {
  let s = [...searches];
  let exceeded = false;
  if (s.length > MAX_DNS_SEARCH_PATHS) {
    s = s.slice(0, MAX_DNS_SEARCH_PATHS);
    exceeded = true;
  }
  const short = s.filter((x) => x.length <= MAX_SEARCH_ENTRY_LENGTH);
  if (short.length !== s.length) exceeded = true;
  s = short;
  const len = s.join(' ').length;
  if (len > MAX_DNS_SEARCH_LIST_CHARS) {
    let cutLen = 0;
    let cutNum = 0;
    for (let i = s.length - 1; i >= 0; i--) {
      cutLen += (s[i] ?? '').length + 1;
      cutNum++;
      if (len - cutLen <= MAX_DNS_SEARCH_LIST_CHARS) break;
    }
    s = s.slice(0, s.length - cutNum);
    exceeded = true;
  }
  return { searches: s, exceeded };
}

/** GetPodDNS + the runtime's file. Err: the API server would reject the pod. */
export function podResolvConf(pod: PodDnsSpec, settings: KubeletDnsSettings): Result<PodResolvConf, string> {
  const valid = validatePodDns(pod);
  if (!valid.ok) return valid;
  const events: KubeletEvent[] = [];
  const host = settings.hostResolvConf === null ? { nameservers: [], searches: [], options: [] } : parseResolvConf(settings.hostResolvConf);
  const { type, why } = podDnsType(pod.dnsPolicy, pod.hostNetwork);
  let dnsType = type;
  let reason = why;
  let conf: { nameservers: string[]; searches: string[]; options: string[] } = { nameservers: [...host.nameservers], searches: [...host.searches], options: [...host.options] };
  if (type === 'none') conf = { nameservers: [], searches: [], options: [] };
  if (type === 'cluster') {
    if (settings.clusterDns.length > 0) {
      const searches = settings.clusterDomain === '' ? conf.searches : omitDuplicates([`${pod.namespace}.svc.${settings.clusterDomain}`, `svc.${settings.clusterDomain}`, settings.clusterDomain, ...conf.searches]);
      conf = { nameservers: [...settings.clusterDns], searches, options: ['ndots:5'] };
    } else {
      const msg = `kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.`;
      events.push({ type: 'Warning', reason: 'MissingClusterDNS', object: 'node', message: msg });
      events.push({ type: 'Warning', reason: 'MissingClusterDNS', object: 'pod', message: `pod: "${pod.name}_${pod.namespace}". ${msg}` });
      dnsType = 'host';
      reason = 'the kubelet has no clusterDNS: ClusterFirst falls back to Default';
    }
  }
  if (dnsType === 'host' && settings.hostResolvConf === null) {
    conf.nameservers = settings.nodeIps.map((ip) => (isIP(ip) === 6 ? '::1' : '127.0.0.1'));
    if (conf.nameservers.length === 0) conf.nameservers = ['127.0.0.1'];
    conf.searches = ['.'];
  }
  if (pod.dnsConfig !== null) {
    conf = {
      nameservers: omitDuplicates([...conf.nameservers, ...pod.dnsConfig.nameservers.map(formatIpv4)]),
      searches: omitDuplicates([...conf.searches, ...pod.dnsConfig.searches]),
      options: mergeDnsOptions(conf.options, pod.dnsConfig.options),
    };
  }
  if (conf.nameservers.length > MAX_DNS_NAMESERVERS) {
    conf.nameservers = conf.nameservers.slice(0, MAX_DNS_NAMESERVERS);
    events.push({ type: 'Warning', reason: 'DNSConfigForming', object: 'pod', message: `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${conf.nameservers.join(' ')}` });
  }
  const fit = searchFitsLimits(conf.searches);
  if (fit.exceeded) {
    conf.searches = fit.searches;
    events.push({ type: 'Warning', reason: 'DNSConfigForming', object: 'pod', message: `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${fit.searches.join(' ')}` });
  }
  const config: ResolvConf = conf;
  return ok({ dnsType, why: reason, config, text: printResolvConf(config), events });
}

/**
 * The kubelet-managed /etc/hosts (pkg/kubelet/kubelet_pods.go managedHostsFileContent) for a pod
 * off the host network; hostNetwork pods see the node's own file (modelled as localhost + node).
 */
export function podHostsText(pod: Pick<Pod, 'name' | 'namespace' | 'hostNetwork' | 'hostname' | 'subdomain' | 'ip' | 'nodeName'>, clusterDomain: string): string {
  if (pod.hostNetwork) return `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${formatIpv4(pod.ip)}\t${pod.nodeName}\n`;
  const hostname = pod.hostname ?? pod.name;
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
    pod.subdomain !== null ? `${formatIpv4(pod.ip)}\t${hostname}.${pod.subdomain}.${pod.namespace}.svc.${clusterDomain}\t${hostname}` : `${formatIpv4(pod.ip)}\t${hostname}`,
  ];
  return `${lines.join('\n')}\n`;
}

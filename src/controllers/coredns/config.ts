import type { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { formatIpv4 } from '../../net/ipv4.js';
import { fqdn } from '../../net/dns.js';
import { err, ok, type Result } from '../../lib/result.js';
import { parseUpstreamTable, upstreamEntries, type UpstreamModel } from './upstream.js';

/**
 * The CoreDNS configuration podnet assumes: kubeadm's Corefile (see `corefileText`), with the
 * knobs that change answers exposed. A topology adjusts them with annotations on the CoreDNS
 * pods (the kube-system pods labelled `k8s-app: kube-dns`, usually via the Deployment's pod
 * template), since the real Corefile lives in a ConfigMap podnet does not read.
 */

/** `pods insecure|verified|disabled` of the kubernetes plugin. */
export type PodsMode = 'insecure' | 'verified' | 'disabled';

export const PODS_MODES: readonly PodsMode[] = ['insecure', 'verified', 'disabled'];

export interface CoreDnsConfig {
  /** The cluster domain, absolute (`cluster.local.`). */
  readonly zone: string;
  /** Reverse zones the plugin also serves (kubeadm: `in-addr.arpa ip6.arpa`). */
  readonly reverseZones: readonly string[];
  readonly pods: PodsMode;
  /** `ttl` of the kubernetes plugin (kubeadm 30; plugin default 5). */
  readonly ttl: number;
  /** `fallthrough in-addr.arpa ip6.arpa`: reverse name errors go on to `forward`. */
  readonly fallthroughReverse: boolean;
  /** `autopath @kubernetes` (needs `pods verified` to do anything). */
  readonly autopath: boolean;
  /** `endpoint_pod_names`: endpoint names are pod names instead of dashed IPs. */
  readonly endpointPodNames: boolean;
  /** `ignore empty_service`: ClusterIP services without endpoints are NXDOMAIN. */
  readonly ignoreEmptyService: boolean;
  /** `noendpoints`: no endpoint or headless records at all. */
  readonly noEndpoints: boolean;
  /** SOA serial (CoreDNS: unix time of the last change to a watched object). */
  readonly serial: number;
  /** false: the informers have not synced yet, so would-be NXDOMAIN answers are SERVFAIL. */
  readonly synced: boolean;
  readonly upstream: UpstreamModel;
  /** CoreDNS's own /etc/resolv.conf search list (dnsPolicy Default: the node's), for autopath. */
  readonly resolvSearch: readonly string[];
}

/** The SOA serial podnet uses: CoreDNS's own test vector (any increasing number would do). */
export const COREDNS_SERIAL = 1499347823;

/** Annotations on the CoreDNS pods that change the modelled Corefile. */
export const COREDNS_PODS_ANNOTATION = 'podnet.dev/coredns-pods';
export const COREDNS_AUTOPATH_ANNOTATION = 'podnet.dev/coredns-autopath';
export const COREDNS_TTL_ANNOTATION = 'podnet.dev/coredns-ttl';
/** Extra names for the upstream table (format in ./upstream.ts). */
export const UPSTREAM_RECORDS_ANNOTATION = 'podnet.dev/dns-upstream-records';
/** `down`: the nodes' nameservers do not answer (forwarded queries get SERVFAIL). */
export const UPSTREAM_STATE_ANNOTATION = 'podnet.dev/dns-upstream';

/** The CoreDNS pods: kube-system pods with kubeadm's `k8s-app: kube-dns` label. */
export function coreDnsPods(cluster: Cluster): Pod[] {
  return cluster.pods.filter((p) => p.namespace === 'kube-system' && p.labels['k8s-app'] === 'kube-dns');
}

/** kubeadm's configuration for this cluster, without any annotation. */
export function kubeadmCoreDnsConfig(cluster: Cluster): CoreDnsConfig {
  return {
    zone: fqdn(cluster.header.clusterDomain),
    reverseZones: ['in-addr.arpa.', 'ip6.arpa.'],
    pods: 'insecure',
    ttl: 30,
    fallthroughReverse: true,
    autopath: false,
    endpointPodNames: false,
    ignoreEmptyService: false,
    noEndpoints: false,
    serial: COREDNS_SERIAL,
    synced: true,
    upstream: { servers: cluster.header.dns.upstream.map(formatIpv4), reachable: true, entries: upstreamEntries([]), ttl: 300 },
    resolvSearch: cluster.header.dns.nodeSearches,
  };
}

/** The configuration for a cluster: kubeadm's, adjusted by the CoreDNS pods' annotations. */
export function coreDnsConfigFor(cluster: Cluster): Result<CoreDnsConfig, string> {
  const base = kubeadmCoreDnsConfig(cluster);
  const annotations = new Map<string, { value: string; pod: string }>();
  for (const p of coreDnsPods(cluster)) {
    for (const [k, v] of Object.entries(p.annotations)) {
      if (!k.startsWith('podnet.dev/')) continue;
      const seen = annotations.get(k);
      if (seen && seen.value !== v) return err(`CoreDNS pods ${seen.pod} and ${p.namespace}/${p.name} disagree on annotation ${k}`);
      annotations.set(k, { value: v, pod: `${p.namespace}/${p.name}` });
    }
  }
  const get = (k: string): { value: string; pod: string } | undefined => annotations.get(k);
  let config = base;
  const pods = get(COREDNS_PODS_ANNOTATION);
  if (pods) {
    if (!(PODS_MODES as readonly string[]).includes(pods.value)) return err(`${pods.pod}: annotation ${COREDNS_PODS_ANNOTATION}: expected ${PODS_MODES.join(', ')}, found "${pods.value}"`);
    config = { ...config, pods: pods.value as PodsMode };
  }
  const autopath = get(COREDNS_AUTOPATH_ANNOTATION);
  if (autopath) {
    if (autopath.value !== 'true' && autopath.value !== 'false') return err(`${autopath.pod}: annotation ${COREDNS_AUTOPATH_ANNOTATION}: expected "true" or "false", found "${autopath.value}"`);
    config = { ...config, autopath: autopath.value === 'true' };
  }
  const ttl = get(COREDNS_TTL_ANNOTATION);
  if (ttl) {
    if (!/^\d+$/.test(ttl.value) || Number(ttl.value) > 3600) return err(`${ttl.pod}: annotation ${COREDNS_TTL_ANNOTATION}: expected 0 to 3600 seconds, found "${ttl.value}"`);
    config = { ...config, ttl: Number(ttl.value) };
  }
  const records = get(UPSTREAM_RECORDS_ANNOTATION);
  if (records) {
    const table = parseUpstreamTable(records.value);
    if (!table.ok) return err(`${records.pod}: annotation ${UPSTREAM_RECORDS_ANNOTATION}: ${table.error}`);
    config = { ...config, upstream: { ...config.upstream, entries: upstreamEntries(table.value) } };
  }
  const state = get(UPSTREAM_STATE_ANNOTATION);
  if (state) {
    if (state.value !== 'up' && state.value !== 'down') return err(`${state.pod}: annotation ${UPSTREAM_STATE_ANNOTATION}: expected "up" or "down", found "${state.value}"`);
    config = { ...config, upstream: { ...config.upstream, reachable: state.value === 'up' } };
  }
  return ok(config);
}

/**
 * The Corefile this configuration corresponds to: kubeadm's ConfigMap
 * (cmd/kubeadm/app/phases/addons/dns/manifests.go) with the modelled options filled in.
 */
export function corefileText(config: CoreDnsConfig): string {
  const domain = config.zone.replace(/\.$/, '');
  const reverse = config.reverseZones.map((z) => z.replace(/\.$/, '')).join(' ');
  const k8s = [
    ...(config.pods !== 'disabled' ? [`pods ${config.pods}`] : []),
    ...(config.endpointPodNames ? ['endpoint_pod_names'] : []),
    ...(config.ignoreEmptyService ? ['ignore empty_service'] : []),
    ...(config.noEndpoints ? ['noendpoints'] : []),
    ...(config.fallthroughReverse ? [`fallthrough ${reverse}`] : []),
    `ttl ${config.ttl}`,
  ];
  return [
    '.:53 {',
    '    errors',
    '    health {',
    '       lameduck 5s',
    '    }',
    '    ready',
    `    kubernetes ${domain} ${reverse} {`,
    ...k8s.map((l) => `       ${l}`),
    '    }',
    ...(config.autopath ? ['    autopath @kubernetes'] : []),
    '    prometheus :9153',
    '    forward . /etc/resolv.conf {',
    '       max_concurrent 1000',
    '    }',
    '    cache 30 {',
    `       disable success ${domain}`,
    `       disable denial ${domain}`,
    '    }',
    '    loop',
    '    reload',
    '    loadbalance',
    '}',
    '',
  ].join('\n');
}

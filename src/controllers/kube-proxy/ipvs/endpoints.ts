import { formatIpv4 } from '../../../net/ipv4.js';
import type { KpEndpoint, KpServicePort } from '../config.js';

/**
 * Which endpoints become IPVS real servers (pkg/proxy/ipvs/proxier.go syncEndpoint over
 * proxy.CategorizeEndpoints): Ready endpoints, or, when none is ready, the serving and
 * terminating ones. A policy of Local narrows to this node's endpoints, but unlike iptables mode
 * an empty local set falls back to the cluster-wide one (kubernetes PR 97081: pods on a node
 * without a local endpoint can still reach the service).
 */

const epKey = (e: KpEndpoint) => `${formatIpv4(e.ip)}:${e.port}`;

/** Sorted by "ip:port" string, the order podnet adds real servers in (kube-proxy iterates a Go set). */
export function sortEndpoints(eps: readonly KpEndpoint[]): KpEndpoint[] {
  return [...eps].sort((a, b) => (epKey(a) < epKey(b) ? -1 : epKey(a) > epKey(b) ? 1 : 0));
}

function usable(eps: readonly KpEndpoint[]): KpEndpoint[] {
  const ready = eps.filter((e) => e.ready);
  return ready.length > 0 ? ready : eps.filter((e) => e.serving && e.terminating);
}

export interface IpvsEndpoints {
  /** Real servers of the ClusterIP virtual server. */
  readonly internal: readonly KpEndpoint[];
  /** Real servers of the NodePort, externalIP and LoadBalancer virtual servers. */
  readonly external: readonly KpEndpoint[];
}

export function ipvsEndpoints(p: KpServicePort, node: string): IpvsEndpoints {
  const cluster = usable(p.endpoints);
  const local = usable(p.endpoints.filter((e) => e.nodeName === node));
  const pick = (policy: 'Cluster' | 'Local') => sortEndpoints(policy === 'Local' && local.length > 0 ? local : cluster);
  return { internal: pick(p.internalTrafficPolicy), external: pick(p.externalTrafficPolicy) };
}

/** Endpoints on this node, whatever their condition (KUBE-LOOP-BACK entries). */
export function localEndpoints(p: KpServicePort, node: string): KpEndpoint[] {
  return sortEndpoints(p.endpoints.filter((e) => e.nodeName === node));
}

import type { Ipv4 } from '../../../net/ipv4.js';
import type { IpvsSchedulerName, NewService } from '../../../kernel/ipvs/table.js';
import type { KpEndpoint, KpServicePort } from '../config.js';
import { ipvsEndpoints } from './endpoints.js';

/**
 * The IPVS virtual servers kube-proxy creates on one node (syncService/syncEndpoint): one per
 * ClusterIP:port, externalIP:port, LoadBalancer IP:port and node address:nodePort, each with
 * weight-1 Masq real servers. ClientIP affinity makes the service persistent (the affinity
 * timeout, default 10800 s); the mh scheduler gets FlagSourceHash (IP_VS_SVC_F_SCHED2, mh-port).
 */
export interface KpVirtualServer {
  readonly service: NewService;
  readonly dests: readonly KpEndpoint[];
  /** What the address is, for events: "ClusterIP", "NodePort", ... */
  readonly role: 'ClusterIP' | 'ExternalIP' | 'LoadBalancer' | 'NodePort';
}

export function kubeProxyVirtualServers(ports: readonly KpServicePort[], node: string, nodeIPs: readonly Ipv4[], scheduler: IpvsSchedulerName): KpVirtualServer[] {
  const out: KpVirtualServer[] = [];
  for (const p of ports) {
    if (p.clusterIP === null) continue;
    const eps = ipvsEndpoints(p, node);
    const vs = (vip: Ipv4, port: number, role: KpVirtualServer['role'], dests: readonly KpEndpoint[]): KpVirtualServer => ({
      service: {
        protocol: p.protocol,
        vip,
        port,
        scheduler,
        schedFlags: { fallback: false, port: scheduler === 'mh' },
        persistentTimeout: p.sessionAffinitySeconds,
      },
      dests,
      role,
    });
    out.push(vs(p.clusterIP, p.port, 'ClusterIP', eps.internal));
    for (const ip of p.externalIPs) out.push(vs(ip, p.port, 'ExternalIP', eps.external));
    for (const ip of p.loadBalancerIPs) out.push(vs(ip, p.port, 'LoadBalancer', eps.external));
    if (p.nodePort !== null) for (const ip of nodeIPs) out.push(vs(ip, p.nodePort, 'NodePort', eps.external));
  }
  return out;
}

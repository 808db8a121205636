import { podPorts } from '../cluster/pod.js';
import type { Cluster } from '../cluster/cluster.js';
import { coreDnsPods } from '../controllers/coredns/config.js';
import { podNetns } from '../controllers/names.js';
import { formatIpv4 } from '../net/ipv4.js';
import type { AgentConfig } from './agent-config.js';

/** A socket the lab must hold open: a model netns id, a protocol, a port. */
export interface ListenSpec {
  readonly netns: string;
  readonly proto: 'tcp' | 'udp';
  readonly port: number;
}

/**
 * The applications of a lab, one agent per netns: in each pod the ports its containers declare
 * (the model's socket table), plus `extra` (where a check's flows are delivered: a pod without
 * containerPorts is modelled as listening on any port); in CoreDNS pods, DNS answered by the
 * modelled CoreDNS of `topologyFile`, its queries logged under `dir`.
 */
export function agentPlan(cluster: Cluster, topologyFile: string, dir: string, extra: readonly ListenSpec[] = []): AgentConfig[] {
  const want = new Map<string, { tcp: Set<number>; udp: Set<number>; dns: AgentConfig['dns'] }>();
  const at = (id: string) => {
    let w = want.get(id);
    if (!w) want.set(id, (w = { tcp: new Set(), udp: new Set(), dns: null }));
    return w;
  };
  for (const p of cluster.pods) {
    if (p.hostNetwork) continue;
    for (const cp of podPorts(p)) if (cp.protocol !== 'SCTP') at(podNetns(p.namespace, p.name))[cp.protocol === 'TCP' ? 'tcp' : 'udp'].add(cp.containerPort);
  }
  for (const p of coreDnsPods(cluster)) {
    if (!p.hostNetwork) at(podNetns(p.namespace, p.name)).dns = { topology: topologyFile, selfIp: formatIpv4(p.ip), log: `${dir}/dns-${p.namespace}-${p.name}.log` };
  }
  for (const x of extra) at(x.netns)[x.proto].add(x.port);
  const sorted = (s: Set<number>): number[] => [...s].sort((a, b) => a - b);
  // The DNS server owns UDP 53 in a CoreDNS pod (and answers non-DNS datagrams like any agent).
  return [...want].map(([id, w]) => ({ id, tcp: sorted(w.tcp), udp: sorted(w.udp).filter((x) => !(w.dns && x === 53)), dns: w.dns }));
}

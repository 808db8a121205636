import { cidrContains, formatCidr } from '../../../net/cidr.js';
import { formatIpv4, type Ipv4 } from '../../../net/ipv4.js';
import type { IpsetType } from '../../../kernel/netfilter/ipset.js';
import type { KpServicePort } from '../config.js';
import { localEndpoints } from './endpoints.js';

/**
 * The ip sets kube-proxy's IPVS mode keeps (pkg/proxy/ipvs/ipset.go ipsetInfo), with what it puts
 * in them on one node. The comments are not ipset comments: kube-proxy quotes them into the
 * `-m comment` of the iptables rules that match each set.
 */
export interface KpIpsetDef {
  readonly name: string;
  readonly type: IpsetType;
  readonly comment: string;
}

export const KP_IPSETS = {
  loopBack: { name: 'KUBE-LOOP-BACK', type: 'hash:ip,port,ip', comment: 'Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose' },
  clusterIP: { name: 'KUBE-CLUSTER-IP', type: 'hash:ip,port', comment: 'Kubernetes service cluster ip + port for masquerade purpose' },
  externalIP: { name: 'KUBE-EXTERNAL-IP', type: 'hash:ip,port', comment: 'Kubernetes service external ip + port for masquerade and filter purpose' },
  externalIPLocal: { name: 'KUBE-EXTERNAL-IP-LOCAL', type: 'hash:ip,port', comment: 'Kubernetes service external ip + port with externalTrafficPolicy=local' },
  loadBalancer: { name: 'KUBE-LOAD-BALANCER', type: 'hash:ip,port', comment: 'Kubernetes service lb portal' },
  loadBalancerLocal: { name: 'KUBE-LOAD-BALANCER-LOCAL', type: 'hash:ip,port', comment: 'Kubernetes service load balancer ip + port with externalTrafficPolicy=local' },
  loadBalancerFw: { name: 'KUBE-LOAD-BALANCER-FW', type: 'hash:ip,port', comment: 'Kubernetes service load balancer ip + port for load balancer with sourceRange' },
  loadBalancerSourceIP: { name: 'KUBE-LOAD-BALANCER-SOURCE-IP', type: 'hash:ip,port,ip', comment: 'Kubernetes service load balancer ip + port + source IP for packet filter purpose' },
  loadBalancerSourceCidr: { name: 'KUBE-LOAD-BALANCER-SOURCE-CIDR', type: 'hash:ip,port,net', comment: 'Kubernetes service load balancer ip + port + source cidr for packet filter purpose' },
  nodePortTcp: { name: 'KUBE-NODE-PORT-TCP', type: 'bitmap:port', comment: 'Kubernetes nodeport TCP port for masquerade purpose' },
  nodePortLocalTcp: { name: 'KUBE-NODE-PORT-LOCAL-TCP', type: 'bitmap:port', comment: 'Kubernetes nodeport TCP port with externalTrafficPolicy=local' },
  nodePortUdp: { name: 'KUBE-NODE-PORT-UDP', type: 'bitmap:port', comment: 'Kubernetes nodeport UDP port for masquerade purpose' },
  nodePortLocalUdp: { name: 'KUBE-NODE-PORT-LOCAL-UDP', type: 'bitmap:port', comment: 'Kubernetes nodeport UDP port with externalTrafficPolicy=local' },
  nodePortSctp: { name: 'KUBE-NODE-PORT-SCTP-HASH', type: 'hash:ip,port', comment: "Kubernetes nodeport SCTP port for masquerade purpose with type 'hash ip:port'" },
  nodePortLocalSctp: { name: 'KUBE-NODE-PORT-LOCAL-SCTP-HASH', type: 'hash:ip,port', comment: "Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type 'hash ip:port'" },
  healthCheckNodePort: { name: 'KUBE-HEALTH-CHECK-NODE-PORT', type: 'bitmap:port', comment: 'Kubernetes health check node port' },
  ipvsIps: { name: 'KUBE-IPVS-IPS', type: 'hash:ip', comment: 'Addresses on the ipvs interface' },
} as const satisfies Record<string, KpIpsetDef>;

export type KpIpsetKey = keyof typeof KP_IPSETS;

/** Set -> entries in `ipset add` syntax, in the order kube-proxy's sync finds them. */
export type KpIpsetEntries = ReadonlyMap<KpIpsetKey, readonly string[]>;

export interface IpsetInput {
  readonly node: string;
  /** Addresses NodePorts answer on (SCTP uses them as hash:ip,port entries). */
  readonly nodeIPs: readonly Ipv4[];
  /** Every address on kube-ipvs0. */
  readonly boundIPs: readonly Ipv4[];
}

export function kubeProxyIpsetEntries(ports: readonly KpServicePort[], input: IpsetInput): KpIpsetEntries {
  const sets = new Map<KpIpsetKey, string[]>(Object.keys(KP_IPSETS).map((k) => [k as KpIpsetKey, []]));
  const add = (k: KpIpsetKey, entry: string) => {
    const list = sets.get(k) as string[];
    if (!list.includes(entry)) list.push(entry);
  };
  for (const p of ports) {
    if (p.clusterIP === null) continue;
    const proto = p.protocol.toLowerCase();
    const ipPort = (ip: Ipv4) => `${formatIpv4(ip)},${proto}:${p.port}`;
    for (const e of localEndpoints(p, input.node)) add('loopBack', `${formatIpv4(e.ip)},${proto}:${e.port},${formatIpv4(e.ip)}`);
    add('clusterIP', ipPort(p.clusterIP));
    const local = p.externalTrafficPolicy === 'Local';
    for (const ip of p.externalIPs) add(local ? 'externalIPLocal' : 'externalIP', ipPort(ip));
    for (const ip of p.loadBalancerIPs) {
      add('loadBalancer', ipPort(ip));
      if (local) add('loadBalancerLocal', ipPort(ip));
      if (p.loadBalancerSourceRanges.length > 0) {
        add('loadBalancerFw', ipPort(ip));
        for (const cidr of p.loadBalancerSourceRanges) add('loadBalancerSourceCidr', `${ipPort(ip)},${formatCidr(cidr)}`);
        // A range that covers the node itself lets the node reach the LB IP it holds.
        if (p.loadBalancerSourceRanges.some((c) => input.nodeIPs.some((n) => cidrContains(c, n)))) add('loadBalancerSourceIP', `${ipPort(ip)},${formatIpv4(ip)}`);
      }
    }
    if (p.nodePort !== null) {
      const np = String(p.nodePort);
      if (p.protocol === 'SCTP') {
        for (const n of input.nodeIPs) {
          add('nodePortSctp', `${formatIpv4(n)},sctp:${np}`);
          if (local) add('nodePortLocalSctp', `${formatIpv4(n)},sctp:${np}`);
        }
      } else {
        add(p.protocol === 'TCP' ? 'nodePortTcp' : 'nodePortUdp', np);
        if (local) add(p.protocol === 'TCP' ? 'nodePortLocalTcp' : 'nodePortLocalUdp', np);
      }
    }
    if (p.healthCheckNodePort !== null && local && (p.loadBalancerIPs.length > 0 || p.nodePort !== null)) add('healthCheckNodePort', String(p.healthCheckNodePort));
  }
  for (const ip of input.boundIPs) add('ipvsIps', formatIpv4(ip));
  return sets;
}

/**
 * The sets as `ipset restore` input: kube-proxy runs `ipset create NAME TYPE ... -exist` (hash
 * types with family inet hashsize 1024 maxelem 65536, except hash:ip, which gets the defaults;
 * bitmap:port with range 0-65535), then `ipset add NAME ENTRY -exist`.
 */
export function ipsetRestoreText(entries: KpIpsetEntries): string {
  const lines: string[] = [];
  for (const [key, list] of entries) {
    const def: KpIpsetDef = KP_IPSETS[key];
    const opts = def.type === 'bitmap:port' ? ' range 0-65535' : def.type === 'hash:ip' ? '' : ' family inet hashsize 1024 maxelem 65536';
    lines.push(`create ${def.name} ${def.type}${opts} -exist`);
    for (const e of list) lines.push(`add ${def.name} ${e} -exist`);
  }
  return lines.map((l) => `${l}\n`).join('');
}

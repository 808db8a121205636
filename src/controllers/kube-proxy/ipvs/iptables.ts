import { formatCidr } from '../../../net/cidr.js';
import type { KubeProxyConfig } from '../config.js';
import { KP_IPSETS, type KpIpsetEntries, type KpIpsetKey } from './ipsets.js';

/**
 * The iptables rules kube-proxy's IPVS mode still writes (pkg/proxy/ipvs/proxier.go
 * writeIptablesRules, acceptIPVSTraffic, createAndLinkKubeChain): masquerade marking by ip set,
 * the KUBE-POSTROUTING MASQUERADE, forwarding accepts and the KUBE-IPVS-FILTER guard. Rules that
 * match a set are written only while the set has entries.
 *
 * Not written: the `-m ipvs --vaddr` DROP in KUBE-IPVS-OUT-FILTER for load balancers whose
 * source ranges exclude the node (podnet's netfilter model has no xt_ipvs match).
 */
export interface KubeProxyIpvsIptables {
  readonly jumps: readonly { readonly table: 'filter' | 'nat'; readonly chain: string; readonly rule: string }[];
  readonly restore: string;
}

const quoted = (key: KpIpsetKey) => `-m comment --comment "${KP_IPSETS[key].comment}"`;
const matchSet = (key: KpIpsetKey, dirs: string) => `-m set --match-set ${KP_IPSETS[key].name} ${dirs}`;

/** iptablesJumpChain, in the order kube-proxy prepends them (the last one ends up first). */
const JUMPS: readonly { table: 'filter' | 'nat'; chain: string; to: string; comment: string }[] = [
  { table: 'nat', chain: 'OUTPUT', to: 'KUBE-SERVICES', comment: 'kubernetes service portals' },
  { table: 'nat', chain: 'PREROUTING', to: 'KUBE-SERVICES', comment: 'kubernetes service portals' },
  { table: 'nat', chain: 'POSTROUTING', to: 'KUBE-POSTROUTING', comment: 'kubernetes postrouting rules' },
  { table: 'filter', chain: 'FORWARD', to: 'KUBE-FORWARD', comment: 'kubernetes forwarding rules' },
  { table: 'filter', chain: 'INPUT', to: 'KUBE-NODE-PORT', comment: 'kubernetes health check rules' },
  { table: 'filter', chain: 'INPUT', to: 'KUBE-PROXY-FIREWALL', comment: 'kube-proxy firewall rules' },
  { table: 'filter', chain: 'FORWARD', to: 'KUBE-PROXY-FIREWALL', comment: 'kube-proxy firewall rules' },
  { table: 'filter', chain: 'INPUT', to: 'KUBE-IPVS-FILTER', comment: 'kubernetes ipvs access filter' },
  { table: 'filter', chain: 'OUTPUT', to: 'KUBE-IPVS-OUT-FILTER', comment: 'kubernetes ipvs access filter' },
];

export function kubeProxyIpvsIptables(cfg: KubeProxyConfig, sets: KpIpsetEntries): KubeProxyIpvsIptables {
  const mark = `0x${(1 << cfg.masqueradeBit).toString(16)}`;
  const has = (k: KpIpsetKey) => (sets.get(k)?.length ?? 0) > 0;
  const nat: string[] = [];
  const filter: string[] = [];

  // Locally generated traffic from 127.0.0.0/8 is never masqueraded or redirected.
  nat.push('-A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN');
  // Hairpin: a pod reaching itself through a service must see another source.
  if (has('loopBack')) nat.push(`-A KUBE-POSTROUTING ${quoted('loopBack')} ${matchSet('loopBack', 'dst,dst,src')} -j MASQUERADE`);
  if (has('loadBalancer')) nat.push(`-A KUBE-SERVICES ${quoted('loadBalancer')} ${matchSet('loadBalancer', 'dst,dst')} -j KUBE-LOAD-BALANCER`);
  if (has('loadBalancerLocal')) nat.push(`-A KUBE-LOAD-BALANCER ${quoted('loadBalancerLocal')} ${matchSet('loadBalancerLocal', 'dst,dst')} -j RETURN`);
  const nodePortSets: readonly [string, KpIpsetKey, KpIpsetKey, string][] = [
    ['tcp', 'nodePortLocalTcp', 'nodePortTcp', 'dst'],
    ['udp', 'nodePortLocalUdp', 'nodePortUdp', 'dst'],
    ['sctp', 'nodePortLocalSctp', 'nodePortSctp', 'dst,dst'],
  ];
  for (const [proto, localSet, set, dirs] of nodePortSets) {
    if (has(localSet)) nat.push(`-A KUBE-NODE-PORT -p ${proto} ${quoted(localSet)} ${matchSet(localSet, dirs)} -j RETURN`);
    if (has(set)) nat.push(`-A KUBE-NODE-PORT -p ${proto} ${quoted(set)} ${matchSet(set, dirs)} -j KUBE-MARK-MASQ`);
  }
  if (has('clusterIP')) {
    const base = `-A KUBE-SERVICES ${quoted('clusterIP')}`;
    if (cfg.masqueradeAll) nat.push(`${base} ${matchSet('clusterIP', 'dst,dst')} -j KUBE-MARK-MASQ`);
    else if (cfg.localDetector) nat.push(`${base} ${matchSet('clusterIP', 'dst,dst')} ! -s ${formatCidr(cfg.localDetector)} -j KUBE-MARK-MASQ`);
    // No local detector: masquerade what the node itself sends from a VIP (src,dst).
    else nat.push(`${base} ${matchSet('clusterIP', 'src,dst')} -j KUBE-MARK-MASQ`);
  }
  if (has('externalIP')) {
    nat.push(`-A KUBE-SERVICES ${quoted('externalIP')} ${matchSet('externalIP', 'dst,dst')} -j KUBE-MARK-MASQ`);
  }
  for (const key of ['externalIP', 'externalIPLocal'] as const) {
    if (!has(key)) continue;
    // Accept traffic to external IPs that arrives from outside (not bridged, not local) or is
    // for a local address; the rest goes on to IPVS anyway.
    nat.push(`-A KUBE-SERVICES ${quoted(key)} ${matchSet(key, 'dst,dst')} -m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL -j ACCEPT`);
    nat.push(`-A KUBE-SERVICES ${quoted(key)} ${matchSet(key, 'dst,dst')} -m addrtype --dst-type LOCAL -j ACCEPT`);
  }
  nat.push('-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT');
  nat.push('-A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ');
  // acceptIPVSTraffic: nothing later in nat may rewrite traffic meant for IPVS.
  if (has('clusterIP')) nat.push(`-A KUBE-SERVICES ${matchSet('clusterIP', 'dst,dst')} -j ACCEPT`);
  if (has('loadBalancer')) nat.push(`-A KUBE-SERVICES ${matchSet('loadBalancer', 'dst,dst')} -j ACCEPT`);
  nat.push(`-A KUBE-POSTROUTING -m mark ! --mark ${mark}/${mark} -j RETURN`);
  nat.push(`-A KUBE-POSTROUTING -j MARK --xor-mark ${mark}`);
  nat.push(`-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE${cfg.randomFully ? ' --random-fully' : ''}`);
  nat.push(`-A KUBE-MARK-MASQ -j MARK --or-mark ${mark}`);

  if (has('loadBalancerFw')) {
    filter.push(`-A KUBE-PROXY-FIREWALL ${quoted('loadBalancerFw')} ${matchSet('loadBalancerFw', 'dst,dst')} -j KUBE-SOURCE-RANGES-FIREWALL`);
    if (has('loadBalancerSourceCidr')) filter.push(`-A KUBE-SOURCE-RANGES-FIREWALL ${quoted('loadBalancerSourceCidr')} ${matchSet('loadBalancerSourceCidr', 'dst,dst,src')} -j RETURN`);
    if (has('loadBalancerSourceIP')) filter.push(`-A KUBE-SOURCE-RANGES-FIREWALL ${quoted('loadBalancerSourceIP')} ${matchSet('loadBalancerSourceIP', 'dst,dst,src')} -j RETURN`);
    filter.push('-A KUBE-SOURCE-RANGES-FIREWALL -j DROP');
  }
  filter.push(`-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark ${mark}/${mark} -j ACCEPT`);
  filter.push('-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');
  if (has('healthCheckNodePort')) filter.push(`-A KUBE-NODE-PORT ${quoted('healthCheckNodePort')} ${matchSet('healthCheckNodePort', 'dst')} -j ACCEPT`);
  // Issue 72236: a kube-ipvs0 address answers only on service ports.
  for (const key of ['loadBalancer', 'clusterIP', 'externalIP', 'externalIPLocal'] as const) filter.push(`-A KUBE-IPVS-FILTER ${matchSet(key, 'dst,dst')} -j RETURN`);
  filter.push(`-A KUBE-IPVS-FILTER ${matchSet('healthCheckNodePort', 'dst')} -j RETURN`);
  filter.push(`-A KUBE-IPVS-FILTER -m conntrack --ctstate NEW ${matchSet('ipvsIps', 'dst')} -j REJECT`);

  const natChains = ['KUBE-SERVICES', 'KUBE-POSTROUTING', 'KUBE-NODE-PORT', 'KUBE-LOAD-BALANCER', 'KUBE-MARK-MASQ'];
  const filterChains = ['KUBE-FORWARD', 'KUBE-NODE-PORT', 'KUBE-PROXY-FIREWALL', 'KUBE-SOURCE-RANGES-FIREWALL', 'KUBE-IPVS-FILTER', 'KUBE-IPVS-OUT-FILTER'];
  const table = (name: string, chains: readonly string[], rules: readonly string[]) => [`*${name}`, ...chains.map((c) => `:${c} - [0:0]`), ...rules, 'COMMIT'];
  const restore = [...table('filter', filterChains, filter), ...table('nat', natChains, nat)].map((l) => `${l}\n`).join('');
  const jumps = JUMPS.map((j) => ({ table: j.table, chain: j.chain, rule: `-m comment --comment "${j.comment}" -j ${j.to}` }));
  return { jumps, restore };
}

import { cidrContains, formatCidr } from '../../net/cidr.js';
import { formatIpv4, ipv4 } from '../../net/ipv4.js';
import { computeProbability, extChain, fwChain, sepChain, servicePortName, svcChain, svlChain } from './chain-names.js';
import type { KpEndpoint, KpServicePort, KubeProxyConfig } from './config.js';

/**
 * kube-proxy's iptables mode (pkg/proxy/iptables/proxier.go, syncProxyRules): the
 * iptables-restore input it writes on a full sync, and the jump rules it prepends to the
 * built-in chains. Rule text is kube-proxy's own (restore-input form), so its unit-test dumps can
 * be compared line by line; the kernel model canonicalises it like iptables-save.
 */
export interface KubeProxyIptables {
  /** `iptables -I <chain> ...` rules, in the order kube-proxy inserts them. */
  readonly jumps: readonly { readonly table: 'filter' | 'nat'; readonly chain: string; readonly rule: string }[];
  /** The `*filter ... COMMIT *nat ... COMMIT` text fed to iptables-restore --noflush. */
  readonly restore: string;
}

/** Comments with spaces are double-quoted, single tokens are written bare. */
function comment(text: string): string {
  return `-m comment --comment ${/\s/.test(text) ? `"${text}"` : text}`;
}

const epString = (e: KpEndpoint) => `${formatIpv4(e.ip)}:${e.port}`;

/** Endpoints sorted by their "ip:port" string, lexicographically, as kube-proxy sorts them. */
function sortEndpoints(eps: readonly KpEndpoint[]): KpEndpoint[] {
  return [...eps].sort((a, b) => (epString(a) < epString(b) ? -1 : epString(a) > epString(b) ? 1 : 0));
}

interface Categorized {
  readonly cluster: readonly KpEndpoint[];
  readonly local: readonly KpEndpoint[];
  readonly allReachable: readonly KpEndpoint[];
  readonly hasAny: boolean;
}

const externallyAccessible = (p: KpServicePort) => p.nodePort !== null || p.externalIPs.length > 0 || p.loadBalancerIPs.length > 0;
const usesClusterEndpoints = (p: KpServicePort) => p.internalTrafficPolicy === 'Cluster' || (externallyAccessible(p) && p.externalTrafficPolicy === 'Cluster');
const usesLocalEndpoints = (p: KpServicePort) => p.internalTrafficPolicy === 'Local' || (externallyAccessible(p) && p.externalTrafficPolicy === 'Local');

/** proxy.CategorizeEndpoints: ready endpoints, falling back to serving+terminating ones. */
function categorize(p: KpServicePort, node: string): Categorized {
  const usable = (eps: readonly KpEndpoint[]) => {
    const ready = eps.filter((e) => e.ready);
    return ready.length > 0 ? ready : eps.filter((e) => e.serving && e.terminating);
  };
  const cluster = usesClusterEndpoints(p) ? usable(p.endpoints) : [];
  const local = usesLocalEndpoints(p) ? usable(p.endpoints.filter((e) => e.nodeName === node)) : [];
  const seen = new Set<string>();
  const allReachable = sortEndpoints([...cluster, ...local].filter((e) => (seen.has(epString(e)) ? false : (seen.add(epString(e)), true))));
  return { cluster: sortEndpoints(cluster), local: sortEndpoints(local), allReachable, hasAny: p.endpoints.some((e) => e.ready || (e.serving && e.terminating)) };
}

const LOOPBACK_V4 = ipv4('127.0.0.1');

/**
 * NewProxier forces localhostNodePorts off when --nodeport-addresses is set and covers no IPv4
 * loopback address: NodePorts on 127.0.0.1 would be unreachable anyway.
 */
function effectiveConfig(cfg: KubeProxyConfig): KubeProxyConfig {
  const npa = cfg.nodePortAddresses ?? [];
  if (npa.length === 0 || npa.some((c) => cidrContains(c, LOOPBACK_V4))) return cfg;
  return { ...cfg, localhostNodePorts: false };
}

/**
 * The tail of nat KUBE-SERVICES. Without --nodeport-addresses one addrtype rule covers every
 * local address (minus 127.0.0.0/8 unless localhostNodePorts); with it, one `-d` rule per node
 * address the CIDRs select (GetNodeIPs over the interfaces, loopback only for localhostNodePorts).
 */
function nodePortsJumps(cfg: KubeProxyConfig): string[] {
  const text = comment('kubernetes service nodeports; NOTE: this must be the last rule in this chain');
  const npa = cfg.nodePortAddresses ?? [];
  if (npa.length === 0) return [`-A KUBE-SERVICES ${text} -m addrtype --dst-type LOCAL${cfg.localhostNodePorts ? '' : ' ! -d 127.0.0.0/8'} -j KUBE-NODEPORTS`];
  // GetNodeIPs walks the interfaces in ifindex order: lo's 127.0.0.1 comes first.
  const addrs = [LOOPBACK_V4, ...cfg.nodeIPs].filter((ip) => npa.some((c) => cidrContains(c, ip)) && (cfg.localhostNodePorts || ip !== LOOPBACK_V4));
  return addrs.map((ip) => `-A KUBE-SERVICES ${text} -d ${formatIpv4(ip)} -j KUBE-NODEPORTS`);
}

export function kubeProxyIptables(config: KubeProxyConfig, ports: readonly KpServicePort[]): KubeProxyIptables {
  const cfg = effectiveConfig(config);
  const mark = `0x${(1 << cfg.masqueradeBit).toString(16)}`;
  const filterChains = ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL'];
  const natChains = ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ'];
  const filter: string[] = [];
  const nat: string[] = [];

  nat.push(`-A KUBE-POSTROUTING -m mark ! --mark ${mark}/${mark} -j RETURN`);
  // Clear the bit so a packet that re-traverses the stack is not masqueraded twice.
  nat.push(`-A KUBE-POSTROUTING -j MARK --xor-mark ${mark}`);
  nat.push(`-A KUBE-POSTROUTING ${comment('kubernetes service traffic requiring SNAT')} -j MASQUERADE${cfg.randomFully ? ' --random-fully' : ''}`);
  nat.push(`-A KUBE-MARK-MASQ -j MARK --or-mark ${mark}`);
  if (cfg.localhostNodePorts) {
    filterChains.push('KUBE-FIREWALL');
    filter.push(`-A KUBE-FIREWALL ${comment('block incoming localnet connections')} -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`);
  }

  const sorted = [...ports].sort((a, b) => {
    const x = servicePortName(a.namespace, a.name, a.portName);
    const y = servicePortName(b.namespace, b.name, b.portName);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  for (const p of sorted) {
    if (p.clusterIP === null) continue; // headless: nothing to proxy
    const svc = servicePortName(p.namespace, p.name, p.portName);
    const proto = p.protocol.toLowerCase();
    const protoMatch = `-m ${proto} -p ${proto}`;
    const cat = categorize(p, cfg.nodeName);
    const clusterPolicyChain = svcChain(svc, proto);
    const localPolicyChain = svlChain(svc, proto);
    const internalPolicyChain = p.internalTrafficPolicy === 'Local' ? localPolicyChain : clusterPolicyChain;
    const externalPolicyChain = p.externalTrafficPolicy === 'Local' ? localPolicyChain : clusterPolicyChain;
    const ext = extChain(svc, proto);
    const fw = fwChain(svc, proto);
    const usesClusterPolicyChain = cat.cluster.length > 0 && usesClusterEndpoints(p);
    const usesLocalPolicyChain = cat.local.length > 0 && usesLocalEndpoints(p);
    const hasInternalEndpoints = p.internalTrafficPolicy === 'Local' ? cat.local.length > 0 : cat.cluster.length > 0;
    const hasExternalEndpoints = p.externalTrafficPolicy === 'Local' ? cat.local.length > 0 : cat.cluster.length > 0;
    const clusterIP = formatIpv4(p.clusterIP);

    let internalFilter: { target: string; comment: string } | null = null;
    let externalFilter: { target: string; comment: string } | null = null;
    if (!cat.hasAny) {
      internalFilter = externalFilter = { target: 'REJECT', comment: `${svc} has no endpoints` };
    } else {
      if (!hasInternalEndpoints) internalFilter = { target: 'DROP', comment: `${svc} has no local endpoints` };
      if (!hasExternalEndpoints) externalFilter = { target: 'DROP', comment: `${svc} has no local endpoints` };
    }

    // 1. ClusterIP.
    if (hasInternalEndpoints) nat.push(`-A KUBE-SERVICES ${comment(`${svc} cluster IP`)} ${protoMatch} -d ${clusterIP} --dport ${p.port} -j ${internalPolicyChain}`);
    else if (internalFilter) filter.push(`-A KUBE-SERVICES ${comment(internalFilter.comment)} ${protoMatch} -d ${clusterIP} --dport ${p.port} -j ${internalFilter.target}`);
    // 2. External IPs.
    for (const ip of p.externalIPs) {
      if (cat.hasAny) nat.push(`-A KUBE-SERVICES ${comment(`${svc} external IP`)} ${protoMatch} -d ${formatIpv4(ip)} --dport ${p.port} -j ${ext}`);
      if (externalFilter) filter.push(`-A KUBE-EXTERNAL-SERVICES ${comment(externalFilter.comment)} ${protoMatch} -d ${formatIpv4(ip)} --dport ${p.port} -j ${externalFilter.target}`);
    }
    // 3. LoadBalancer ingress IPs.
    const usesFw = p.loadBalancerSourceRanges.length > 0;
    for (const ip of p.loadBalancerIPs) {
      if (cat.hasAny) {
        nat.push(`-A KUBE-SERVICES ${comment(`${svc} loadbalancer IP`)} ${protoMatch} -d ${formatIpv4(ip)} --dport ${p.port} -j ${usesFw ? fw : ext}`);
        if (usesFw) filter.push(`-A KUBE-PROXY-FIREWALL ${comment(`${svc} traffic not accepted by ${fw}`)} ${protoMatch} -d ${formatIpv4(ip)} --dport ${p.port} -j DROP`);
      }
      if (externalFilter) filter.push(`-A KUBE-EXTERNAL-SERVICES ${comment(externalFilter.comment)} ${protoMatch} -d ${formatIpv4(ip)} --dport ${p.port} -j ${externalFilter.target}`);
    }
    // 4. NodePort.
    if (p.nodePort !== null) {
      if (cat.hasAny) {
        if (cfg.localhostNodePorts && cfg.nfacct) {
          nat.push(`-A KUBE-NODEPORTS ${comment(svc)} ${protoMatch} -d 127.0.0.0/8 --dport ${p.nodePort} -m nfacct --nfacct-name localhost_nps_accepted_pkts -j ${ext}`);
        }
        nat.push(`-A KUBE-NODEPORTS ${comment(svc)} ${protoMatch} --dport ${p.nodePort} -j ${ext}`);
      }
      if (externalFilter) filter.push(`-A KUBE-EXTERNAL-SERVICES ${comment(externalFilter.comment)} -m addrtype --dst-type LOCAL ${protoMatch} --dport ${p.nodePort} -j ${externalFilter.target}`);
    }
    // 5. Health check node port (eTP=Local only).
    if (p.healthCheckNodePort !== null && p.externalTrafficPolicy === 'Local') {
      filter.push(`-A KUBE-NODEPORTS ${comment(`${svc} health check node port`)} -m tcp -p tcp --dport ${p.healthCheckNodePort} -j ACCEPT`);
    }
    if (!cat.hasAny) continue;

    const chainRules = new Map<string, string[]>();
    const add = (chain: string, rule: string) => {
      const list = chainRules.get(chain) ?? [];
      list.push(`-A ${chain} ${rule}`.trimEnd());
      chainRules.set(chain, list);
    };
    // 7. The internal chain first masquerades off-cluster sources of ClusterIP traffic.
    if (hasInternalEndpoints) {
      const base = `${comment(`${svc} cluster IP`)} ${protoMatch} -d ${clusterIP} --dport ${p.port}`;
      if (cfg.masqueradeAll) add(internalPolicyChain, `${base} -j KUBE-MARK-MASQ`);
      else if (cfg.localDetector) add(internalPolicyChain, `${base} ! -s ${formatCidr(cfg.localDetector)} -j KUBE-MARK-MASQ`);
    }
    // 8. KUBE-EXT: masquerade (Cluster) or short-circuits (Local), then the policy chain.
    if (externallyAccessible(p)) {
      if (p.externalTrafficPolicy === 'Cluster') {
        add(ext, `${comment(`masquerade traffic for ${svc} external destinations`)} -j KUBE-MARK-MASQ`);
      } else {
        if (cfg.localDetector) add(ext, `${comment(`pod traffic for ${svc} external destinations`)} -s ${formatCidr(cfg.localDetector)} -j ${clusterPolicyChain}`);
        add(ext, `${comment(`masquerade LOCAL traffic for ${svc} external destinations`)} -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`);
        add(ext, `${comment(`route LOCAL traffic for ${svc} external destinations`)} -m addrtype --src-type LOCAL -j ${clusterPolicyChain}`);
      }
      if (hasExternalEndpoints) add(ext, `-j ${externalPolicyChain}`);
    }
    // 9. KUBE-FW: loadBalancerSourceRanges.
    if (usesFw && p.loadBalancerIPs.length > 0) {
      for (const c of p.loadBalancerSourceRanges) add(fw, `${comment(`${svc} loadbalancer IP`)} -s ${formatCidr(c)} -j ${ext}`);
      const nodeInRange = cfg.nodeIPs.some((ip) => p.loadBalancerSourceRanges.some((c) => cidrContains(c, ip)));
      if (nodeInRange) for (const ip of p.loadBalancerIPs) add(fw, `${comment(`${svc} loadbalancer IP`)} -s ${formatIpv4(ip)} -j ${ext}`);
      add(fw, comment(`other traffic to ${svc} will be dropped by KUBE-PROXY-FIREWALL`));
    }
    // 10. Policy chains -> endpoints, with ClientIP affinity checks first.
    const toEndpoints = (chain: string, eps: readonly KpEndpoint[]) => {
      if (p.sessionAffinitySeconds !== null) {
        for (const e of eps) {
          const sep = sepChain(svc, proto, epString(e));
          add(chain, `${comment(`${svc} -> ${epString(e)}`)} -m recent --name ${sep} --rcheck --seconds ${p.sessionAffinitySeconds} --reap -j ${sep}`);
        }
      }
      eps.forEach((e, i) => {
        const sep = sepChain(svc, proto, epString(e));
        const stat = i < eps.length - 1 ? ` -m statistic --mode random --probability ${computeProbability(eps.length - i)}` : '';
        add(chain, `${comment(`${svc} -> ${epString(e)}`)}${stat} -j ${sep}`);
      });
    };
    if (usesClusterPolicyChain) toEndpoints(clusterPolicyChain, cat.cluster);
    if (usesLocalPolicyChain) toEndpoints(localPolicyChain, cat.local);
    // 11. One DNAT chain per endpoint; hairpin traffic (endpoint to itself) is masqueraded.
    for (const e of cat.allReachable) {
      const sep = sepChain(svc, proto, epString(e));
      add(sep, `${comment(svc)} -s ${formatIpv4(e.ip)} -j KUBE-MARK-MASQ`);
      const recent = p.sessionAffinitySeconds !== null ? ` -m recent --name ${sep} --set` : '';
      add(sep, `${comment(svc)}${recent} ${protoMatch} -j DNAT --to-destination ${epString(e)}`);
    }
    for (const [chain, rules] of chainRules) {
      natChains.push(chain);
      nat.push(...rules);
    }
  }
  nat.push(...nodePortsJumps(cfg));
  filter.push(
    cfg.nfacct ? '-A KUBE-FORWARD -m conntrack --ctstate INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j DROP' : '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
    `-A KUBE-FORWARD ${comment('kubernetes forwarding rules')} -m mark --mark ${mark}/${mark} -j ACCEPT`,
    `-A KUBE-FORWARD ${comment('kubernetes forwarding conntrack rule')} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
  );
  const restore = [
    '*filter',
    ...filterChains.map((c) => `:${c} - [0:0]`),
    ...filter,
    'COMMIT',
    '*nat',
    ...[...new Set(natChains)].map((c) => `:${c} - [0:0]`),
    ...nat,
    'COMMIT',
    '',
  ].join('\n');
  return { jumps: IPTABLES_JUMP_CHAINS, restore };
}

/** iptablesJumpChains, each installed with `iptables -I` (so the last one listed ends up first). */
export const IPTABLES_JUMP_CHAINS: KubeProxyIptables['jumps'] = [
  { table: 'filter', chain: 'INPUT', rule: `-m conntrack --ctstate NEW ${comment('kubernetes externally-visible service portals')} -j KUBE-EXTERNAL-SERVICES` },
  { table: 'filter', chain: 'FORWARD', rule: `-m conntrack --ctstate NEW ${comment('kubernetes externally-visible service portals')} -j KUBE-EXTERNAL-SERVICES` },
  { table: 'filter', chain: 'INPUT', rule: `${comment('kubernetes health check service ports')} -j KUBE-NODEPORTS` },
  { table: 'filter', chain: 'FORWARD', rule: `-m conntrack --ctstate NEW ${comment('kubernetes service portals')} -j KUBE-SERVICES` },
  { table: 'filter', chain: 'OUTPUT', rule: `-m conntrack --ctstate NEW ${comment('kubernetes service portals')} -j KUBE-SERVICES` },
  { table: 'filter', chain: 'FORWARD', rule: `${comment('kubernetes forwarding rules')} -j KUBE-FORWARD` },
  { table: 'filter', chain: 'INPUT', rule: `-m conntrack --ctstate NEW ${comment('kubernetes load balancer firewall')} -j KUBE-PROXY-FIREWALL` },
  { table: 'filter', chain: 'OUTPUT', rule: `-m conntrack --ctstate NEW ${comment('kubernetes load balancer firewall')} -j KUBE-PROXY-FIREWALL` },
  { table: 'filter', chain: 'FORWARD', rule: `-m conntrack --ctstate NEW ${comment('kubernetes load balancer firewall')} -j KUBE-PROXY-FIREWALL` },
  { table: 'nat', chain: 'OUTPUT', rule: `${comment('kubernetes service portals')} -j KUBE-SERVICES` },
  { table: 'nat', chain: 'PREROUTING', rule: `${comment('kubernetes service portals')} -j KUBE-SERVICES` },
  { table: 'nat', chain: 'POSTROUTING', rule: `${comment('kubernetes postrouting rules')} -j KUBE-POSTROUTING` },
];

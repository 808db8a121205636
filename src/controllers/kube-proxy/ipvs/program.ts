import type { Ipv4 } from '../../../net/ipv4.js';
import { macFromSeed } from '../../../net/mac.js';
import { getNetns, type World } from '../../../kernel/netns.js';
import { addAddr, addLink, setSysctl, updateIpvs } from '../../../kernel/ops.js';
import { addDest, addService, type IpvsSchedulerName } from '../../../kernel/ipvs/table.js';
import { iptablesInsert, iptablesRestoreNoflush, ipsetRestoreInto } from '../../../kernel/iptables-restore.js';
import type { ControllerEvent } from '../../events.js';
import type { KpServicePort, KubeProxyConfig } from '../config.js';
import { ipsetRestoreText, kubeProxyIpsetEntries } from './ipsets.js';
import { kubeProxyIpvsIptables } from './iptables.js';
import { kubeProxyVirtualServers } from './virtual-servers.js';

/** kube-proxy's defaultDummyDevice. */
export const KUBE_IPVS_DEVICE = 'kube-ipvs0';

/**
 * Sysctls the IPVS proxier sets at start (NewProxier): conntrack entries for IPVS connections
 * (so the nat table's MASQUERADE and reply NAT work), dropping connections to removed servers,
 * and forwarding. conn_reuse_mode is only touched on kernels older than 5.9; arp_ignore and
 * arp_announce only with --ipvs-strict-arp, which is off by default.
 */
const IPVS_SYSCTLS: readonly [string, string][] = [
  ['net.ipv4.vs.conntrack', '1'],
  ['net.ipv4.vs.expire_nodest_conn', '1'],
  ['net.ipv4.vs.expire_quiescent_template', '1'],
  ['net.ipv4.ip_forward', '1'],
];

export interface IpvsNodeInput {
  readonly netns: string;
  readonly config: KubeProxyConfig;
  readonly scheduler: IpvsSchedulerName;
}

/**
 * The node addresses NodePorts listen on (GetNodeIPs with no --nodeport-addresses): every
 * address of the node except loopback and kube-ipvs0's own, so cni0 and flannel.1 get NodePort
 * virtual servers too, as on a real node.
 */
function nodePortAddresses(world: World, netns: string): Ipv4[] {
  const ns = getNetns(world, netns);
  return ns.addrs.filter((a) => a.dev !== 'lo' && a.dev !== KUBE_IPVS_DEVICE && a.scope !== 'host').map((a) => a.local);
}

/** One node's kube-proxy in IPVS mode, one full sync. */
export function programKubeProxyIpvsNode(world: World, ports: readonly KpServicePort[], input: IpvsNodeInput): { world: World; events: ControllerEvent[] } {
  const { netns, config } = input;
  const node = config.nodeName;
  const who = `kube-proxy on ${node}`;
  const nodeIPs = nodePortAddresses(world, netns);
  const nodeAddrs = new Set(getNetns(world, netns).addrs.map((a) => a.local));
  // `ip link add kube-ipvs0 type dummy`; kube-proxy never sets it up.
  let w = addLink(world, netns, { name: KUBE_IPVS_DEVICE, kind: { type: 'dummy' }, mtu: 1500, mac: macFromSeed(`${node}/${KUBE_IPVS_DEVICE}`) });
  const bound: Ipv4[] = [];
  for (const p of ports) {
    if (p.clusterIP === null) continue;
    // Every ClusterIP; external and LB IPs only when no other interface already holds them.
    for (const ip of [p.clusterIP, ...p.externalIPs, ...p.loadBalancerIPs]) {
      if (bound.includes(ip) || (ip !== p.clusterIP && nodeAddrs.has(ip))) continue;
      bound.push(ip);
      w = addAddr(w, netns, KUBE_IPVS_DEVICE, ip, 32);
    }
  }
  const sets = kubeProxyIpsetEntries(ports, { node, nodeIPs, boundIPs: bound });
  w = ipsetRestoreInto(w, netns, ipsetRestoreText(sets), who);
  const rules = kubeProxyIpvsIptables(config, sets);
  w = iptablesRestoreNoflush(w, netns, rules.restore, who);
  w = rules.jumps.reduce((acc, j) => iptablesInsert(acc, netns, j.table, j.chain, j.rule, who), w);
  const servers = kubeProxyVirtualServers(ports, node, nodeIPs, input.scheduler);
  w = updateIpvs(w, netns, (t) =>
    servers.reduce((acc, vs) => {
      const s = vs.service;
      return vs.dests.reduce((a, e) => addDest(a, s.protocol, s.vip, s.port, { ip: e.ip, port: e.port, weight: 1 }), addService(acc, s));
    }, t),
  );
  w = IPVS_SYSCTLS.reduce((acc, [k, v]) => setSysctl(acc, netns, k, v), w);
  const events: ControllerEvent[] = [
    { node, component: 'kube-proxy', level: 'info', message: `ipvs mode: ${servers.length} virtual servers, ${bound.length} addresses on ${KUBE_IPVS_DEVICE}, scheduler ${input.scheduler}` },
  ];
  return { world: w, events };
}

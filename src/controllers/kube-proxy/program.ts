import { err, ok, type Result } from '../../lib/result.js';
import type { World } from '../../kernel/netns.js';
import { iptablesAppend, iptablesInsert, iptablesRestoreNoflush } from '../../kernel/iptables-restore.js';
import { setSysctl } from '../../kernel/ops.js';
import { slicesOf, type Cluster } from '../../cluster/cluster.js';
import type { Service, ServicePort } from '../../cluster/service.js';
import type { ControllerEvent } from '../events.js';
import { nodeNetns } from '../names.js';
import type { KpEndpoint, KpServicePort, KubeProxyConfig } from './config.js';
import { kubeProxyIptables } from './iptables-rules.js';
import { programKubeProxyIpvsNode } from './ipvs/program.js';

/** The service ports kube-proxy programs, joined with their EndpointSlice endpoints. */
export function servicePorts(c: Cluster): KpServicePort[] {
  const out: KpServicePort[] = [];
  for (const svc of c.services) {
    if (svc.type === 'ExternalName') continue;
    for (const sp of svc.ports) out.push(toKp(c, svc, sp));
  }
  return out;
}

function toKp(c: Cluster, svc: Service, sp: ServicePort): KpServicePort {
  const endpoints: KpEndpoint[] = [];
  for (const slice of slicesOf(c, svc)) {
    // A slice port belongs to a service port by name (kube-proxy's ServicePortName match).
    const port = slice.ports.find((p) => (p.name ?? null) === (sp.name ?? null) && p.protocol === sp.protocol);
    if (!port || port.port === null) continue;
    for (const e of slice.endpoints) {
      for (const ip of e.addresses) endpoints.push({ ip, port: port.port, nodeName: e.nodeName, ...e.conditions });
    }
  }
  return {
    namespace: svc.namespace,
    name: svc.name,
    portName: sp.name,
    protocol: sp.protocol,
    clusterIP: svc.clusterIP === 'None' ? null : svc.clusterIP,
    port: sp.port,
    nodePort: svc.type === 'NodePort' || svc.type === 'LoadBalancer' ? sp.nodePort : null,
    externalIPs: svc.externalIPs,
    loadBalancerIPs: svc.type === 'LoadBalancer' ? svc.loadBalancerIngress : [],
    loadBalancerSourceRanges: svc.loadBalancerSourceRanges,
    externalTrafficPolicy: svc.externalTrafficPolicy,
    internalTrafficPolicy: svc.internalTrafficPolicy,
    sessionAffinitySeconds: svc.sessionAffinity.kind === 'ClientIP' ? svc.sessionAffinity.timeoutSeconds : null,
    healthCheckNodePort: svc.healthCheckNodePort,
    endpoints,
  };
}

/** kube-proxy's flags as kubeadm deploys it: --cluster-cidr set, defaults otherwise. */
export function kubeProxyConfigFor(c: Cluster, node: Cluster['nodes'][number]): KubeProxyConfig {
  return {
    nodeName: node.name,
    nodeIPs: [node.ip],
    localDetector: c.header.podCIDR,
    masqueradeAll: c.header.kubeProxy.masqueradeAll,
    masqueradeBit: 14,
    localhostNodePorts: true,
    // iptables 1.8.9 supports MASQUERADE --random-fully.
    randomFully: true,
    // podnet's kernel has no nfnetlink_acct counters, so kube-proxy writes no -m nfacct rules.
    nfacct: false,
  };
}

/** Run kube-proxy on every node: insert its jumps, then one iptables-restore --noflush. */
export function programKubeProxy(world: World, c: Cluster): Result<{ world: World; events: ControllerEvent[] }, string> {
  const kp = c.header.kubeProxy;
  if (kp.mode === 'ipvs') {
    const ipvsPorts = servicePorts(c);
    return ok(
      c.nodes.reduce(
        (acc, node) => {
          const r = programKubeProxyIpvsNode(acc.world, ipvsPorts, { netns: nodeNetns(node.name), config: kubeProxyConfigFor(c, node), scheduler: kp.scheduler });
          return { world: r.world, events: [...acc.events, ...r.events] };
        },
        { world, events: [] as ControllerEvent[] },
      ),
    );
  }
  const ports = servicePorts(c);
  let w = world;
  const events: ControllerEvent[] = [];
  for (const node of c.nodes) {
    const cfg = kubeProxyConfigFor(c, node);
    const rules = kubeProxyIptables(cfg, ports);
    const ns = nodeNetns(node.name);
    // NewProxier: localhost NodePorts need 127.0.0.1-sourced packets to be routable off lo after
    // DNAT; without route_localnet the re-route in OUTPUT fails (__mkroute_output: -EINVAL).
    if (cfg.localhostNodePorts) w = setSysctl(w, ns, 'net.ipv4.conf.all.route_localnet', '1');
    let restored = iptablesRestoreNoflush(w, ns, rules.restore, `kube-proxy on ${node.name}`);
    // The kubelet's own jumps (iptablesKubeletJumpChains) were appended before kube-proxy ran.
    for (const chain of ['INPUT', 'OUTPUT']) restored = iptablesAppend(restored, ns, 'filter', chain, '-j KUBE-FIREWALL', `kubelet on ${node.name}`);
    // EnsureRule(Prepend): `iptables -I CHAIN` puts each rule first.
    w = rules.jumps.reduce((acc, j) => iptablesInsert(acc, ns, j.table, j.chain, j.rule, `kube-proxy on ${node.name}`), restored);
  }
  return ok({ world: w, events });
}

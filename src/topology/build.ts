import { match } from 'ts-pattern';
import { err, ok, type Result } from '../lib/result.js';
import { EMPTY_WORLD } from '../kernel/ops.js';
import type { World } from '../kernel/netns.js';
import type { Cluster } from '../cluster/cluster.js';
import { podPorts, type Pod } from '../cluster/pod.js';
import type { ControllerEvent } from '../controllers/events.js';
import { nodeNetns, podNetns, UNDERLAY_NETNS } from '../controllers/names.js';
import { programFlannel } from '../controllers/cni/flannel/program.js';
import { programCalico, programCalicoFelix } from '../controllers/cni/calico/program.js';
import { programKubeProxy } from '../controllers/kube-proxy/program.js';
import { coreDnsConfigFor, dnsServerSockets, type ApplicationSocket } from '../controllers/coredns/index.js';
import type { SocketLookup } from './system.js';
import type { NetnsInfo, System } from './system.js';
import { buildUnderlay, routeServiceAddresses, serviceAddressRoutes } from './underlay.js';

/** Ports a node's own daemons listen on (kubelet, kube-proxy health check, sshd). */
const NODE_TCP_LISTENERS: ReadonlyMap<number, string> = new Map([
  [22, 'sshd'],
  [10250, 'kubelet'],
  [10256, 'kube-proxy healthz'],
]);

function describeCni(c: Cluster): string {
  const cni = match(c.header.cni)
    .with({ kind: 'flannel' }, (f) => `flannel ${f.backend.type}`)
    .with({ kind: 'calico' }, (k) => `calico ${k.mode}${k.crossSubnet ? ' crossSubnet' : ''}`)
    .exhaustive();
  return `${cni}, kube-proxy ${c.header.kubeProxy.mode}`;
}

/** Which sockets the modelled applications hold open. */
function socketTable(c: Cluster, apps: readonly ApplicationSocket[]): System['sockets'] {
  const byNetns = new Map<string, Pod>();
  for (const p of c.pods) if (!p.hostNetwork) byNetns.set(podNetns(p.namespace, p.name), p);
  const hostPods = new Map<string, Pod[]>();
  for (const p of c.pods) if (p.hostNetwork) hostPods.set(nodeNetns(p.nodeName), [...(hostPods.get(nodeNetns(p.nodeName)) ?? []), p]);
  return (netns, protocol, port): SocketLookup => {
    // Applications that answer datagrams themselves (CoreDNS, the upstream resolver).
    const app = apps.find((a) => a.netns === netns && a.protocol === protocol && a.port === port);
    if (app) return { kind: 'listening', what: app.what, respond: app.respond };
    const proto = protocol.toUpperCase();
    const pod = byNetns.get(netns);
    if (pod) {
      const ports = podPorts(pod);
      // containerPorts are informational in Kubernetes; with none declared, assume the app
      // listens wherever it is asked. With some declared, those are the listening sockets.
      if (ports.length === 0) return { kind: 'listening', what: `pod ${pod.namespace}/${pod.name} (no containerPorts declared: any port assumed open)` };
      const hit = ports.find((cp) => cp.containerPort === port && cp.protocol === proto);
      if (hit) return { kind: 'listening', what: `pod ${pod.namespace}/${pod.name} container port ${hit.name ?? hit.containerPort}` };
      return { kind: 'closed', detail: `pod ${pod.namespace}/${pod.name} declares containerPorts ${ports.map((p) => `${p.containerPort}/${p.protocol}`).join(', ')}; nothing listens on ${port}/${proto}` };
    }
    for (const hp of hostPods.get(netns) ?? []) {
      const hit = podPorts(hp).find((cp) => cp.containerPort === port && cp.protocol === proto);
      if (hit) return { kind: 'listening', what: `hostNetwork pod ${hp.namespace}/${hp.name}` };
    }
    const daemon = protocol === 'tcp' ? NODE_TCP_LISTENERS.get(port) : undefined;
    if (daemon && netns.startsWith('node:')) return { kind: 'listening', what: daemon };
    return { kind: 'closed', detail: `nothing listens on ${port}/${proto} in ${netns}` };
  };
}

function netnsTable(c: Cluster): Map<string, NetnsInfo> {
  const m = new Map<string, NetnsInfo>();
  m.set(UNDERLAY_NETNS, { id: UNDERLAY_NETNS, where: 'underlay', role: { kind: 'underlay' }, ip: null });
  for (const n of c.nodes) m.set(nodeNetns(n.name), { id: nodeNetns(n.name), where: n.name, role: { kind: 'node', node: n.name }, ip: n.ip });
  for (const p of c.pods) {
    if (p.hostNetwork) continue;
    const id = podNetns(p.namespace, p.name);
    m.set(id, { id, where: `pod ${p.namespace}/${p.name}`, role: { kind: 'pod', node: p.nodeName, namespace: p.namespace, name: p.name }, ip: p.ip });
  }
  return m;
}

/** flanneld + the flannel CNI plugin on every node (each node needs its podCIDR lease). */
function programFlannelCni(world: World, c: Cluster, podsOnNetwork: readonly Pod[]): Result<{ world: World; events: readonly ControllerEvent[] }, string> {
  if (c.header.cni.kind !== 'flannel') throw new Error('programFlannelCni needs a flannel cluster');
  const backend = c.header.cni.backend;
  const nodes = [];
  for (const n of c.nodes) {
    if (!n.podCIDR) return err(`node ${n.name} has no podCIDR; flannel needs one per node`);
    nodes.push({ name: n.name, netns: nodeNetns(n.name), ip: n.ip, extIface: 'eth0', extMtu: n.mtu, subnet: n.podCIDR });
  }
  return ok(
    programFlannel(world, {
      network: c.header.podCIDR,
      backend,
      nodes,
      pods: podsOnNetwork.map((p) => ({ namespace: p.namespace, name: p.name, netns: podNetns(p.namespace, p.name), node: p.nodeName, ip: p.ip })),
    }),
  );
}

/**
 * Bring a cluster to life: build the underlay and the nodes, then let each controller program
 * the kernels the way the real component does (CNI, kube-proxy).
 */
export function buildSystem(c: Cluster): Result<System, string> {
  let world: World = buildUnderlay(
    EMPTY_WORLD,
    c.nodes.map((n) => ({ name: n.name, ip: n.ip, prefix: n.subnetPrefix, gateway: n.gateway, mtu: n.mtu })),
  );
  world = routeServiceAddresses(world, serviceAddressRoutes(c));
  const events: ControllerEvent[] = [];
  const podsOnNetwork = c.pods.filter((p) => !p.hostNetwork);
  const cni = c.header.cni.kind === 'calico' ? programCalico(world, c) : programFlannelCni(world, c, podsOnNetwork);
  if (!cni.ok) return cni;
  world = cni.value.world;
  events.push(...cni.value.events);
  const kp = programKubeProxy(world, c);
  if (!kp.ok) return kp;
  world = kp.value.world;
  events.push(...kp.value.events);
  let explainRule: System['explainRule'];
  if (c.header.cni.kind === 'calico') {
    // Felix renders policy after kube-proxy so its jumps end up first, as on a settled node.
    const felix = programCalicoFelix(world, c);
    if (!felix.ok) return felix;
    world = felix.value.world;
    events.push(...felix.value.events);
    const explain = felix.value.explainRule;
    explainRule = (r) => explain(r.netns, r.table, r.chain, r.rule);
  }
  const netns = netnsTable(c);
  const services = new Map(
    c.services.map((s) => [
      `${s.namespace}/${s.name}`,
      { namespace: s.namespace, name: s.name, clusterIP: s.clusterIP === 'None' ? null : s.clusterIP, ports: s.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })) },
    ]),
  );
  const hostNetworkPods = new Map(c.pods.filter((p) => p.hostNetwork).map((p) => [`${p.namespace}/${p.name}`, { netns: nodeNetns(p.nodeName), ip: p.ip }]));
  const dnsConfig = coreDnsConfigFor(c);
  if (!dnsConfig.ok) return dnsConfig;
  const dnsSockets = dnsServerSockets(c, dnsConfig.value);
  return ok({
    ...(explainRule ? { explainRule } : {}),
    services,
    hostNetworkPods,
    name: c.header.name,
    description: describeCni(c),
    world,
    netns,
    events,
    sockets: socketTable(c, dnsSockets),
  });
}


import { match } from 'ts-pattern';
import { formatCidr } from '../../../net/cidr.js';
import { formatIpv4 } from '../../../net/ipv4.js';
import { macFromSeed } from '../../../net/mac.js';
import type { World } from '../../../kernel/netns.js';
import { getNetns } from '../../../kernel/netns.js';
import { fibLookup } from '../../../kernel/fib.js';
import { addAddr, addFdb, addLink, addRoute, replaceNeigh, setLinkUp, setSysctl } from '../../../kernel/ops.js';
import { attachPodToBridge } from '../bridge-plugin.js';
import { iptablesRestoreNoflush } from '../../../kernel/iptables-restore.js';
import { flannelRules } from './iptables.js';
import type { ControllerEvent } from '../../events.js';
import { LINUX_VXLAN_DEFAULT_PORT, type FlannelBackend, type FlannelInput, type FlannelNode } from './config.js';

/** The outcome of running flanneld + the flannel CNI plugin on every node. */
export interface FlannelResult {
  readonly world: World;
  readonly events: readonly ControllerEvent[];
  /** The MTU flanneld writes into subnet.env (FLANNEL_MTU) per node. */
  readonly mtu: ReadonlyMap<string, number>;
}

/** VXLAN overhead flanneld subtracts from the external MTU (vxlan.go: `devAttrs.MTU - 50`). */
const VXLAN_ENCAP_OVERHEAD = 50;

export const flannelVtepMac = (node: string) => macFromSeed(`flannel.1/${node}`);

function backendMtu(backend: FlannelBackend, node: FlannelNode): number {
  return match(backend)
    .with({ type: 'vxlan' }, (b) => (b.mtu ?? node.extMtu) - VXLAN_ENCAP_OVERHEAD)
    .with({ type: 'host-gw' }, () => node.extMtu)
    .exhaustive();
}

/**
 * ip.DirectRouting(): the peer is directly reachable when the route to it has no gateway
 * (a connected subnet).
 */
function directlyReachable(world: World, from: FlannelNode, peer: FlannelNode): boolean {
  const r = fibLookup(getNetns(world, from.netns), { dst: peer.ip, src: null, iif: null, oif: null, mark: 0 });
  return r.kind === 'unicast' && r.gateway === null;
}

function programVxlanDevice(world: World, node: FlannelNode, b: Extract<FlannelBackend, { type: 'vxlan' }>, mtu: number): World {
  const dev = `flannel.${b.vni}`;
  let w = addLink(world, node.netns, {
    name: dev,
    kind: {
      type: 'vxlan',
      vni: b.vni,
      // Port 0 means "omit IFLA_VXLAN_PORT", so the kernel's default applies.
      dstport: b.port === 0 ? LINUX_VXLAN_DEFAULT_PORT : b.port,
      local: node.ip,
      dev: node.extIface,
      learning: false,
      ttl: 0,
      srcPortRange: [32768, 60999],
    },
    mtu,
    mac: flannelVtepMac(node.name),
  });
  w = setSysctl(w, node.netns, `net.ipv6.conf.${dev}.accept_ra`, '0');
  // The /32 keeps the kernel from adding broadcast or prefix routes (vxlan_network.go).
  w = addAddr(w, node.netns, dev, node.subnet.network, 32);
  return setLinkUp(w, node.netns, dev);
}

/** handleSubnetEvents for one remote lease: ARP entry, then FDB entry, then the route. */
function programVxlanPeer(world: World, node: FlannelNode, peer: FlannelNode, b: Extract<FlannelBackend, { type: 'vxlan' }>, events: ControllerEvent[]): World {
  const dev = `flannel.${b.vni}`;
  if (b.directRouting && directlyReachable(world, node, peer)) {
    const r = addRoute(world, node.netns, { dst: peer.subnet, gateway: peer.ip, dev: node.extIface }, 'replace');
    if (r.ok) return r.value;
    events.push({ node: node.name, component: 'flanneld', level: 'error', message: `Error adding route to ${formatCidr(peer.subnet)}: ${r.error.message}`, request: r.error.request });
    return world;
  }
  const vtep = flannelVtepMac(peer.name);
  let w = replaceNeigh(world, node.netns, { dev, dst: peer.subnet.network, lladdr: vtep, state: 'PERMANENT', proxy: false });
  w = addFdb(w, node.netns, { mac: vtep, dev, master: null, self: true, dst: peer.ip, permanent: true, learned: false });
  const r = addRoute(w, node.netns, { dst: peer.subnet, gateway: peer.subnet.network, dev, onlink: true }, 'replace');
  if (r.ok) return r.value;
  events.push({ node: node.name, component: 'flanneld', level: 'error', message: `failed to add vxlanRoute (${formatCidr(peer.subnet)} -> ${formatIpv4(peer.subnet.network)}): ${r.error.message}`, request: r.error.request });
  return w;
}

/** hostgw.go: `Route{Dst: lease.Subnet, Gw: PublicIP, LinkIndex: extIface}` per remote node. */
function programHostGwPeer(world: World, node: FlannelNode, peer: FlannelNode, events: ControllerEvent[]): World {
  const r = addRoute(world, node.netns, { dst: peer.subnet, gateway: peer.ip, dev: node.extIface }, 'replace');
  if (r.ok) return r.value;
  events.push({
    node: node.name,
    component: 'flanneld',
    level: 'error',
    message: `Error adding route to ${formatCidr(peer.subnet)} via ${formatIpv4(peer.ip)}: ${r.error.message} host-gw needs every node on one L2 segment`,
    request: r.error.request,
  });
  return world;
}

/** Program every node as flanneld and the flannel CNI plugin would. */
export function programFlannel(world: World, input: FlannelInput): FlannelResult {
  const events: ControllerEvent[] = [];
  const mtus = new Map<string, number>();
  let w = world;
  for (const node of input.nodes) {
    const mtu = backendMtu(input.backend, node);
    mtus.set(node.name, mtu);
    if (input.backend.type === 'vxlan') w = programVxlanDevice(w, node, input.backend, mtu);
  }
  for (const node of input.nodes) {
    for (const peer of input.nodes) {
      if (peer.name === node.name) continue;
      w = match(input.backend)
        .with({ type: 'vxlan' }, (b) => programVxlanPeer(w, node, peer, b, events))
        .with({ type: 'host-gw' }, () => programHostGwPeer(w, node, peer, events))
        .exhaustive();
    }
    // flanneld applies its rules with iptables-restore --noflush (trafficmngr/iptables).
    const rules = flannelRules(input.network, node.subnet);
    w = iptablesRestoreNoflush(w, node.netns, `*nat\n${rules.nat.join('\n')}\nCOMMIT\n*filter\n${rules.filter.join('\n')}\nCOMMIT\n`, 'flanneld');
  }
  // The flannel CNI plugin delegates each pod to the bridge plugin (flannel_linux.go).
  for (const pod of input.pods) {
    const node = input.nodes.find((n) => n.name === pod.node);
    if (!node) throw new Error(`pod ${pod.namespace}/${pod.name} is on unknown node ${pod.node}`);
    w = attachPodToBridge(w, {
      nodeNetns: node.netns,
      podNetns: pod.netns,
      namespace: pod.namespace,
      pod: pod.name,
      bridge: 'cni0',
      subnet: node.subnet,
      podIp: pod.ip,
      mtu: mtus.get(node.name) ?? node.extMtu,
      hairpin: true,
      isDefaultGateway: true,
      routes: [input.network],
    });
  }
  return { world: w, events, mtu: mtus };
}


import { cidrOf, type Cidr } from '../../net/cidr.js';
import { formatIpv4, type Ipv4 } from '../../net/ipv4.js';
import { macFromSeed } from '../../net/mac.js';
import { unwrap } from '../../lib/result.js';
import { findLink, getNetns, type World } from '../../kernel/netns.js';
import { addAddr, addLink, addNetns, addRoute, addVethPair, setLinkUp, setMaster, setSysctl } from '../../kernel/ops.js';
import { cidrBroadcast } from '../../net/cidr.js';
import { bridgeVethName } from '../names.js';

/**
 * The containernetworking `bridge` plugin with `host-local` IPAM, as Flannel delegates to it
 * (plugins/main/bridge/bridge.go): ensure the bridge with the gateway address, create the veth
 * pair, plug the host end into the bridge with hairpin on, address the pod end and add routes.
 */
export interface BridgeAttach {
  readonly nodeNetns: string;
  readonly podNetns: string;
  readonly namespace: string;
  readonly pod: string;
  readonly bridge: string;
  /** The node's pod subnet; the gateway is its first address (calcGatewayIP). */
  readonly subnet: Cidr;
  readonly podIp: Ipv4;
  readonly mtu: number;
  readonly hairpin: boolean;
  readonly isDefaultGateway: boolean;
  /** IPAM `routes` without a gateway: they get the subnet gateway. */
  readonly routes: readonly Cidr[];
}

export function gatewayOf(subnet: Cidr): Ipv4 {
  return (subnet.network + 1) as Ipv4;
}

/** setupBridge(): create the bridge once per node, with the gateway address (isGateway). */
function ensureBridge(world: World, a: BridgeAttach): World {
  const ns = getNetns(world, a.nodeNetns);
  if (findLink(ns, a.bridge)) return world;
  let w = addLink(world, a.nodeNetns, { name: a.bridge, kind: { type: 'bridge', ageingTime: 300, stp: false }, mtu: a.mtu, mac: macFromSeed(`${a.nodeNetns}/${a.bridge}`) });
  w = setLinkUp(w, a.nodeNetns, a.bridge);
  const gw = gatewayOf(a.subnet);
  // vishvananda/netlink fills in the broadcast address for IPv4 prefixes shorter than /31.
  w = addAddr(w, a.nodeNetns, a.bridge, gw, a.subnet.prefix, { broadcast: cidrBroadcast(a.subnet) });
  // EnableIP4Forward().
  return setSysctl(w, a.nodeNetns, 'net.ipv4.ip_forward', '1');
}

export function attachPodToBridge(world: World, a: BridgeAttach): World {
  let w = ensureBridge(world, a);
  if (!w.netns.has(a.podNetns)) w = addNetns(w, a.podNetns);
  const hostVeth = bridgeVethName(a.namespace, a.pod);
  w = addVethPair(
    w,
    { netns: a.podNetns, name: 'eth0', mac: macFromSeed(`${a.podNetns}/eth0`) },
    { netns: a.nodeNetns, name: hostVeth, mac: macFromSeed(`${a.nodeNetns}/${hostVeth}`) },
    a.mtu,
  );
  w = setMaster(w, a.nodeNetns, hostVeth, a.bridge, { hairpin: a.hairpin });
  w = setLinkUp(w, a.nodeNetns, hostVeth);
  w = setLinkUp(w, a.podNetns, 'eth0');
  w = addAddr(w, a.podNetns, 'eth0', a.podIp, a.subnet.prefix, { broadcast: cidrBroadcast(a.subnet) });
  w = setSysctl(w, a.podNetns, 'net.ipv4.conf.eth0.arp_notify', '1');
  const gw = gatewayOf(a.subnet);
  if (a.isDefaultGateway) {
    w = unwrap(addRoute(w, a.podNetns, { dst: cidrOf(0 as Ipv4, 0), gateway: gw, dev: 'eth0' }));
  }
  for (const r of a.routes) {
    const res = addRoute(w, a.podNetns, { dst: r, gateway: gw, dev: 'eth0' });
    if (!res.ok) throw new Error(`bridge plugin route ${formatIpv4(r.network)}: ${res.error.message}`);
    w = res.value;
  }
  return w;
}

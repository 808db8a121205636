import { cidrBroadcast, cidrContains, cidrOf, cidrsOverlap, formatCidr, type Cidr } from '../net/cidr.js';
import { formatIpv4, type Ipv4 } from '../net/ipv4.js';
import { macFromSeed } from '../net/mac.js';
import { err, ok, unwrap, type Result } from '../lib/result.js';
import { getNetns, type World } from '../kernel/netns.js';
import { slicesOf, type Cluster } from '../cluster/cluster.js';
import { addAddr, addLink, addNetns, addRoute, addVethPair, setLinkUp, setMaster, setSysctl } from '../kernel/ops.js';
import { nodeNetns, UNDERLAY_NETNS } from '../controllers/names.js';

/** A machine on the physical network: what the node's `eth0` looks like. */
export interface UnderlayHost {
  readonly name: string;
  readonly ip: Ipv4;
  readonly prefix: number;
  readonly gateway: Ipv4;
  readonly mtu: number;
}

/** The L2 segments of the underlay and the router port on each. */
export interface UnderlaySegment {
  readonly subnet: Cidr;
  readonly bridge: string;
  readonly gateway: Ipv4;
}

export function underlaySegments(hosts: readonly UnderlayHost[]): UnderlaySegment[] {
  const segs: UnderlaySegment[] = [];
  for (const h of hosts) {
    const subnet = cidrOf(h.ip, h.prefix);
    if (segs.some((s) => s.subnet.network === subnet.network && s.subnet.prefix === subnet.prefix)) continue;
    segs.push({ subnet, bridge: `lan${segs.length}`, gateway: h.gateway });
  }
  return segs;
}

/** The underlay port a node's eth0 plugs into, named after the node (IFNAMSIZ allows 15). */
export function underlayPortName(index: number, node: string): string {
  return `p${index}-${node}`.slice(0, 15);
}

/**
 * The physical network, modelled with the same kernel parts as everything else: one netns
 * holding a bridge per L2 segment (the switch) with the segment's gateway address on it and
 * forwarding on (the router between segments). Every node is a netns whose `eth0` is plugged
 * into its segment's bridge, with its address and a default route via the gateway, and the
 * sysctls kubeadm's preflight checks require (ip_forward=1, bridge-nf-call-iptables=1).
 */
export function buildUnderlay(world: World, hosts: readonly UnderlayHost[]): World {
  let w = addNetns(world, UNDERLAY_NETNS);
  // A switch does not run iptables on what it bridges.
  w = setSysctl(w, UNDERLAY_NETNS, 'net.bridge.bridge-nf-call-iptables', '0');
  w = setSysctl(w, UNDERLAY_NETNS, 'net.ipv4.ip_forward', '1');
  const segs = underlaySegments(hosts);
  for (const s of segs) {
    w = addLink(w, UNDERLAY_NETNS, { name: s.bridge, kind: { type: 'bridge', ageingTime: 300, stp: false }, mtu: 1500, mac: macFromSeed(`underlay/${s.bridge}`) });
    w = setLinkUp(w, UNDERLAY_NETNS, s.bridge);
    w = addAddr(w, UNDERLAY_NETNS, s.bridge, s.gateway, s.subnet.prefix, { broadcast: cidrBroadcast(s.subnet) });
  }
  hosts.forEach((h, i) => {
    const ns = nodeNetns(h.name);
    const seg = segs.find((s) => s.subnet.network === cidrOf(h.ip, h.prefix).network && s.subnet.prefix === h.prefix);
    if (!seg) throw new Error(`no segment for ${h.name} (${formatCidr(cidrOf(h.ip, h.prefix))})`);
    const port = underlayPortName(i, h.name);
    w = addNetns(w, ns);
    w = addVethPair(w, { netns: ns, name: 'eth0', mac: macFromSeed(`${ns}/eth0`) }, { netns: UNDERLAY_NETNS, name: port, mac: macFromSeed(`underlay/${port}`) }, h.mtu);
    w = setMaster(w, UNDERLAY_NETNS, port, seg.bridge);
    w = setLinkUp(w, UNDERLAY_NETNS, port);
    w = setLinkUp(w, ns, 'eth0');
    w = addAddr(w, ns, 'eth0', h.ip, h.prefix, { broadcast: cidrBroadcast(cidrOf(h.ip, h.prefix)) });
    w = unwrap(addRoute(w, ns, { dst: cidrOf(0 as Ipv4, 0), gateway: h.gateway, dev: 'eth0' }));
    w = setSysctl(w, ns, 'net.ipv4.ip_forward', '1');
    w = setSysctl(w, ns, 'net.bridge.bridge-nf-call-iptables', '1');
  });
  return w;
}

/** Where the router sends one of a Service's outside addresses (LoadBalancer ingress, externalIP). */
export interface ServiceAddressRoute {
  readonly ip: Ipv4;
  /** The node address the router forwards it to. */
  readonly via: Ipv4;
  /** `namespace/name` of the Service. */
  readonly service: string;
}

/**
 * What the network outside the cluster does with Service addresses: it forwards each
 * LoadBalancer ingress IP and external IP to a node, unchanged, as a cloud load balancer or a
 * BGP speaker announcing a /32 does (the node then DNATs it in KUBE-SERVICES). With
 * externalTrafficPolicy Local, the load balancer's health check (healthCheckNodePort) passes
 * only on nodes with a ready local endpoint, so the first such node is chosen; otherwise the
 * first node. One next hop, not ECMP: the choice is deterministic and shown in the route.
 */
export function serviceAddressRoutes(c: Cluster): ServiceAddressRoute[] {
  const out: ServiceAddressRoute[] = [];
  const first = c.nodes[0];
  if (!first) return out;
  for (const svc of c.services) {
    const ips = [...(svc.type === 'LoadBalancer' ? svc.loadBalancerIngress : []), ...svc.externalIPs];
    if (ips.length === 0) continue;
    let node = first;
    if (svc.externalTrafficPolicy === 'Local') {
      const withLocal = new Set(slicesOf(c, svc).flatMap((sl) => sl.endpoints.filter((e) => e.conditions.ready).map((e) => e.nodeName)));
      node = c.nodes.find((n) => withLocal.has(n.name)) ?? first;
    }
    for (const ip of ips) if (!out.some((r) => r.ip === ip)) out.push({ ip, via: node.ip, service: `${svc.namespace}/${svc.name}` });
  }
  return out;
}

/** The L2 segments the router serves, read back from its bridges' addresses. */
function routerSegments(world: World): { readonly bridge: string; readonly subnet: Cidr; readonly gateway: Ipv4 }[] {
  const ns = getNetns(world, UNDERLAY_NETNS);
  return ns.addrs.filter((a) => ns.links.some((l) => l.name === a.dev && l.kind.type === 'bridge')).map((a) => ({ bridge: a.dev, subnet: cidrOf(a.local, a.prefix), gateway: a.local }));
}

/** `ip route add IP/32 via NODE dev lanN` on the router for every Service address. */
export function routeServiceAddresses(world: World, routes: readonly ServiceAddressRoute[]): World {
  const segs = routerSegments(world);
  let w = world;
  for (const r of routes) {
    const seg = segs.find((s) => cidrContains(s.subnet, r.via));
    if (!seg) throw new Error(`no underlay segment holds node address ${formatIpv4(r.via)}`);
    // A Service address inside a segment is answered on that segment, not routed.
    if (segs.some((s) => cidrContains(s.subnet, r.ip))) continue;
    w = unwrap(addRoute(w, UNDERLAY_NETNS, { dst: cidrOf(r.ip, 32), gateway: r.via, dev: seg.bridge }));
  }
  return w;
}

/** The netns of the client a trace starts from with `--from external[:IP]`. */
export const EXTERNAL_CLIENT_NETNS = 'net:external';
/** A documentation address (RFC 5737 TEST-NET-3) for `--from external`. */
export const DEFAULT_EXTERNAL_CLIENT = '203.0.113.7';

/**
 * A client outside the cluster, reaching it through the underlay router. An address inside a
 * node segment makes it one more machine on that LAN (a port on the segment's bridge, default
 * route via the gateway); any other address sits on its own /24 behind the router (router port
 * `ext0` with .1, or .254 when the client is .1), like the Internet side of an edge router.
 */
export function addExternalClient(world: World, ip: Ipv4): Result<World, string> {
  if (world.netns.has(EXTERNAL_CLIENT_NETNS)) return err('an external client already exists');
  for (const ns of world.netns.values()) {
    if (ns.addrs.some((a) => a.local === ip)) return err(`${formatIpv4(ip)} already belongs to ${ns.id}; an external client needs an address of its own`);
  }
  const segs = routerSegments(world);
  const lan = segs.find((s) => cidrContains(s.subnet, ip));
  let w = addNetns(world, EXTERNAL_CLIENT_NETNS);
  w = setLinkUp(w, EXTERNAL_CLIENT_NETNS, 'lo');
  const routerPort = lan ? 'p-external' : 'ext0';
  w = addVethPair(w, { netns: EXTERNAL_CLIENT_NETNS, name: 'eth0', mac: macFromSeed(`${EXTERNAL_CLIENT_NETNS}/eth0`) }, { netns: UNDERLAY_NETNS, name: routerPort, mac: macFromSeed(`underlay/${routerPort}`) }, 1500);
  w = setLinkUp(w, UNDERLAY_NETNS, routerPort);
  w = setLinkUp(w, EXTERNAL_CLIENT_NETNS, 'eth0');
  let subnet: Cidr;
  let gateway: Ipv4;
  if (lan) {
    w = setMaster(w, UNDERLAY_NETNS, routerPort, lan.bridge);
    subnet = lan.subnet;
    gateway = lan.gateway;
  } else {
    subnet = cidrOf(ip, 24);
    if (segs.some((s) => cidrsOverlap(s.subnet, subnet))) return err(`${formatCidr(subnet)} (the external client's link) overlaps an underlay segment; pick an address outside ${segs.map((s) => formatCidr(s.subnet)).join(', ')}`);
    const dot1 = (subnet.network + 1) as Ipv4;
    gateway = ip === dot1 ? ((subnet.network + 254) as Ipv4) : dot1;
    w = addAddr(w, UNDERLAY_NETNS, routerPort, gateway, 24, { broadcast: cidrBroadcast(subnet) });
  }
  w = addAddr(w, EXTERNAL_CLIENT_NETNS, 'eth0', ip, subnet.prefix, { broadcast: cidrBroadcast(subnet) });
  const route = addRoute(w, EXTERNAL_CLIENT_NETNS, { dst: cidrOf(0 as Ipv4, 0), gateway, dev: 'eth0' });
  if (!route.ok) return err(`external client: ${route.error.message}`);
  return ok(route.value);
}

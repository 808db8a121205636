import { cidrBroadcast, cidrOf, formatCidr, type Cidr } from '../net/cidr.js';
import type { Ipv4 } from '../net/ipv4.js';
import { macFromSeed } from '../net/mac.js';
import { unwrap } from '../lib/result.js';
import type { World } from '../kernel/netns.js';
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

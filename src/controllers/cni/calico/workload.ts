import { cidrOf } from '../../../net/cidr.js';
import { ipv4, type Ipv4 } from '../../../net/ipv4.js';
import { macFromSeed, type Mac } from '../../../net/mac.js';
import { unwrap } from '../../../lib/result.js';
import { getNetns, type World } from '../../../kernel/netns.js';
import { addAddr, addNetns, addRoute, addVethPair, replaceNeigh, setLinkUp, setSysctl } from '../../../kernel/ops.js';
import { sysctlValue } from '../../../kernel/sysctl.js';
import { CALI_HOST_MAC, CALICO_POD_GATEWAY, calicoVethName } from './names.js';

/** One pod as the Calico CNI plugin and Felix wire it up. */
export interface CalicoWorkload {
  readonly namespace: string;
  readonly name: string;
  readonly podNetns: string;
  readonly nodeNetns: string;
  readonly ip: Ipv4;
  readonly mtu: number;
}

export function podEth0Mac(podNetns: string): Mac {
  return macFromSeed(`${podNetns}/eth0`);
}

/**
 * cni-plugin dataplane_linux.go (DoNetworking) followed by Felix's endpoint manager:
 * - a veth pair with the pool MTU; the host end is `cali<hash>` with MAC ee:ee:ee:ee:ee:ee,
 *   no address, up; the pod end is eth0 with the pod IP as a /32;
 * - in the pod, `169.254.1.1 dev eth0 scope link` first ("connected route to a dummy next
 *   hop"), then `default via 169.254.1.1 dev eth0`;
 * - on the host, the per-interface sysctls (configureProcSysForInterface), the route
 *   `<podIP> dev caliX scope link`, and Felix's static ARP entry (WithStaticARPEntries).
 */
export function attachCalicoWorkload(world: World, wl: CalicoWorkload): World {
  const hostVeth = calicoVethName(wl.namespace, wl.name);
  const podMac = podEth0Mac(wl.podNetns);
  let w = world.netns.has(wl.podNetns) ? world : addNetns(world, wl.podNetns);
  w = addVethPair(w, { netns: wl.podNetns, name: 'eth0', mac: podMac }, { netns: wl.nodeNetns, name: hostVeth, mac: CALI_HOST_MAC }, wl.mtu);
  w = setLinkUp(w, wl.podNetns, 'eth0');
  // The mask is forced to /32: no prefix route, everything goes to the dummy gateway.
  w = addAddr(w, wl.podNetns, 'eth0', wl.ip, 32);
  const gw = ipv4(CALICO_POD_GATEWAY);
  w = unwrap(addRoute(w, wl.podNetns, { dst: cidrOf(gw, 32), dev: 'eth0', scope: 'link' }));
  w = unwrap(addRoute(w, wl.podNetns, { dst: cidrOf(0 as Ipv4, 0), gateway: gw, dev: 'eth0' }));

  const conf = (leaf: string, value: string) => (acc: World) => setSysctl(acc, wl.nodeNetns, `net.ipv4.conf.${hostVeth}.${leaf}`, value);
  // Felix copies conf/default/rp_filter onto workload interfaces (fallback "1" if unreadable).
  const rpFilter = sysctlValue(getNetns(w, wl.nodeNetns).sysctls, 'net.ipv4.conf.default.rp_filter');
  w = [conf('route_localnet', '1'), conf('proxy_arp', '1'), conf('forwarding', '1'), conf('rp_filter', rpFilter)].reduce((acc, f) => f(acc), w);
  // Answer the pod's ARP for 169.254.1.1 at once instead of after a random 0-0.8 s delay.
  w = setSysctl(w, wl.nodeNetns, `net.ipv4.neigh.${hostVeth}.proxy_delay`, '0');
  w = setSysctl(w, wl.nodeNetns, `net.ipv6.conf.${hostVeth}.accept_ra`, '0');
  w = setLinkUp(w, wl.nodeNetns, hostVeth);
  // Route{Dst: podIP/32, Scope: LINK}; protocol boot, so `ip route` prints no proto.
  w = unwrap(addRoute(w, wl.nodeNetns, { dst: cidrOf(wl.ip, 32), dev: hostVeth, scope: 'link' }));
  return replaceNeigh(w, wl.nodeNetns, { dev: hostVeth, dst: wl.ip, lladdr: podMac, state: 'PERMANENT', proxy: false });
}

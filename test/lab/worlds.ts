import { cidr, cidrOf } from '../../src/net/cidr.js';
import { ipv4, type Ipv4 } from '../../src/net/ipv4.js';
import { mac } from '../../src/net/mac.js';
import { unwrap } from '../../src/lib/result.js';
import type { World } from '../../src/kernel/netns.js';
import { addAddr, addFdb, addLink, addNetns, addRoute, addVethPair, EMPTY_WORLD, replaceNeigh, setLinkUp, setMaster, setSysctl } from '../../src/kernel/ops.js';

/** Two namespaces joined by a veth pair, each end in its own subnet, with routes to the other. */
export function twoNetnsWorld(): World {
  let w = addNetns(addNetns(EMPTY_WORLD, 'a'), 'b');
  w = addVethPair(w, { netns: 'a', name: 'eth0', mac: mac('02:00:0a:00:00:01') }, { netns: 'b', name: 'eth0', mac: mac('02:00:0b:00:00:01') }, 1500);
  w = setLinkUp(setLinkUp(w, 'a', 'eth0'), 'b', 'eth0');
  w = addAddr(w, 'a', 'eth0', ipv4('10.1.0.1'), 24, { broadcast: ipv4('10.1.0.255') });
  w = addAddr(w, 'b', 'eth0', ipv4('10.2.0.1'), 24, { broadcast: ipv4('10.2.0.255') });
  w = unwrap(addRoute(w, 'a', { dst: cidr('10.2.0.0/24'), dev: 'eth0' }));
  w = unwrap(addRoute(w, 'b', { dst: cidr('10.1.0.0/24'), dev: 'eth0' }));
  return w;
}

/**
 * A Flannel-style node (`node`) with a pod (`pod`) behind cni0 and an underlay netns (`wire`),
 * built with kernel/ops the way the controllers build it: bridge with a hairpin port, vxlan with
 * nolearning and its permanent neighbour/FDB entries, an onlink route, a policy rule, sysctls.
 */
export function flannelNodeWorld(): World {
  const node = 'node';
  let w = addNetns(addNetns(addNetns(EMPTY_WORLD, node), 'pod'), 'wire');
  w = addVethPair(w, { netns: node, name: 'eth0', mac: mac('02:00:01:00:00:01') }, { netns: 'wire', name: 'port1', mac: mac('02:00:ff:00:00:01') }, 1500);
  w = setLinkUp(setLinkUp(w, node, 'eth0'), 'wire', 'port1');
  w = addAddr(w, node, 'eth0', ipv4('192.168.1.101'), 24, { broadcast: ipv4('192.168.1.255') });
  w = addAddr(w, 'wire', 'port1', ipv4('192.168.1.1'), 24, { broadcast: ipv4('192.168.1.255') });
  w = unwrap(addRoute(w, node, { dst: cidrOf(0 as Ipv4, 0), gateway: ipv4('192.168.1.1'), dev: 'eth0' }));
  w = addLink(w, node, {
    name: 'flannel.1',
    kind: { type: 'vxlan', vni: 1, dstport: 8472, local: ipv4('192.168.1.101'), dev: 'eth0', learning: false, ttl: 0, srcPortRange: [32768, 60999] },
    mtu: 1450,
    mac: mac('a2:4f:2e:91:3b:07'),
  });
  w = setLinkUp(w, node, 'flannel.1');
  w = addAddr(w, node, 'flannel.1', ipv4('10.244.1.0'), 32);
  w = addLink(w, node, { name: 'cni0', kind: { type: 'bridge', ageingTime: 300, stp: false }, mtu: 1450, mac: mac('02:00:01:00:00:0c') });
  w = setLinkUp(w, node, 'cni0');
  w = addAddr(w, node, 'cni0', ipv4('10.244.1.1'), 24, { broadcast: ipv4('10.244.1.255') });
  w = addVethPair(w, { netns: node, name: 'veth3a1f9c2e', mac: mac('02:00:01:00:00:02') }, { netns: 'pod', name: 'eth0', mac: mac('0a:58:0a:f4:01:02') }, 1450);
  w = setMaster(w, node, 'veth3a1f9c2e', 'cni0', { hairpin: true });
  w = setLinkUp(setLinkUp(w, node, 'veth3a1f9c2e'), 'pod', 'eth0');
  w = addAddr(w, 'pod', 'eth0', ipv4('10.244.1.2'), 24, { broadcast: ipv4('10.244.1.255') });
  w = unwrap(addRoute(w, 'pod', { dst: cidrOf(0 as Ipv4, 0), gateway: ipv4('10.244.1.1'), dev: 'eth0' }));
  w = unwrap(addRoute(w, 'pod', { dst: cidr('10.244.0.0/16'), gateway: ipv4('10.244.1.1'), dev: 'eth0' }));
  const vtep = mac('5e:b0:11:7c:d2:4a');
  w = replaceNeigh(w, node, { dev: 'flannel.1', dst: ipv4('10.244.2.0'), lladdr: vtep, state: 'PERMANENT', proxy: false });
  w = addFdb(w, node, { mac: vtep, dev: 'flannel.1', master: null, self: true, dst: ipv4('192.168.1.102'), permanent: true, learned: false });
  w = unwrap(addRoute(w, node, { dst: cidr('10.244.2.0/24'), gateway: ipv4('10.244.2.0'), dev: 'flannel.1', onlink: true }));
  w = unwrap(addRoute(w, node, { dst: cidr('10.99.0.0/16'), type: 'blackhole' }));
  w = unwrap(addRoute(w, node, { dst: cidr('10.98.0.0/16'), dev: 'cni0', table: 100, proto: 'static', metric: 10 }));
  const ns = w.netns.get(node);
  if (ns) {
    const rules = [...ns.rules, { priority: 100, from: null, to: null, iif: null, oif: null, fwmark: { value: 0x10, mask: 0xff }, table: 100 }];
    w = { netns: new Map(w.netns).set(node, { ...ns, rules }) };
  }
  w = setSysctl(w, node, 'net.ipv4.ip_forward', '1');
  w = setSysctl(w, 'pod', 'net.ipv4.conf.eth0.arp_notify', '1');
  return w;
}

/** a — r — b: two subnets joined by a forwarding router netns; a and b route via r. */
export function routedWorld(): World {
  let w = addNetns(addNetns(addNetns(EMPTY_WORLD, 'a'), 'r'), 'b');
  w = addVethPair(w, { netns: 'a', name: 'eth0', mac: mac('02:00:0a:00:00:01') }, { netns: 'r', name: 'to-a', mac: mac('02:00:0f:00:00:0a') }, 1500);
  w = addVethPair(w, { netns: 'b', name: 'eth0', mac: mac('02:00:0b:00:00:01') }, { netns: 'r', name: 'to-b', mac: mac('02:00:0f:00:00:0b') }, 1500);
  for (const [ns, dev] of [['a', 'eth0'], ['b', 'eth0'], ['r', 'to-a'], ['r', 'to-b']] as const) w = setLinkUp(w, ns, dev);
  w = addAddr(w, 'a', 'eth0', ipv4('10.1.0.2'), 24, { broadcast: ipv4('10.1.0.255') });
  w = addAddr(w, 'r', 'to-a', ipv4('10.1.0.1'), 24, { broadcast: ipv4('10.1.0.255') });
  w = addAddr(w, 'b', 'eth0', ipv4('10.2.0.2'), 24, { broadcast: ipv4('10.2.0.255') });
  w = addAddr(w, 'r', 'to-b', ipv4('10.2.0.1'), 24, { broadcast: ipv4('10.2.0.255') });
  w = unwrap(addRoute(w, 'a', { dst: cidrOf(0 as Ipv4, 0), gateway: ipv4('10.1.0.1'), dev: 'eth0' }));
  w = unwrap(addRoute(w, 'b', { dst: cidrOf(0 as Ipv4, 0), gateway: ipv4('10.2.0.1'), dev: 'eth0' }));
  return setSysctl(w, 'r', 'net.ipv4.ip_forward', '1');
}

import { describe, expect, it } from 'vitest';
import { formatIpv4, ipv4 } from '../../../src/net/ipv4.js';
import type { IfAddr } from '../../../src/kernel/addr.js';
import { mac } from '../../../src/net/mac.js';
import type { Netns, World } from '../../../src/kernel/netns.js';
import { formatFdb, kernelAddrOrder, printBridgeFdb, printIpAddr, printIpLink, printIpNeigh, printIpNeighProxy, printIpRoute, printSysctl, sysctlDisplayName, sysctlPath } from '../../../src/kernel/print/index.js';
import { fixtureWorld } from './fixture.js';

/** Printer cases that need no root; the byte-for-byte check against iproute2 is fidelity.test.ts. */
const m = (n: number): ReturnType<typeof mac> => mac(`02:00:00:00:00:${n.toString(16).padStart(2, '0')}`);
const world = fixtureWorld({ hVeth1: m(1), hCni0: m(2), hEth0: m(3), hFlannel: m(4), pEth0: m(5), pVa: m(6), pVb: m(7), uUplink: m(8), uVx1: m(9), uVx2: m(10), uBrEmpty: m(11) });

function withNetns(w: World, id: string, f: (ns: Netns) => Netns): World {
  const ns = w.netns.get(id);
  if (!ns) throw new Error(id);
  return { netns: new Map(w.netns).set(id, f(ns)) };
}

describe('ip link', () => {
  it('names veth peers by ifindex across namespaces and by name within one; nsids by first use', () => {
    const text = printIpLink(world, 'h');
    expect(text).toContain('2: veth1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue master cni0 state UP mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff link-netnsid 0\n');
    expect(text).toContain('link/ether 02:00:00:00:00:03 brd ff:ff:ff:ff:ff:ff link-netnsid 1\n');
    expect(printIpLink(world, 'p')).toContain('3: vb@va: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n');
  });

  it('an up veth whose peer is down: NO-CARRIER, LOWERLAYERDOWN; an empty bridge: NO-CARRIER, DOWN', () => {
    const text = printIpLink(world, 'u');
    expect(text).toContain('4: vx1@vx2: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN mode');
    expect(text).toContain('5: br-empty: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN mode');
  });

  it('an up veth whose peer (elsewhere) is down and has the same ifindex as itself: DOWN', () => {
    const w = withNetns(world, 'p', (ns) => ({ ...ns, links: ns.links.map((l) => (l.name === 'eth0' ? { ...l, up: false } : l)) }));
    expect(printIpLink(w, 'h')).toContain('2: veth1@if2: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1450 qdisc noqueue master cni0 state DOWN mode');
  });

  it('details: the vxlan line of a Flannel device', () => {
    expect(printIpLink(world, 'h', { details: true })).toContain(
      '    vxlan id 1 local 192.168.1.101 dev eth0 srcport 0 0 dstport 8472 nolearning ttl auto ageing 300 udpcsum noudp6zerocsumtx noudp6zerocsumrx \n',
    );
  });

  it('uses the given netns names', () => {
    expect(printIpLink(world, 'h', { peerNetns: (id) => `link-netns cni-${id}` })).toContain('brd ff:ff:ff:ff:ff:ff link-netns cni-p\n');
  });
});

describe('ip addr', () => {
  it('orders a device’s addresses as the kernel does: narrower-scope primaries first, secondaries last', () => {
    // Verified on kernel 6.18: added in the order A, B, C, D, `ip addr` lists D, A, C, B.
    const a = (ip: string, prefix: number, scope: 'global' | 'link'): IfAddr => ({ dev: 'br0', local: ipv4(ip), prefix, broadcast: null, scope });
    const order = kernelAddrOrder([a('10.0.0.1', 24, 'global'), a('10.0.0.2', 24, 'global'), a('10.0.5.1', 16, 'global'), a('10.9.9.9', 32, 'link')]);
    expect(order.map((o) => `${formatIpv4(o.addr.local)}${o.secondary ? ' secondary' : ''}`)).toEqual(['10.9.9.9', '10.0.0.1', '10.0.5.1', '10.0.0.2 secondary']);
    expect(printIpAddr(world, 'h')).toContain('    inet 192.168.1.201/24 brd 192.168.1.255 scope global secondary eth0\n       valid_lft forever preferred_lft forever\n');
  });
});

describe('ip route', () => {
  it('main table in trie order, trailing spaces, multipath on tab-indented lines', () => {
    expect(printIpRoute(world, 'h')).toBe(
      [
        'default via 192.168.1.1 dev eth0 ',
        '10.6.0.0/16 ',
        '\tnexthop via 192.168.1.7 dev eth0 weight 1 ',
        '\tnexthop via 192.168.1.8 dev eth0 weight 3 ',
        'unreachable 10.7.0.0/16 ',
        '10.97.0.0/16 dev cni0 proto bird scope link src 10.244.1.1 metric 5 ',
        'blackhole 10.99.0.0/16 ',
        '10.244.1.0/24 dev cni0 proto kernel scope link src 10.244.1.1 ',
        '10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink ',
        '192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.101 ',
        '',
      ].join('\n'),
    );
  });

  it('table all: other tables by id & 255, then main, then local; linkdown except on host routes', () => {
    const all = printIpRoute(world, 'h', { table: 'all' }).split('\n');
    expect(all[0]).toBe('10.98.0.0/16 dev cni0 table 100 proto static scope link metric 10 ');
    expect(all).toContain('local 192.168.1.201 dev eth0 table local proto kernel scope host src 192.168.1.101 ');
    const u = printIpRoute(world, 'u', { table: 'all' });
    expect(u).toContain('10.50.0.0/24 dev vx1 proto kernel scope link src 10.50.0.1 linkdown \n');
    expect(u).toContain('local 10.50.0.1 dev vx1 table local proto kernel scope host src 10.50.0.1 \n');
    expect(u).toContain('broadcast 10.50.0.255 dev vx1 table local proto kernel scope link src 10.50.0.1 linkdown \n');
  });
});

describe('ip neigh', () => {
  const w = withNetns(world, 'h', (ns) => ({
    ...ns,
    neigh: [
      ...ns.neigh,
      { dev: 'cni0', dst: ipv4('10.244.1.7'), lladdr: null, state: 'FAILED', proxy: false },
      { dev: 'cni0', dst: ipv4('10.244.1.8'), lladdr: mac('02:00:00:00:00:99'), state: 'REACHABLE', proxy: false },
      { dev: 'cni0', dst: ipv4('10.244.1.9'), lladdr: mac('02:00:00:00:00:98'), state: 'NOARP', proxy: false },
    ],
  }));
  it('prints states with a trailing space, hides NOARP and proxy entries', () => {
    const ns = w.netns.get('h');
    if (!ns) throw new Error('h');
    expect(printIpNeigh(ns)).toBe(
      '10.244.2.0 dev flannel.1 lladdr 5e:b0:11:7c:d2:4a PERMANENT \n10.244.1.7 dev cni0 FAILED \n10.244.1.8 dev cni0 lladdr 02:00:00:00:00:99 REACHABLE \n',
    );
    expect(printIpNeighProxy(ns)).toBe('10.244.1.50 dev cni0 proxy \n');
  });
});

describe('bridge fdb', () => {
  it('learned entries end in a space; static and permanent say so', () => {
    expect(formatFdb({ mac: m(1), dev: 'veth1', master: 'cni0', self: false, dst: null, permanent: false, learned: true })).toBe('02:00:00:00:00:01 dev veth1 master cni0 ');
    expect(formatFdb({ mac: m(1), dev: 'veth1', master: 'cni0', self: false, dst: null, permanent: false, learned: false })).toBe('02:00:00:00:00:01 dev veth1 master cni0 static');
  });

  it('vxlan: newest MAC first, one MAC’s remotes in the order appended', () => {
    const zero = mac('00:00:00:00:00:00');
    const w = withNetns(world, 'h', (ns) => ({
      ...ns,
      fdb: [
        ...ns.fdb,
        { mac: zero, dev: 'flannel.1', master: null, self: true, dst: ipv4('10.0.0.50'), permanent: true, learned: false },
        { mac: zero, dev: 'flannel.1', master: null, self: true, dst: ipv4('10.0.0.51'), permanent: true, learned: false },
      ],
    }));
    const lines = printBridgeFdb(w, 'h', { kernelEntries: false }).split('\n').filter((l) => l.includes('flannel.1'));
    expect(lines).toEqual([
      '00:00:00:00:00:00 dev flannel.1 dst 10.0.0.50 self permanent',
      '00:00:00:00:00:00 dev flannel.1 dst 10.0.0.51 self permanent',
      '5e:b0:11:7c:d2:4a dev flannel.1 dst 192.168.1.102 self permanent',
    ]);
  });
});

describe('sysctl', () => {
  it('prints `key = value`, defaults included when asked for', () => {
    const ns = world.netns.get('h');
    if (!ns) throw new Error('h');
    expect(printSysctl(ns)).toBe('net.ipv4.ip_forward = 1\n');
    expect(printSysctl(ns, ['net.ipv4.ip_local_port_range', 'net.bridge.bridge-nf-call-iptables'])).toBe('net.ipv4.ip_local_port_range = 32768\t60999\nnet.bridge.bridge-nf-call-iptables = 1\n');
  });

  it('a device with a dot in its name: sysctl shows flannel/1 and is asked with slashes', () => {
    expect(sysctlDisplayName('net.ipv6.conf.flannel.1.accept_ra')).toBe('net.ipv6.conf.flannel/1.accept_ra');
    expect(sysctlPath('net.ipv6.conf.flannel.1.accept_ra')).toBe('net/ipv6/conf/flannel.1/accept_ra');
    expect(sysctlPath('net.ipv4.conf.eth0.arp_notify')).toBe('net.ipv4.conf.eth0.arp_notify');
  });
});

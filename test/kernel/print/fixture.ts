import { cidr } from '../../../src/net/cidr.js';
import { ipv4 } from '../../../src/net/ipv4.js';
import { mac, type Mac } from '../../../src/net/mac.js';
import type { IfAddr } from '../../../src/kernel/addr.js';
import { DEFAULT_BRIDGE_PORT, type Link, type LinkKind } from '../../../src/kernel/link.js';
import { EMPTY_RULESET } from '../../../src/kernel/netfilter/ruleset.js';
import type { Netns, World } from '../../../src/kernel/netns.js';
import { RT_TABLE_DEFAULT, RT_TABLE_LOCAL, RT_TABLE_MAIN, type FibRule, type Route } from '../../../src/kernel/route.js';

/**
 * A Flannel-like node built literally (not through kernel/ops), so the printers are tested on
 * exactly the state the real kernel holds: host `h` (bridge cni0 with one hairpin port, underlay
 * eth0, vxlan flannel.1), pod `p`, underlay `u`, plus odd cases: a same-netns veth pair that is
 * down, an up veth whose peer is down, a bridge with no ports, secondary and link-scope addresses,
 * a multipath route, rules with a missing device.
 */
export interface FixtureMacs {
  readonly hVeth1: Mac;
  readonly hCni0: Mac;
  readonly hEth0: Mac;
  readonly hFlannel: Mac;
  readonly pEth0: Mac;
  readonly pVa: Mac;
  readonly pVb: Mac;
  readonly uUplink: Mac;
  readonly uVx1: Mac;
  readonly uVx2: Mac;
  readonly uBrEmpty: Mac;
}

export const REMOTE_VTEP_MAC = mac('5e:b0:11:7c:d2:4a');
export const STATIC_PORT_MAC = mac('02:aa:00:00:00:01');

const lo: Link = { ifindex: 1, name: 'lo', kind: { type: 'loopback' }, mtu: 65536, mac: mac('00:00:00:00:00:00'), up: true, master: null, bridgePort: null };

function link(ifindex: number, name: string, kind: LinkKind, mtu: number, m: Mac, up: boolean, master: string | null = null, hairpin = false): Link {
  return { ifindex, name, kind, mtu, mac: m, up, master, bridgePort: master ? { ...DEFAULT_BRIDGE_PORT, hairpin } : null };
}

const veth = (netns: string, ifname: string): LinkKind => ({ type: 'veth', peer: { netns, ifname } });

function addr(dev: string, a: string, prefix: number, brd: string | null, scope: IfAddr['scope'] = 'global'): IfAddr {
  return { dev, local: ipv4(a), prefix, broadcast: brd ? ipv4(brd) : null, scope };
}

function route(dst: string, r: Partial<Route> = {}): Route {
  return { table: RT_TABLE_MAIN, type: 'unicast', dst: cidr(dst), gateway: null, dev: null, onlink: false, scope: 'universe', proto: 'boot', prefsrc: null, metric: 0, multipath: null, ...r };
}

/** The `local` route the kernel makes for an address; a secondary's has the primary as `src`. */
function localRoute(dev: string, a: string, src = a): Route {
  return route(`${a}/32`, { table: RT_TABLE_LOCAL, type: 'local', dev, scope: 'host', proto: 'kernel', prefsrc: ipv4(src) });
}

function connected(dst: string, dev: string, src: string): Route {
  return route(dst, { dev, scope: 'link', proto: 'kernel', prefsrc: ipv4(src) });
}

function bcast(ip: string, dev: string, src: string): Route {
  return route(`${ip}/32`, { table: RT_TABLE_LOCAL, type: 'broadcast', dev, scope: 'link', proto: 'kernel', prefsrc: ipv4(src) });
}

const DEFAULT_RULES: FibRule[] = [
  { priority: 0, from: null, to: null, iif: null, oif: null, fwmark: null, table: RT_TABLE_LOCAL },
  { priority: 32766, from: null, to: null, iif: null, oif: null, fwmark: null, table: RT_TABLE_MAIN },
  { priority: 32767, from: null, to: null, iif: null, oif: null, fwmark: null, table: RT_TABLE_DEFAULT },
];

const LO_ADDR = addr('lo', '127.0.0.1', 8, null, 'host');
const LO_ROUTES = [
  route('127.0.0.0/8', { table: RT_TABLE_LOCAL, type: 'local', dev: 'lo', scope: 'host', proto: 'kernel', prefsrc: ipv4('127.0.0.1') }),
  localRoute('lo', '127.0.0.1'),
  bcast('127.255.255.255', 'lo', '127.0.0.1'),
];

function netns(id: string, p: Partial<Netns>): Netns {
  return { id, links: [lo], addrs: [LO_ADDR], routes: LO_ROUTES, rules: DEFAULT_RULES, neigh: [], fdb: [], sysctls: new Map(), netfilter: EMPTY_RULESET, ipsets: new Map(), nextIfindex: 10, ...p };
}

export function fixtureWorld(m: FixtureMacs): World {
  const h = netns('h', {
    links: [
      lo,
      link(2, 'veth1', veth('p', 'eth0'), 1450, m.hVeth1, true, 'cni0', true),
      link(3, 'cni0', { type: 'bridge', ageingTime: 300, stp: false }, 1450, m.hCni0, true),
      link(4, 'eth0', veth('u', 'uplink'), 1500, m.hEth0, true),
      link(5, 'flannel.1', { type: 'vxlan', vni: 1, dstport: 8472, local: ipv4('192.168.1.101'), dev: 'eth0', learning: false, ttl: 0, srcPortRange: [32768, 60999] }, 1450, m.hFlannel, true),
    ],
    addrs: [
      LO_ADDR,
      addr('eth0', '192.168.1.101', 24, '192.168.1.255'),
      addr('eth0', '192.168.1.201', 24, '192.168.1.255'),
      addr('flannel.1', '10.244.1.0', 32, null),
      addr('cni0', '10.244.1.1', 24, '10.244.1.255'),
      addr('cni0', '10.9.9.9', 32, null, 'link'),
    ],
    routes: [
      ...LO_ROUTES,
      localRoute('eth0', '192.168.1.101'),
      connected('192.168.1.0/24', 'eth0', '192.168.1.101'),
      bcast('192.168.1.255', 'eth0', '192.168.1.101'),
      localRoute('eth0', '192.168.1.201', '192.168.1.101'),
      localRoute('flannel.1', '10.244.1.0'),
      localRoute('cni0', '10.244.1.1'),
      connected('10.244.1.0/24', 'cni0', '10.244.1.1'),
      bcast('10.244.1.255', 'cni0', '10.244.1.1'),
      localRoute('cni0', '10.9.9.9'),
      route('0.0.0.0/0', { gateway: ipv4('192.168.1.1'), dev: 'eth0' }),
      route('10.244.2.0/24', { gateway: ipv4('10.244.2.0'), dev: 'flannel.1', onlink: true }),
      route('10.99.0.0/16', { type: 'blackhole' }),
      route('10.7.0.0/16', { type: 'unreachable' }),
      route('10.98.0.0/16', { table: 100, dev: 'cni0', scope: 'link', proto: 'static', metric: 10 }),
      route('10.97.0.0/16', { dev: 'cni0', scope: 'link', proto: 'bird', prefsrc: ipv4('10.244.1.1'), metric: 5 }),
      route('10.6.0.0/16', {
        multipath: [
          { gateway: ipv4('192.168.1.7'), dev: 'eth0', onlink: false, weight: 1 },
          { gateway: ipv4('192.168.1.8'), dev: 'eth0', onlink: false, weight: 3 },
        ],
      }),
    ],
    rules: [
      ...DEFAULT_RULES,
      { priority: 99, from: cidr('10.0.0.0/8'), to: cidr('10.1.0.0/16'), iif: 'cni0', oif: null, fwmark: null, table: 100 },
      { priority: 100, from: null, to: null, iif: null, oif: null, fwmark: { value: 0x10, mask: 0xff }, table: 100 },
      { priority: 101, from: null, to: null, iif: null, oif: 'nosuch', fwmark: null, table: 100 },
      { priority: 102, from: cidr('10.244.1.2/32'), to: null, iif: null, oif: null, fwmark: { value: 0x4000, mask: 0xffffffff }, table: RT_TABLE_MAIN },
    ],
    neigh: [
      { dev: 'flannel.1', dst: ipv4('10.244.2.0'), lladdr: REMOTE_VTEP_MAC, state: 'PERMANENT', proxy: false },
      { dev: 'cni0', dst: ipv4('10.244.1.50'), lladdr: null, state: 'PERMANENT', proxy: true },
    ],
    fdb: [
      { mac: REMOTE_VTEP_MAC, dev: 'flannel.1', master: null, self: true, dst: ipv4('192.168.1.102'), permanent: true, learned: false },
      { mac: STATIC_PORT_MAC, dev: 'veth1', master: 'cni0', self: false, dst: null, permanent: false, learned: false },
    ],
    sysctls: new Map([['net.ipv4.ip_forward', '1']]),
  });
  const p = netns('p', {
    links: [lo, link(2, 'eth0', veth('h', 'veth1'), 1450, m.pEth0, true), link(3, 'vb', veth('p', 'va'), 1500, m.pVb, false), link(4, 'va', veth('p', 'vb'), 1500, m.pVa, false)],
    addrs: [LO_ADDR, addr('eth0', '10.244.1.2', 24, '10.244.1.255')],
    routes: [
      ...LO_ROUTES,
      localRoute('eth0', '10.244.1.2'),
      connected('10.244.1.0/24', 'eth0', '10.244.1.2'),
      bcast('10.244.1.255', 'eth0', '10.244.1.2'),
      route('0.0.0.0/0', { gateway: ipv4('10.244.1.1'), dev: 'eth0' }),
      route('10.244.0.0/16', { gateway: ipv4('10.244.1.1'), dev: 'eth0' }),
    ],
  });
  const u = netns('u', {
    links: [
      lo,
      link(2, 'uplink', veth('h', 'eth0'), 1500, m.uUplink, true),
      link(3, 'vx2', veth('u', 'vx1'), 1500, m.uVx2, false),
      link(4, 'vx1', veth('u', 'vx2'), 1500, m.uVx1, true),
      link(5, 'br-empty', { type: 'bridge', ageingTime: 300, stp: false }, 1500, m.uBrEmpty, true),
    ],
    addrs: [LO_ADDR, addr('vx1', '10.50.0.1', 24, '10.50.0.255')],
    routes: [...LO_ROUTES, localRoute('vx1', '10.50.0.1'), connected('10.50.0.0/24', 'vx1', '10.50.0.1'), bcast('10.50.0.255', 'vx1', '10.50.0.1')],
  });
  return { netns: new Map([h, p, u].map((n) => [n.id, n])) };
}

/** The same state made for real, as the commands an administrator would type. */
export function fixtureCommands(n: (id: string) => string, bridgeMac: Mac): string[][] {
  const [H, P, U] = [n('h'), n('p'), n('u')];
  const ip = (ns: string, ...a: string[]): string[] => ['ip', '-n', ns, ...a];
  return [
    ...[H, P, U].flatMap((x) => [
      ['ip', 'netns', 'add', x],
      ['ip', 'netns', 'exec', x, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'],
      ip(x, 'link', 'set', 'lo', 'up'),
    ]),
    ip(H, 'link', 'add', 'veth1', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', P),
    ip(H, 'link', 'add', 'cni0', 'address', bridgeMac, 'type', 'bridge'),
    ip(H, 'link', 'set', 'veth1', 'master', 'cni0'),
    ['bridge', '-n', H, 'link', 'set', 'dev', 'veth1', 'hairpin', 'on'],
    ip(H, 'link', 'set', 'veth1', 'mtu', '1450'),
    ip(H, 'link', 'set', 'cni0', 'mtu', '1450'),
    ip(P, 'link', 'set', 'eth0', 'mtu', '1450'),
    ip(H, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'uplink', 'netns', U),
    ip(H, 'link', 'add', 'flannel.1', 'type', 'vxlan', 'id', '1', 'local', '192.168.1.101', 'dev', 'eth0', 'dstport', '8472', 'nolearning'),
    ip(H, 'link', 'set', 'flannel.1', 'mtu', '1450'),
    ip(P, 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb'),
    ip(U, 'link', 'add', 'vx1', 'type', 'veth', 'peer', 'name', 'vx2'),
    ip(U, 'link', 'add', 'br-empty', 'address', '02:c0:00:00:00:05', 'type', 'bridge'),
    ...['veth1', 'cni0', 'eth0', 'flannel.1'].map((d) => ip(H, 'link', 'set', d, 'up')),
    ip(P, 'link', 'set', 'eth0', 'up'),
    ...['uplink', 'vx1', 'br-empty'].map((d) => ip(U, 'link', 'set', d, 'up')),
    ip(H, 'addr', 'add', '192.168.1.101/24', 'brd', '192.168.1.255', 'dev', 'eth0'),
    ip(H, 'addr', 'add', '192.168.1.201/24', 'brd', '+', 'dev', 'eth0'),
    ip(H, 'addr', 'add', '10.244.1.0/32', 'dev', 'flannel.1'),
    ip(H, 'addr', 'add', '10.244.1.1/24', 'brd', '10.244.1.255', 'dev', 'cni0'),
    ip(H, 'addr', 'add', '10.9.9.9/32', 'scope', 'link', 'dev', 'cni0'),
    ip(P, 'addr', 'add', '10.244.1.2/24', 'brd', '10.244.1.255', 'dev', 'eth0'),
    ip(U, 'addr', 'add', '10.50.0.1/24', 'brd', '10.50.0.255', 'dev', 'vx1'),
    ip(H, 'route', 'add', 'default', 'via', '192.168.1.1', 'dev', 'eth0'),
    ip(H, 'route', 'add', '10.244.2.0/24', 'via', '10.244.2.0', 'dev', 'flannel.1', 'onlink'),
    ip(H, 'route', 'add', 'blackhole', '10.99.0.0/16'),
    ip(H, 'route', 'add', 'unreachable', '10.7.0.0/16'),
    ip(H, 'route', 'add', '10.98.0.0/16', 'dev', 'cni0', 'table', '100', 'proto', 'static', 'metric', '10'),
    ip(H, 'route', 'add', '10.97.0.0/16', 'dev', 'cni0', 'proto', 'bird', 'src', '10.244.1.1', 'metric', '5'),
    ip(H, 'route', 'add', '10.6.0.0/16', 'nexthop', 'via', '192.168.1.7', 'dev', 'eth0', 'weight', '1', 'nexthop', 'via', '192.168.1.8', 'dev', 'eth0', 'weight', '3'),
    ip(P, 'route', 'add', 'default', 'via', '10.244.1.1', 'dev', 'eth0'),
    ip(P, 'route', 'add', '10.244.0.0/16', 'via', '10.244.1.1', 'dev', 'eth0'),
    ip(H, 'rule', 'add', 'from', '10.0.0.0/8', 'to', '10.1.0.0/16', 'iif', 'cni0', 'lookup', '100', 'pref', '99'),
    ip(H, 'rule', 'add', 'fwmark', '0x10/0xff', 'lookup', '100', 'pref', '100'),
    ip(H, 'rule', 'add', 'oif', 'nosuch', 'lookup', '100', 'pref', '101'),
    ip(H, 'rule', 'add', 'from', '10.244.1.2', 'fwmark', '0x4000', 'lookup', 'main', 'pref', '102'),
    ip(H, 'neigh', 'replace', '10.244.2.0', 'dev', 'flannel.1', 'lladdr', REMOTE_VTEP_MAC, 'nud', 'permanent'),
    ip(H, 'neigh', 'add', 'proxy', '10.244.1.50', 'dev', 'cni0'),
    ['bridge', '-n', H, 'fdb', 'append', REMOTE_VTEP_MAC, 'dev', 'flannel.1', 'self', 'permanent', 'dst', '192.168.1.102'],
    ['bridge', '-n', H, 'fdb', 'add', STATIC_PORT_MAC, 'dev', 'veth1', 'master', 'static'],
    ['ip', 'netns', 'exec', H, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'],
  ];
}

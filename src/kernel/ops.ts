import { cidrBroadcast, cidrContains, cidrOf, formatRouteDst, type Cidr } from '../net/cidr.js';
import { formatIpv4, ipv4, type Ipv4 } from '../net/ipv4.js';
import { ZERO_MAC, type Mac } from '../net/mac.js';
import { err, ok, type Result } from '../lib/result.js';
import type { AddrScope, IfAddr } from './addr.js';
import type { FdbEntry } from './fdb.js';
import type { KernelError } from './kernel-error.js';
import { DEFAULT_BRIDGE_PORT, type BridgePortSettings, type Link, type LinkKind } from './link.js';
import type { NeighEntry } from './neigh.js';
import { EMPTY_RULESET, type Ruleset } from './netfilter/ruleset.js';
import { EMPTY_IPSETS, type IpsetMap } from './netfilter/ipset.js';
import { EMPTY_IPVS, type IpvsTable } from './ipvs/table.js';
import { findLink, getNetns, type Netns, type World } from './netns.js';
import { RT_TABLE_DEFAULT, RT_TABLE_LOCAL, RT_TABLE_MAIN, type FibRule, type Route } from './route.js';

/**
 * State-changing operations, one per `ip`/`bridge`/`sysctl` command a CNI plugin or daemon would
 * issue. Each returns a new World; kernel side effects (the automatic local, broadcast and prefix
 * routes of an address) happen here exactly as the kernel does them, so controllers only ask for
 * what the real components ask for.
 */

export const EMPTY_WORLD: World = { netns: new Map() };

/** The three rules every netns starts with (`ip rule`). */
const DEFAULT_RULES: readonly FibRule[] = [
  { priority: 0, from: null, to: null, iif: null, oif: null, fwmark: null, table: RT_TABLE_LOCAL },
  { priority: 32766, from: null, to: null, iif: null, oif: null, fwmark: null, table: RT_TABLE_MAIN },
  { priority: 32767, from: null, to: null, iif: null, oif: null, fwmark: null, table: RT_TABLE_DEFAULT },
];

function putNetns(world: World, ns: Netns): World {
  const m = new Map(world.netns);
  m.set(ns.id, ns);
  return { netns: m };
}

function updateNetns(world: World, id: string, f: (ns: Netns) => Netns): World {
  return putNetns(world, f(getNetns(world, id)));
}

/**
 * `ip netns add` followed by `ip link set lo up`, as every container runtime does: lo gets
 * 127.0.0.1/8 and the kernel adds its local and broadcast routes.
 */
export function addNetns(world: World, id: string): World {
  if (world.netns.has(id)) throw new Error(`netns ${id} exists`);
  const lo: Link = { ifindex: 1, name: 'lo', kind: { type: 'loopback' }, mtu: 65536, mac: ZERO_MAC, up: false, master: null, bridgePort: null };
  const ns: Netns = {
    id,
    links: [lo],
    addrs: [],
    routes: [],
    rules: DEFAULT_RULES,
    neigh: [],
    fdb: [],
    sysctls: new Map(),
    netfilter: EMPTY_RULESET,
    ipsets: EMPTY_IPSETS,
    nextIfindex: 2,
  };
  let w = putNetns(world, ns);
  w = addAddr(w, id, 'lo', ipv4('127.0.0.1'), 8, { scope: 'host', broadcast: null });
  return setLinkUp(w, id, 'lo');
}

interface NewLink {
  readonly name: string;
  readonly kind: LinkKind;
  readonly mtu: number;
  readonly mac: Mac | null;
}

function appendLink(ns: Netns, spec: NewLink): Netns {
  if (findLink(ns, spec.name)) throw new Error(`netns ${ns.id}: link ${spec.name} exists`);
  if (spec.name.length > 15) throw new Error(`link name ${spec.name} exceeds IFNAMSIZ-1 (15)`);
  const link: Link = { ifindex: ns.nextIfindex, ...spec, up: false, master: null, bridgePort: null };
  return { ...ns, links: [...ns.links, link], nextIfindex: ns.nextIfindex + 1 };
}

/** `ip link add NAME type bridge|vxlan|dummy|ipip ...` */
export function addLink(world: World, nsId: string, spec: NewLink): World {
  if (spec.kind.type === 'veth') throw new Error('use addVethPair for veth links');
  return updateNetns(world, nsId, (ns) => appendLink(ns, spec));
}

export interface VethEnd {
  readonly netns: string;
  readonly name: string;
  readonly mac: Mac;
}

/** `ip link add A type veth peer name B netns NS` (both ends created down). */
export function addVethPair(world: World, a: VethEnd, b: VethEnd, mtu: number): World {
  let w = updateNetns(world, a.netns, (ns) =>
    appendLink(ns, { name: a.name, kind: { type: 'veth', peer: { netns: b.netns, ifname: b.name } }, mtu, mac: a.mac }),
  );
  w = updateNetns(w, b.netns, (ns) =>
    appendLink(ns, { name: b.name, kind: { type: 'veth', peer: { netns: a.netns, ifname: a.name } }, mtu, mac: b.mac }),
  );
  return w;
}

function mapLink(ns: Netns, name: string, f: (l: Link) => Link): Netns {
  if (!findLink(ns, name)) throw new Error(`netns ${ns.id} has no link ${name}`);
  return { ...ns, links: ns.links.map((l) => (l.name === name ? f(l) : l)) };
}

/** `ip link set DEV master BR` (+ `bridge link set dev DEV hairpin on` via settings). */
export function setMaster(world: World, nsId: string, dev: string, bridge: string, port: Partial<BridgePortSettings> = {}): World {
  return updateNetns(world, nsId, (ns) => {
    const br = findLink(ns, bridge);
    if (!br || br.kind.type !== 'bridge') throw new Error(`netns ${nsId}: ${bridge} is not a bridge`);
    return mapLink(ns, dev, (l) => ({ ...l, master: bridge, bridgePort: { ...DEFAULT_BRIDGE_PORT, ...port } }));
  });
}

export function setMtu(world: World, nsId: string, dev: string, mtu: number): World {
  return updateNetns(world, nsId, (ns) => mapLink(ns, dev, (l) => ({ ...l, mtu })));
}

export function setMac(world: World, nsId: string, dev: string, mac: Mac): World {
  return updateNetns(world, nsId, (ns) => mapLink(ns, dev, (l) => ({ ...l, mac })));
}

/** `ip link set DEV up`: the kernel then adds the prefix routes of the device's addresses. */
export function setLinkUp(world: World, nsId: string, dev: string): World {
  return updateNetns(world, nsId, (ns) => {
    const withUp = mapLink(ns, dev, (l) => ({ ...l, up: true }));
    return ns.addrs.filter((a) => a.dev === dev).reduce((acc, a) => addKernelRoutes(acc, a, 'up'), withUp);
  });
}

/**
 * `ip addr add LOCAL/PREFIX [brd B] [scope S] dev DEV`. fib_add_ifaddr(): a `local` route in table
 * local always; when the device is up, a `broadcast` route for the subnet broadcast (prefix < 31)
 * and the `proto kernel scope link` prefix route in main (not for /32).
 */
export function addAddr(
  world: World,
  nsId: string,
  dev: string,
  local: Ipv4,
  prefix: number,
  opts: { scope?: AddrScope; broadcast?: Ipv4 | null } = {},
): World {
  return updateNetns(world, nsId, (ns) => {
    if (!findLink(ns, dev)) throw new Error(`netns ${nsId} has no link ${dev}`);
    if (ns.addrs.some((a) => a.dev === dev && a.local === local)) throw new Error(`${formatIpv4(local)} already on ${dev}`);
    const addr: IfAddr = { dev, local, prefix, broadcast: opts.broadcast ?? null, scope: opts.scope ?? 'global' };
    const withAddr = { ...ns, addrs: [...ns.addrs, addr] };
    return addKernelRoutes(withAddr, addr, findLink(ns, dev)?.up ? 'up' : 'down');
  });
}

function kernelRoute(table: number, type: Route['type'], dst: Cidr, dev: string, scope: Route['scope'], src: Ipv4): Route {
  return { table, type, dst, gateway: null, dev, onlink: false, scope, proto: 'kernel', prefsrc: src, metric: 0, multipath: null };
}

function sameRoute(a: Route, b: Route): boolean {
  return a.table === b.table && a.type === b.type && a.dst.network === b.dst.network && a.dst.prefix === b.dst.prefix && a.dev === b.dev && a.metric === b.metric;
}

/**
 * __inet_insert_ifa: an address in the subnet of one already on the device is a secondary, and
 * fib_add_ifaddr gives its routes the primary's address as `src` ("prim").
 */
function primaryOf(ns: Netns, a: IfAddr): Ipv4 {
  const net = cidrOf(a.local, a.prefix).network;
  return ns.addrs.find((e) => e.dev === a.dev && e.prefix === a.prefix && cidrOf(e.local, e.prefix).network === net)?.local ?? a.local;
}

function addKernelRoutes(ns: Netns, a: IfAddr, linkState: 'up' | 'down'): Netns {
  const prim = primaryOf(ns, a);
  const wanted: Route[] = [kernelRoute(RT_TABLE_LOCAL, 'local', cidrOf(a.local, 32), a.dev, 'host', prim)];
  // A secondary adds no prefix or broadcast route: its primary's already cover the subnet.
  if (linkState === 'up' && prim === a.local) {
    const net = cidrOf(a.local, a.prefix);
    // lo's 127.0.0.0/8 is itself a `local` route: every address in it is local.
    if (a.dev === 'lo' && a.prefix < 32) wanted.push(kernelRoute(RT_TABLE_LOCAL, 'local', net, a.dev, 'host', a.local));
    else if (a.prefix < 32) wanted.push(kernelRoute(RT_TABLE_MAIN, 'unicast', net, a.dev, 'link', a.local));
    if (a.prefix < 31) wanted.push(kernelRoute(RT_TABLE_LOCAL, 'broadcast', cidrOf(cidrBroadcast(net), 32), a.dev, 'link', a.local));
  }
  const fresh = wanted.filter((r) => !ns.routes.some((e) => sameRoute(e, r)));
  return fresh.length === 0 ? ns : { ...ns, routes: [...ns.routes, ...fresh] };
}

export interface RouteSpec {
  readonly table?: number;
  readonly type?: Route['type'];
  readonly dst: Cidr;
  readonly gateway?: Ipv4 | null;
  readonly dev?: string | null;
  readonly onlink?: boolean;
  readonly scope?: Route['scope'];
  readonly proto?: Route['proto'];
  readonly prefsrc?: Ipv4 | null;
  readonly metric?: number;
}

/** The `ip route` command that would express a spec, for error messages. */
export function describeRouteSpec(s: RouteSpec): string {
  const parts = [s.type && s.type !== 'unicast' ? s.type : '', formatRouteDst(s.dst)];
  if (s.gateway != null) parts.push(`via ${formatIpv4(s.gateway)}`);
  if (s.dev) parts.push(`dev ${s.dev}`);
  if (s.onlink) parts.push('onlink');
  return parts.filter(Boolean).join(' ');
}

/**
 * `ip route add|replace`. Validates the nexthop as fib_check_nh() does: without `onlink`, the
 * gateway must be reachable through a scope-link route (a connected subnet) on the given device,
 * else the kernel answers EINVAL "Nexthop has invalid gateway".
 */
export function addRoute(world: World, nsId: string, spec: RouteSpec, mode: 'add' | 'replace' = 'add'): Result<World, KernelError> {
  const ns = getNetns(world, nsId);
  const request = `ip route ${mode} ${describeRouteSpec(spec)}`;
  const type = spec.type ?? 'unicast';
  const gateway = spec.gateway ?? null;
  let dev = spec.dev ?? null;
  if (dev !== null && !findLink(ns, dev)) return err({ errno: 'ENODEV', message: 'Cannot find device', request });
  if (type === 'unicast' && gateway !== null && !spec.onlink) {
    const connected = ns.routes.find(
      (r) => r.table === RT_TABLE_MAIN && r.type === 'unicast' && r.scope === 'link' && r.gateway === null && cidrContains(r.dst, gateway) && (dev === null || r.dev === dev),
    );
    if (!connected) return err({ errno: 'EINVAL', message: 'Nexthop has invalid gateway.', request });
    dev = connected.dev;
  }
  if (type === 'unicast' && dev === null) return err({ errno: 'EINVAL', message: 'Device for nexthop is not up.', request });
  const route: Route = {
    table: spec.table ?? RT_TABLE_MAIN,
    type,
    dst: spec.dst,
    gateway,
    dev,
    onlink: spec.onlink ?? false,
    // iproute2 picks scope link for gatewayless unicast routes, universe otherwise, host for local.
    scope: spec.scope ?? (type === 'local' ? 'host' : gateway === null && type === 'unicast' ? 'link' : 'universe'),
    proto: spec.proto ?? 'boot',
    prefsrc: spec.prefsrc ?? null,
    metric: spec.metric ?? 0,
    multipath: null,
  };
  const existing = ns.routes.findIndex((r) => r.table === route.table && r.dst.network === route.dst.network && r.dst.prefix === route.dst.prefix && r.metric === route.metric);
  if (existing >= 0 && mode === 'add') return err({ errno: 'EEXIST', message: 'File exists', request });
  const routes = existing >= 0 ? ns.routes.map((r, i) => (i === existing ? route : r)) : [...ns.routes, route];
  return ok(putNetns(world, { ...ns, routes }));
}

/** `ip neigh replace DST dev DEV lladdr MAC nud permanent` (or a proxy entry). */
export function replaceNeigh(world: World, nsId: string, entry: NeighEntry): World {
  return updateNetns(world, nsId, (ns) => ({
    ...ns,
    neigh: [...ns.neigh.filter((n) => !(n.dev === entry.dev && n.dst === entry.dst && n.proxy === entry.proxy)), entry],
  }));
}

/** `bridge fdb append|replace MAC dev DEV [master|self] [dst IP] permanent`. */
export function addFdb(world: World, nsId: string, entry: FdbEntry): World {
  return updateNetns(world, nsId, (ns) => ({
    ...ns,
    fdb: [...ns.fdb.filter((f) => !(f.mac === entry.mac && f.dev === entry.dev && f.dst === entry.dst)), entry],
  }));
}

/** `sysctl -w KEY=VALUE` inside the netns. */
export function setSysctl(world: World, nsId: string, key: string, value: string): World {
  return updateNetns(world, nsId, (ns) => {
    const m = new Map(ns.sysctls);
    m.set(key, value);
    return { ...ns, sysctls: m };
  });
}

/** Install a parsed ruleset (what `iptables-restore` leaves behind). */
export function setRuleset(world: World, nsId: string, ruleset: Ruleset): World {
  return updateNetns(world, nsId, (ns) => ({ ...ns, netfilter: ruleset }));
}

export function setIpsets(world: World, nsId: string, ipsets: IpsetMap): World {
  return updateNetns(world, nsId, (ns) => ({ ...ns, ipsets }));
}

/** Apply `ipvsadm` changes (kernel/ipvs/table.ts) to a netns's IPVS table, loading ip_vs if needed. */
export function updateIpvs(world: World, nsId: string, f: (t: IpvsTable) => IpvsTable): World {
  return updateNetns(world, nsId, (ns) => ({ ...ns, ipvs: f(ns.ipvs ?? EMPTY_IPVS) }));
}

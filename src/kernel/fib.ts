import { cidrContains, cidrOf } from '../net/cidr.js';
import type { Ipv4 } from '../net/ipv4.js';
import type { IfAddr } from './addr.js';
import { findLink, type Netns } from './netns.js';
import type { FibRule, Route } from './route.js';

/** What fib_lookup() resolved: the route and the rule that led to its table. */
export type FibResult =
  | { readonly kind: 'local'; readonly route: Route; readonly rule: FibRule }
  | { readonly kind: 'broadcast'; readonly route: Route; readonly rule: FibRule }
  | {
      readonly kind: 'unicast';
      readonly route: Route;
      readonly rule: FibRule;
      readonly dev: string;
      /** The neighbour to resolve: the gateway, or the destination itself on a link route. */
      readonly nexthop: Ipv4;
      readonly gateway: Ipv4 | null;
    }
  | { readonly kind: 'blackhole' | 'unreachable' | 'prohibit'; readonly route: Route; readonly rule: FibRule }
  /** No table had a matching route: ENETUNREACH. */
  | { readonly kind: 'none' };

export interface FibKey {
  readonly dst: Ipv4;
  readonly src: Ipv4 | null;
  /** Input interface for forwarded/received packets; null for locally generated ones. */
  readonly iif: string | null;
  readonly oif: string | null;
  readonly mark: number;
}

function ruleMatches(rule: FibRule, key: FibKey): boolean {
  if (rule.from && (key.src === null || !cidrContains(rule.from, key.src))) return false;
  if (rule.to && !cidrContains(rule.to, key.dst)) return false;
  // `iif lo` matches locally generated packets (fib_rule_match: skb->dev is lo on output).
  if (rule.iif && rule.iif !== (key.iif ?? 'lo')) return false;
  if (rule.oif && rule.oif !== key.oif) return false;
  if (rule.fwmark && (key.mark & rule.fwmark.mask) !== rule.fwmark.value) return false;
  return true;
}

/**
 * Routes whose device is down are skipped, as fib_table_lookup skips RTNH_F_DEAD nexthops. A
 * `local` route is the exception: its nexthop has scope RT_SCOPE_NOWHERE, which fib_sync_down_dev
 * never marks dead, so an address on a down link is still local (measured on 6.18: `ip route get`
 * answers `local` for an address on a veth that is down; kube-proxy's kube-ipvs0 relies on it).
 */
function usable(ns: Netns, r: Route): boolean {
  if (r.dev === null || r.type === 'local') return true;
  return findLink(ns, r.dev)?.up ?? false;
}

/** Longest prefix first, then lowest metric, then insertion order (fib_table_lookup). */
export function lookupTable(ns: Netns, table: number, dst: Ipv4, oif: string | null = null): Route | null {
  let best: Route | null = null;
  for (const r of ns.routes) {
    if (r.table !== table || !cidrContains(r.dst, dst) || !usable(ns, r)) continue;
    if (oif !== null && r.dev !== null && r.dev !== oif && r.type === 'unicast') continue;
    if (!best || r.dst.prefix > best.dst.prefix || (r.dst.prefix === best.dst.prefix && r.metric < best.metric)) best = r;
  }
  return best;
}

export function fibLookup(ns: Netns, key: FibKey): FibResult {
  const rules = [...ns.rules].sort((a, b) => a.priority - b.priority);
  for (const rule of rules) {
    if (!ruleMatches(rule, key)) continue;
    const route = lookupTable(ns, rule.table, key.dst, key.oif);
    if (!route) continue;
    switch (route.type) {
      case 'local':
        return { kind: 'local', route, rule };
      case 'broadcast':
        return { kind: 'broadcast', route, rule };
      case 'blackhole':
      case 'unreachable':
      case 'prohibit':
        return { kind: route.type, route, rule };
      case 'unicast': {
        const dev = route.dev;
        if (dev === null) throw new Error('unicast route without a device');
        return { kind: 'unicast', route, rule, dev, gateway: route.gateway, nexthop: route.gateway ?? key.dst };
      }
    }
  }
  return { kind: 'none' };
}

const SCOPE_RANK: Record<IfAddr['scope'], number> = { global: 0, link: 253, host: 254 };
const ROUTE_SCOPE_RANK: Record<Route['scope'], number> = { universe: 0, link: 253, host: 254 };

/**
 * Source address for a locally generated packet: the route's `src` if it has one, else
 * inet_select_addr(dev, nexthop, scope): a primary address of the device whose scope is no
 * narrower than the route's, preferring one on the same subnet as the nexthop; failing that, a
 * global address of any other device.
 */
export function selectSourceAddress(ns: Netns, route: Route, dev: string, nexthop: Ipv4): Ipv4 | null {
  if (route.prefsrc !== null) return route.prefsrc;
  // A gateway route needs an address usable beyond the link (RT_SCOPE_LINK at most).
  const limit = route.gateway !== null ? ROUTE_SCOPE_RANK.link : ROUTE_SCOPE_RANK[route.scope];
  const onDev = ns.addrs.filter((a) => a.dev === dev && SCOPE_RANK[a.scope] <= limit);
  const sameSubnet = onDev.find((a) => cidrContains(cidrOf(a.local, a.prefix), nexthop));
  if (sameSubnet) return sameSubnet.local;
  if (onDev[0]) return onDev[0].local;
  const anyGlobal = ns.addrs.find((a) => a.scope === 'global' && a.dev !== dev);
  return anyGlobal ? anyGlobal.local : null;
}

/** addrtype for netfilter's `-m addrtype`: how the local table classifies an address. */
export function addrType(ns: Netns, addr: Ipv4): 'LOCAL' | 'BROADCAST' | 'MULTICAST' | 'UNICAST' | 'BLACKHOLE' | 'UNREACHABLE' | 'PROHIBIT' {
  if ((addr >>> 28) === 0xe) return 'MULTICAST';
  if (addr === 0xffffffff) return 'BROADCAST';
  const r = fibLookup(ns, { dst: addr, src: null, iif: null, oif: null, mark: 0 });
  switch (r.kind) {
    case 'local':
      return 'LOCAL';
    case 'broadcast':
      return 'BROADCAST';
    case 'blackhole':
      return 'BLACKHOLE';
    case 'unreachable':
      return 'UNREACHABLE';
    case 'prohibit':
      return 'PROHIBIT';
    case 'unicast':
    case 'none':
      return 'UNICAST';
  }
}

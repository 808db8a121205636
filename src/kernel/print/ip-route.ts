import { formatRouteDst } from '../../net/cidr.js';
import { formatIpv4 } from '../../net/ipv4.js';
import type { World } from '../netns.js';
import { RT_TABLE_MAIN, type Route } from '../route.js';
import { hasCarrier } from './carrier.js';
import { printContext, type PrintContext, type PrintOptions } from './context.js';
import { protoName, scopeName, tableName } from './names.js';

/** `ip route` = table main; `ip route show table all`; `ip route show table N`. */
export type RouteTableFilter = 'main' | 'all' | number;

/**
 * `ip route show [table ...]` as iproute2 6.1 prints it for an IPv4-only netns: tables in the
 * kernel's dump order (hash bucket = id & 255, so 100, 200, ..., main 254, local 255), each in FIB
 * trie order. Every token is followed by a space, so each line ends in one, as the real tool's do.
 */
export function printIpRoute(world: World, nsId: string, opts: PrintOptions & { readonly table?: RouteTableFilter } = {}): string {
  const ctx = printContext(world, nsId, opts);
  const filter = opts.table ?? 'main';
  const wanted = ctx.ns.routes.filter((r) => filter === 'all' || r.table === (filter === 'main' ? RT_TABLE_MAIN : filter));
  return dumpOrder(wanted)
    .map((r) => `${formatRoute(ctx, r, filter === 'all')}\n`)
    .join('');
}

/**
 * fib_trie walks keys in ascending order; one key's aliases are sorted longest prefix first,
 * then by metric (fib_insert_alias / fib_find_alias); equal ones stay in insertion order.
 */
export function dumpOrder(routes: readonly Route[]): Route[] {
  return routes
    .map((r, i) => ({ r, i }))
    .sort((a, b) => (a.r.table & 255) - (b.r.table & 255) || a.r.table - b.r.table || a.r.dst.network - b.r.dst.network || b.r.dst.prefix - a.r.dst.prefix || a.r.metric - b.r.metric || a.i - b.i)
    .map((x) => x.r);
}

/**
 * One route (iproute2 print_route): type unless unicast, destination, `via`, `dev`, `table`
 * (only when listing all tables, and never main), `proto` unless boot, `scope` unless universe,
 * `src`, `metric` when non-zero, then the flags `onlink` and `linkdown` (the device has no
 * carrier; host-scope routes are never marked). Multipath nexthops follow on `\tnexthop` lines.
 */
export function formatRoute(ctx: PrintContext, r: Route, showTable: boolean): string {
  const t: string[] = [];
  if (r.type !== 'unicast') t.push(r.type);
  t.push(formatRouteDst(r.dst));
  if (r.multipath === null) {
    if (r.gateway !== null) t.push(`via ${formatIpv4(r.gateway)}`);
    if (r.dev !== null) t.push(`dev ${r.dev}`);
  }
  if (showTable && r.table !== RT_TABLE_MAIN) t.push(`table ${tableName(r.table)}`);
  if (r.proto !== 'boot' && r.proto !== 3) t.push(`proto ${protoName(r.proto)}`);
  if (r.scope !== 'universe') t.push(`scope ${scopeName(r.scope)}`);
  if (r.prefsrc !== null) t.push(`src ${formatIpv4(r.prefsrc)}`);
  if (r.metric !== 0) t.push(`metric ${r.metric}`);
  if (r.multipath === null) t.push(...nhFlags(ctx, r.dev, r.onlink, r.scope));
  let line = t.map((x) => `${x} `).join('');
  for (const nh of r.multipath ?? []) {
    const n = ['nexthop'];
    if (nh.gateway !== null) n.push(`via ${formatIpv4(nh.gateway)}`);
    n.push(`dev ${nh.dev}`, `weight ${nh.weight}`, ...nhFlags(ctx, nh.dev, nh.onlink, r.scope));
    line += `\n\t${n.map((x) => `${x} `).join('')}`;
  }
  return line;
}

function nhFlags(ctx: PrintContext, dev: string | null, onlink: boolean, scope: Route['scope']): string[] {
  const f: string[] = [];
  if (onlink) f.push('onlink');
  const link = dev === null ? undefined : ctx.links.find((l) => l.name === dev);
  if (link && scope !== 'host' && !hasCarrier(ctx, link)) f.push('linkdown');
  return f;
}

import { formatRouteDst } from '../net/cidr.js';
import { formatIpv4 } from '../net/ipv4.js';
import { RT_TABLE_DEFAULT, RT_TABLE_LOCAL, RT_TABLE_MAIN, type FibRule, type Route } from './route.js';

const TABLE_NAMES: Readonly<Record<number, string>> = { [RT_TABLE_LOCAL]: 'local', [RT_TABLE_MAIN]: 'main', [RT_TABLE_DEFAULT]: 'default' };

/**
 * One route as `ip route show table all` prints it (iproute2 ip/iproute.c print_route):
 * type (unless unicast), destination, gateway, dev, `table` (unless main), `proto` (unless
 * boot), scope (unless universe), `src`, `metric` (when non-zero), flags.
 */
export function formatRouteLine(r: Route, opts: { readonly showTable?: boolean } = {}): string {
  const parts: string[] = [];
  if (r.type !== 'unicast') parts.push(r.type);
  parts.push(formatRouteDst(r.dst));
  if (r.gateway !== null) parts.push(`via ${formatIpv4(r.gateway)}`);
  if (r.dev !== null) parts.push(`dev ${r.dev}`);
  const showTable = opts.showTable ?? r.table !== RT_TABLE_MAIN;
  if (showTable && r.table !== RT_TABLE_MAIN) parts.push(`table ${TABLE_NAMES[r.table] ?? r.table}`);
  if (r.proto !== 'boot') parts.push(`proto ${r.proto}`);
  // ip prints the scope unless it is the default for the route type (universe for unicast).
  if (r.scope !== 'universe' && !(r.type === 'blackhole' || r.type === 'unreachable' || r.type === 'prohibit')) parts.push(`scope ${r.scope}`);
  if (r.prefsrc !== null) parts.push(`src ${formatIpv4(r.prefsrc)}`);
  if (r.metric !== 0) parts.push(`metric ${r.metric}`);
  if (r.onlink) parts.push('onlink');
  return parts.join(' ');
}

/** One line of `ip rule` (iproute2 ip/iprule.c): `32766:\tfrom all lookup main`. */
export function formatRuleLine(r: FibRule): string {
  const parts = [`from ${r.from ? formatRouteDst(r.from) : 'all'}`];
  if (r.to) parts.push(`to ${formatRouteDst(r.to)}`);
  if (r.fwmark) parts.push(`fwmark 0x${r.fwmark.value.toString(16)}${r.fwmark.mask !== 0xffffffff ? `/0x${r.fwmark.mask.toString(16)}` : ''}`);
  if (r.iif) parts.push(`iif ${r.iif}`);
  if (r.oif) parts.push(`oif ${r.oif}`);
  parts.push(`lookup ${TABLE_NAMES[r.table] ?? r.table}`);
  return `${r.priority}:\t${parts.join(' ')}`;
}

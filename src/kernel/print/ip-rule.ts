import { formatCidr, type Cidr } from '../../net/cidr.js';
import { formatIpv4 } from '../../net/ipv4.js';
import type { Netns } from '../netns.js';
import type { FibRule } from '../route.js';
import { hexAlt, tableName } from './names.js';

/**
 * `ip rule show`: `PRIO:\tSELECTOR lookup TABLE`, by priority (equal priorities keep insertion
 * order, as the kernel inserts after the last rule of the same priority). Selector order is
 * iproute2's: from, to, fwmark, iif, oif. An iif/oif naming no device in the netns gets
 * ` [detached]`. No trailing space.
 */
export function printIpRule(ns: Netns): string {
  return [...ns.rules]
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.priority - b.r.priority || a.i - b.i)
    .map(({ r }) => `${formatRule(ns, r)}\n`)
    .join('');
}

export function formatRule(ns: Netns, r: FibRule): string {
  const t = [`from ${r.from ? prefixText(r.from) : 'all'}`];
  if (r.to) t.push(`to ${prefixText(r.to)}`);
  if (r.fwmark) t.push(r.fwmark.mask === 0xffffffff ? `fwmark ${hexAlt(r.fwmark.value)}` : `fwmark ${hexAlt(r.fwmark.value)}/${hexAlt(r.fwmark.mask)}`);
  const detached = (dev: string): string => (ns.links.some((l) => l.name === dev) ? '' : ' [detached]');
  if (r.iif !== null) t.push(`iif ${r.iif}${detached(r.iif)}`);
  if (r.oif !== null) t.push(`oif ${r.oif}${detached(r.oif)}`);
  t.push(`lookup ${tableName(r.table)}`);
  return `${r.priority}:\t${t.join(' ')}`;
}

/** A /32 selector prints as a bare address. */
function prefixText(c: Cidr): string {
  return c.prefix === 32 ? formatIpv4(c.network) : formatCidr(c);
}

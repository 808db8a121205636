import { formatIpv4 } from '../../net/ipv4.js';
import type { NeighEntry } from '../neigh.js';
import type { Netns } from '../netns.js';

/**
 * `ip neigh show`: `DST dev DEV lladdr MAC STATE ` (trailing space included). Like iproute2 it
 * leaves out NOARP entries (`nud all` shows them) and proxy entries (`ip neigh show proxy`).
 * The kernel dumps its hash table, whose order depends on a per-boot random seed, so lines come
 * in model order; compare sorted.
 */
export function printIpNeigh(ns: Netns): string {
  return ns.neigh
    .filter((n) => !n.proxy && n.state !== 'NOARP')
    .map((n) => `${formatNeigh(n)}\n`)
    .join('');
}

/** `ip neigh show proxy`: `DST dev DEV proxy `. */
export function printIpNeighProxy(ns: Netns): string {
  return ns.neigh
    .filter((n) => n.proxy)
    .map((n) => `${formatIpv4(n.dst)} dev ${n.dev} proxy \n`)
    .join('');
}

export function formatNeigh(n: NeighEntry): string {
  const ll = n.lladdr !== null ? `lladdr ${n.lladdr} ` : '';
  return `${formatIpv4(n.dst)} dev ${n.dev} ${ll}${n.state} `;
}

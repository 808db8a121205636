import { cidrOf } from '../../net/cidr.js';
import { formatIpv4 } from '../../net/ipv4.js';
import type { IfAddr } from '../addr.js';
import type { World } from '../netns.js';
import { printContext, type PrintOptions } from './context.js';
import { linkHeader } from './ip-link.js';

/**
 * `ip addr show` for an IPv4-only netns (what a netns with IPv6 disabled prints): per link the
 * `ip link` header without `mode DEFAULT`, then its addresses in the kernel's list order, each
 * followed by its lifetime line (model addresses are permanent: `forever`).
 */
export function printIpAddr(world: World, nsId: string, opts: PrintOptions = {}): string {
  const ctx = printContext(world, nsId, opts);
  const out: string[] = [];
  for (const link of ctx.links) {
    out.push(...linkHeader(ctx, link, 'addr'));
    for (const { addr, secondary } of kernelAddrOrder(ctx.ns.addrs.filter((a) => a.dev === link.name))) {
      out.push(formatAddr(addr, secondary), '       valid_lft forever preferred_lft forever');
    }
  }
  return out.map((l) => `${l}\n`).join('');
}

/** `    inet 10.244.1.1/24 brd 10.244.1.255 scope global cni0` (label = device name). */
export function formatAddr(a: IfAddr, secondary: boolean): string {
  const brd = a.broadcast !== null ? ` brd ${formatIpv4(a.broadcast)}` : '';
  return `    inet ${formatIpv4(a.local)}/${a.prefix}${brd} scope ${a.scope}${secondary ? ' secondary' : ''} ${a.dev}`;
}

export interface OrderedAddr {
  readonly addr: IfAddr;
  /** Same prefix length and subnet as an address already on the device (IFA_F_SECONDARY). */
  readonly secondary: boolean;
}

const SCOPE_VALUE: Readonly<Record<IfAddr['scope'], number>> = { global: 0, link: 253, host: 254 };

/**
 * The order of a device's ifa_list after the addresses were added in the given order
 * (__inet_insert_ifa): a secondary goes to the tail; a primary goes right after the last primary
 * whose scope is at least as narrow, so host- and link-scope primaries come before global ones.
 */
export function kernelAddrOrder(addrs: readonly IfAddr[]): OrderedAddr[] {
  const list: OrderedAddr[] = [];
  for (const addr of addrs) {
    const net = cidrOf(addr.local, addr.prefix).network;
    const secondary = list.some((e) => e.addr.prefix === addr.prefix && cidrOf(e.addr.local, e.addr.prefix).network === net);
    if (secondary) {
      list.push({ addr, secondary });
      continue;
    }
    let pos = 0;
    list.forEach((e, i) => {
      if (!e.secondary && SCOPE_VALUE[addr.scope] <= SCOPE_VALUE[e.addr.scope]) pos = i + 1;
    });
    list.splice(pos, 0, { addr, secondary });
  }
  return list;
}

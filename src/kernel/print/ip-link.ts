import { formatIpv4, IPV4_ANY } from '../../net/ipv4.js';
import { ZERO_MAC } from '../../net/mac.js';
import type { World } from '../netns.js';
import type { Link } from '../link.js';
import { hasCarrier, operState } from './carrier.js';
import { printContext, vethPeer, type PrintContext, type PrintOptions } from './context.js';
import { detailLines } from './link-details.js';

/**
 * `ip link show` (and `ip -d link show` with details), byte for byte as iproute2 6.1 prints it
 * for the kernel's state, every line ending in "\n".
 *
 * `qdisc`, `mode DEFAULT`, `group default` and `qlen 1000` carry no information in the model
 * (virtual devices get `noqueue` when up and `noop` before they ever were, every device here has
 * tx_queue_len 1000) but are printed, so the text is what a user sees on a real node.
 *
 * With details, only what the model decides is printed: the generic attributes iproute2 appends
 * (`promiscuity`, `allmulti`, `minmtu`/`maxmtu`, `addrgenmode`, queue counts, GSO/TSO/GRO
 * limits: they depend on the driver and the machine's CPU count) and the bridge's running timers
 * (`hello_timer`, `gc_timer`, ...: countdowns of the moment) are left out.
 */
export function printIpLink(world: World, nsId: string, opts: PrintOptions & { readonly details?: boolean } = {}): string {
  const ctx = printContext(world, nsId, opts);
  const out: string[] = [];
  for (const link of ctx.links) {
    out.push(...linkHeader(ctx, link, 'link'));
    if (opts.details) out.push(...detailLines(ctx, link));
  }
  return out.map((l) => `${l}\n`).join('');
}

/** The two lines `ip link` prints per link; `ip addr` prints the same without `mode DEFAULT`. */
export function linkHeader(ctx: PrintContext, link: Link, cmd: 'link' | 'addr'): [string, string] {
  const carrier = hasCarrier(ctx, link);
  const qdisc = link.up ? 'noqueue' : 'noop';
  const master = link.master !== null ? ` master ${link.master}` : '';
  const mode = cmd === 'link' ? ' mode DEFAULT' : '';
  const first = `${link.ifindex}: ${link.name}${nameSuffix(ctx, link)}: <${linkFlags(ctx, link, carrier).join(',')}> mtu ${link.mtu} qdisc ${qdisc}${master} state ${operState(ctx, link)}${mode} group default qlen 1000`;
  return [first, `    ${linkLayer(ctx, link)}`];
}

/** `veth0@if7` (peer in another netns, by its ifindex there), `veth0@veth1` (same netns), `tunl0@NONE`. */
function nameSuffix(ctx: PrintContext, link: Link): string {
  if (link.kind.type === 'ipip') return '@NONE';
  if (link.kind.type !== 'veth') return '';
  const peer = vethPeer(ctx.world, link);
  return peer.ns.id === ctx.ns.id ? `@${peer.link.name}` : `@if${peer.link.ifindex}`;
}

/**
 * iproute2's print_link_flags: NO-CARRIER first when up without carrier (IFF_RUNNING clear),
 * then the IFF_ flags in bit order, then M-DOWN when the link's lower device (a same-netns veth
 * peer) is down. Bridge ports are promiscuous, but dev_get_flags() reports only the
 * user-requested IFF_PROMISC, so PROMISC does not appear.
 */
function linkFlags(ctx: PrintContext, link: Link, carrier: boolean): string[] {
  const f: string[] = [];
  if (link.up && !carrier) f.push('NO-CARRIER');
  if (link.kind.type === 'loopback') f.push('LOOPBACK');
  else if (link.kind.type === 'ipip') f.push('NOARP');
  // dummy_setup(): IFF_NOARP set and IFF_MULTICAST cleared (kube-ipvs0 shows <BROADCAST,NOARP>).
  else if (link.kind.type === 'dummy') f.push('BROADCAST', 'NOARP');
  else f.push('BROADCAST', 'MULTICAST');
  if (link.up) f.push('UP');
  if (carrier) f.push('LOWER_UP');
  if (link.kind.type === 'veth') {
    const peer = vethPeer(ctx.world, link);
    if (peer.ns.id === ctx.ns.id && !peer.link.up) f.push('M-DOWN');
  }
  return f;
}

function linkLayer(ctx: PrintContext, link: Link): string {
  const kind = link.kind;
  if (kind.type === 'loopback') return `link/loopback ${link.mac ?? ZERO_MAC} brd ${ZERO_MAC}`;
  if (kind.type === 'ipip') return `link/ipip ${formatIpv4(kind.local ?? IPV4_ANY)} brd ${formatIpv4(kind.remote ?? IPV4_ANY)}`;
  const base = `link/ether ${link.mac ?? ZERO_MAC} brd ff:ff:ff:ff:ff:ff`;
  if (kind.type !== 'veth' || kind.peer.netns === ctx.ns.id) return base;
  return `${base} ${ctx.peerNetns(kind.peer.netns)}`;
}

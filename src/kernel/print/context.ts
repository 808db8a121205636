import type { Link } from '../link.js';
import { getNetns, type Netns, type World } from '../netns.js';

/** Choices the model cannot make by itself when printing. */
export interface PrintOptions {
  /**
   * What follows a veth's `link/ether ... brd ...` when its peer lives in another netns: iproute2
   * prints `link-netns NAME` when the peer netns has a name under /run/netns, else
   * `link-netnsid N`. Default: `link-netnsid N`, with nsids handed out in order of first use by
   * this netns' veths in ifindex order (the order the kernel allocates them in as veths are made).
   */
  readonly peerNetns?: (netnsId: string) => string;
}

/** One netns in its world: veth carrier and peer ifindexes need the other end. */
export interface PrintContext {
  readonly world: World;
  readonly ns: Netns;
  /** Links in ifindex order (the order every dump walks them). */
  readonly links: readonly Link[];
  readonly peerNetns: (netnsId: string) => string;
}

export function printContext(world: World, nsId: string, opts: PrintOptions = {}): PrintContext {
  const ns = getNetns(world, nsId);
  const links = [...ns.links].sort((a, b) => a.ifindex - b.ifindex);
  return { world, ns, links, peerNetns: opts.peerNetns ?? defaultNsids(links) };
}

function defaultNsids(links: readonly Link[]): (netnsId: string) => string {
  const ids = new Map<string, number>();
  for (const l of links) {
    if (l.kind.type === 'veth' && !ids.has(l.kind.peer.netns)) ids.set(l.kind.peer.netns, ids.size);
  }
  return (id) => `link-netnsid ${ids.get(id) ?? ids.size}`;
}

export interface PeerRef {
  readonly ns: Netns;
  readonly link: Link;
}

/** The other end of a veth; a veth without one is a broken model. */
export function vethPeer(world: World, link: Link): PeerRef {
  if (link.kind.type !== 'veth') throw new Error(`${link.name} is not a veth`);
  const { netns, ifname } = link.kind.peer;
  const ns = world.netns.get(netns);
  const peer = ns?.links.find((l) => l.name === ifname);
  if (!ns || !peer) throw new Error(`veth ${link.name}: peer ${ifname} in netns ${netns} does not exist`);
  return { ns, link: peer };
}

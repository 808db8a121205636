import { findLink, type World } from '../kernel/netns.js';
import type { Outcome } from '../trace/types.js';

/** The narrowest link a packet crossed. */
export interface PathMtu {
  readonly mtu: number;
  readonly netns: string;
  readonly dev: string;
}

/**
 * The smallest MTU of the links the outcome's steps and frames name, read from the World (what
 * `ip link` prints). A tunnel device's MTU already leaves room for its headers (flannel.1 is
 * the underlay's 1500 minus 50), so the minimum is the largest packet the client can send
 * unfragmented. Ties keep the first link on the path.
 */
export function pathMtu(world: World, o: Outcome): PathMtu | null {
  let best: PathMtu | null = null;
  const seen = new Set<string>();
  const consider = (netns: string, dev: string | null): void => {
    if (dev === null || seen.has(`${netns}|${dev}`)) return;
    seen.add(`${netns}|${dev}`);
    const ns = world.netns.get(netns);
    const link = ns ? findLink(ns, dev) : undefined;
    if (link && (best === null || link.mtu < best.mtu)) best = { mtu: link.mtu, netns, dev };
  };
  for (const s of o.steps) consider(s.netns, s.dev);
  for (const f of o.frames) consider(f.netns, f.dev);
  return best;
}

import { type Ipv4 } from '../../net/ipv4.js';
import { type Mac } from '../../net/mac.js';
import { findLink, type Netns } from '../../kernel/netns.js';
import type { Link } from '../../kernel/link.js';
import { type BranchOutcome } from '../cursor.js';


/** Helpers every stage of the walk shares. */

export type Outcomes = BranchOutcome[];

export function linkOf(ns: Netns, dev: string): Link {
  const l = findLink(ns, dev);
  if (!l) throw new Error(`netns ${ns.id} has no link ${dev}`);
  return l;
}


export function staticNeigh(ns: Netns, dev: string, ip: Ipv4): Mac | null {
  const e = ns.neigh.find((n) => n.dev === dev && n.dst === ip && !n.proxy && n.lladdr !== null && (n.state === 'PERMANENT' || n.state === 'NOARP' || n.state === 'REACHABLE'));
  return e?.lladdr ?? null;
}

import type { IfAddr } from './addr.js';
import type { FdbEntry } from './fdb.js';
import type { Link } from './link.js';
import type { NeighEntry } from './neigh.js';
import type { IpsetMap } from './netfilter/ipset.js';
import type { IpvsTable } from './ipvs/table.js';
import type { Ruleset } from './netfilter/ruleset.js';
import type { FibRule, Route } from './route.js';
import type { Sysctls } from './sysctl.js';

/**
 * One network namespace: everything `ip link/addr/route/rule/neigh`, `bridge fdb`, `sysctl` and
 * `iptables-save` would print inside it. Readonly: operations in kernel/ops return a new Netns.
 * Dynamic state a packet walk changes (conntrack, learned neighbours and FDB entries) lives in
 * kernel/dynamic-state.ts, not here.
 */
export interface Netns {
  /** Unique id in the world, e.g. "node1" or "node1/default/pod-a". */
  readonly id: string;
  readonly links: readonly Link[];
  readonly addrs: readonly IfAddr[];
  readonly routes: readonly Route[];
  readonly rules: readonly FibRule[];
  readonly neigh: readonly NeighEntry[];
  readonly fdb: readonly FdbEntry[];
  readonly sysctls: Sysctls;
  readonly netfilter: Ruleset;
  /** The netns's ip sets (`ipset save`), which `-m set` matches look up by name. */
  readonly ipsets: IpsetMap;
  /** The IPVS table (`ipvsadm -Ln`); absent while the ip_vs module has never been used here. */
  readonly ipvs?: IpvsTable;
  /** Next ifindex to hand out (lo is 1). */
  readonly nextIfindex: number;
}

/** All namespaces of an emulated system, connected by veth pairs and by the IP paths between them. */
export interface World {
  readonly netns: ReadonlyMap<string, Netns>;
}

export function findLink(ns: Netns, name: string): Link | undefined {
  return ns.links.find((l) => l.name === name);
}

export function getLink(ns: Netns, name: string): Link {
  const l = findLink(ns, name);
  if (!l) throw new Error(`netns ${ns.id} has no link ${name}`);
  return l;
}

export function getNetns(world: World, id: string): Netns {
  const ns = world.netns.get(id);
  if (!ns) throw new Error(`no netns ${id}`);
  return ns;
}

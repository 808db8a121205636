import type { World } from '../kernel/netns.js';
import { printRuleset } from '../kernel/netfilter/print.js';
import type { Ruleset } from '../kernel/netfilter/ruleset.js';
import type { LabCommand } from './command.js';
import { linkAddCommands, masterCommands, netnsCommands, upCommands, type NameOf } from './materialize-links.js';
import { addrCommands, fdbCommands, ipsetCommands, iptablesCommands, neighCommands, routeCommands, ruleCommands, sysctlCommands } from './materialize-l3.js';

export interface MaterializeOptions {
  /** Real netns name for a model netns id (see netnsNames). */
  readonly netnsName: NameOf;
  /** iptables-restore input for a ruleset; default: kernel/netfilter's iptables-save printer. */
  readonly iptablesText?: (ruleset: Ruleset) => string;
}

/**
 * The commands that make the real kernel hold the World's state, in an order that works: all
 * namespaces, all links (veth pairs cross namespaces), bridge ports, sysctls (per-device keys need
 * the device; set before `up`, as CNI plugins do), links up, addresses, routes, rules, neighbours,
 * FDB entries, ip sets, iptables. What the kernel derives by itself (lo, `proto kernel` and local-table
 * routes, learned neighbours and FDB entries) is not commanded.
 */
export function materialize(world: World, opts: MaterializeOptions): LabCommand[] {
  const all = [...world.netns.values()];
  const name = opts.netnsName;
  const made = new Set<string>();
  return [
    ...all.flatMap((ns) => netnsCommands(ns, name)),
    ...all.flatMap((ns) => linkAddCommands(world, ns, name, made)),
    ...all.flatMap((ns) => masterCommands(ns, name)),
    ...all.flatMap((ns) => sysctlCommands(ns, name)),
    ...all.flatMap((ns) => upCommands(ns, name)),
    ...all.flatMap((ns) => addrCommands(ns, name)),
    ...all.flatMap((ns) => routeCommands(ns, name)),
    ...all.flatMap((ns) => ruleCommands(ns, name)),
    ...all.flatMap((ns) => neighCommands(ns, name)),
    ...all.flatMap((ns) => fdbCommands(ns, name)),
    ...all.flatMap((ns) => ipsetCommands(ns, name)),
    ...all.flatMap((ns) => iptablesCommands(ns, name, opts.iptablesText ?? ((r) => printRuleset(r)))),
  ];
}

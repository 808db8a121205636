import { Command } from 'commander';
import { match } from 'ts-pattern';
import { getNetns } from '../../kernel/netns.js';
import { printBridgeFdb, printIpAddr, printIpLink, printIpNeigh, printIpRoute, printIpRule, printSysctl } from '../../kernel/print/index.js';
import { printRuleset } from '../../kernel/netfilter/print.js';
import { formatIpsetSave } from '../../kernel/netfilter/ipset.js';
import { EMPTY_IPVS } from '../../kernel/ipvs/table.js';
import { printIpvsadm } from '../../kernel/print/ipvsadm.js';
import type { System } from '../../topology/system.js';
import { loadSystem } from '../load.js';
import { UsageError } from '../exit.js';

export const SHOW_WHAT = ['links', 'addrs', 'routes', 'rules', 'neigh', 'fdb', 'iptables', 'ipvs', 'ipset', 'sysctl'] as const;
export type ShowWhat = (typeof SHOW_WHAT)[number];

/** WHERE: a node name, `node/NAME`, `NS/POD`, or `underlay`. */
export function resolveWhere(system: System, where: string): string {
  const infos = [...system.netns.values()];
  const name = where.startsWith('node/') ? where.slice(5) : where;
  const node = infos.find((i) => i.role.kind === 'node' && i.role.node === name);
  if (node) return node.id;
  if (where === 'underlay') return infos.find((i) => i.role.kind === 'underlay')?.id ?? where;
  const [ns, pod] = where.includes('/') ? where.split('/') : ['default', where];
  const p = infos.find((i) => i.role.kind === 'pod' && i.role.namespace === ns && i.role.name === pod);
  if (p) return p.id;
  const host = system.hostNetworkPods.get(`${ns}/${pod}`);
  if (host) return host.netns;
  const nodes = infos.filter((i) => i.role.kind === 'node').map((i) => i.where);
  throw new UsageError(`"${where}" is not a node, pod or "underlay" of ${system.name}; nodes: ${nodes.join(', ')}; pods are NS/NAME`);
}

/** The state of one netns exactly as the Linux tool prints it. */
export function showText(system: System, netns: string, what: ShowWhat): string {
  const ns = getNetns(system.world, netns);
  return match(what)
    .with('links', () => printIpLink(system.world, netns, { details: true }))
    .with('addrs', () => printIpAddr(system.world, netns))
    .with('routes', () => printIpRoute(system.world, netns))
    .with('rules', () => printIpRule(ns))
    .with('neigh', () => printIpNeigh(ns))
    .with('fdb', () => printBridgeFdb(system.world, netns))
    .with('iptables', () => printRuleset(ns.netfilter))
    // `ipvsadm -Ln` loads ip_vs if needed, so a netns without services prints the empty table.
    .with('ipvs', () => printIpvsadm(ns.ipvs ?? EMPTY_IPVS))
    .with('ipset', () => formatIpsetSave(ns.ipsets.values()))
    .with('sysctl', () => printSysctl(ns))
    .exhaustive();
}

export function showCommand(): Command {
  return new Command('show')
    .description('print a node or pod netns as ip/bridge/iptables-save/ipvsadm -Ln/ipset save/sysctl would')
    .argument('<file>', 'topology file')
    .argument('<where>', 'node name, NS/POD, or underlay')
    .argument('<what>', SHOW_WHAT.join('|'))
    .option('--json', 'print JSON: {netns, what, lines}')
    .action(async (file: string, where: string, what: string, opts: { json?: boolean }) => {
      if (!(SHOW_WHAT as readonly string[]).includes(what)) throw new UsageError(`show: "${what}" is not one of ${SHOW_WHAT.join(', ')}`);
      const { system } = await loadSystem(file);
      const netns = resolveWhere(system, where);
      const text = showText(system, netns, what as ShowWhat);
      process.stdout.write(opts.json ? `${JSON.stringify({ netns, where: system.netns.get(netns)?.where ?? netns, what, lines: text.split('\n').filter((l) => l !== '') }, null, 2)}\n` : text.endsWith('\n') || text === '' ? text : `${text}\n`);
    });
}

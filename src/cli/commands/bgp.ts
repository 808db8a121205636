import { Command } from 'commander';
import { calicoBgpInput } from '../../controllers/bgp/calico-input.js';
import { EVENT_SPEC_SYNTAX, parseEventSpec } from '../../controllers/bgp/event-spec.js';
import { simulateBgp } from '../../controllers/bgp/simulate.js';
import type { BgpScenarioEvent } from '../../controllers/bgp/types.js';
import { loadTopology } from '../../topology/load.js';
import { inputErrorToUsage, UsageError } from '../exit.js';
import { bgpJson } from '../format/bgp-json.js';
import { bgpText } from '../format/bgp-text.js';

/**
 * `podnet bgp FILE [--events SPEC ...] [--until SECONDS] [--node NAME] [--json]`: run calico-node's
 * BIRD on every node of a Calico topology through simulated time: sessions, the message
 * timeline, and the routes each node ends up with, in `ip route` form.
 */
export interface BgpOptions {
  readonly events?: readonly string[];
  readonly until?: string;
  readonly node?: string;
  readonly json?: boolean;
}

export async function bgpAction(file: string, o: BgpOptions): Promise<string> {
  const loaded = await loadTopology(file);
  if (!loaded.ok) throw inputErrorToUsage(loaded.error);
  const cluster = loaded.value;
  const cni = cluster.header.cni;
  if (cni.kind !== 'calico') throw new UsageError(`bgp: ${file} uses cni: ${cni.kind}; BGP runs only with cni: calico (modes bgp and ipip run BIRD)`);
  const input = calicoBgpInput(cluster);
  if (input === null) throw new UsageError(`bgp: ${file} uses Calico mode ${cni.mode} without BGP (calico_backend: vxlan): there is no BIRD to simulate`);
  const names = input.speakers.map((s) => s.node);
  const scenario: BgpScenarioEvent[] = [];
  for (const spec of o.events ?? []) {
    const parsed = parseEventSpec(spec, names);
    if (!parsed.ok) throw new UsageError(parsed.error);
    scenario.push(...parsed.value);
  }
  let until: number | undefined;
  if (o.until !== undefined) {
    until = Number(o.until);
    if (!/^[0-9]+(\.[0-9]+)?$/.test(o.until) || !Number.isFinite(until)) throw new UsageError(`--until ${o.until}: expected a number of seconds, like 60 or 2.5`);
  }
  if (o.node !== undefined && !names.includes(o.node)) throw new UsageError(`--node ${o.node}: no such node; the nodes are ${names.join(', ')}`);
  const sim = simulateBgp(input, scenario, until === undefined ? {} : { until });
  const report = { file, cluster, cni, input, scenario, sim, node: o.node ?? null };
  return o.json ? JSON.stringify(bgpJson(report), null, 2) : bgpText(report);
}

export function bgpCommand(): Command {
  return new Command('bgp')
    .description('BGP sessions, updates over time and converged routes of calico-node\'s BIRD on every node')
    .argument('<file>', 'topology file (cni: calico, mode bgp or ipip)')
    .option('--events <spec>', `what happens when: ${EVENT_SPEC_SYNTAX}; repeatable`, (v: string, prev: string[] = []) => [...prev, v])
    .option('--until <seconds>', 'simulate until this time (default: 300 s after the last event)')
    .option('--node <name>', 'show only this node\'s sessions, timeline and routes')
    .option('--json', 'print JSON instead of text')
    .action(async (file: string, opts: BgpOptions) => {
      process.stdout.write(`${await bgpAction(file, opts)}\n`);
    });
}

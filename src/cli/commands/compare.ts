import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { err, ok } from '../../lib/result.js';
import { formatInputError } from '../../lib/input-error.js';
import { parseTopology } from '../../topology/load.js';
import { compareCni, type CompareSource } from '../../compare/compare.js';
import { DEFAULT_VARIANTS, parseVariantList } from '../../compare/variant.js';
import { inputErrorToUsage, UsageError } from '../exit.js';
import { compareJson } from '../format/compare-json.js';
import { factRows } from '../format/compare-cells.js';
import { compareLayout } from '../format/compare-table.js';
import { describeFlowKind, parseIntOpt, splitPort, traceRequestFromOptions } from './trace.js';

export interface CompareOptions {
  readonly from: string;
  readonly to: string;
  readonly proto?: string;
  readonly size?: string;
  readonly cni?: string;
  readonly seed?: string;
  readonly width?: string;
  readonly json?: boolean;
}

/** The width to lay the table out for: --width, else the terminal's, else 80 (a pipe). */
function layoutWidth(o: CompareOptions): number {
  return parseIntOpt('width', o.width, 40, 1000) ?? (process.stdout.isTTY ? process.stdout.columns : undefined) ?? 80;
}

export async function compareAction(file: string, o: CompareOptions): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read the topology file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const own = parseTopology(text, file);
  if (!own.ok) throw inputErrorToUsage(own.error);
  const variants = parseVariantList(o.cni ?? DEFAULT_VARIANTS);
  if (!variants.ok) throw new UsageError(`--cni: ${variants.error}`);
  const request = traceRequestFromOptions(o);
  const { endpoint } = splitPort(o.to);
  const kind = request.kind;
  const width = layoutWidth(o);
  const source: CompareSource = {
    cluster: own.value,
    reload: (cni) => {
      const r = parseTopology(text, file, { cni });
      return r.ok ? ok(r.value) : err(formatInputError(r.error));
    },
  };
  const columns = compareCni(source, variants.value, request);
  if (!columns.ok) throw new UsageError(columns.error);
  const header = { topology: own.value.header.name, from: o.from, to: endpoint, flow: kind };
  if (o.json) return JSON.stringify(compareJson(header, columns.value), null, 2);
  const what = describeFlowKind(kind);
  const names = columns.value.map((c) => c.name);
  return [
    `compare ${o.from} -> ${endpoint}: ${what}`,
    `topology ${own.value.header.name}; ${names.length} CNI variant${names.length === 1 ? '' : 's'}`,
    '',
    ...compareLayout(names, factRows(columns.value), width),
  ].join('\n');
}

export function compareCommand(): Command {
  return new Command('compare')
    .description('the same flow under several CNI plugins, side by side: path, hops, encapsulation, MTU, TTL, source IP, policy, routes')
    .argument('<file>', 'topology file')
    .requiredOption('--from <src>', 'source: NS/POD or node/NAME (by name: pod IPs differ per CNI)')
    .requiredOption('--to <dst>', 'destination: NS/POD[:PORT], node/NAME[:PORT], svc/NS/NAME[:PORT], external[:IP] or an IP outside the pod CIDR')
    .addOption(new Option('--proto <proto>', 'protocol (default: tcp with a port, icmp without)').choices(['tcp', 'udp', 'icmp']))
    .option('--size <bytes>', 'payload bytes (ICMP data or UDP payload)')
    .option('--cni <list>', `comma-separated CNI variants (default ${DEFAULT_VARIANTS})`)
    .option('--seed <n>', 'pick one outcome of the random choices deterministically')
    .option('--width <cols>', 'lay the table out for this many columns (default: the terminal width, 80 in a pipe)')
    .option('--json', 'print JSON instead of text')
    .action(async (file: string, opts: CompareOptions) => {
      process.stdout.write(`${await compareAction(file, opts)}\n`);
    });
}

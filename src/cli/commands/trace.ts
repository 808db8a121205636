import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { match } from 'ts-pattern';
import { parseEndpointSpec } from '../../trace/endpoint.js';
import { PING_DEFAULT_SIZE, type FlowKind } from '../../trace/flow.js';
import { runTrace, type TraceRequest, type TraceRun } from '../../trace/run.js';
import type { System } from '../../topology/system.js';
import { flowText } from '../format/trace-text.js';
import { traceRunJson } from '../format/trace-json.js';
import { loadSystem } from '../load.js';
import { checkPolicy, type PolicyCheck } from '../../trace/policy-check.js';
import { UsageError } from '../exit.js';
import type { Dynamic } from '../../trace/dynamic-state.js';
import { dnsNameOf, namedPcap, resolutionJson, resolutionLines, resolveTarget } from './trace-name.js';

export interface TraceOptions {
  readonly from: string;
  readonly to: string;
  readonly proto?: string;
  readonly port?: string;
  readonly size?: string;
  readonly seed?: string;
  readonly json?: boolean;
  readonly pcap?: string;
  /** glibc|musl for resolving a DNS name in --to (default: the pod's podnet.dev/libc annotation). */
  readonly resolver?: string;
}

export function parseIntOpt(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`--${name} ${v}: expected an integer from ${min} to ${max}`);
  return Number(v);
}

/** `--to NS/POD[:PORT]`: split the port off the endpoint. */
export function splitPort(text: string): { endpoint: string; port: number | undefined } {
  const m = /^(.*):(\d+)$/.exec(text);
  if (!m || m[1] === undefined || m[2] === undefined) return { endpoint: text, port: undefined };
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new UsageError(`port ${m[2]} in "${text}": expected 1 to 65535`);
  return { endpoint: m[1], port };
}

export function flowKindFrom(proto: string | undefined, port: number | undefined, size: number | undefined): FlowKind {
  const p = proto ?? (port !== undefined ? 'tcp' : 'icmp');
  return match(p)
    .with('icmp', (): FlowKind => {
      if (port !== undefined) throw new UsageError('ICMP has no ports; drop the :PORT or use --proto tcp|udp');
      return { proto: 'icmp', size: size ?? PING_DEFAULT_SIZE };
    })
    .with('tcp', (): FlowKind => {
      if (port === undefined) throw new UsageError('--proto tcp needs a destination port: --to DST:PORT');
      return { proto: 'tcp', dport: port };
    })
    .with('udp', (): FlowKind => {
      if (port === undefined) throw new UsageError('--proto udp needs a destination port: --to DST:PORT');
      return { proto: 'udp', dport: port, size: size ?? 32 };
    })
    .otherwise(() => {
      throw new UsageError(`--proto ${p}: expected tcp, udp or icmp`);
    });
}

/** --from, --to[:PORT], --proto, --size and --seed as a trace request (usage errors throw). */
export function traceRequestFromOptions(o: Pick<TraceOptions, 'from' | 'to' | 'proto' | 'size' | 'seed'>): TraceRequest {
  const from = parseEndpointSpec(o.from);
  if (!from.ok) throw new UsageError(`--from: ${from.error}`);
  const { endpoint, port } = splitPort(o.to);
  const to = parseEndpointSpec(endpoint);
  if (!to.ok) throw new UsageError(`--to: ${to.error}`);
  const kind = flowKindFrom(o.proto, port, parseIntOpt('size', o.size, 0, 65000));
  const seed = parseIntOpt('seed', o.seed, 0, 2 ** 32 - 1);
  return { from: from.value, to: to.value, kind, ...(seed !== undefined ? { seed } : {}) };
}

export function traceFromOptions(system: System, o: TraceOptions, dyn?: Dynamic): TraceRun {
  const run = runTrace(system, traceRequestFromOptions(o), dyn);
  if (!run.ok) throw new UsageError(run.error);
  return run.value;
}

export function describeFlowKind(kind: FlowKind): string {
  return match(kind)
    .with({ proto: 'icmp' }, (k) => `ICMP echo (${k.size} data bytes)`)
    .with({ proto: 'tcp' }, (k) => `TCP connect to port ${k.dport}`)
    .with({ proto: 'udp' }, (k) => `UDP to port ${k.dport}`)
    .exhaustive();
}

export function traceTitle(system: System, run: TraceRun): { title: string; context: string } {
  const what = describeFlowKind(run.kind);
  const problems = system.events.filter((e) => e.level !== 'info').map((e) => `\n  ${e.level}: ${e.component} on ${e.node}: ${e.message}${e.request ? ` [${e.request}]` : ''}`);
  return { title: `trace ${run.from.label} -> ${run.to.label}: ${what}`, context: `topology ${system.name}: ${system.description}${problems.join('')}` };
}

export function label(system: System): (netns: string) => string {
  return (id) => system.netns.get(id)?.where ?? id;
}

export async function traceAction(file: string, o: TraceOptions): Promise<string> {
  const { system, cluster } = await loadSystem(file);
  // `--to NAME:PORT`: the source pod resolves NAME first (every query walked as a packet).
  const { endpoint, port } = splitPort(o.to);
  const dnsName = dnsNameOf(cluster, endpoint);
  const named = dnsName === null ? null : resolveTarget(system, cluster, o.from, dnsName, { ...(o.resolver !== undefined ? { resolver: o.resolver } : {}), ...(o.seed !== undefined ? { seed: parseIntOpt('seed', o.seed, 0, 2 ** 32 - 1) ?? 0 } : {}) });
  if (named?.kind === 'unresolved') {
    // Not bad input: the lookup ran and its answer is the result (exit 0, like any disposition).
    if (o.pcap) await writeFile(o.pcap, namedPcap(named, []));
    if (o.json) return JSON.stringify({ topology: system.name, resolution: resolutionJson(named), outcomes: [] }, null, 2);
    return resolutionLines(named).join('\n').trimEnd();
  }
  const traced = named ? traceFromOptions(system, { ...o, to: port === undefined ? named.address : `${named.address}:${port}` }, named.dyn) : traceFromOptions(system, o);
  const run = named ? { ...traced, to: { ...traced.to, label: `${named.name} = ${traced.to.label}` } } : traced;
  const policy = run.outcomes.map((x) => checkPolicy(cluster, run.kind, x));
  if (o.pcap) {
    const { framesToPcap, flowFrames } = await import('../format/trace-pcap.js');
    await writeFile(o.pcap, named ? namedPcap(named, flowFrames(run)) : framesToPcap(run));
  }
  if (o.json) {
    const doc = traceRunJson(run.system ?? system, run);
    return JSON.stringify({ ...doc, ...(named ? { resolution: resolutionJson(named) } : {}), outcomes: doc.outcomes.map((x, i) => ({ ...x, policy: policy[i] ?? null })) }, null, 2);
  }
  const lines = [...(named ? resolutionLines(named) : []), ...flowText(traceTitle(run.system ?? system, run), run.outcomes, label(run.system ?? system))];
  const checks = policy.filter((p): p is PolicyCheck => p !== null);
  for (const [i, p] of policy.entries()) {
    if (!p) continue;
    const which = run.outcomes.length > 1 ? ` (outcome ${i + 1})` : '';
    lines.push(`NetworkPolicy${which}: ${p.allowed ? 'ALLOWED' : 'POLICY_DENIED'} - ${p.summary}`);
  }
  if (checks[0] && !checks[0].enforced) lines.push(`  ${checks[0].note}; the packet above was not filtered.`);
  if (o.pcap) lines.push(`pcap: wrote ${named ? 'the DNS queries and replies, then ' : ''}${run.outcomes.reduce((n, x) => n + x.request.frames.length + (x.reply?.frames.length ?? 0), 0)} frames to ${o.pcap} (decode VXLAN with: tshark -r ${o.pcap} -d udp.port==8472,vxlan)`);
  return lines.join('\n');
}

export function traceCommand(): Command {
  return new Command('trace')
    .description('walk a packet (and its reply) from SRC to DST through every node kernel, hop by hop')
    .argument('<file>', 'topology file')
    .requiredOption('--from <src>', 'source: NS/POD, node/NAME or an IP of a pod or node')
    .requiredOption('--to <dst>', 'destination: NS/POD[:PORT], node/NAME[:PORT], svc/NS/NAME[:PORT], IP[:PORT] or a DNS NAME[:PORT] the source pod resolves first')
    .addOption(new Option('--proto <proto>', 'protocol (default: tcp with a port, icmp without)').choices(['tcp', 'udp', 'icmp']))
    .option('--size <bytes>', 'payload bytes (ICMP data or UDP payload)')
    .option('--seed <n>', 'pick one outcome of the random choices deterministically')
    .option('--pcap <out>', 'write every frame of the walk to a pcap file')
    .option('--resolver <libc>', 'glibc|musl: the libc that resolves a DNS name in --to (default: the pod\'s podnet.dev/libc annotation, else glibc)')
    .option('--json', 'print JSON instead of text')
    .action(async (file: string, opts: TraceOptions) => {
      process.stdout.write(`${await traceAction(file, opts)}\n`);
    });
}


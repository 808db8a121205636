import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { match } from 'ts-pattern';
import { formatInputError } from '../../lib/input-error.js';
import { formatIpv4, parseIpv4, type Ipv4 } from '../../net/ipv4.js';
import { portsOf, type Ipv4Packet } from '../../net/packet.js';
import { parseIptablesSave } from '../../kernel/netfilter/parse.js';
import { SPEC_PROTOS, traceOnHost, type SpecProto, type TraceOutcome } from '../../kernel/netfilter/trace.js';
import { ensureKubeProxyJumps } from '../../controllers/kube-proxy/jumps.js';
import type { NatAction } from '../../kernel/netfilter/verdict.js';
import { describePacket } from '../../trace/describe.js';
import { UsageError } from '../exit.js';
import { splitPort } from './trace.js';

export interface IptablesTraceOptions {
  readonly rules: string;
  readonly src: string;
  readonly dst: string;
  readonly proto?: string;
  readonly sport?: string;
  readonly in?: string;
  readonly out?: string;
  readonly localIp?: string;
  readonly fromHost?: boolean;
  readonly kubeProxyJumps?: boolean;
  readonly json?: boolean;
}

function ip(flag: string, text: string): Ipv4 {
  const r = parseIpv4(text);
  if (!r.ok) throw new UsageError(`${flag}: ${r.error}`);
  return r.value;
}

function natText(n: NatAction | null): string | null {
  if (!n) return null;
  return match(n)
    .with({ kind: 'dnat' }, (x) => `DNAT to ${formatIpv4(x.addr)}${x.port !== null ? `:${x.port}` : ''}`)
    .with({ kind: 'snat' }, (x) => `SNAT to ${formatIpv4(x.addr)}`)
    .with({ kind: 'masquerade' }, () => 'MASQUERADE')
    .with({ kind: 'redirect' }, () => 'REDIRECT')
    .exhaustive();
}

function endpointText(p: Ipv4Packet): string {
  const ports = portsOf(p);
  return `${formatIpv4(p.header.dst)}${ports ? `:${ports.dport}` : ''}`;
}

export function outcomeText(o: TraceOutcome, i: number, n: number): string[] {
  const lines: string[] = [];
  if (n > 1) lines.push(`--- outcome ${i + 1} of ${n}: probability ${o.probability.toFixed(4)} ---`);
  for (const st of o.stages) {
    lines.push(`${st.hook} (in ${st.inDev ?? '-'}, out ${st.outDev ?? '-'}, ctstate ${st.ctstate}, mark 0x${st.markBefore.toString(16)})`);
    for (const h of st.hits) lines.push(`  [${h.rule.table}] ${h.rule.text}`);
    const nat = natText(st.nat);
    if (nat) lines.push(`  => ${nat}: ${describePacket(st.before)}  ->  ${describePacket(st.after)}`);
  }
  const verdict = match(o.verdict)
    .with({ kind: 'accept' }, () => 'ACCEPTED')
    .with({ kind: 'drop' }, (v) => `DROPPED by [${v.rule.table}] ${v.rule.text}`)
    .with({ kind: 'reject' }, (v) => `REJECTED (${v.with}) by [${v.rule.table}] ${v.rule.text}`)
    .exhaustive();
  lines.push(`verdict: ${verdict}${o.conntrackError ? ` (conntrack: ${o.conntrackError})` : ''}`);
  if (o.route) lines.push(`route: ${o.route.kind === 'local' ? 'local delivery (INPUT)' : `forwarded out ${o.route.outDev}`}`);
  lines.push(`destination: ${endpointText(o.packet)}${o.dnat ? ' (DNAT)' : ''}`);
  const masq = o.snat ? `yes, ${natText(o.snat)} in ${o.snat.rule.chain}: source ${formatIpv4(o.stages[0]?.before.header.src ?? o.packet.header.src)} -> ${formatIpv4(o.packet.header.src)}` : 'no, the source address is kept';
  lines.push(`masquerade: ${masq} (mark 0x${o.mark.toString(16)}${(o.mark & 0x4000) !== 0 ? ', 0x4000 masquerade bit set' : ''})`);
  if (o.conntrackLine) lines.push(`conntrack: ${o.conntrackLine}`);
  return lines;
}

export async function iptablesTraceAction(o: IptablesTraceOptions): Promise<string> {
  let text: string;
  try {
    text = await readFile(o.rules, 'utf8');
  } catch (e) {
    throw new UsageError(`${o.rules}: cannot read the rules file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const parsed = parseIptablesSave(text, o.rules);
  if (!parsed.ok) throw new UsageError(formatInputError(parsed.error));
  const rs = o.kubeProxyJumps ? ensureKubeProxyJumps(parsed.value) : parsed;
  if (!rs.ok) throw new UsageError(formatInputError(rs.error));
  const { endpoint, port } = splitPort(o.dst);
  const protoText = o.proto ?? (port !== undefined ? 'tcp' : 'icmp');
  const proto = SPEC_PROTOS.find((p): p is SpecProto => p === protoText);
  if (proto === undefined) throw new UsageError(`--proto ${protoText}: expected one of ${SPEC_PROTOS.join(', ')}`);
  if (proto !== 'icmp' && port === undefined) throw new UsageError(`--proto ${proto} needs a destination port: --dst IP:PORT`);
  const local = (o.localIp ?? '').split(',').filter(Boolean).map((x) => ip('--local-ip', x.trim()));
  const sport = o.sport !== undefined ? Number(o.sport) : undefined;
  if (sport !== undefined && (!Number.isInteger(sport) || sport < 1 || sport > 65535)) throw new UsageError(`--sport ${o.sport}: expected 1 to 65535`);
  const { origin, outcomes } = traceOnHost({
    ruleset: rs.value,
    packet: { src: ip('--src', o.src), dst: ip('--dst', endpoint), proto, ...(port !== undefined ? { dport: port } : {}), ...(sport !== undefined ? { sport } : {}) },
    localAddrs: local,
    ...(o.in !== undefined ? { inDev: o.in } : {}),
    ...(o.out !== undefined ? { outDev: o.out } : {}),
    ...(o.fromHost ? { fromHost: true } : {}),
  });
  if (o.json) {
    return JSON.stringify(
      outcomes.map((x) => ({
        origin,
        probability: x.probability,
        verdict: x.verdict.kind,
        rule: x.verdict.kind === 'accept' ? null : x.verdict.rule.text,
        destination: endpointText(x.packet),
        dnat: natText(x.dnat),
        masqueraded: x.masqueraded,
        source: formatIpv4(x.packet.header.src),
        mark: x.mark,
        route: x.route,
        conntrack: x.conntrackLine,
        stages: x.stages.map((s) => ({ hook: s.hook, ctstate: s.ctstate, hits: s.hits.map((h) => `[${h.rule.table}] ${h.rule.text}`), nat: natText(s.nat) })),
      })),
      null,
      2,
    );
  }
  const first = outcomes[0]?.stages[0]?.before;
  const head = `iptables trace ${first ? describePacket(first) : ''} through ${o.rules}: ${outcomes.length} outcome${outcomes.length === 1 ? '' : 's'}`;
  const from = origin === 'sent' ? 'sent by the host itself (OUTPUT first)' : `arrived on ${o.in ?? 'eth0'} (PREROUTING first)`;
  const summary = outcomes.length > 1 ? outcomes.map((x, i) => `  [${i + 1}] p=${x.probability.toFixed(4)} -> ${endpointText(x.packet)} ${x.verdict.kind.toUpperCase()}${x.masqueraded ? ' masqueraded' : ''}`) : [];
  return [head, `origin: ${from}`, ...summary, '', ...outcomes.flatMap((x, i) => [...outcomeText(x, i, outcomes.length), ''])].join('\n');
}

export function iptablesCommand(): Command {
  const cmd = new Command('iptables').description('work with iptables-save dumps copied off real nodes');
  cmd
    .command('trace')
    .description('trace one packet through an iptables-save dump: every rule hit, rewrites, masquerade decision, all outcomes')
    .requiredOption('--rules <file>', 'iptables-save output')
    .requiredOption('--src <ip>', 'source address')
    .requiredOption('--dst <ip[:port]>', 'destination address (and port)')
    .addOption(new Option('--proto <proto>', 'protocol (default: tcp with a port, icmp without)').choices([...SPEC_PROTOS]))
    .option('--sport <port>', 'source port (default 40000)')
    .option('--in <dev>', 'input device for an arriving packet (default eth0)')
    .option('--out <dev>', 'output device when forwarded or sent (default eth0)')
    .option('--local-ip <ips>', "the node's own addresses, comma-separated (for addrtype LOCAL, local delivery and MASQUERADE)")
    .option('--from-host', 'the packet is sent by the node itself (OUTPUT) instead of arriving (the default when --src is a --local-ip or in 127.0.0.0/8)')
    .option('--kube-proxy-jumps', "the dump is kube-proxy's iptables-restore input (its unit tests, its --v=5 log): add the jumps from the built-in chains that kube-proxy and kubelet install separately")
    .option('--json', 'print JSON')
    .action(async (opts: IptablesTraceOptions) => {
      process.stdout.write(`${await iptablesTraceAction(opts)}\n`);
    });
  return cmd;
}

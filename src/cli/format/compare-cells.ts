import { match } from 'ts-pattern';
import { formatIpv4 } from '../../net/ipv4.js';
import type { CompareColumn, VariantRun } from '../../compare/compare.js';
import type { OutcomeFacts } from '../../compare/facts.js';
import type { Tunnel } from '../../compare/tunnel.js';
import { dispositionText } from './disposition-text.js';

/**
 * The facts of a comparison as text cells: one row per fact, one cell per variant. Each row has
 * a long form (side-by-side table, detail blocks) and a short one (the one-line-per-variant
 * summary used when the columns do not fit side by side).
 */
export interface FactRow {
  readonly label: string;
  /** Heading in the summary table; null: the row is too long for it (path, routes). */
  readonly heading: string | null;
  /** Per column: the lines of its cell. */
  readonly cells: readonly (readonly string[])[];
  readonly short: readonly string[];
}

/** `pod default/pod-a` -> `default/pod-a`: every path element of a compare is a pod or a node. */
const shortWhere = (w: string): string => w.replace(/^pod /, '');

function tunnelText(t: Tunnel, where: (id: string) => string): string {
  const at = t.dev ? `${t.dev} on ${where(t.netns)}` : `from ${where(t.netns)}`;
  const outer = `${formatIpv4(t.outerSrc)} > ${formatIpv4(t.outerDst)}`;
  return match(t.header)
    .with({ kind: 'vxlan' }, (h) => `VXLAN UDP ${h.udpDstPort} VNI ${h.vni}, ${outer} (${at})`)
    .with({ kind: 'ipip' }, () => `IPIP (IP proto 4), ${outer} (${at})`)
    .exhaustive();
}

function tunnelShort(t: Tunnel): string {
  return match(t.header)
    .with({ kind: 'vxlan' }, (h) => `VXLAN:${h.udpDstPort}`)
    .with({ kind: 'ipip' }, () => 'IPIP')
    .exhaustive();
}

interface Fact {
  readonly label: string;
  readonly heading: string | null;
  readonly long: (o: OutcomeFacts, r: VariantRun, where: (id: string) => string) => readonly string[];
  readonly short: (o: OutcomeFacts, r: VariantRun) => string;
}

const FACTS: readonly Fact[] = [
  {
    label: 'verdict',
    heading: 'VERDICT',
    // When the request itself failed, its disposition names where; else the flow's verdict says what happened.
    long: (o, _r, where) => [`${o.verdict.kind.toUpperCase()}: ${o.verdict.kind === 'failed' && o.disposition.kind !== 'DELIVERED' && o.disposition.kind !== 'REFUSED' ? dispositionText(o.disposition, where) : o.verdict.detail}`],
    short: (o) => o.verdict.kind.toUpperCase(),
  },
  { label: 'path', heading: null, long: (o) => [o.path.map(shortWhere).join(' > ')], short: () => '' },
  {
    label: 'hops',
    heading: 'HOPS',
    long: (o) => [o.routers.length === 0 ? '0 (not routed)' : `${o.routers.length}: ${o.routers.map((r) => `${shortWhere(r.where)} (ttl ${r.ttlBefore}>${r.ttlAfter})`).join(', ')}`],
    short: (o) => String(o.routers.length),
  },
  {
    label: 'encapsulation',
    heading: 'ENCAP',
    long: (o, _r, where) => (o.tunnels.length === 0 ? ['none'] : o.tunnels.map((t) => tunnelText(t, where))),
    short: (o) => (o.tunnels.length === 0 ? 'none' : o.tunnels.map(tunnelShort).join('+')),
  },
  {
    label: 'overhead',
    heading: 'OVERHEAD',
    long: (o) => [o.tunnels.length === 0 ? '0 B' : o.tunnels.map((t) => `${t.overhead} B/packet (frame ${t.innerBytes} > ${t.wireBytes})`).join('; ')],
    short: (o) => `${o.overhead}`,
  },
  {
    label: 'path MTU',
    heading: 'MTU',
    long: (o, _r, where) => [o.pathMtu ? `${o.pathMtu.mtu} (${o.pathMtu.dev} in ${shortWhere(where(o.pathMtu.netns))})` : '-'],
    short: (o) => (o.pathMtu ? String(o.pathMtu.mtu) : '-'),
  },
  { label: 'TTL on arrival', heading: 'TTL', long: (o) => [o.ttlOnArrival === null ? '- (not delivered)' : String(o.ttlOnArrival)], short: (o) => (o.ttlOnArrival === null ? '-' : String(o.ttlOnArrival)) },
  {
    label: 'source IP seen',
    heading: 'SOURCE',
    long: (o) => [o.source.seen === null ? '- (not delivered)' : `${formatIpv4(o.source.seen)} (${o.source.preserved ? 'preserved' : `rewritten from ${o.source.sent === null ? '?' : formatIpv4(o.source.sent)}`})`],
    short: (o) => (o.source.preserved === null ? '-' : o.source.preserved ? 'kept' : 'NAT'),
  },
  {
    label: 'policy',
    heading: 'POLICY',
    long: (o, r) => [`${r.enforcement.enforced ? 'enforced' : 'not enforced'}${o.policy ? `: ${o.policy.allowed ? 'allowed' : 'denied'} (${o.policy.summary})` : ''}`],
    short: (o, r) => `${r.enforcement.enforced ? 'on' : 'off'}${o.policy ? (o.policy.allowed ? ', allows' : ', denies') : ''}`,
  },
  {
    label: 'routes used',
    heading: null,
    long: (o) => (o.routes.length === 0 ? ['-'] : o.routes.map((r) => `${shortWhere(r.where)}: ${r.route}`)),
    short: () => '',
  },
];

/** A probability as the trace prints it, for outcomes that differ. */
const p = (x: number): string => `p=${x.toFixed(2)}`;

/** One cell over all outcomes: the value once when they agree, else one line group per outcome. */
function merged(outcomes: readonly OutcomeFacts[], text: (o: OutcomeFacts) => readonly string[]): string[] {
  const per = outcomes.map(text);
  const first = per[0] ?? ['-'];
  if (per.every((x) => x.join('\n') === first.join('\n'))) return [...first];
  return per.flatMap((x, i) => x.map((l, j) => (j === 0 ? `${p(outcomes[i]?.probability ?? 0)} ${l}` : l)));
}

export function factRows(columns: readonly CompareColumn[]): FactRow[] {
  const rows: FactRow[] = FACTS.map((f, i) => ({
    label: f.label,
    heading: f.heading,
    cells: columns.map((c) => {
      if (!c.result.ok) return i === 0 ? [`ERROR (${c.result.error.stage}): ${c.result.error.message}`] : ['-'];
      const r = c.result.value;
      const where = (id: string): string => r.system.netns.get(id)?.where ?? id;
      return merged(r.outcomes, (o) => f.long(o, r, where));
    }),
    short: columns.map((c) => {
      if (!c.result.ok) return i === 0 ? 'ERROR' : '-';
      const r = c.result.value;
      return merged(r.outcomes, (o) => [f.short(o, r)]).join(' / ');
    }),
  }));
  // Controller trouble explains many failures (a route the kernel refused): shown when any.
  const problems = columns.map((c) => (c.result.ok ? c.result.value.problems.map((e) => `${e.level} ${e.component} on ${e.node}: ${e.message}`) : []));
  if (problems.some((x) => x.length > 0)) rows.push({ label: 'problems', heading: null, cells: problems.map((x) => (x.length ? x : ['none'])), short: problems.map(() => '') });
  return rows;
}

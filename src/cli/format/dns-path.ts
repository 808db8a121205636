import type { ServedBy } from '../../controllers/coredns/index.js';
import type { DatagramPaths, DatagramWalk } from '../../lookup/packet-transport.js';
import { summarize } from '../../trace/summary.js';
import type { System } from '../../topology/system.js';
import { dispositionText } from './disposition-text.js';

/** Where one DNS datagram went, for the `dns` report and `trace --to NAME`. */
export interface DnsPathSummary {
  readonly probability: number;
  /** NS/NAME of the answering pod, `upstream` or null when nothing answered. */
  readonly answeredBy: string | null;
  readonly node: string | null;
  /** NAT done on the way there, as `DNAT 10.96.0.10:53 -> 10.244.1.3:53 on node1`. */
  readonly nat: readonly string[];
  readonly verdict: 'ok' | 'refused' | 'failed';
  /** One line: `kube-system/coredns-x on node2 (DNAT ... on node1)` or why it failed. */
  readonly text: string;
}

function summaryOf(system: System, walk: DatagramWalk, probability: number): DnsPathSummary {
  const where = (id: string): string => system.netns.get(id)?.where ?? id;
  const req = walk.flow.request;
  const nat = summarize(req, where).nat.map((n) => `${n.what} on ${n.netns}`);
  const d = req.disposition;
  const info = d.kind === 'DELIVERED' ? system.netns.get(d.netns) : undefined;
  const role = info?.role;
  const answeredBy = walk.application === null ? null : role?.kind === 'pod' ? `${role.namespace}/${role.name}` : role?.kind === 'underlay' ? 'upstream' : (info?.where ?? null);
  const node = role && role.kind !== 'underlay' ? role.node : null;
  const v = walk.flow.verdict;
  const via = nat.length > 0 ? ` (${nat.join(', ')})` : '';
  const text =
    v.kind === 'ok' && answeredBy !== null
      ? `${answeredBy === 'upstream' ? 'upstream resolver' : answeredBy}${node ? ` on ${node}` : ''}${via}`
      : `${d.kind === 'DELIVERED' ? v.detail : dispositionText(d, where)}${via}`;
  return { probability, answeredBy, node, nat, verdict: v.kind, text };
}

/** The ways a datagram went, same text merged, most probable first. */
export function dnsPaths(system: System, d: DatagramPaths): DnsPathSummary[] {
  const merged = new Map<string, DnsPathSummary>();
  for (const p of d.paths) {
    const s = summaryOf(system, p.walk, p.probability);
    const seen = merged.get(s.text);
    merged.set(s.text, seen ? { ...seen, probability: seen.probability + s.probability } : s);
  }
  return [...merged.values()].sort((a, b) => b.probability - a.probability);
}

/** Who answered a datagram on its most probable path, and why (the application's own account). */
export function servedByOf(system: System, d: DatagramPaths): ServedBy | null {
  const first = d.paths.reduce<DatagramPaths['paths'][number] | null>((a, b) => (a === null || b.probability > a.probability ? b : a), null);
  if (!first) return null;
  const s = summaryOf(system, first.walk, first.probability);
  const many = new Set(d.paths.map((p) => summaryOf(system, p.walk, p.probability).answeredBy)).size > 1;
  if (first.walk.application === null || s.answeredBy === null) return { by: 'nobody', where: null, why: s.text };
  if (s.answeredBy === 'upstream') return { by: 'upstream', where: null, why: first.walk.application.note };
  return { by: 'coredns', where: many ? null : s.answeredBy, why: first.walk.application.note };
}

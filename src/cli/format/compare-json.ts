import { match } from 'ts-pattern';
import { formatIpv4 } from '../../net/ipv4.js';
import type { CniConfig } from '../../cluster/header.js';
import type { CompareColumn } from '../../compare/compare.js';
import type { OutcomeFacts } from '../../compare/facts.js';
import type { Tunnel } from '../../compare/tunnel.js';
import type { FlowKind } from '../../trace/flow.js';
import { dispositionText } from './disposition-text.js';

/** `podnet compare --json`: the schema is documented in README.md ("Compare CNI plugins"). */
export interface CompareJsonHeader {
  readonly topology: string;
  readonly from: string;
  readonly to: string;
  readonly flow: FlowKind;
}

function configJson(c: CniConfig) {
  return match(c)
    .with({ kind: 'flannel' }, (f) => f)
    .with({ kind: 'calico' }, (k) => ({
      ...k,
      bgp:
        k.bgp === null
          ? null
          : { asNumber: k.bgp.asNumber, topology: k.bgp.topology.kind === 'full-mesh' ? k.bgp.topology : { ...k.bgp.topology, clusterId: formatIpv4(k.bgp.topology.clusterId) } },
    }))
    .exhaustive();
}

function tunnelJson(t: Tunnel, where: (id: string) => string) {
  return {
    ...t.header,
    where: where(t.netns),
    dev: t.dev,
    outerSrc: formatIpv4(t.outerSrc),
    outerDst: formatIpv4(t.outerDst),
    outerTtl: t.outerTtl,
    outerDf: t.outerDf,
    wireBytes: t.wireBytes,
    innerBytes: t.innerBytes,
    overhead: t.overhead,
  };
}

function outcomeJson(o: OutcomeFacts, where: (id: string) => string) {
  const ip = (a: number | null): string | null => (a === null ? null : formatIpv4(a as never));
  return {
    probability: o.probability,
    verdict: o.verdict,
    disposition: { kind: o.disposition.kind, text: dispositionText(o.disposition, where) },
    path: o.path,
    hops: o.routers.length,
    routers: o.routers.map((r) => ({ where: r.where, ttlBefore: r.ttlBefore, ttlAfter: r.ttlAfter })),
    encapsulation: o.tunnels.map((t) => tunnelJson(t, where)),
    overhead: o.overhead,
    pathMtu: o.pathMtu ? { mtu: o.pathMtu.mtu, where: where(o.pathMtu.netns), dev: o.pathMtu.dev } : null,
    ttlOnArrival: o.ttlOnArrival,
    source: { sent: ip(o.source.sent), seen: ip(o.source.seen), preserved: o.source.preserved },
    routes: o.routes.map((r) => ({ where: r.where, route: r.route })),
    policy: o.policy ? { allowed: o.policy.allowed, summary: o.policy.summary } : null,
  };
}

function columnJson(c: CompareColumn) {
  const base = { name: c.name, config: configJson(c.config) };
  if (!c.result.ok) return { ...base, ok: false as const, error: c.result.error };
  const r = c.result.value;
  const where = (id: string): string => r.system.netns.get(id)?.where ?? id;
  return {
    ...base,
    ok: true as const,
    description: r.system.description,
    endpoints: { from: formatIpv4(r.run.from.ip), to: formatIpv4(r.run.to.ip) },
    policyEnforced: r.enforcement.enforced,
    policyNote: r.enforcement.note,
    problems: r.problems.map((p) => ({ node: p.node, component: p.component, level: p.level, message: p.message, request: p.request ?? null })),
    outcomes: r.outcomes.map((o) => outcomeJson(o, where)),
  };
}

export function compareJson(h: CompareJsonHeader, columns: readonly CompareColumn[]) {
  return { topology: h.topology, from: h.from, to: h.to, flow: h.flow, variants: columns.map(columnJson) };
}

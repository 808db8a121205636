import { formatIpv4 } from '../../net/ipv4.js';
import type { FlowOutcome } from '../../trace/flow.js';
import type { TraceRun } from '../../trace/run.js';
import { summarize } from '../../trace/summary.js';
import type { Disposition, Outcome, Step } from '../../trace/types.js';
import type { System } from '../../topology/system.js';
import { dispositionText } from './disposition-text.js';
import { frameJson, packetJson } from './packet-json.js';

function stepJson(s: Step) {
  return {
    where: s.where,
    netns: s.netns,
    node: s.node,
    dev: s.dev,
    stage: s.stage,
    summary: s.summary,
    lines: s.lines,
    packet: s.packet ? packetJson(s.packet) : null,
    frame: s.frame ? frameJson(s.frame) : null,
    rewrite: s.rewrite ? { what: s.rewrite.what, before: packetJson(s.rewrite.before), after: packetJson(s.rewrite.after) } : null,
    conntrack: s.conntrack,
  };
}

function dispositionJson(d: Disposition, where: (id: string) => string) {
  // Addresses inside dispositions become strings; everything else is already plain data.
  const plain = JSON.parse(JSON.stringify(d, (k, v) => ((k === 'dst' || k === 'nexthop') && typeof v === 'number' ? formatIpv4(v as never) : v))) as Record<string, unknown>;
  return { ...plain, text: dispositionText(d, where) };
}

function outcomeJson(o: Outcome, where: (id: string) => string) {
  const s = summarize(o, where);
  return {
    probability: o.probability,
    disposition: dispositionJson(o.disposition, where),
    summary: {
      path: s.path,
      ttlOnArrival: s.ttlOnArrival,
      sourceSeen: s.sourceSeen === null ? null : formatIpv4(s.sourceSeen),
      sourcePreserved: s.sourcePreserved,
      nat: s.nat,
      encapsulations: s.encapsulations.map((e) => ({ ...e, outerSrc: formatIpv4(e.outerSrc), outerDst: formatIpv4(e.outerDst) })),
      largestFrame: s.largestFrame,
    },
    steps: o.steps.map(stepJson),
  };
}

function flowJson(f: FlowOutcome, where: (id: string) => string) {
  return { probability: f.probability, verdict: f.verdict, request: outcomeJson(f.request, where), reply: f.reply ? outcomeJson(f.reply, where) : null };
}

/** The `--json` document of `podnet trace` (documented in the README). */
export function traceRunJson(system: System, run: TraceRun) {
  const where = (id: string) => system.netns.get(id)?.where ?? id;
  return {
    topology: system.name,
    description: system.description,
    from: { label: run.from.label, ip: formatIpv4(run.from.ip) },
    to: { label: run.to.label, ip: formatIpv4(run.to.ip) },
    flow: run.kind,
    outcomes: run.outcomes.map((o) => flowJson(o, where)),
  };
}

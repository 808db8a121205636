import { formatIpv4 } from '../../net/ipv4.js';
import type { FlowOutcome } from '../../trace/flow.js';
import { summarize } from '../../trace/summary.js';
import type { Outcome, Step } from '../../trace/types.js';
import { dispositionText } from './disposition-text.js';

export interface TraceHeader {
  readonly title: string;
  readonly context: string;
}

const STAGE_WIDTH = 11;

function stepLines(s: Step, n: number, whereWidth: number): string[] {
  const num = String(n).padStart(3);
  const where = s.where.padEnd(whereWidth);
  const out = [`${num}  ${where}  ${s.stage.padEnd(STAGE_WIDTH)} ${s.summary}`];
  const indent = ' '.repeat(5 + whereWidth + 2 + STAGE_WIDTH + 1);
  for (const l of s.lines) out.push(`${indent}${l}`);
  for (const c of s.conntrack) out.push(`${indent}conntrack: ${c}`);
  return out;
}

export function outcomeLines(o: Outcome, label: (netns: string) => string): string[] {
  const whereWidth = Math.max(8, ...o.steps.map((s) => s.where.length));
  const lines = o.steps.flatMap((s, i) => stepLines(s, i + 1, whereWidth));
  lines.push(`  => ${dispositionText(o.disposition, label)}`);
  const sum = summarize(o, label);
  for (const e of sum.encapsulations) {
    lines.push(
      `     encapsulation: VXLAN VNI ${e.vni} on ${e.dev} (${label(e.netns)}): outer ${formatIpv4(e.outerSrc)} -> ${formatIpv4(e.outerDst)} UDP ${e.udpSrcPort} -> ${e.udpDstPort}, outer ttl ${e.outerTtl} DF ${e.outerDf ? 1 : 0}; inner MACs ${e.innerSrcMac} -> ${e.innerDstMac}; +${e.overhead} bytes`,
    );
  }
  if (sum.ttlOnArrival !== null) lines.push(`     ttl on arrival: ${sum.ttlOnArrival}`);
  if (sum.sourceSeen !== null) lines.push(`     source seen by the destination: ${formatIpv4(sum.sourceSeen)}${sum.sourcePreserved ? ' (preserved)' : ' (rewritten)'}`);
  lines.push(`     NAT: ${sum.nat.length === 0 ? 'none' : sum.nat.map((n) => `${n.what} in ${n.netns}`).join('; ')}`);
  lines.push(`     path: ${sum.path.join(' -> ')}`);
  return lines;
}

/** The whole text report of a flow: request, reply and verdict per outcome. */
export function flowText(header: TraceHeader, outcomes: readonly FlowOutcome[], label: (netns: string) => string): string[] {
  const lines = [header.title, header.context, ''];
  const many = outcomes.length > 1;
  if (many) lines.push(`${outcomes.length} possible outcomes:`, ...outcomes.map((o, i) => `  [${i + 1}] p=${o.probability.toFixed(4)}  ${o.verdict.kind}: ${o.verdict.detail}`), '');
  outcomes.forEach((o, i) => {
    if (many) lines.push(`=== outcome ${i + 1} of ${outcomes.length} (probability ${o.probability.toFixed(4)}) ===`);
    lines.push('request:', ...outcomeLines(o.request, label), '');
    if (o.reply) lines.push('reply:', ...outcomeLines(o.reply, label), '');
    lines.push(`verdict: ${o.verdict.kind.toUpperCase()} - ${o.verdict.detail}`, '');
  });
  return lines;
}

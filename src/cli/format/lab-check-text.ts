import { match } from 'ts-pattern';
import type { CheckReport, FlowCheck } from '../../lab/check/run-check.js';

export interface CheckTally {
  readonly agree: number;
  readonly disagree: number;
  readonly skipped: number;
  readonly errors: number;
}

export function tally(r: CheckReport): CheckTally {
  const n = (f: (c: FlowCheck) => boolean): number => r.flows.filter(f).length;
  return {
    agree: n((c) => c.kind === 'checked' && c.agree),
    disagree: n((c) => c.kind === 'checked' && !c.agree),
    skipped: n((c) => c.kind === 'skipped'),
    errors: n((c) => c.kind === 'error'),
  };
}

/**
 * One line per flow: what the real kernel did when it agrees with the model; every aspect that
 * differs, with both sides, when it does not; then the totals.
 */
export function checkText(r: CheckReport): string {
  const lines = [`lab check ${r.file}: topology ${r.topology} (${r.description})`];
  if (r.unsupported.length > 0) {
    lines.push('NOT CHECKED: this kernel cannot build the topology as podnet models it:', ...r.unsupported.map((u) => `  - ${u}`));
    return lines.join('\n');
  }
  const width = Math.min(60, Math.max(...r.flows.map((f) => f.flow.length), 4));
  for (const f of r.flows) {
    match(f)
      .with({ kind: 'checked' }, (c) => {
        // Where the model leaves it to chance, its distribution next to what the real attempts hit.
        const facts = c.aspects.map((a) => `${a.aspect} ${a.real}${a.predicted.includes('%') ? ` (model: ${a.predicted})` : ''}`).join(' | ');
        if (c.agree) {
          lines.push(`  agree     ${c.flow.padEnd(width)}  ${facts}${c.attempts > 1 ? ` (${c.attempts} attempts)` : ''}`);
          return;
        }
        lines.push(`  DISAGREE  ${c.flow.padEnd(width)}${c.attempts > 1 ? `  (${c.attempts} attempts)` : ''}`);
        for (const a of c.aspects) lines.push(`      ${a.agree ? ' ' : 'x'} ${a.aspect.padEnd(11)} model: ${a.predicted}`, `        ${' '.repeat(11)} real:  ${a.real}`);
      })
      .with({ kind: 'skipped' }, (s) => lines.push(`  skipped   ${s.flow.padEnd(width)}  ${s.reason}`))
      .with({ kind: 'error' }, (e) => lines.push(`  error     ${e.flow.padEnd(width)}  ${e.error}`))
      .exhaustive();
  }
  const t = tally(r);
  lines.push(`${t.agree} of ${r.flows.length} flows agree with the model; ${t.disagree} disagree; ${t.skipped} skipped; ${t.errors} could not be predicted or run`);
  return lines.join('\n');
}

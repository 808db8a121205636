import { match } from 'ts-pattern';
import type { Observation } from './observe.js';
import type { PredictedOutcome, Prediction } from './predict.js';

export type Aspect = 'result' | 'endpoint' | 'source' | 'ttl' | 'reply ttl' | 'encap' | 'dns queries' | 'dns answer';

/** One fact of a flow, as podnet predicted it and as the real kernel did it. */
export interface AspectCheck {
  readonly aspect: Aspect;
  readonly predicted: string;
  readonly real: string;
  readonly agree: boolean;
}

const pct = (p: number): string => `${Math.round(p * 1000) / 10}%`;

/** `a 50%, b 50%` over the outcomes that have the fact; `-` when none has it. */
function distribution(outcomes: readonly PredictedOutcome[], f: (o: PredictedOutcome) => string | number | null, label: (v: string) => string): { text: string; values: Set<string> } {
  const by = new Map<string, number>();
  for (const o of outcomes) {
    const v = f(o);
    if (v === null || o.probability <= 0) continue;
    by.set(String(v), (by.get(String(v)) ?? 0) + o.probability);
  }
  const text = by.size === 0 ? '-' : by.size === 1 ? label([...by.keys()][0] ?? '') : [...by].map(([v, p]) => `${label(v)} ${pct(p)}`).join(', ');
  return { text, values: new Set(by.keys()) };
}

/** `a` or `a 5/8, b 3/8` over the real attempts. */
function counts(values: readonly (string | number | null)[], label: (v: string) => string): { text: string; values: Set<string> } {
  const by = new Map<string, number>();
  for (const v of values) if (v !== null) by.set(String(v), (by.get(String(v)) ?? 0) + 1);
  const n = values.length;
  const text = by.size === 0 ? '-' : by.size === 1 && n === (by.values().next().value ?? 0) && n === 1 ? label([...by.keys()][0] ?? '') : [...by].map(([v, c]) => `${label(v)} ${c}/${n}`).join(', ');
  return { text, values: new Set(by.keys()) };
}

/**
 * Agreement on a fact the model may leave to chance: every real value is one the model gives a
 * probability above 0, and the real kernel has the fact exactly when the model does.
 */
function within(aspect: Aspect, p: { text: string; values: Set<string> }, r: { text: string; values: Set<string> }): AspectCheck {
  const agree = [...r.values].every((v) => p.values.has(v)) && (p.values.size === 0) === (r.values.size === 0);
  return { aspect, predicted: p.text, real: r.text, agree };
}

export function compareFlow(prediction: Prediction, real: Observation, where: (netns: string) => string): AspectCheck[] {
  const id = (v: string): string => v;
  return match([prediction, real] as const)
    .with([{ kind: 'net' }, { kind: 'net' }], ([p, r]) => {
      const o = p.outcomes;
      const rows = [
        within('result', distribution(o, (x) => x.verdict, id), counts(r.attempts.map((a) => a.verdict), id)),
        within('endpoint', distribution(o, (x) => x.endpoint, where), counts(r.attempts.map((a) => a.endpoint), where)),
        within('source', distribution(o, (x) => x.sourceSeen, id), counts(r.attempts.map((a) => a.source), id)),
        within('ttl', distribution(o, (x) => x.ttl, id), { text: r.ttls.join(', ') || '-', values: new Set(r.ttls.map(String)) }),
      ];
      if (o.some((x) => x.replyTtl !== null) || r.attempts.some((a) => a.replyTtl !== null)) rows.push(within('reply ttl', distribution(o, (x) => x.replyTtl, id), counts(r.attempts.map((a) => a.replyTtl), id)));
      const pe = new Set(o.filter((x) => x.probability > 0).flatMap((x) => x.encaps));
      rows.push(within('encap', { text: [...pe].join('; ') || 'none', values: pe }, { text: r.encaps.join('; ') || 'none', values: new Set(r.encaps) }));
      return rows;
    })
    .with([{ kind: 'dns' }, { kind: 'dns' }], ([p, r]) => [
      { aspect: 'dns queries' as const, predicted: p.queries.join(', ') || '-', real: r.queries.join(', ') || '-', agree: p.queries.join('|') === r.queries.join('|') },
      { aspect: 'dns answer' as const, predicted: p.result, real: r.result, agree: p.result === r.result },
    ])
    .otherwise(() => {
      throw new Error('a prediction and an observation of different kinds');
    });
}

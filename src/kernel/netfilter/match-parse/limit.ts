import { err, ok, type Result } from '../../../lib/result.js';
import { parseUint } from '../values.js';
import { opts, once, type MatchModule } from './common.js';

// `-m limit --limit RATE --limit-burst N` (xt_limit.c); the token bucket is not modelled.

/** libxt_limit parse_rate: avg = XT_LIMIT_SCALE * seconds-per-unit / rate. */
export function parseLimitRate(text: string): Result<number, string> {
  const m = /^(\d+)(?:\/([a-zA-Z]+))?$/.exec(text);
  if (!m) return err(`bad rate "${text}": expected N/sec, N/min, N/hour or N/day`);
  const r = Number(m[1]);
  const unit = (m[2] ?? 'second').toLowerCase();
  const units: readonly [string, number][] = [
    ['second', 1],
    ['minute', 60],
    ['hour', 60 * 60],
    ['day', 24 * 60 * 60],
  ];
  const u = units.find(([name]) => name.startsWith(unit));
  if (!u) return err(`bad rate unit "${m[2] ?? ''}" in "${text}"`);
  if (r === 0) return err(`bad rate "${text}": the rate must be positive`);
  const avg = Math.floor((10000 * u[1]) / r);
  if (avg === 0) return err(`Rate too fast "${text}"`);
  return ok(avg);
}

export const limit: MatchModule = {
  name: 'limit',
  options: opts({ limit: [1, false], 'limit-burst': [1, false] }),
  create() {
    let avg = Math.floor((10000 * 60 * 60) / 3); // default 3/hour
    let burst = 5;
    const seen = new Set<string>();
    return {
      apply(opt, args) {
        const e = once(seen, opt);
        if (e) return e;
        const a = args[0] ?? '';
        if (opt === 'limit') {
          const r = parseLimitRate(a);
          if (!r.ok) return r.error;
          avg = r.value;
        } else {
          const n = parseUint(a, 10000);
          if (n === null) return `bad --limit-burst "${a}"`;
          burst = n;
        }
        return null;
      },
      finish() {
        return ok({ kind: 'limit', avg, burst });
      },
    };
  },
};

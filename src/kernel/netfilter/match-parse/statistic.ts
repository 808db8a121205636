import { err, ok } from '../../../lib/result.js';
import type { StatisticMode } from '../match.js';
import { parseProbability, parseUint } from '../values.js';
import { opts, once, type MatchModule } from './common.js';

// `-m statistic --mode random --probability P` / `--mode nth --every N --packet P` (xt_statistic.c).

export const statistic: MatchModule = {
  name: 'statistic',
  options: opts({ mode: [1, false], probability: [1, true], every: [1, true], packet: [1, false] }),
  create() {
    let mode: string | null = null;
    let prob: { negate: boolean; text: string } | null = null;
    let every: { negate: boolean; n: number } | null = null;
    let packet: number | null = null;
    const seen = new Set<string>();
    return {
      apply(opt, args, negate) {
        const e = once(seen, opt);
        if (e) return e;
        const a = args[0] ?? '';
        if (opt === 'mode') {
          if (a !== 'random' && a !== 'nth') return `statistic: bad mode "${a}", expected random or nth`;
          mode = a;
        } else if (opt === 'probability') prob = { negate, text: a };
        else if (opt === 'every') {
          const n = parseUint(a);
          if (n === null || n === 0) return `statistic: --every expects a positive number, found "${a}"`;
          every = { negate, n };
        } else {
          const n = parseUint(a);
          if (n === null) return `statistic: --packet expects a number, found "${a}"`;
          packet = n;
        }
        return null;
      },
      finish() {
        let m: StatisticMode;
        if (mode === 'random') {
          if (!prob) return err('statistic: option "--mode random" requires "--probability"');
          if (every || packet !== null) return err('statistic: --every and --packet are only valid with --mode nth');
          const r = parseProbability(prob.text);
          if (!r.ok) return r;
          m = { kind: 'random', negate: prob.negate, probability: r.value };
        } else if (mode === 'nth') {
          if (!every) return err('statistic: option "--mode nth" requires "--every"');
          if (packet === null) return err('statistic: option "--every" also requires "--packet".');
          if (prob) return err('statistic: --probability is only valid with --mode random');
          if (packet > every.n - 1) return err('statistic: --packet must be smaller than --every');
          m = { kind: 'nth', negate: every.negate, every: every.n, packet };
        } else return err('statistic: option "--mode" must be specified');
        return ok({ kind: 'statistic', mode: m });
      },
    };
  },
};

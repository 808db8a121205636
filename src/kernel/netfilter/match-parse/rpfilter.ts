import { ok } from '../../../lib/result.js';
import { opts, once, type MatchModule } from './common.js';

// `-m rpfilter [--loose] [--validmark] [--accept-local] [--invert]` (extensions/libxt_rpfilter.c).

export const rpfilter: MatchModule = {
  name: 'rpfilter',
  options: opts({ loose: [0, false], validmark: [0, false], 'accept-local': [0, false], invert: [0, false] }),
  create() {
    const seen = new Set<string>();
    return {
      apply(opt) {
        return once(seen, opt);
      },
      finish() {
        return ok({ kind: 'rpfilter', loose: seen.has('loose'), validmark: seen.has('validmark'), acceptLocal: seen.has('accept-local'), invert: seen.has('invert') });
      },
    };
  },
};

import { err, ok } from '../../../lib/result.js';
import { parseMarkMask } from '../values.js';
import { opts, type MatchModule } from './common.js';

// `-m mark [!] --mark VALUE[/MASK]` (xt_mark.c).

export const mark: MatchModule = {
  name: 'mark',
  options: opts({ mark: [1, true] }),
  create() {
    let v: { negate: boolean; value: number; mask: number } | null = null;
    return {
      apply(_opt, args, negate) {
        if (v) return 'multiple --mark options are not allowed in one match';
        const r = parseMarkMask(args[0] ?? '');
        if (!r.ok) return r.error;
        v = { negate, ...r.value };
        return null;
      },
      finish() {
        return v ? ok({ kind: 'mark', ...v }) : err('mark: option "--mark" must be specified');
      },
    };
  },
};

import { err, ok } from '../../../lib/result.js';
import { opts, type MatchModule } from './common.js';

// `-m set [!] --match-set NAME src,dst,...` (xt_set.c).

export const set: MatchModule = {
  name: 'set',
  options: opts({ 'match-set': [2, true] }),
  create() {
    let v: { negate: boolean; name: string; dirs: ('src' | 'dst')[] } | null = null;
    return {
      apply(_opt, args, negate) {
        if (v) return 'set: --match-set can be specified only once';
        const name = args[0] ?? '';
        if (name === '' || name.length > 31) return `set: bad set name "${name}" (at most 31 characters)`;
        const dirs: ('src' | 'dst')[] = [];
        for (const d of (args[1] ?? '').split(',')) {
          if (d !== 'src' && d !== 'dst') return `set: expected src or dst flags like src,dst, found "${args[1] ?? ''}"`;
          dirs.push(d);
        }
        if (dirs.length > 6) return 'set: too many src/dst flags (at most 6)';
        v = { negate, name, dirs };
        return null;
      },
      finish() {
        return v ? ok({ kind: 'set', ...v }) : err('set: you must specify --match-set');
      },
    };
  },
};

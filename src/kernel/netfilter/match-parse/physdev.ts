import { err, ok } from '../../../lib/result.js';
import type { Flag, NegatedName } from '../match.js';
import { parseIfaceName } from '../values.js';
import { opts, once, type MatchModule } from './common.js';

// `-m physdev` (xt_physdev.c): the bridge ports of br_netfilter traffic.

export const physdev: MatchModule = {
  name: 'physdev',
  options: opts({
    'physdev-in': [1, true],
    'physdev-out': [1, true],
    'physdev-is-in': [0, true],
    'physdev-is-out': [0, true],
    'physdev-is-bridged': [0, true],
  }),
  create() {
    let isIn: Flag | null = null;
    let isOut: Flag | null = null;
    let isBridged: Flag | null = null;
    let inDev: NegatedName | null = null;
    let outDev: NegatedName | null = null;
    const seen = new Set<string>();
    return {
      apply(opt, args, negate) {
        const e = once(seen, opt);
        if (e) return e;
        if (opt === 'physdev-in' || opt === 'physdev-out') {
          const r = parseIfaceName(args[0] ?? '');
          if (!r.ok) return r.error;
          if (opt === 'physdev-in') inDev = { negate, name: r.value };
          else outDev = { negate, name: r.value };
        } else if (opt === 'physdev-is-in') isIn = { negate };
        else if (opt === 'physdev-is-out') isOut = { negate };
        else isBridged = { negate };
        return null;
      },
      finish() {
        if (seen.size === 0) return err('physdev: no option specified');
        return ok({ kind: 'physdev', isIn, in: inDev, isOut, out: outDev, isBridged });
      },
    };
  },
};

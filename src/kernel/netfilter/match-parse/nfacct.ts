import { err, ok } from '../../../lib/result.js';
import { opts, type MatchModule } from './common.js';

// `-m nfacct --nfacct-name NAME` (xt_nfacct.c): a counter, always matches.

export const nfacct: MatchModule = {
  name: 'nfacct',
  options: opts({ 'nfacct-name': [1, false] }),
  create() {
    let name: string | null = null;
    return {
      apply(_opt, args) {
        name = args[0] ?? '';
        return null;
      },
      finish() {
        return name === null ? err('nfacct: you must specify --nfacct-name') : ok({ kind: 'nfacct', name });
      },
    };
  },
};

import { err, ok } from '../../../lib/result.js';
import { opts, type MatchModule } from './common.js';

// `-m comment --comment TEXT` (xt_comment): no effect on matching.

export const comment: MatchModule = {
  name: 'comment',
  options: opts({ comment: [1, false] }),
  create() {
    let text: string | null = null;
    return {
      apply(_opt, args) {
        if (text !== null) return 'multiple --comment options are not allowed in one match';
        const t = args[0] ?? '';
        if (t.length > 255) return 'comment may not exceed 255 characters';
        text = t;
        return null;
      },
      finish() {
        return text === null ? err('comment: option "--comment" must be specified') : ok({ kind: 'comment', text });
      },
    };
  },
};

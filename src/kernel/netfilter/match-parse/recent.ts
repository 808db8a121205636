import { err, ok } from '../../../lib/result.js';
import type { Ipv4 } from '../../../net/ipv4.js';
import type { RecentCommand } from '../match.js';
import { parseAddr, parseUint } from '../values.js';
import { opts, once, type MatchModule } from './common.js';

// `-m recent --set|--rcheck|--update|--remove [--seconds] [--reap] [--hitcount] [--rttl] [--name] [--mask] [--rsource|--rdest]` (xt_recent.c).

export const recent: MatchModule = {
  name: 'recent',
  options: opts({
    set: [0, true],
    rcheck: [0, true],
    update: [0, true],
    remove: [0, true],
    seconds: [1, false],
    reap: [0, false],
    hitcount: [1, false],
    rttl: [0, false],
    name: [1, false],
    mask: [1, false],
    rsource: [0, false],
    rdest: [0, false],
  }),
  create() {
    let command: RecentCommand | null = null;
    let negate = false;
    let name = 'DEFAULT';
    let seconds: number | null = null;
    let hitcount: number | null = null;
    let reap = false;
    let rttl = false;
    let mask = 0xffffffff as Ipv4;
    let side: 'source' | 'dest' = 'source';
    const seen = new Set<string>();
    return {
      apply(opt, args, neg) {
        const e = once(seen, opt);
        if (e) return e;
        const a = args[0] ?? '';
        switch (opt) {
          case 'set':
          case 'rcheck':
          case 'update':
          case 'remove':
            if (command) return 'recent: only one of `--set\', `--rcheck\', `--update\' or `--remove\' may be set';
            command = opt;
            negate = neg;
            return null;
          case 'seconds': {
            const n = parseUint(a);
            if (n === null) return `recent: --seconds expects a number, found "${a}"`;
            seconds = n;
            return null;
          }
          case 'hitcount': {
            const n = parseUint(a, 255);
            if (n === null) return `recent: --hitcount expects a number, found "${a}"`;
            hitcount = n;
            return null;
          }
          case 'reap':
            reap = true;
            return null;
          case 'rttl':
            rttl = true;
            return null;
          case 'name':
            if (a === '' || a.length > 199) return `recent: bad --name "${a}"`;
            name = a;
            return null;
          case 'mask': {
            const r = parseAddr(a);
            if (!r.ok) return r.error;
            mask = r.value;
            return null;
          }
          case 'rsource':
          case 'rdest':
            if (seen.has('rsource') && seen.has('rdest')) return 'recent: --rsource and --rdest are mutually exclusive';
            side = opt === 'rsource' ? 'source' : 'dest';
            return null;
          default:
            return `unknown option "--${opt}"`;
        }
      },
      finish() {
        if (!command) return err("recent: you must specify one of `--set', `--rcheck' `--update' or `--remove'");
        if ((seconds !== null || hitcount !== null) && command !== 'rcheck' && command !== 'update') {
          return err('recent: --seconds and --hitcount can only be used with --rcheck or --update');
        }
        if (reap && seconds === null) return err('recent: --reap requires --seconds');
        return ok({ kind: 'recent', negate, command, name, seconds, reap, hitcount, rttl, mask, side });
      },
    };
  },
};

import { err, ok } from '../../../lib/result.js';
import { ADDR_TYPE_NAMES, type AddrTypeName, type AddrTypeSel } from '../match.js';
import { opts, once, nameList, type MatchModule } from './common.js';

// `-m addrtype --src-type/--dst-type TYPES [--limit-iface-in|--limit-iface-out]` (xt_addrtype.c).

export const addrtype: MatchModule = {
  name: 'addrtype',
  options: opts({ 'src-type': [1, true], 'dst-type': [1, true], 'limit-iface-in': [0, false], 'limit-iface-out': [0, false] }),
  create() {
    let src: AddrTypeSel | null = null;
    let dst: AddrTypeSel | null = null;
    let limitIfaceIn = false;
    let limitIfaceOut = false;
    const seen = new Set<string>();
    return {
      apply(opt, args, negate) {
        const e = once(seen, opt);
        if (e) return e;
        if (opt === 'limit-iface-in') limitIfaceIn = true;
        else if (opt === 'limit-iface-out') limitIfaceOut = true;
        else {
          const r = nameList<AddrTypeName>(args[0] ?? '', ADDR_TYPE_NAMES, 'address type');
          if (!r.ok) return r.error;
          if (opt === 'src-type') src = { negate, types: r.value };
          else dst = { negate, types: r.value };
        }
        return null;
      },
      finish() {
        if (!src && !dst) return err('addrtype: you must specify --src-type or --dst-type');
        if (limitIfaceIn && limitIfaceOut) return err('addrtype: you can\'t specify both --limit-iface-in and --limit-iface-out');
        return ok({ kind: 'addrtype', src, dst, limitIfaceIn, limitIfaceOut });
      },
    };
  },
};

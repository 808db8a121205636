import { err, ok } from '../../../lib/result.js';
import type { PortRange } from '../match.js';
import { IPPROTO } from '../names.js';
import { parsePortRange } from '../values.js';
import { opts, type MatchModule } from './common.js';

// `-m multiport --sports|--dports|--ports LIST` (xt_multiport.c): up to 15 ports, a range counts twice.

export const multiport: MatchModule = {
  name: 'multiport',
  options: opts({ sports: [1, true], 'source-ports': [1, true], dports: [1, true], 'destination-ports': [1, true], ports: [1, true] }),
  create() {
    let v: { negate: boolean; dir: 'src' | 'dst' | 'any'; ports: PortRange[] } | null = null;
    return {
      apply(opt, args, negate) {
        if (v) return 'multiport can only have one option';
        const list: PortRange[] = [];
        let slots = 0;
        for (const part of (args[0] ?? '').split(',')) {
          const r = parsePortRange(part);
          if (!r.ok) return r.error;
          list.push(r.value);
          slots += r.value.min === r.value.max ? 1 : 2;
        }
        // XT_MULTI_PORTS = 15 slots; a range takes two.
        if (slots > 15) return 'too many ports specified (multiport takes at most 15, a range counts twice)';
        const dir = opt === 'sports' || opt === 'source-ports' ? 'src' : opt === 'ports' ? 'any' : 'dst';
        v = { negate, dir, ports: list };
        return null;
      },
      finish(p) {
        if (!v) return err('multiport: one of --sports, --dports or --ports must be specified');
        const okProtos: readonly number[] = [IPPROTO.tcp, IPPROTO.udp, IPPROTO.udplite, IPPROTO.sctp, IPPROTO.dccp];
        if (p.proto === null || p.negate || !okProtos.includes(p.proto)) return err('multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP');
        return ok({ kind: 'multiport', negate: v.negate, dir: v.dir, ports: v.ports });
      },
    };
  },
};

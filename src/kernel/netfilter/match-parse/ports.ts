import { err, ok } from '../../../lib/result.js';
import type { NegatedPorts, TcpFlagsMatch } from '../match.js';
import { IPPROTO, TCP_FLAG_BITS } from '../names.js';
import { opts, once, requireProto, ports, type MatchModule } from './common.js';

// `-m tcp|udp|sctp --sport/--dport [!] P[:P]` and tcp `--tcp-flags`/`--syn` (xt_tcpudp.c, xt_sctp.c).

function parseTcpFlagList(text: string): number | null {
  if (text === 'NONE') return 0;
  if (text === 'ALL') return 0x3f;
  let bits = 0;
  for (const name of text.split(',')) {
    const f = TCP_FLAG_BITS.find(([n]) => n === name.toUpperCase());
    if (!f) return null;
    bits |= f[1];
  }
  return bits;
}

export function portModule(name: 'tcp' | 'udp' | 'sctp'): MatchModule {
  const spec: Record<string, [0 | 1 | 2, boolean]> = { sport: [1, true], dport: [1, true], 'source-port': [1, true], 'destination-port': [1, true] };
  if (name === 'tcp') Object.assign(spec, { 'tcp-flags': [2, true], syn: [0, true] });
  return {
    name,
    options: opts(spec),
    create() {
      let sport: NegatedPorts | null = null;
      let dport: NegatedPorts | null = null;
      let flags: TcpFlagsMatch | null = null;
      const seen = new Set<string>();
      return {
        apply(opt, args, negate) {
          const a = args[0] ?? '';
          if (opt === 'sport' || opt === 'source-port') {
            const e = once(seen, 'sport');
            if (e) return e;
            const r = ports(a, negate);
            if (!r.ok) return r.error;
            sport = r.value;
          } else if (opt === 'dport' || opt === 'destination-port') {
            const e = once(seen, 'dport');
            if (e) return e;
            const r = ports(a, negate);
            if (!r.ok) return r.error;
            dport = r.value;
          } else if (opt === 'tcp-flags' || opt === 'syn') {
            const e = once(seen, 'tcp-flags');
            if (e) return e;
            if (opt === 'syn') {
              // libxt_tcp: --syn is --tcp-flags FIN,SYN,RST,ACK SYN
              flags = { negate, mask: 0x17, comp: 0x02 };
            } else {
              const mask = parseTcpFlagList(a);
              const comp = parseTcpFlagList(args[1] ?? '');
              if (mask === null || comp === null) return `expected TCP flags like SYN,RST,ACK SYN, found "${args.join(' ')}"`;
              flags = { negate, mask, comp };
            }
          }
          return null;
        },
        finish(p) {
          const e = requireProto(name, IPPROTO[name], p);
          if (e) return err(e);
          if (name === 'tcp') return ok({ kind: 'tcp', sport, dport, flags });
          return ok({ kind: name, sport, dport });
        },
      };
    },
  };
}

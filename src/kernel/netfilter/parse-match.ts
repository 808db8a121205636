import { addrtype } from './match-parse/addrtype.js';
import { comment } from './match-parse/comment.js';
import type { MatchModule } from './match-parse/common.js';
import { conntrack, state } from './match-parse/conntrack.js';
import { icmp } from './match-parse/icmp.js';
import { limit } from './match-parse/limit.js';
import { mark } from './match-parse/mark.js';
import { multiport } from './match-parse/multiport.js';
import { nfacct } from './match-parse/nfacct.js';
import { physdev } from './match-parse/physdev.js';
import { portModule } from './match-parse/ports.js';
import { recent } from './match-parse/recent.js';
import { rpfilter } from './match-parse/rpfilter.js';
import { set } from './match-parse/set.js';
import { statistic } from './match-parse/statistic.js';
import { IPPROTO } from './names.js';

/**
 * The `-m MODULE` extensions the model understands, by name: one option parser per xtables
 * match (kernel/netfilter/match-parse/*.ts). Anything else is an unknown match, as it would be on
 * a kernel without the module.
 */
export type { MatchDraft, MatchModule, OptionSpec, RuleProto } from './match-parse/common.js';
export { parseIcmpType } from './match-parse/icmp.js';
export { parseLimitRate } from './match-parse/limit.js';

export const MATCH_MODULES: ReadonlyMap<string, MatchModule> = new Map(
  [comment, portModule('tcp'), portModule('udp'), portModule('sctp'), icmp, multiport, mark, conntrack, state, addrtype, statistic, recent, set, physdev, limit, nfacct, rpfilter].map(
    (m) => [m.name, m],
  ),
);

/** The match iptables loads implicitly for `-p PROTO` when an unknown option follows. */
export function protoMatchModule(proto: number): MatchModule | undefined {
  const name = proto === IPPROTO.tcp ? 'tcp' : proto === IPPROTO.udp ? 'udp' : proto === IPPROTO.sctp ? 'sctp' : proto === IPPROTO.icmp ? 'icmp' : null;
  return name ? MATCH_MODULES.get(name) : undefined;
}

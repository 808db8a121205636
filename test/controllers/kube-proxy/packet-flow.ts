import { formatIpv4, ipv4 } from '../../../src/net/ipv4.js';
import type { Ruleset } from '../../../src/kernel/netfilter/ruleset.js';
import { traceOnHost, type HostTrace, type TraceOutcome } from '../../../src/kernel/netfilter/trace.js';
import { TEST_NODE_IPS } from './fake-proxier.js';

/** One row of kube-proxy's packetFlowTest: expected `output` and `masq` as its tracer reports them. */
export interface FlowCase {
  readonly name: string;
  readonly src: string;
  readonly dst: string;
  readonly port: number;
  readonly proto?: 'tcp' | 'udp' | 'sctp';
  /** "ip:port, ip:port" (every reachable endpoint in rule order), DROP, REJECT, ACCEPT or "" (nothing matched). */
  readonly output: string;
  readonly masq: boolean;
}

export interface FlowResult {
  readonly output: string;
  /** MASQUERADE bound in POSTROUTING for some outcome. */
  readonly masq: boolean;
  /** KUBE-MARK-MASQ's 0x4000 bit was set in some hook (kube-proxy's own notion of `masq`). */
  readonly marked: boolean;
  readonly trace: HostTrace;
}

const dnatText = (o: TraceOutcome): string | null => (o.dnat?.kind === 'dnat' ? `${formatIpv4(o.dnat.addr)}:${o.dnat.port ?? ''}` : null);

/**
 * Read a full podnet trace the way kube-proxy's tests read theirs: the set of DNAT destinations
 * over all `-m statistic` outcomes, or the filter verdict that ended the packet, or ACCEPT by a
 * rule of filter KUBE-NODEPORTS (health check ports), or "" when no kube-proxy rule decided.
 */
export function summarize(trace: HostTrace): FlowResult {
  const outs = trace.outcomes;
  const kinds = new Set(outs.map((o) => o.verdict.kind));
  let output: string;
  if (kinds.size === 1 && kinds.has('drop')) output = 'DROP';
  else if (kinds.size === 1 && kinds.has('reject')) output = 'REJECT';
  else if (kinds.size === 1 && kinds.has('accept')) {
    const eps = [...new Set(outs.map(dnatText).filter((x): x is string => x !== null))];
    const acceptedByRule = outs.some((o) => o.stages.some((s) => s.hits.some((h) => h.effect.kind === 'accept' && h.rule.table === 'filter' && h.rule.chain === 'KUBE-NODEPORTS')));
    output = eps.length > 0 ? eps.join(', ') : acceptedByRule ? 'ACCEPT' : '';
  } else output = `mixed: ${[...kinds].join(',')}`;
  return {
    output,
    masq: outs.some((o) => o.masqueraded),
    marked: outs.some((o) => o.stages.some((s) => (s.markAfter & 0x4000) !== 0)),
    trace,
  };
}

/** `podnet iptables trace` on test-node (testNodeIPs local, MASQUERADE to 192.168.0.2). */
export function traceFlow(rs: Ruleset, c: FlowCase): FlowResult {
  return summarize(
    traceOnHost({
      ruleset: rs,
      packet: { src: ipv4(c.src), dst: ipv4(c.dst), proto: c.proto ?? 'tcp', dport: c.port },
      localAddrs: TEST_NODE_IPS,
    }),
  );
}

export const row = (name: string, src: string, dst: string, output: string, masq: 'yes' | 'no', proto: 'tcp' | 'udp' | 'sctp' = 'tcp'): FlowCase => {
  const [ip, port] = dst.split(':');
  return { name, src, dst: ip ?? '', port: Number(port), proto, output, masq: masq === 'yes' };
};

import { match } from 'ts-pattern';
import type { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { clusterTransport, coreDnsConfigFor } from '../../controllers/coredns/index.js';
import { formatIpv4 } from '../../net/ipv4.js';
import { err, ok, type Result } from '../../lib/result.js';
import { LIBCS, lookup, type Libc, type LookupCall } from '../../resolver/index.js';
import { podEtc } from '../pod-etc.js';
import type { System } from '../../topology/system.js';
import { PING_DEFAULT_SIZE, type FlowKind } from '../../trace/flow.js';
import { runTrace } from '../../trace/run.js';
import type { Disposition } from '../../trace/types.js';
import { summarize } from '../../trace/summary.js';
import type { LabFlow } from './flows.js';

/** One way the model says a packet flow ends, with the facts the lab can observe. */
export interface PredictedOutcome {
  readonly probability: number;
  readonly verdict: 'ok' | 'refused' | 'failed';
  /** Netns (model id) the request was delivered or refused in; null when it never got there. */
  readonly endpoint: string | null;
  /** Address the request arrived at, and the port (after any DNAT). */
  readonly endpointIp: string | null;
  readonly endpointPort: number | null;
  readonly sourceSeen: string | null;
  readonly ttl: number | null;
  readonly replyTtl: number | null;
  /** VXLAN crossings of the request: `vxlan OUTER_SRC->OUTER_DST dport P vni V`. */
  readonly encaps: readonly string[];
}

export type Prediction =
  | { readonly kind: 'net'; readonly clientIp: string; readonly dstIp: string; readonly outcomes: readonly PredictedOutcome[] }
  | {
      readonly kind: 'dns';
      readonly libc: Libc;
      readonly clientIp: string;
      readonly netns: string;
      readonly resolvConf: string;
      readonly hosts: string;
      /** `NAME TYPE` in the order the libc sends them. */
      readonly queries: readonly string[];
      /** `OK addr...` (sorted) or `ERR code`, as the lab's getaddrinfo client prints it. */
      readonly result: string;
    };

/** The libc call every `dns:` flow makes: getaddrinfo(NAME, AF_UNSPEC), as most programs do. */
export const DNS_FLOW_CALL: LookupCall = { kind: 'getaddrinfo', family: 'AF_UNSPEC' };

export function encapText(e: { readonly outerSrc: number; readonly outerDst: number; readonly udpDstPort: number; readonly vni: number }): string {
  return `vxlan ${formatIpv4(e.outerSrc as never)}->${formatIpv4(e.outerDst as never)} dport ${e.udpDstPort} vni ${e.vni}`;
}

function flowKind(f: Extract<LabFlow, { kind: 'ping' | 'tcp' | 'udp' }>): FlowKind {
  return match(f)
    .with({ kind: 'ping' }, (): FlowKind => ({ proto: 'icmp', size: PING_DEFAULT_SIZE }))
    .with({ kind: 'tcp' }, (x): FlowKind => ({ proto: 'tcp', dport: x.port }))
    // The lab's UDP client sends the 5 bytes `probe`.
    .with({ kind: 'udp' }, (x): FlowKind => ({ proto: 'udp', dport: x.port, size: 5 }))
    .exhaustive();
}

/**
 * What the client program sees. A REJECT with an ICMP port unreachable (kube-proxy's rule for a
 * Service without endpoints) or a TCP reset makes connect() and a connected UDP socket fail with
 * ECONNREFUSED (tcp_v4_err / __udp4_lib_err map ICMP_PORT_UNREACH to it), like a closed port.
 */
function clientVerdict(v: PredictedOutcome['verdict'], d: Disposition): PredictedOutcome['verdict'] {
  if (d.kind === 'REJECTED' && (d.with === 'icmp-port-unreachable' || d.with === 'tcp-reset')) return 'refused';
  return v;
}

/** What podnet's model says a flow does: every outcome of the walk, or the resolver's queries. */
export function predict(system: System, cluster: Cluster, flow: LabFlow, opts: { readonly muslVersion?: '1.2.3' | '1.2.5' } = {}): Result<Prediction, string> {
  if (flow.kind === 'dns') return predictDns(cluster, flow, opts.muslVersion);
  const run = runTrace(system, { from: flow.from, to: flow.to, kind: flowKind(flow) });
  if (!run.ok) return run;
  const id = (x: string): string => x;
  const outcomes = run.value.outcomes.map((o): PredictedOutcome => {
    const d = o.request.disposition;
    const at = d.kind === 'DELIVERED' || d.kind === 'REFUSED' ? d.netns : null;
    const req = summarize(o.request, id);
    const rep = o.reply ? summarize(o.reply, id) : null;
    const pkt = o.request.packet;
    const port = pkt && (pkt.payload.kind === 'tcp' || pkt.payload.kind === 'udp') ? pkt.payload.dport : null;
    return {
      probability: o.probability,
      verdict: clientVerdict(o.verdict.kind, d),
      endpoint: at,
      endpointIp: at && pkt ? formatIpv4(pkt.header.dst) : null,
      endpointPort: at ? port : null,
      sourceSeen: at && pkt ? formatIpv4(pkt.header.src) : null,
      ttl: req.ttlOnArrival ?? (d.kind === 'REFUSED' && pkt ? pkt.header.ttl : null),
      // ping prints the TTL of the echo reply; TCP and UDP clients never see theirs.
      replyTtl: flow.kind === 'ping' && o.verdict.kind === 'ok' && rep ? rep.ttlOnArrival : null,
      encaps: req.encapsulations.map(encapText),
    };
  });
  return ok({ kind: 'net', clientIp: formatIpv4(run.value.from.ip), dstIp: formatIpv4(run.value.to.ip), outcomes });
}

function libcOf(pod: Pod): Libc {
  const a = pod.annotations['podnet.dev/libc'];
  return a !== undefined && (LIBCS as readonly string[]).includes(a) ? (a as Libc) : 'glibc';
}

function predictDns(cluster: Cluster, flow: Extract<LabFlow, { kind: 'dns' }>, muslVersion: '1.2.3' | '1.2.5' | undefined): Result<Prediction, string> {
  const pod = cluster.pods.find((p) => p.namespace === flow.from.namespace && p.name === flow.from.name);
  if (!pod) return err(`no pod ${flow.from.namespace}/${flow.from.name} in ${cluster.header.name}`);
  if (pod.hostNetwork) return err(`pod ${pod.namespace}/${pod.name} is hostNetwork; dns flows run in a pod's own netns`);
  const config = coreDnsConfigFor(cluster);
  if (!config.ok) return config;
  const etc = podEtc(cluster, pod);
  if (!etc.ok) return etc;
  const clientIp = formatIpv4(pod.ip);
  const { resolvConf, hosts } = etc.value;
  const libc = libcOf(pod);
  const t = lookup(libc, { name: flow.name, call: DNS_FLOW_CALL }, { resolvConf, hosts, transport: clusterTransport(cluster, config.value, { clientIp }).transport, ...(muslVersion ? { muslVersion } : {}) });
  const r = t.result;
  return ok({
    kind: 'dns',
    libc,
    clientIp,
    netns: `pod:${pod.namespace}/${pod.name}`,
    resolvConf,
    hosts,
    queries: t.queries.map((q) => `${q.name} ${q.type}`),
    result: r.ok ? `OK ${[...new Set(r.addresses)].sort().join(' ')}` : `ERR ${r.error}`,
  });
}

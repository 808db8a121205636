import type { Cluster } from '../../cluster/cluster.js';
import { formatIpv4 } from '../../net/ipv4.js';
import { dnsResponse, overTheWire, type DnsMessage } from '../../net/dns.js';
import type { Delivery, OutgoingQuery, Transport } from '../../resolver/types.js';
import { coreDnsPods, type CoreDnsConfig } from './config.js';
import { serveQuery } from './server.js';
import { upstreamAnswer } from './upstream.js';

/**
 * A transport for the stub resolvers that answers from the modelled cluster, without the packet
 * walk: a query to the kube-dns ClusterIP (or straight to a CoreDNS pod) is answered by CoreDNS,
 * a query to any other address by the upstream resolver model. Every datagram goes through
 * dns-packet both ways, so what the resolver sees is what would be on the wire.
 *
 * The commands use the packet transport instead (src/lookup/packet-transport.ts), where the same
 * datagrams cross kube-proxy's DNAT (KUBE-SERVICES -> KUBE-SVC-* -> KUBE-SEP-*) to a CoreDNS pod
 * and back. This one stays for the resolver tests, which pin libc behaviour without a network.
 */

export interface ClusterTransportOptions {
  /** The querying pod's IP (the source CoreDNS sees; autopath maps it to the pod). */
  readonly clientIp: string;
  /** Reply latency per server address (default 0 ms). */
  readonly latencyMs?: (serverIp: string) => number;
  /** Lose this datagram or its reply (e.g. the conntrack race that drops one of the A/AAAA pair). */
  readonly lose?: (q: OutgoingQuery) => boolean;
}

/** Who answered one datagram and why, for explanations next to the query. */
export interface ServedBy {
  readonly by: 'coredns' | 'upstream' | 'nobody';
  /** The CoreDNS pod (NS/NAME) or upstream address. */
  readonly where: string | null;
  readonly why: string;
}

export interface ClusterTransport {
  readonly transport: Transport;
  /** Keyed by `servedKey(query)`. */
  readonly served: ReadonlyMap<string, ServedBy>;
}

/** The key of `served` for a datagram (its time, server, port, ID and transmission count). */
export function servedKey(q: { readonly t: number; readonly server: number; readonly sourcePort: number; readonly id?: number; readonly message?: DnsMessage; readonly transmission: number }): string {
  return `${q.t}|${q.server}|${q.sourcePort}|${q.id ?? q.message?.id ?? 0}|${q.transmission}`;
}

export function clusterTransport(cluster: Cluster, config: CoreDnsConfig, options: ClusterTransportOptions): ClusterTransport {
  const served = new Map<string, ServedBy>();
  const kubeDns = cluster.services.find((s) => s.namespace === 'kube-system' && s.name === 'kube-dns');
  const kubeDnsIp = kubeDns && kubeDns.clusterIP !== 'None' ? formatIpv4(kubeDns.clusterIP) : null;
  const readyCoreDns = coreDnsPods(cluster).filter((p) => p.ready && !p.terminating);
  const serviceIps = new Set(cluster.services.flatMap((s) => (s.clusterIP === 'None' ? [] : [formatIpv4(s.clusterIP)])));

  const transport: Transport = (q): Delivery => {
    const key = servedKey(q);
    const note = (s: ServedBy): void => void served.set(key, s);
    if (options.lose?.(q)) {
      note({ by: 'nobody', where: null, why: 'lost on the way (the transport dropped it)' });
      return { kind: 'lost' };
    }
    const latencyMs = options.latencyMs?.(q.serverIp) ?? 0;
    const wireQuery = overTheWire(q.message);
    if (!wireQuery.ok) throw new Error(`a query podnet encoded does not decode: ${wireQuery.error}`);
    const toCoreDns = (podIndex: number, via: string): Delivery => {
      const pod = readyCoreDns[podIndex % readyCoreDns.length];
      if (!pod) return { kind: 'lost' };
      const { response, answer } = serveQuery(cluster, config, wireQuery.value, { ip: options.clientIp, selfIp: formatIpv4(pod.ip) });
      const back = overTheWire(response);
      if (!back.ok) throw new Error(`a response podnet encoded does not decode: ${back.error}`);
      note({ by: 'coredns', where: `${pod.namespace}/${pod.name}`, why: `${via}${answer ? `${answer.plugin}: ${answer.why}` : 'malformed query'}` });
      return { kind: 'reply', message: back.value, latencyMs };
    };
    if (q.serverIp === kubeDnsIp) {
      if (readyCoreDns.length === 0) {
        note({ by: 'nobody', where: null, why: 'kube-dns has no ready endpoints: kube-proxy rejects the packet (ICMP port unreachable)' });
        return { kind: 'unreachable', latencyMs };
      }
      return toCoreDns(q.sourcePort, `kube-dns ${kubeDnsIp} -> `);
    }
    const direct = readyCoreDns.findIndex((p) => formatIpv4(p.ip) === q.serverIp);
    if (direct >= 0) return toCoreDns(direct, '');
    if (q.serverIp === '127.0.0.1' || q.serverIp === '::1' || serviceIps.has(q.serverIp) || cluster.pods.some((p) => formatIpv4(p.ip) === q.serverIp)) {
      note({ by: 'nobody', where: null, why: `nothing listens on ${q.serverIp}:53 (ICMP port unreachable)` });
      return { kind: 'unreachable', latencyMs };
    }
    if (!config.upstream.reachable) {
      note({ by: 'nobody', where: q.serverIp, why: `${q.serverIp} does not answer (upstream down)` });
      return { kind: 'lost' };
    }
    const q0 = wireQuery.value.questions[0];
    if (!q0) return { kind: 'lost' };
    const a = upstreamAnswer({ ...config.upstream, servers: [q.serverIp] }, q0);
    const back = overTheWire(dnsResponse(wireQuery.value, a));
    if (!back.ok) throw new Error(`a response podnet encoded does not decode: ${back.error}`);
    note({ by: 'upstream', where: q.serverIp, why: `upstream resolver ${q.serverIp}: ${a.note}` });
    return { kind: 'reply', message: back.value, latencyMs };
  };
  return { transport, served };
}

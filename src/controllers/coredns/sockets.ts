import type { Cluster } from '../../cluster/cluster.js';
import { formatIpv4 } from '../../net/ipv4.js';
import { DNS_PORT, decodeDnsMessage, dnsResponse, dnsUdpPayload, describeDnsMessage, type DnsMessage } from '../../net/dns.js';
import type { DatagramAnswer, UdpResponder } from '../../net/datagram.js';
import type { UdpPayload } from '../../net/packet.js';
import { podNetns, UNDERLAY_NETNS } from '../names.js';
import { coreDnsPods, type CoreDnsConfig } from './config.js';
import { serveQuery } from './server.js';
import { upstreamAnswer } from './upstream.js';

/**
 * The DNS servers as sockets the packet walk delivers to: every CoreDNS pod listens on UDP 53
 * (its `.:53` server block) and answers with `serveQuery`; the nodes' upstream nameserver, when
 * its address lives on the modelled network (by default the first node's gateway, on the
 * underlay router), answers from the upstream table. Datagrams arrive as bytes and leave as
 * bytes, so what the client gets is exactly what a capture shows.
 */

export interface ApplicationSocket {
  readonly netns: string;
  readonly protocol: 'udp';
  readonly port: number;
  /** Who listens, for the step record: "CoreDNS in pod kube-system/coredns-0". */
  readonly what: string;
  readonly respond: UdpResponder;
}

function queryOf(payload: UdpPayload): DnsMessage | string {
  if (payload.kind === 'vxlan') return 'a VXLAN datagram, not DNS';
  if (payload.kind === 'dns') return payload.message;
  const m = decodeDnsMessage(payload.bytes);
  return m.ok ? m.value : m.error;
}

/** CoreDNS answering on one pod: the client address it sees drives autopath; its own IP goes in NS answers. */
function coreDnsResponder(cluster: Cluster, config: CoreDnsConfig, selfIp: string): UdpResponder {
  return (req): DatagramAnswer => {
    const query = queryOf(req.payload);
    // CoreDNS (miekg/dns) drops datagrams that do not parse as a DNS header; nothing is sent back.
    if (typeof query === 'string') return { kind: 'silent', note: `not a DNS message (${query}); CoreDNS drops it` };
    const { response, answer } = serveQuery(cluster, config, query, { ip: formatIpv4(req.src), selfIp });
    const payload = dnsUdpPayload(response);
    return { kind: 'reply', payload, note: `${answer ? `${answer.plugin}: ${answer.why}` : 'malformed query: FORMERR'} -> ${describeDnsMessage(payload.message)}` };
  };
}

/** The nodes' nameserver, as CoreDNS's `forward` and dnsPolicy Default pods reach it. */
function upstreamResponder(config: CoreDnsConfig): UdpResponder {
  return (req): DatagramAnswer => {
    const server = formatIpv4(req.dst);
    if (!config.upstream.servers.includes(server)) return { kind: 'silent', note: `${server} is not one of the nodes' nameservers` };
    if (!config.upstream.reachable) return { kind: 'silent', note: `upstream ${server} is down (the topology says so)` };
    const query = queryOf(req.payload);
    if (typeof query === 'string') return { kind: 'silent', note: `not a DNS message (${query})` };
    const q = query.questions[0];
    if (!q) return { kind: 'reply', payload: dnsUdpPayload(dnsResponse(query, { rcode: 'FORMERR', aa: false, ra: true, answers: [], authority: [], additional: [] })), note: 'no question: FORMERR' };
    const a = upstreamAnswer({ ...config.upstream, servers: [server] }, q);
    const payload = dnsUdpPayload(dnsResponse(query, a));
    return { kind: 'reply', payload, note: `upstream resolver ${server}: ${a.note} -> ${describeDnsMessage(payload.message)}` };
  };
}

/** Every DNS server socket of the cluster. hostNetwork CoreDNS pods listen in their node's netns. */
export function dnsServerSockets(cluster: Cluster, config: CoreDnsConfig): ApplicationSocket[] {
  const out: ApplicationSocket[] = [];
  for (const p of coreDnsPods(cluster)) {
    if (p.hostNetwork) continue;
    out.push({ netns: podNetns(p.namespace, p.name), protocol: 'udp', port: DNS_PORT, what: `CoreDNS in pod ${p.namespace}/${p.name}`, respond: coreDnsResponder(cluster, config, formatIpv4(p.ip)) });
  }
  if (config.upstream.servers.length > 0) out.push({ netns: UNDERLAY_NETNS, protocol: 'udp', port: DNS_PORT, what: `upstream resolver ${config.upstream.servers.join(', ')}`, respond: upstreamResponder(config) });
  return out;
}

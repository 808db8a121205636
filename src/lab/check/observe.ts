import { decodeDnsMessage } from '../../net/dns.js';
import type { WirePacket } from './captures.js';
import { encapText } from './predict.js';
import type { SocketAttempt } from './socket-probe.js';
import type { LocalArrival } from './conntrack-probe.js';

/** What the real kernel did with one flow. */
export type Observation =
  | {
      readonly kind: 'net';
      readonly attempts: readonly { readonly verdict: 'ok' | 'refused' | 'failed'; readonly endpoint: string | null; readonly source: string | null; readonly replyTtl: number | null; readonly detail: string }[];
      /** TTLs the request arrived with at its endpoint (captured there). */
      readonly ttls: readonly number[];
      readonly encaps: readonly string[];
    }
  | { readonly kind: 'dns'; readonly queries: readonly string[]; readonly result: string; readonly raw: string };

export interface FlowWindow {
  readonly from: number;
  readonly to: number;
}

/** Which packet of a capture is the flow's request arriving (or crossing the underlay). */
export type RequestShape = 'icmp' | 'tcp' | 'udp';

/**
 * The request, not the reply: an echo request; a SYN without ACK; a UDP datagram not sent from
 * the address the client aimed at (replies come back from it, after any reverse NAT).
 */
function isRequest(p: WirePacket, shape: RequestShape, target: string): boolean {
  if (shape === 'icmp') return p.icmpType === 8;
  // An ICMP error quoting a SYN carries its TCP header too: not a request.
  if (shape === 'tcp') return p.icmpType === null && p.tcpFlags !== null && (p.tcpFlags & 0x12) === 0x02;
  return p.udpDport !== null && p.icmpType === null && p.src !== target;
}

/**
 * The request packets of a flow seen where they arrived: in the window, the right shape, in a
 * netns whose own address they were sent to (a pod's eth0, or a node's any device).
 */
export function arrivals(packets: readonly WirePacket[], w: FlowWindow, shape: RequestShape, target: string, ipOf: (netns: string) => string | null): WirePacket[] {
  return packets.filter((p) => p.t >= w.from && p.t <= w.to && p.vxlan === null && isRequest(p, shape, target) && ipOf(p.netns) === p.dst);
}

/** VXLAN frames on the underlay carrying the request to one of the endpoints it arrived at. */
export function requestEncaps(packets: readonly WirePacket[], w: FlowWindow, shape: RequestShape, target: string, endpointIps: ReadonlySet<string>): string[] {
  const seen = packets.filter((p) => p.t >= w.from && p.t <= w.to && p.vxlan !== null && isRequest(p, shape, target) && endpointIps.has(p.dst));
  return [...new Set(seen.map((p) => (p.vxlan ? encapText({ outerSrc: ipNum(p.vxlan.src), outerDst: ipNum(p.vxlan.dst), udpDstPort: p.vxlan.dport, vni: p.vxlan.vni }) : '')))];
}

function ipNum(s: string): number {
  return s.split('.').reduce((a, b) => ((a << 8) | Number(b)) >>> 0, 0);
}

/** A ping: its reply, and where and with which TTL the echo request arrived. */
export function observePing(ok: boolean, replyTtl: number | null, detail: string, packets: readonly WirePacket[], w: FlowWindow, target: string, ipOf: (netns: string) => string | null, underlay: string): Observation {
  const got = arrivals(packets, w, 'icmp', target, ipOf).filter((p) => p.netns !== underlay);
  const first = got[0];
  return {
    kind: 'net',
    attempts: [{ verdict: ok ? 'ok' : 'failed', endpoint: first?.netns ?? null, source: first?.src ?? null, replyTtl, detail }],
    ttls: [...new Set(got.map((p) => p.ttl))],
    encaps: requestEncaps(packets, w, 'icmp', target, new Set(got.map((p) => p.dst))),
  };
}

/**
 * TCP/UDP attempts: the endpoint and source from the agent's answer; for an attempt without one
 * (a refused port), where the capture saw the request arrive.
 */
export function observeSocket(
  proto: 'tcp' | 'udp',
  attempts: readonly SocketAttempt[],
  packets: readonly WirePacket[],
  w: FlowWindow,
  target: string,
  ipOf: (netns: string) => string | null,
  underlay: string,
  local: readonly LocalArrival[] = [],
): Observation {
  const seen = arrivals(packets, w, proto, target, ipOf).filter((p) => p.netns !== underlay);
  // DNATed to a node's own address: the TTL is the one it entered that netns with (local
  // delivery does not decrement it), captured there still addressed to the target.
  const entering = local.flatMap((l) => packets.filter((p) => p.t >= w.from && p.t <= w.to && p.netns === l.netns && p.vxlan === null && p.dst === target && isRequest(p, proto, target)));
  const got = [...seen, ...entering.filter((p) => !seen.some((s) => s.netns === p.netns))];
  // An attempt no agent answered (refused, or dropped where it arrived): where its own request
  // was captured arriving, during the attempt; else where a node's conntrack says it ended.
  const where = (a: SocketAttempt): { netns: string; src: string } | null => {
    if (a.answer) return { netns: a.answer.netns, src: a.answer.peer };
    const p = seen.find((x) => x.t >= a.from - 1 && x.t <= a.to + 1);
    if (p) return { netns: p.netns, src: p.src };
    return local[0] ? { netns: local[0].netns, src: local[0].source } : null;
  };
  return {
    kind: 'net',
    attempts: attempts.map((a) => {
      const w2 = where(a);
      return { verdict: a.verdict, endpoint: w2?.netns ?? null, source: w2?.src ?? null, replyTtl: null, detail: a.detail };
    }),
    ttls: [...new Set(got.map((p) => p.ttl))],
    encaps: requestEncaps(packets, w, proto, target, new Set(got.map((p) => p.dst))),
  };
}

/** The DNS queries a pod sent, in wire order, decoded with podnet's own DNS codec. */
export function dnsQueriesSent(packets: readonly WirePacket[], w: FlowWindow, netns: string, clientIp: string): string[] {
  const out: string[] = [];
  for (const p of packets) {
    if (p.t < w.from || p.t > w.to || p.netns !== netns || p.src !== clientIp || p.udpDport !== 53 || p.udpPayload === null) continue;
    const m = decodeDnsMessage(Uint8Array.from(Buffer.from(p.udpPayload, 'hex')));
    const q = m.ok && !m.value.qr ? m.value.questions[0] : undefined;
    if (q) out.push(`${q.name} ${q.type}`);
  }
  return out;
}

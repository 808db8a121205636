import { fnv32 } from '../lib/hash.js';
import { parseIpv4, type Ipv4 } from '../net/ipv4.js';
import { decodeDnsMessage, dnsUdpPayload, DNS_PORT } from '../net/dns.js';
import type { Delivery, OutgoingQuery, Transport } from '../resolver/types.js';
import type { Dynamic } from '../trace/dynamic-state.js';
import type { WalkEnv } from '../trace/env.js';
import { traceFlowBranches, type FlowBranch, type FlowOutcome } from '../trace/flow.js';
import { pickWeighted } from '../trace/seed.js';

/**
 * A stub resolver transport over the packet walk: every datagram the libc sends becomes a UDP
 * packet from the pod's netns (its source port, real DNS bytes) walked by traceFlow through the
 * node's kernel (kube-proxy's DNAT to a CoreDNS pod, the CNI, the reply's reverse NAT). What
 * reaches the client socket is handed back to the libc; nothing else is.
 *
 * Random choices (which CoreDNS endpoint `-m statistic` picks) make each datagram branch. The
 * transport keeps every "world" (one choice per branch point so far, with its conntrack state)
 * that is consistent with what the libc has seen, so a second query on the same socket follows
 * the first one's conntrack entry as in the kernel. When branches give the libc different
 * things (a reply on one, ICMP unreachable on another), the libc's own run must fork: the
 * transport follows `choices` (one class index per such fork) and records how many classes
 * each fork had, so `resolveAllBranches` can replay every combination.
 */

/** One walk of one datagram in one world. */
export interface DatagramWalk {
  readonly flow: FlowOutcome;
  readonly application: FlowBranch['application'];
  /** What the libc got from it. */
  readonly delivery: Delivery;
}

/** A consistent history: one walk per datagram so far, its probability and the kernel state it left. */
export interface WalkWorld {
  readonly probability: number;
  readonly dyn: Dynamic;
  readonly walks: readonly DatagramWalk[];
}

export interface PacketTransportOptions {
  readonly env: WalkEnv;
  readonly clientNetns: string;
  /** The pod's address (null for a hostNetwork pod: the route picks the node's). */
  readonly clientIp: Ipv4 | null;
  readonly mtu: number;
  readonly dyn: Dynamic;
  /** Class index to take at each fork, in order (missing: 0). */
  readonly choices: readonly number[];
  /** Pick one branch per datagram instead of keeping them all. */
  readonly seed?: number;
}

/** Every way one datagram went, with probabilities given what the libc saw up to and including it. */
export interface DatagramPaths {
  readonly paths: readonly { readonly probability: number; readonly walk: DatagramWalk }[];
}

export interface PacketTransport {
  readonly transport: Transport;
  /** The worlds consistent with everything the libc has seen; the first is the most probable. */
  worlds(): readonly WalkWorld[];
  /** Per datagram in send order. */
  datagrams(): readonly DatagramPaths[];
  /** Number of classes at each fork met so far. */
  forks(): readonly number[];
  /** Probability of the classes taken at the forks (1 without forks). */
  probability(): number;
}

/** What the client's socket gets from one walk of a query. */
export function deliveryOf(b: FlowBranch): { readonly key: string; readonly delivery: Delivery } {
  const o = b.outcome;
  if (o.verdict.kind === 'ok' && o.reply?.packet) {
    const l4 = o.reply.packet.payload;
    if (l4.kind === 'udp' && l4.payload.kind !== 'vxlan') {
      const m = decodeDnsMessage(l4.payload.bytes);
      // glibc and musl discard a datagram that is not a DNS reply and keep waiting.
      if (!m.ok) return { key: 'lost', delivery: { kind: 'lost' } };
      return { key: `reply:${Buffer.from(l4.payload.bytes).toString('hex')}`, delivery: { kind: 'reply', message: m.value } };
    }
    return { key: 'lost', delivery: { kind: 'lost' } };
  }
  // The socket sees ECONNREFUSED: kube-proxy's REJECT (icmp-port-unreachable) or no listener.
  if (o.verdict.kind === 'refused') return { key: 'unreachable', delivery: { kind: 'unreachable' } };
  const d = o.request.disposition;
  if (d.kind === 'REJECTED') return { key: 'unreachable', delivery: { kind: 'unreachable' } };
  // Dropped on the way there or back, no route, no ARP answer: the libc hears nothing and times out.
  return { key: 'lost', delivery: { kind: 'lost' } };
}

export function packetTransport(o: PacketTransportOptions): PacketTransport {
  let worlds: WalkWorld[] = [{ probability: 1, dyn: o.dyn, walks: [] }];
  const forks: number[] = [];
  const datagrams: DatagramPaths[] = [];
  let taken = 1;
  let socket: number | null = null;

  const transport: Transport = (q: OutgoingQuery): Delivery => {
    const index = datagrams.length;
    // A new socket: its 5-tuple has no conntrack entry in any world, so the worlds no longer
    // differ in anything that changes what happens next (only in old sockets' entries and in
    // learned ARP/fdb state). Keep the most probable one; the others' paths are already recorded.
    if (socket !== q.sourcePort && worlds.length > 1) {
      const best = worlds.reduce((a, b) => (b.probability > a.probability ? b : a));
      worlds = [{ ...best, probability: 1 }];
    }
    socket = q.sourcePort;
    const dst = parseIpv4(q.serverIp);
    const payload = dnsUdpPayload(q.message);
    // Every world walks the datagram; each branch extends its world.
    const next: { world: WalkWorld; key: string }[] = [];
    for (const w of worlds) {
      const branches = dst.ok
        ? traceFlowBranches(
            o.env,
            { srcNetns: o.clientNetns, src: o.clientIp, dst: dst.value, kind: { proto: 'udp', dport: DNS_PORT, size: payload.bytes.length }, sport: q.sourcePort, udpPayload: payload },
            w.dyn,
            o.mtu,
          )
        : [];
      for (const b of branches) {
        const { key, delivery } = deliveryOf(b);
        next.push({ key, world: { probability: w.probability * b.outcome.probability, dyn: b.dyn, walks: [...w.walks, { flow: b.outcome, application: b.application, delivery }] } });
      }
    }
    // An IPv6 nameserver: podnet's network is IPv4 only, so nothing answers.
    if (next.length === 0) {
      datagrams.push({ paths: [] });
      return { kind: 'lost' };
    }
    const total = next.reduce((s, n) => s + n.world.probability, 0);
    let chosen: { world: WalkWorld; key: string }[];
    if (o.seed !== undefined) {
      const pick = pickWeighted(
        next.map((n) => ({ ...n, probability: n.world.probability })),
        (o.seed ^ fnv32(`dns|${index}`)) >>> 0,
      );
      chosen = pick ? [pick] : [];
    } else {
      const keys = [...new Set(next.map((n) => n.key))];
      let key = keys[0];
      if (keys.length > 1) {
        key = keys[o.choices[forks.length] ?? 0] ?? keys[0];
        forks.push(keys.length);
      }
      chosen = next.filter((n) => n.key === key);
    }
    const mass = chosen.reduce((s, n) => s + n.world.probability, 0);
    if (o.seed === undefined) taken *= total > 0 ? mass / total : 1;
    worlds = chosen.map((c) => ({ ...c.world, probability: mass > 0 ? c.world.probability / mass : 1 / chosen.length }));
    datagrams.push({ paths: worlds.map((w) => ({ probability: w.probability, walk: w.walks[w.walks.length - 1] as DatagramWalk })) });
    return worlds[0]?.walks[worlds[0].walks.length - 1]?.delivery ?? { kind: 'lost' };
  };
  return {
    transport,
    worlds: () => [...worlds].sort((a, b) => b.probability - a.probability),
    datagrams: () => datagrams,
    forks: () => forks,
    probability: () => taken,
  };
}

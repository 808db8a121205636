import { match } from 'ts-pattern';
import { formatIpv4, type Ipv4 } from '../net/ipv4.js';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, TCP_NO_FLAGS, type Ipv4Packet, type UdpPayload } from '../net/packet.js';
import { fnv32 } from '../lib/hash.js';
import { startCursor, step, type BranchOutcome } from './cursor.js';
import type { Dynamic } from './dynamic-state.js';
import type { WalkEnv } from './env.js';
import { localOut } from './walk.js';
import type { Outcome } from './types.js';

/** What the client does: ping, or open a TCP connection, or send one UDP datagram. */
export type FlowKind =
  | { readonly proto: 'icmp'; readonly size: number }
  | { readonly proto: 'tcp'; readonly dport: number }
  | { readonly proto: 'udp'; readonly dport: number; readonly size: number };

export interface FlowSpec {
  readonly srcNetns: string;
  /** Source address; null lets the route choose (as an unbound socket does). */
  readonly src: Ipv4 | null;
  readonly dst: Ipv4;
  readonly kind: FlowKind;
  /** The client socket's port (TCP/UDP; the ICMP echo id); default: `ephemeralPort(spec)`. */
  readonly sport?: number;
  /** What a UDP client writes; default `kind.size` zero bytes. */
  readonly udpPayload?: UdpPayload;
}

/** How the exchange ended from the client's point of view. */
export type FlowVerdict =
  | { readonly kind: 'ok'; readonly detail: string }
  | { readonly kind: 'refused'; readonly detail: string }
  | { readonly kind: 'failed'; readonly detail: string };

/** One branch of a flow: the request, and the reply it caused (if the request got through). */
export interface FlowOutcome {
  readonly probability: number;
  readonly request: Outcome;
  readonly reply: Outcome | null;
  readonly verdict: FlowVerdict;
}

/** Linux's ping payload: 56 bytes of data after the 8-byte ICMP header (98-byte frame). */
export const PING_DEFAULT_SIZE = 56;

/**
 * The client's ephemeral port. Linux picks it from ip_local_port_range at random; podnet hashes
 * the flow so the same command always prints the same port.
 */
export function ephemeralPort(spec: FlowSpec): number {
  return 32768 + (fnv32(`${spec.srcNetns}|${spec.dst}|${JSON.stringify(spec.kind)}`) % (60999 - 32768));
}

/** Linux SYN options: MSS, SACK permitted, timestamps, window scale (40-byte TCP header). */
function synOptions(mss: number): Uint8Array {
  return Uint8Array.of(2, 4, mss >> 8, mss & 255, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7);
}

export function requestPacket(spec: FlowSpec, mtu: number): Ipv4Packet {
  const src = spec.src ?? (0 as Ipv4);
  const header = { src, dst: spec.dst, ttl: 64, id: 0, df: true, tos: 0 };
  const sport = spec.sport ?? ephemeralPort(spec);
  return match(spec.kind)
    .with({ proto: 'icmp' }, (k) => ({
      header: { ...header, protocol: IPPROTO_ICMP },
      payload: { kind: 'icmp' as const, message: { type: 'echo-request' as const, id: sport & 0xffff, seq: 1, data: new Uint8Array(k.size) } },
    }))
    .with({ proto: 'tcp' }, (k) => ({
      header: { ...header, protocol: IPPROTO_TCP },
      payload: {
        kind: 'tcp' as const,
        sport,
        dport: k.dport,
        seq: fnv32(`isn|${sport}`),
        ack: 0,
        flags: { ...TCP_NO_FLAGS, syn: true },
        window: 64240,
        options: synOptions(mtu - 40),
        data: new Uint8Array(),
      },
    }))
    .with({ proto: 'udp' }, (k) => ({
      header: { ...header, protocol: IPPROTO_UDP, df: true },
      payload: { kind: 'udp' as const, sport, dport: k.dport, payload: spec.udpPayload ?? { kind: 'raw' as const, bytes: new Uint8Array(k.size) } },
    }))
    .exhaustive();
}

/**
 * The answer the destination's kernel or application sends to a delivered/refused request. A UDP
 * server answers with `udpAnswer` when its application says what it sends, else echoes.
 */
function replyPacket(req: Ipv4Packet, refused: boolean, udpAnswer: UdpPayload | null): Ipv4Packet {
  const header = { src: req.header.dst, dst: req.header.src, ttl: 64, id: 0, df: true, tos: 0, protocol: req.header.protocol };
  return match(req.payload)
    .with({ kind: 'icmp' }, (i) => ({
      header,
      payload: {
        kind: 'icmp' as const,
        message:
          i.message.type === 'echo-request'
            ? { type: 'echo-reply' as const, id: i.message.id, seq: i.message.seq, data: i.message.data }
            : { type: 'other' as const, icmpType: 0, code: 0, rest: new Uint8Array(4) },
      },
    }))
    .with({ kind: 'tcp' }, (t) => ({
      header,
      payload: {
        kind: 'tcp' as const,
        sport: t.dport,
        dport: t.sport,
        seq: refused ? 0 : fnv32(`isn|${t.dport}|${t.sport}`),
        ack: (t.seq + 1) >>> 0,
        flags: refused ? { ...TCP_NO_FLAGS, rst: true, ack: true } : { ...TCP_NO_FLAGS, syn: true, ack: true },
        window: refused ? 0 : 65160,
        options: refused ? new Uint8Array() : t.options,
        data: new Uint8Array(),
      },
    }))
    .with({ kind: 'udp' }, (u) => ({ header, payload: { kind: 'udp' as const, sport: u.dport, dport: u.sport, payload: udpAnswer ?? u.payload } }))
    // No SCTP sockets are modelled, so every SCTP packet is "out of the blue" (RFC 9260 §8.4) and is
    // answered by an ABORT: for an INIT, with its Initiate Tag and the T bit clear (§8.4 item 3);
    // otherwise with the packet's own tag and the T bit (0x01) set (§8.4 item 8).
    .with({ kind: 'sctp' }, (s) => ({
      header,
      payload: {
        kind: 'sctp' as const,
        sport: s.dport,
        dport: s.sport,
        vtag: s.chunks.kind === 'init' ? s.chunks.initiateTag : s.vtag,
        chunks: { kind: 'raw' as const, bytes: Uint8Array.of(6, s.chunks.kind === 'init' ? 0 : 1, 0, 4) }, // ABORT: type 6, flags, length 4
      },
    }))
    .with({ kind: 'ipip' }, { kind: 'raw' }, (r) => ({ header, payload: r }))
    .exhaustive();
}

function strip(o: BranchOutcome): Outcome {
  const { dyn: _dyn, ...rest } = o;
  return rest;
}

/** One branch of a flow with the kernel state it leaves behind and what the server application said. */
export interface FlowBranch {
  readonly outcome: FlowOutcome;
  /** Dynamic state (conntrack, ARP, fdb) after the exchange: the next packet on this branch starts here. */
  readonly dyn: Dynamic;
  /** The receiving application's account of its answer, when it gave one (`SocketLookup.respond`). */
  readonly application: { readonly what: string; readonly note: string } | null;
}

/** Walk a request and, for each way it can end, the reply it provokes. */
export function traceFlow(env: WalkEnv, spec: FlowSpec, dyn: Dynamic, mtu: number): FlowOutcome[] {
  return traceFlowBranches(env, spec, dyn, mtu).map((b) => b.outcome);
}

/** `traceFlow`, keeping each branch's kernel state so a later packet can continue from it. */
export function traceFlowBranches(env: WalkEnv, spec: FlowSpec, dyn: Dynamic, mtu: number): FlowBranch[] {
  const request = requestPacket(spec, mtu);
  const requests = localOut(env, startCursor(dyn), spec.srcNetns, request);
  return requests.flatMap((walked): FlowBranch[] => {
    let req = walked;
    const d = req.disposition;
    const reqPacket = req.packet;
    const alone = (verdict: FlowVerdict, application: FlowBranch['application'] = null): FlowBranch[] => [
      { outcome: { probability: req.probability, request: strip(req), reply: null, verdict }, dyn: req.dyn, application },
    ];
    if ((d.kind !== 'DELIVERED' && d.kind !== 'REFUSED') || reqPacket === null) return alone({ kind: 'failed', detail: failureText(req) });
    const refused = d.kind === 'REFUSED';
    if (refused && reqPacket.payload.kind !== 'tcp') return alone({ kind: 'refused', detail: 'ICMP port unreachable: no socket on the destination port' });
    // A UDP server application may answer with its own payload, or not at all.
    const l4 = reqPacket.payload;
    const sock = !refused && l4.kind === 'udp' ? env.sockets(d.netns, 'udp', l4.dport) : null;
    const answer = sock?.kind === 'listening' && sock.respond && l4.kind === 'udp' ? sock.respond({ src: reqPacket.header.src, sport: l4.sport, dst: reqPacket.header.dst, dport: l4.dport, payload: l4.payload }) : null;
    const application = answer && sock?.kind === 'listening' ? { what: sock.what, note: answer.note } : null;
    if (application && d.kind === 'DELIVERED') {
      // The application's account of its answer ends the request's record.
      const c = step(env, { probability: req.probability, steps: req.steps, frames: req.frames, dyn: req.dyn, hops: 0 }, { netns: d.netns, dev: null, stage: 'deliver', summary: `${application.what} ${answer?.kind === 'reply' ? 'answers' : 'does not answer'}: ${application.note}` });
      req = { ...req, steps: c.steps };
    }
    if (answer?.kind === 'silent') {
      return alone({ kind: 'failed', detail: `${application?.what ?? 'the application'} sent no reply: ${answer.note}` }, application);
    }
    const sentFrom = req.steps.find((s) => s.stage === 'send')?.packet ?? request;
    const client = { netns: spec.srcNetns, packet: sentFrom };
    const replyEnv: WalkEnv = {
      ...env,
      // The client's connected socket accepts the reply only on its own port and addresses.
      sockets: (ns, proto, port) =>
        ns === client.netns && port === ('sport' in client.packet.payload ? client.packet.payload.sport : -1)
          ? { kind: 'listening', what: 'the client socket' }
          : env.sockets(ns, proto, port),
    };
    const replies = localOut(replyEnv, { ...startCursor(req.dyn), hops: 0 }, d.netns, replyPacket(reqPacket, refused, answer?.kind === 'reply' ? answer.payload : null));
    return replies.map((rep): FlowBranch => {
      const back = rep.packet;
      const home = rep.disposition.kind === 'DELIVERED' && rep.disposition.netns === client.netns;
      // The client only accepts a reply from the address it sent to (conntrack reverse NAT).
      const sameAddrs = back !== null && back.header.src === sentFrom.header.dst && back.header.dst === sentFrom.header.src;
      const verdict: FlowVerdict = !home
        ? { kind: 'failed', detail: `the reply did not reach the client: ${failureText(rep)}` }
        : !sameAddrs && back
          ? { kind: 'failed', detail: `the reply comes from ${formatIpv4(back.header.src)}, not ${formatIpv4(sentFrom.header.dst)} as the client expects (no reverse NAT); the client drops it${back.payload.kind === 'tcp' ? ' and sends RST' : ''}` }
          : refused
            ? { kind: 'refused', detail: 'connection refused (TCP RST from the destination kernel)' }
            : { kind: 'ok', detail: reqPacket.payload.kind === 'icmp' ? 'echo reply received' : reqPacket.payload.kind === 'tcp' ? 'connected (SYN, SYN-ACK)' : 'reply received' };
      // The reply walk starts at probability 1: the flow branch is the request branch times the reply branch.
      return { outcome: { probability: req.probability * rep.probability, request: strip(req), reply: strip(rep), verdict }, dyn: rep.dyn, application };
    });
  });
}

function failureText(o: Outcome): string {
  const d = o.disposition;
  return match(d)
    .with({ kind: 'DELIVERED' }, (x) => `delivered in ${x.netns}`)
    .with({ kind: 'DROPPED' }, (x) => `dropped (${x.reason.kind})`)
    .with({ kind: 'REJECTED' }, (x) => `rejected with ${x.with} by ${x.rule.rule}`)
    .with({ kind: 'REFUSED' }, (x) => `refused: ${x.detail}`)
    .with({ kind: 'NO_ROUTE' }, (x) => `no route to ${formatIpv4(x.dst)}: ${x.detail}`)
    .with({ kind: 'BLACKHOLE' }, (x) => `blackholed by ${x.route}`)
    .with({ kind: 'TTL_EXCEEDED' }, () => 'TTL exceeded')
    .with({ kind: 'NEIGH_FAILED' }, (x) => `ARP for ${formatIpv4(x.nexthop)} on ${x.dev} got no answer`)
    .with({ kind: 'MTU_EXCEEDED' }, (x) => `${x.size} bytes exceed mtu ${x.mtu} on ${x.dev}`)
    .with({ kind: 'LOOP' }, () => 'routing loop')
    .exhaustive();
}

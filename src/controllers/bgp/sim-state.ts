import type { Cidr } from '../../net/cidr.js';
import type { Ipv4 } from '../../net/ipv4.js';
import { EventQueue } from './event-queue.js';
import type { BgpMessage, BgpNodeReport, BgpPathAttributes, BgpScenarioEvent, BgpSessionState, BgpTimelineEntry, BgpTimers } from './types.js';

/**
 * The mutable state of one simulation run. Times are integer milliseconds here; the public
 * results are in seconds. Everything is indexed by number (speaker index, side index, prefix
 * key) so that the 500-node mesh stays fast.
 */

/** A path held by a speaker: in an Adj-RIB-In, or its own static route (side -1). */
export interface Route {
  readonly key: number;
  readonly prefix: Cidr;
  readonly attrs: BgpPathAttributes;
  /** Side index it arrived on; -1 for the local static route. */
  readonly side: number;
  readonly originator: number;
  readonly stale: boolean;
}

export type TcpSegment = 'SYN' | 'SYN-ACK' | 'ACK' | 'RST' | 'FIN';

export type Wire = { readonly tcp: TcpSegment } | { readonly bgp: BgpMessage };

export type SimEvent =
  | { readonly k: 'deliver'; readonly to: number; readonly conn: number; readonly wire: Wire }
  | { readonly k: 'connect'; readonly side: number; readonly gen: number }
  | { readonly k: 'startup'; readonly side: number; readonly gen: number }
  | { readonly k: 'hold'; readonly side: number; readonly conn: number }
  | { readonly k: 'keepalive'; readonly side: number; readonly conn: number }
  | { readonly k: 'gr'; readonly side: number; readonly gen: number }
  | { readonly k: 'start'; readonly speaker: number }
  | { readonly k: 'scenario'; readonly event: BgpScenarioEvent };

/** One end of a peering: the `protocol bgp` on speaker `me` toward `peer`. */
export interface Side {
  readonly index: number;
  readonly peering: number;
  readonly me: number;
  readonly peer: number;
  /** Index of the peer's side toward me. */
  readonly remote: number;
  /** `passive on`: never opens TCP, only accepts. */
  readonly passive: boolean;
  /** The peer is my `rr client`. */
  readonly rrClient: boolean;
  state: BgpSessionState;
  /** Current TCP connection id; 0 = none. */
  conn: number;
  /** Bumped to cancel pending connect/startup timers. */
  gen: number;
  holdDeadline: number;
  keepaliveDue: number;
  /** Error wait (BIRD `startup_delay`), ms; 0 = no error yet. */
  startupDelay: number;
  lastError: number;
  /** Graceful restart in progress for routes from this peer (stale routes kept). */
  grActive: boolean;
  grGen: number;
  establishedAt: number | null;
  flaps: number;
  readonly ribIn: Map<number, Route>;
  /** What was last advertised to the peer, by prefix key: attribute key. */
  readonly ribOut: Map<number, string>;
  /** Changes to advertise at the end of the current event: route to announce, or null to withdraw. */
  readonly pendingOut: Map<number, { readonly prefix: Cidr; readonly attrs: BgpPathAttributes | null }>;
}

export interface Speaker {
  readonly index: number;
  readonly name: string;
  readonly address: Ipv4;
  readonly sides: number[];
  /** Has at least one `rr client` peer (reflects iBGP routes). */
  isReflector: boolean;
  running: boolean;
  linkUp: boolean;
  status: BgpNodeReport['status'];
  /** The prefixes this node originates (static blackhole routes), by key. */
  readonly originates: Map<number, Cidr>;
  /** All candidate paths per prefix: side index (-1 = local) -> route. */
  readonly candidates: Map<number, Map<number, Route>>;
  /** Loc-RIB: the best path per prefix. */
  readonly locRib: Map<number, Route>;
}

export interface Sim {
  readonly timers: BgpTimers;
  readonly asNumber: number;
  readonly clusterId: Ipv4 | null;
  readonly latencyMs: number;
  readonly speakers: Speaker[];
  readonly sides: Side[];
  readonly queue: EventQueue<SimEvent>;
  readonly record: boolean;
  readonly timeline: BgpTimelineEntry[];
  now: number;
  nextConn: number;
  messagesSent: number;
  lastRouteChange: number | null;
  /** Sides with pendingOut entries, flushed at the end of each event. */
  readonly dirty: Side[];
}

export function prefixKey(c: Cidr): number {
  return c.network * 64 + c.prefix;
}

export const sec = (ms: number): number => ms / 1000;
export const ms = (s: number): number => Math.round(s * 1000);

export function schedule(sim: Sim, delayMs: number, e: SimEvent): void {
  sim.queue.push(sim.now + delayMs, e);
}

/** Send a segment or message from side `from` to its remote side, over the current connection. */
export function send(sim: Sim, from: Side, conn: number, wire: Wire): void {
  const me = sim.speakers[from.me] as Speaker;
  const peer = sim.speakers[from.peer] as Speaker;
  const delivered = me.linkUp && peer.linkUp;
  sim.messagesSent++;
  if (sim.record) {
    const at = sec(sim.now);
    sim.timeline.push(
      'tcp' in wire
        ? { kind: 'tcp', at, from: me.name, to: peer.name, segment: wire.tcp, delivered }
        : { kind: 'message', at, from: me.name, to: peer.name, message: wire.bgp, delivered },
    );
  }
  if (delivered) schedule(sim, sim.latencyMs, { k: 'deliver', to: from.remote, conn, wire });
}

export function setState(sim: Sim, side: Side, to: BgpSessionState, why: string): void {
  if (side.state === to) return;
  if (sim.record) {
    sim.timeline.push({ kind: 'state', at: sec(sim.now), node: nameOf(sim, side.me), peer: nameOf(sim, side.peer), from: side.state, to, why });
  }
  side.state = to;
}

export function nameOf(sim: Sim, speaker: number): string {
  return (sim.speakers[speaker] as Speaker).name;
}

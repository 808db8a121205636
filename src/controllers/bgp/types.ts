import type { Cidr } from '../../net/cidr.js';
import type { Ipv4 } from '../../net/ipv4.js';

/**
 * The contract between the BGP speaker model (controllers/bgp) and its users (the Calico CNI
 * controller, `podnet bgp`, the benchmark). The model is a pure discrete-event simulation of
 * calico-node's BIRD on every node: sessions, timers, messages, RIBs, best path.
 */

/** How the speakers peer (Calico: node-to-node mesh, or route reflectors with clients). */
export type BgpPeering =
  | { readonly kind: 'full-mesh' }
  | { readonly kind: 'route-reflectors'; readonly reflectors: readonly string[]; readonly clusterId: Ipv4 };

/** BIRD timers as Calico's bird.cfg template sets them, in seconds. */
export interface BgpTimers {
  readonly connectDelay: number;
  readonly connectRetry: number;
  readonly holdTime: number;
  readonly keepalive: number;
  readonly gracefulRestart: number;
  /** `error wait time 5,30`: [min, max]. */
  readonly errorWait: readonly [number, number];
  /** Kernel/device protocol scan time (2 s in Calico's template). */
  readonly scanTime: number;
}

export interface BgpSpeakerInput {
  /** Node name. */
  readonly node: string;
  /** Router id and session source address: the node IP. */
  readonly address: Ipv4;
  /** Prefixes this node originates (`protocol static { route <block> blackhole; }`): its IPAM blocks. */
  readonly originates: readonly Cidr[];
}

export interface BgpNetworkInput {
  readonly asNumber: number;
  readonly peering: BgpPeering;
  readonly timers: BgpTimers;
  readonly speakers: readonly BgpSpeakerInput[];
}

/** Something that happens to a node during the simulation (times in seconds from start). */
export type BgpScenarioEvent =
  | { readonly kind: 'join'; readonly node: string; readonly at: number }
  | { readonly kind: 'stop'; readonly node: string; readonly at: number }
  | { readonly kind: 'kill'; readonly node: string; readonly at: number }
  | { readonly kind: 'link-lost'; readonly node: string; readonly at: number }
  | { readonly kind: 'announce'; readonly node: string; readonly prefix: Cidr; readonly at: number }
  | { readonly kind: 'withdraw'; readonly node: string; readonly prefix: Cidr; readonly at: number };

/** A best route in a speaker's Loc-RIB. */
export interface BgpBestRoute {
  readonly prefix: Cidr;
  /** BGP NEXT_HOP: the originating node's address (iBGP and reflection keep it). */
  readonly nextHop: Ipv4;
  /** null when locally originated. */
  readonly learnedFrom: Ipv4 | null;
  /** The node that originated the route. */
  readonly originator: string;
  /** Kept after a peer went away, under graceful restart. */
  readonly stale: boolean;
}

/**
 * What `simulateBgp(input, scenario, options)` (controllers/bgp/simulate.ts) returns. The
 * timeline and session details are the model's own; users that only need routes read `finalRib`.
 */
export interface BgpSimulationSummary {
  /** Each running speaker's best routes when the simulation ended, by node name. */
  readonly finalRib: ReadonlyMap<string, readonly BgpBestRoute[]>;
  /** Time of the last route change (seconds), or null if nothing converged. */
  readonly convergedAt: number | null;
}

// ---------------------------------------------------------------------------------------------
// The full simulation result (controllers/bgp/simulate.ts).

/** BGP FSM states (RFC 4271 §8.2.2), as BIRD's `show protocols` names them. */
export type BgpSessionState = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

/** Path attributes of one UPDATE (RFC 4271 §5, RFC 4456 §7). */
export interface BgpPathAttributes {
  /** ORIGIN: IGP for a static blackhole route (BIRD sets INCOMPLETE only for OSPF externals). */
  readonly origin: 'IGP' | 'EGP' | 'INCOMPLETE';
  /** AS_PATH: empty inside one AS (iBGP). */
  readonly asPath: readonly number[];
  readonly nextHop: Ipv4;
  /** LOCAL_PREF: 100, BIRD's default_local_pref (Calico up to v3.31). */
  readonly localPref: number;
  /** ORIGINATOR_ID, added by the first route reflector (RFC 4456 §8). */
  readonly originatorId: Ipv4 | null;
  /** CLUSTER_LIST, each reflector prepends its cluster id (RFC 4456 §8). */
  readonly clusterList: readonly Ipv4[];
}

/** One path a speaker holds for a prefix (Adj-RIB-In entry, or its own static route). */
export interface BgpPath {
  readonly prefix: Cidr;
  readonly attrs: BgpPathAttributes;
  /** The peer it came from; null for a locally originated (static) route. */
  readonly learnedFrom: string | null;
  /** The node that originated the prefix. */
  readonly originator: string;
  readonly stale: boolean;
}

/** What went over the wire (or happened) at one moment. */
export type BgpTimelineEntry =
  | {
      readonly kind: 'tcp';
      readonly at: number;
      readonly from: string;
      readonly to: string;
      readonly segment: 'SYN' | 'SYN-ACK' | 'ACK' | 'RST' | 'FIN';
      /** False when the segment was lost (a node's link is down). */
      readonly delivered: boolean;
    }
  | {
      readonly kind: 'message';
      readonly at: number;
      readonly from: string;
      readonly to: string;
      readonly message: BgpMessage;
      readonly delivered: boolean;
    }
  | { readonly kind: 'state'; readonly at: number; readonly node: string; readonly peer: string; readonly from: BgpSessionState; readonly to: BgpSessionState; readonly why: string }
  | {
      readonly kind: 'route';
      readonly at: number;
      readonly node: string;
      readonly prefix: Cidr;
      /** The new best route, or null when the prefix left the Loc-RIB. */
      readonly best: BgpBestRoute | null;
      readonly why: string;
    }
  | { readonly kind: 'scenario'; readonly at: number; readonly event: BgpScenarioEvent; readonly note: string };

/** A BGP message (RFC 4271 §4). End-of-RIB is an UPDATE with nothing in it (RFC 4724 §2). */
export type BgpMessage =
  | { readonly type: 'OPEN'; readonly as: number; readonly holdTime: number; readonly routerId: Ipv4; readonly capabilities: readonly string[] }
  | { readonly type: 'KEEPALIVE' }
  | { readonly type: 'UPDATE'; readonly nlri: readonly Cidr[]; readonly withdrawn: readonly Cidr[]; readonly attrs: BgpPathAttributes | null }
  | { readonly type: 'End-of-RIB' }
  | { readonly type: 'NOTIFICATION'; readonly code: number; readonly subcode: number; readonly text: string };

/** One configured peering (a `protocol bgp` on each side) and how it ended up. */
export interface BgpSessionReport {
  /** The two nodes, in input order. */
  readonly a: string;
  readonly b: string;
  /** The node that opens TCP to the other's port 179 (the other has `passive on`). */
  readonly active: string;
  /** Route-reflector relationship: which side has the other as `rr client`, if any. */
  readonly rrClientOf: { readonly client: string; readonly reflector: string } | null;
  readonly stateA: BgpSessionState;
  readonly stateB: BgpSessionState;
  /** When the session last reached Established (seconds), null if never or not now. */
  readonly establishedAt: number | null;
  /** How many times it left Established. */
  readonly flaps: number;
}

/** A node at the end: whether BIRD runs, and its RIBs. */
export interface BgpNodeReport {
  readonly node: string;
  readonly address: Ipv4;
  readonly status: 'running' | 'stopped' | 'killed' | 'link-lost' | 'not-started';
  /** Adj-RIB-In: every path received, by peer name. */
  readonly adjRibIn: ReadonlyMap<string, readonly BgpPath[]>;
  /** The best path per prefix (Loc-RIB), with its attributes. */
  readonly locRib: readonly BgpPath[];
}

export interface BgpSimulation extends BgpSimulationSummary {
  readonly sessions: readonly BgpSessionReport[];
  /** Everything that happened, in time order (empty when `recordTimeline: false`). */
  readonly timeline: readonly BgpTimelineEntry[];
  readonly nodes: readonly BgpNodeReport[];
  /** Where the simulation stopped (seconds). */
  readonly until: number;
  /** Messages and TCP segments sent (delivered or lost). */
  readonly messagesSent: number;
  /** Discrete events processed. */
  readonly eventsProcessed: number;
  /** One-way message latency assumed (seconds). */
  readonly latency: number;
}

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

import type { Ipv4 } from '../net/ipv4.js';
import type { Frame, Ipv4Packet } from '../net/packet.js';
import type { NetnsRuleRef } from '../kernel/netfilter/rule-location.js';

/** Where in the kernel a step happened, in Linux's own words. */
export type Stage =
  | 'send' // an application wrote the packet to a socket
  | 'rx' // a device received a frame
  | 'bridge' // bridge forwarding decision (fdb)
  | 'prerouting'
  | 'routing' // fib lookup
  | 'input'
  | 'forward'
  | 'output'
  | 'postrouting'
  | 'neigh' // neighbour resolution (ARP)
  | 'xmit' // a device transmitted a frame
  | 'encap'
  | 'decap'
  | 'deliver';

/** A netfilter rule that matched, identified as iptables-save prints it. */
/** The netfilter rule a step or disposition cites. */
export type RuleRef = NetnsRuleRef;

export interface Step {
  readonly netns: string;
  /** Human label of the netns: "node1", "pod default/pod-a", "underlay". */
  readonly where: string;
  readonly node: string | null;
  readonly dev: string | null;
  readonly stage: Stage;
  /** One line, readable at a glance. */
  readonly summary: string;
  /** The exact route / rule / fdb / neigh lines that decided this step. */
  readonly lines: readonly string[];
  /** The packet (L3) as it is after this step, when the step sees one. */
  readonly packet: Ipv4Packet | null;
  /** The frame on the wire, for xmit/rx steps. */
  readonly frame: Frame | null;
  /** A rewrite done at this step: NAT, TTL, encapsulation. */
  readonly rewrite: { readonly what: string; readonly before: Ipv4Packet; readonly after: Ipv4Packet } | null;
  /** conntrack entries created or matched, as `conntrack -L` prints them. */
  readonly conntrack: readonly string[];
}

/** Why a packet was dropped, typed. */
export type DropReason =
  | { readonly kind: 'netfilter'; readonly rule: RuleRef }
  /** A rule a controller wrote to enforce policy, with the controller's explanation of it. */
  | { readonly kind: 'policy-chain'; readonly rule: RuleRef; readonly policy: string }
  | { readonly kind: 'otherhost'; readonly netns: string; readonly dev: string }
  | { readonly kind: 'vxlan-no-fdb'; readonly netns: string; readonly dev: string }
  | { readonly kind: 'hairpin-off'; readonly netns: string; readonly port: string }
  | { readonly kind: 'no-vxlan-device'; readonly netns: string; readonly port: number; readonly vni: number }
  | { readonly kind: 'no-ipip-tunnel'; readonly netns: string; readonly from: Ipv4 }
  | { readonly kind: 'link-down'; readonly netns: string; readonly dev: string }
  | { readonly kind: 'dummy-xmit'; readonly netns: string; readonly dev: string }
  | { readonly kind: 'martian'; readonly netns: string; readonly detail: string };

/** How an outcome ended. */
export type Disposition =
  | { readonly kind: 'DELIVERED'; readonly netns: string; readonly dev: string; readonly to: string }
  | { readonly kind: 'DROPPED'; readonly reason: DropReason }
  | { readonly kind: 'REJECTED'; readonly rule: RuleRef; readonly with: string }
  /** No socket at the destination: TCP RST or ICMP port unreachable from the kernel. */
  | { readonly kind: 'REFUSED'; readonly netns: string; readonly port: number; readonly detail: string }
  | { readonly kind: 'NO_ROUTE'; readonly netns: string; readonly dst: Ipv4; readonly detail: string }
  | { readonly kind: 'BLACKHOLE'; readonly netns: string; readonly route: string }
  | { readonly kind: 'TTL_EXCEEDED'; readonly netns: string }
  | { readonly kind: 'NEIGH_FAILED'; readonly netns: string; readonly dev: string; readonly nexthop: Ipv4 }
  | { readonly kind: 'MTU_EXCEEDED'; readonly netns: string; readonly dev: string; readonly mtu: number; readonly size: number }
  | { readonly kind: 'LOOP'; readonly netns: string };

export interface CapturedFrame {
  readonly netns: string;
  readonly dev: string;
  readonly frame: Frame;
}

/** One possible fate of a packet, with the probability of the random choices along its path. */
export interface Outcome {
  readonly probability: number;
  readonly steps: readonly Step[];
  readonly disposition: Disposition;
  /** Frames transmitted on links, in order: what `--pcap` writes. */
  readonly frames: readonly CapturedFrame[];
  /** The packet as it was when the walk ended (null for an ARP exchange). */
  readonly packet: Ipv4Packet | null;
}

import type { Cidr } from '../../net/cidr.js';
import type { Ipv4 } from '../../net/ipv4.js';

/**
 * The matches of one iptables rule, one variant per match the model understands. The IPv4 header
 * fields of `struct ipt_ip` (-s, -d, -i, -o, -p) are variants too; iptables-save always prints
 * them first, in that order, and the parser puts them first. Every other variant is an xtables
 * match extension (`-m NAME ...`), kept in the order the rule loaded it.
 */

/** An inclusive port range; a single port has min === max. */
export interface PortRange {
  readonly min: number;
  readonly max: number;
}

export interface NegatedPorts {
  readonly negate: boolean;
  readonly range: PortRange;
}

export interface NegatedNet {
  readonly negate: boolean;
  readonly net: Cidr;
}

/** nf_conntrack's ctinfo states plus xt_conntrack's virtual SNAT/DNAT states, in print order. */
export const CT_STATE_NAMES = ['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED', 'SNAT', 'DNAT'] as const;
export type CtStateName = (typeof CT_STATE_NAMES)[number];

/** `--ctstatus` names (IPS_* bits), in print order. */
export const CT_STATUS_NAMES = ['NONE', 'EXPECTED', 'SEEN_REPLY', 'ASSURED', 'CONFIRMED'] as const;
export type CtStatusName = (typeof CT_STATUS_NAMES)[number];

/** RTN_* route types, in xt_addrtype's bit order (which is also its print order). */
export const ADDR_TYPE_NAMES = [
  'UNSPEC',
  'UNICAST',
  'LOCAL',
  'BROADCAST',
  'ANYCAST',
  'MULTICAST',
  'BLACKHOLE',
  'UNREACHABLE',
  'PROHIBIT',
  'THROW',
  'NAT',
  'XRESOLVE',
] as const;
export type AddrTypeName = (typeof ADDR_TYPE_NAMES)[number];

export interface TcpFlagsMatch {
  readonly negate: boolean;
  /** Bits as in the TCP header: FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20. */
  readonly mask: number;
  readonly comp: number;
}

/**
 * `-m statistic --mode random --probability P`. The userspace parser stores
 * `lround(P * 2^31)` and the kernel matches when `(get_random_u32() & 0x7FFFFFFF) < stored`
 * (net/netfilter/xt_statistic.c), so the probability the kernel really applies is `kernel / 2^31`.
 */
export interface Probability {
  /** Exactly as written in the rule (kube-proxy writes `%0.10f`, e.g. `0.3333333333`). */
  readonly text: string;
  /** The written number. */
  readonly value: number;
  /** What the kernel stores: lround(value * 0x80000000). */
  readonly kernel: number;
  /** The probability the kernel applies: kernel / 0x80000000 (iptables-save prints it %.11f). */
  readonly effective: number;
}

export type StatisticMode =
  | { readonly kind: 'random'; readonly negate: boolean; readonly probability: Probability }
  | { readonly kind: 'nth'; readonly negate: boolean; readonly every: number; readonly packet: number };

export type RecentCommand = 'set' | 'rcheck' | 'update' | 'remove';

export interface NegatedName {
  readonly negate: boolean;
  readonly name: string;
}

export interface Flag {
  readonly negate: boolean;
}

export interface AddrTypeSel {
  readonly negate: boolean;
  readonly types: readonly AddrTypeName[];
}

export type Match =
  | { readonly kind: 'src'; readonly negate: boolean; readonly net: Cidr }
  | { readonly kind: 'dst'; readonly negate: boolean; readonly net: Cidr }
  /** `-i`; a trailing `+` matches every name with that prefix. */
  | { readonly kind: 'in-iface'; readonly negate: boolean; readonly name: string }
  | { readonly kind: 'out-iface'; readonly negate: boolean; readonly name: string }
  /** `-p`; 0 (`all`) is never stored. */
  | { readonly kind: 'protocol'; readonly negate: boolean; readonly proto: number }
  | { readonly kind: 'comment'; readonly text: string }
  | { readonly kind: 'tcp'; readonly sport: NegatedPorts | null; readonly dport: NegatedPorts | null; readonly flags: TcpFlagsMatch | null }
  | { readonly kind: 'udp'; readonly sport: NegatedPorts | null; readonly dport: NegatedPorts | null }
  | { readonly kind: 'sctp'; readonly sport: NegatedPorts | null; readonly dport: NegatedPorts | null }
  /** type 255 is `any`. */
  | { readonly kind: 'icmp'; readonly negate: boolean; readonly type: number; readonly codeMin: number; readonly codeMax: number }
  | { readonly kind: 'multiport'; readonly negate: boolean; readonly dir: 'src' | 'dst' | 'any'; readonly ports: readonly PortRange[] }
  | { readonly kind: 'mark'; readonly negate: boolean; readonly value: number; readonly mask: number }
  | {
      readonly kind: 'conntrack';
      readonly dir: 'ORIGINAL' | 'REPLY' | null;
      readonly state: { readonly negate: boolean; readonly states: readonly CtStateName[] } | null;
      readonly proto: { readonly negate: boolean; readonly proto: number } | null;
      readonly origSrc: NegatedNet | null;
      readonly origDst: NegatedNet | null;
      readonly replSrc: NegatedNet | null;
      readonly replDst: NegatedNet | null;
      readonly origSrcPort: NegatedPorts | null;
      readonly origDstPort: NegatedPorts | null;
      readonly replSrcPort: NegatedPorts | null;
      readonly replDstPort: NegatedPorts | null;
      readonly status: { readonly negate: boolean; readonly flags: readonly CtStatusName[] } | null;
    }
  | { readonly kind: 'state'; readonly negate: boolean; readonly states: readonly CtStateName[] }
  | {
      readonly kind: 'addrtype';
      readonly src: AddrTypeSel | null;
      readonly dst: AddrTypeSel | null;
      readonly limitIfaceIn: boolean;
      readonly limitIfaceOut: boolean;
    }
  | { readonly kind: 'statistic'; readonly mode: StatisticMode }
  | {
      readonly kind: 'recent';
      readonly negate: boolean;
      readonly command: RecentCommand;
      readonly name: string;
      readonly seconds: number | null;
      readonly reap: boolean;
      readonly hitcount: number | null;
      readonly rttl: boolean;
      readonly mask: Ipv4;
      readonly side: 'source' | 'dest';
    }
  /** `-m set --match-set NAME src,dst`: one direction per set dimension. */
  | { readonly kind: 'set'; readonly negate: boolean; readonly name: string; readonly dirs: readonly ('src' | 'dst')[] }
  | {
      readonly kind: 'physdev';
      readonly isIn: Flag | null;
      readonly in: NegatedName | null;
      readonly isOut: Flag | null;
      readonly out: NegatedName | null;
      readonly isBridged: Flag | null;
    }
  /** `-m limit`: the token bucket is not modelled; the match always matches. avg in 1/10000 s per packet. */
  | { readonly kind: 'limit'; readonly avg: number; readonly burst: number }
  /**
   * `-m rpfilter`: reverse-path filter (net/ipv4/netfilter/ipt_rpfilter.c): a FIB lookup towards
   * the packet's source must leave through the interface it came in on (`--loose`: any route
   * will do). `--validmark` uses the packet's mark in that lookup, `--accept-local` also passes
   * a source that is a local address, `--invert` flips the result.
   */
  | { readonly kind: 'rpfilter'; readonly loose: boolean; readonly validmark: boolean; readonly acceptLocal: boolean; readonly invert: boolean }
  /** `-m nfacct`: a counter; always matches. */
  | { readonly kind: 'nfacct'; readonly name: string };

export type MatchKind = Match['kind'];

import type { Ipv4 } from '../../net/ipv4.js';
import type { PortRange } from './match.js';

/** struct nf_nat_range2 as DNAT/SNAT write it: an address range and an optional port range. */
export interface NatRange {
  readonly addrMin: Ipv4;
  readonly addrMax: Ipv4;
  readonly ports: PortRange | null;
}

/** `--reject-with` values of ipt_REJECT, by their canonical (iptables-save) names. */
export const REJECT_WITH = [
  'icmp-net-unreachable',
  'icmp-host-unreachable',
  'icmp-proto-unreachable',
  'icmp-port-unreachable',
  'icmp-net-prohibited',
  'icmp-host-prohibited',
  'tcp-reset',
  'icmp-admin-prohibited',
] as const;
export type RejectWith = (typeof REJECT_WITH)[number];

/** LOG's optional flags, in iptables-save's print order. */
export const LOG_FLAGS = ['tcp-sequence', 'tcp-options', 'ip-options', 'uid', 'macdecode'] as const;
export type LogFlag = (typeof LOG_FLAGS)[number];

/**
 * What a rule does when all its matches match. Standard verdicts end the table (ACCEPT) or the
 * hook (DROP); NAT targets end the nat table with NF_ACCEPT after setting up the binding; MARK,
 * LOG, CT/NOTRACK and a missing target continue with the next rule (XT_CONTINUE).
 */
export type Target =
  | { readonly kind: 'none' }
  | { readonly kind: 'accept' }
  | { readonly kind: 'drop' }
  | { readonly kind: 'return' }
  | { readonly kind: 'jump'; readonly chain: string }
  | { readonly kind: 'goto'; readonly chain: string }
  | { readonly kind: 'dnat'; readonly range: NatRange; readonly random: boolean; readonly persistent: boolean }
  | { readonly kind: 'snat'; readonly range: NatRange; readonly random: boolean; readonly randomFully: boolean; readonly persistent: boolean }
  | { readonly kind: 'masquerade'; readonly ports: PortRange | null; readonly random: boolean; readonly randomFully: boolean }
  | { readonly kind: 'redirect'; readonly ports: PortRange | null; readonly random: boolean }
  /** MARK, always in xmark form: mark = (mark & ~mask) ^ value (net/netfilter/xt_mark.c). */
  | { readonly kind: 'mark'; readonly value: number; readonly mask: number }
  | { readonly kind: 'reject'; readonly with: RejectWith }
  | { readonly kind: 'log'; readonly prefix: string; readonly level: number; readonly flags: readonly LogFlag[] }
  /** `-j NOTRACK` or `-j CT --notrack` (raw table): the packet is not tracked. */
  | { readonly kind: 'notrack'; readonly spelling: 'NOTRACK' | 'CT' }
  /** `-j CT` with no options: attaches a default template, a no-op for this model. */
  | { readonly kind: 'ct' };

export type TargetKind = Target['kind'];

/** The NAT targets: each may only be used in the nat table and only from some hooks. */
export type NatTarget = Extract<Target, { kind: 'dnat' | 'snat' | 'masquerade' | 'redirect' }>;

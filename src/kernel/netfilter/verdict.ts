import type { Ipv4 } from '../../net/ipv4.js';
import type { PortRange } from './match.js';
import type { Policy, TableName } from './ruleset.js';
import type { NatRange, RejectWith } from './target.js';

/** A rule as iptables shows it: table, chain, 1-based position (`--line-numbers`) and text. */
export interface RuleRef {
  readonly table: TableName;
  readonly chain: string;
  /** 1-based rule number; null for a chain policy (text is then `-P CHAIN POLICY`). */
  readonly num: number | null;
  readonly text: string;
}

/** The NAT a nat-table rule chose for a connection's first packet in one hook. */
export type NatAction =
  | {
      readonly kind: 'dnat';
      /** The first address and port of the range (kube-proxy always gives one of each). */
      readonly addr: Ipv4;
      readonly port: number | null;
      readonly range: NatRange;
      readonly random: boolean;
      readonly persistent: boolean;
      readonly rule: RuleRef;
    }
  | {
      readonly kind: 'snat';
      readonly addr: Ipv4;
      readonly ports: PortRange | null;
      readonly range: NatRange;
      readonly random: boolean;
      readonly randomFully: boolean;
      readonly persistent: boolean;
      readonly rule: RuleRef;
    }
  /** The address comes from the out device (the caller's route model). */
  | { readonly kind: 'masquerade'; readonly ports: PortRange | null; readonly random: boolean; readonly randomFully: boolean; readonly rule: RuleRef }
  /** To a local address: 127.0.0.1 in OUTPUT, the in device's primary address in PREROUTING. */
  | { readonly kind: 'redirect'; readonly ports: PortRange | null; readonly random: boolean; readonly rule: RuleRef };

export type Verdict =
  | { readonly kind: 'accept' }
  /** Dropped by a rule, or by a chain policy (rule.num null). */
  | { readonly kind: 'drop'; readonly rule: RuleRef }
  | { readonly kind: 'reject'; readonly with: RejectWith; readonly rule: RuleRef };

/** What happened at one rule (or policy) the packet reached and matched. */
export type HitEffect =
  | { readonly kind: 'jump'; readonly chain: string }
  | { readonly kind: 'goto'; readonly chain: string }
  | { readonly kind: 'return' }
  | { readonly kind: 'accept' }
  | { readonly kind: 'drop' }
  | { readonly kind: 'reject'; readonly with: RejectWith }
  | { readonly kind: 'nat'; readonly action: NatAction }
  | { readonly kind: 'mark'; readonly from: number; readonly to: number }
  | { readonly kind: 'log' }
  | { readonly kind: 'notrack' }
  /** A rule without a verdict (no -j, or -j CT): counted, then the next rule. */
  | { readonly kind: 'continue' }
  | { readonly kind: 'policy'; readonly policy: Policy };

export interface Hit {
  readonly rule: RuleRef;
  readonly effect: HitEffect;
}

/** A `-m statistic` coin the packet met, and which side it fell on. */
export interface StatisticBranch {
  readonly rule: RuleRef;
  readonly taken: boolean;
  readonly probability: number;
}

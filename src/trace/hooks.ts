import type { Ipv4Packet } from '../net/packet.js';
import type { Netns } from '../kernel/netns.js';
import type { BuiltinChain } from '../kernel/netfilter/ruleset.js';
import type { NetnsDynamic } from './dynamic-state.js';
import type { RuleRef } from './types.js';

/** Devices a netfilter hook sees (`-i`, `-o`, and `--physdev-*` for bridged traffic). */
export interface HookDevices {
  readonly in: string | null;
  readonly out: string | null;
  readonly physIn: string | null;
  readonly physOut: string | null;
  readonly bridged: boolean;
}

export type HookVerdict =
  | { readonly kind: 'accept' }
  | { readonly kind: 'drop'; readonly rule: RuleRef }
  | { readonly kind: 'reject'; readonly rule: RuleRef; readonly with: string };

/** One outcome of running a hook: netfilter may branch (`-m statistic`). */
export interface HookRun {
  readonly probability: number;
  readonly verdict: HookVerdict;
  /** The packet after conntrack NAT translation at this hook. */
  readonly packet: Ipv4Packet;
  readonly mark: number;
  /** Rules that matched, as `[table] -A CHAIN ...` lines. */
  readonly lines: readonly string[];
  readonly conntrack: readonly string[];
  readonly dyn: NetnsDynamic;
  /** What the NAT did, e.g. "DNAT 10.96.0.10:53 -> 10.244.2.3:53". */
  readonly rewrite: string | null;
}

export interface HookRequest {
  readonly ns: Netns;
  readonly dyn: NetnsDynamic;
  readonly hook: BuiltinChain;
  readonly packet: Ipv4Packet;
  readonly devices: HookDevices;
  readonly mark: number;
  /**
   * Run only the part of the hook whose priorities lie in [from, to] (default: all of it). IPVS
   * registers functions inside INPUT, OUTPUT and FORWARD, so the walk runs the tables around them
   * in parts; conntrack (-200) and its confirmation (INT_MAX) count as parts too.
   */
  readonly priorities?: { readonly from: number; readonly to: number };
  /**
   * The packet already carries its conntrack entry (IPVS re-sent it through LOCAL_OUT): as
   * nf_conntrack_in returns at once for an skb with nfct set, no lookup happens.
   */
  readonly ctAttached?: boolean;
}

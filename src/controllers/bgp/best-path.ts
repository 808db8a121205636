import type { Ipv4 } from '../../net/ipv4.js';
import type { BgpPathAttributes } from './types.js';

/** A candidate for the decision process: its attributes plus where it came from. */
export interface Candidate {
  readonly attrs: BgpPathAttributes;
  /** null for the speaker's own static route. */
  readonly peerAddress: Ipv4 | null;
  /** The BGP identifier (router id) of the peer it came from; null when local. */
  readonly peerRouterId: Ipv4 | null;
}

/** Which step of the decision process picked the winner. */
export type DecisionStep =
  | 'local route (protocol preference)'
  | 'higher LOCAL_PREF'
  | 'shorter AS_PATH'
  | 'lower ORIGIN'
  | 'lower router id (ORIGINATOR_ID)'
  | 'shorter CLUSTER_LIST'
  | 'lower neighbor address'
  | 'identical';

const ORIGIN_RANK = { IGP: 0, EGP: 1, INCOMPLETE: 2 } as const;

/**
 * Compare two paths for one prefix as BIRD's `bgp_rte_better` does for iBGP (RFC 4271 §9.1.2.2
 * with RFC 4456 §9): negative when `x` is better. The static route wins first on protocol
 * preference (static 200 over BGP 100, BIRD's defaults). MED is skipped (Calico sets none), and
 * so are eBGP-over-iBGP (one AS) and the IGP metric (every next hop is on the same LAN or
 * resolved the same way). Router ids compare as unsigned 32-bit numbers; for a reflected path
 * the ORIGINATOR_ID stands in for the peer's router id.
 */
export function comparePaths(x: Candidate, y: Candidate): { readonly order: number; readonly step: DecisionStep } {
  const xl = x.peerAddress === null;
  const yl = y.peerAddress === null;
  if (xl !== yl) return { order: xl ? -1 : 1, step: 'local route (protocol preference)' };
  if (x.attrs.localPref !== y.attrs.localPref) return { order: y.attrs.localPref - x.attrs.localPref, step: 'higher LOCAL_PREF' };
  if (x.attrs.asPath.length !== y.attrs.asPath.length) return { order: x.attrs.asPath.length - y.attrs.asPath.length, step: 'shorter AS_PATH' };
  if (x.attrs.origin !== y.attrs.origin) return { order: ORIGIN_RANK[x.attrs.origin] - ORIGIN_RANK[y.attrs.origin], step: 'lower ORIGIN' };
  const xid = x.attrs.originatorId ?? x.peerRouterId ?? 0;
  const yid = y.attrs.originatorId ?? y.peerRouterId ?? 0;
  if (xid !== yid) return { order: xid - yid, step: 'lower router id (ORIGINATOR_ID)' };
  if (x.attrs.clusterList.length !== y.attrs.clusterList.length) return { order: x.attrs.clusterList.length - y.attrs.clusterList.length, step: 'shorter CLUSTER_LIST' };
  const xa = x.peerAddress ?? 0;
  const ya = y.peerAddress ?? 0;
  if (xa !== ya) return { order: xa - ya, step: 'lower neighbor address' };
  return { order: 0, step: 'identical' };
}

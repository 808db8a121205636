import { match } from 'ts-pattern';
import type { Ipv4 } from '../../net/ipv4.js';
import { dhSchedule, shSchedule } from './hash-schedulers.js';
import type { IpvsDest, IpvsService } from './table.js';

/**
 * Scheduling a new connection (ip_vs_schedule -> svc->scheduler->schedule) as a pure function:
 * every real server the kernel could pick for this packet, with its probability.
 *
 * What the model knows and what it does not:
 * - sh and dh hash the packet into a table built from the destination list: exactly one server.
 * - lc, wlc, sed, nq, lblc and lblcr compare the connection counts ipvsadm shows (ActiveConn,
 *   InActConn); the model's table has them, so the kernel's own comparison picks one server.
 *   lblc/lblcr first look up a per-destination-address cache filled by earlier traffic; with an
 *   empty cache they fall back to the weighted least-connection choice, which is what is shown.
 * - rr and wrr keep a hidden position (the last server used, wrr's current weight) that depends
 *   on every connection before this one. podnet does not know that history, so a connection
 *   arriving at an unknown point of a long run lands on each server with its share of the
 *   cycle: 1/n for rr, weight/sum(weights) for wrr.
 * - mh (Maglev) builds a 251-entry lookup table with per-destination permutations; podnet does
 *   not compute it and shows each server with its weight share, which is what the table gives
 *   over many clients.
 * Servers of weight 0 are quiesced: no scheduler picks them.
 */

export interface SchedulePick {
  readonly dest: IpvsDest;
  readonly probability: number;
}

export interface ScheduleResult {
  /** Empty when no server is available: ip_vs_leave answers ICMP port unreachable. */
  readonly picks: readonly SchedulePick[];
  /** Why these picks, in one line, for the trace. */
  readonly basis: string;
}

export interface ScheduleInput {
  readonly src: Ipv4;
  readonly dst: Ipv4;
  readonly sport: number | null;
}

const usable = (svc: IpvsService) => svc.dests.filter((d) => d.weight > 0);

/** ip_vs_dest_conn_overhead: active connections count 256 times an inactive one. */
const overhead = (d: IpvsDest) => d.activeConns * 256 + d.inactConns;

function one(dest: IpvsDest | null | undefined, basis: string): ScheduleResult {
  return dest ? { picks: [{ dest, probability: 1 }], basis } : { picks: [], basis: `${basis}: no destination available` };
}

/** ip_vs_wlc_schedule (and the lblc fallback): least overhead/weight, first in list order on ties. */
function weightedLeast(ds: readonly IpvsDest[], cost: (d: IpvsDest) => number): IpvsDest | undefined {
  let least: IpvsDest | undefined;
  for (const d of ds) if (!least || cost(least) * d.weight > cost(d) * least.weight) least = d;
  return least;
}

export function schedule(svc: IpvsService, pkt: ScheduleInput): ScheduleResult {
  const ds = usable(svc);
  return match(svc.scheduler)
    .with('rr', (): ScheduleResult => ({
      picks: ds.map((dest) => ({ dest, probability: 1 / ds.length })),
      basis: `rr: each of ${ds.length} server(s) in turn; the turn depends on earlier connections, so each is equally likely`,
    }))
    .with('wrr', 'mh', (s): ScheduleResult => {
      const total = ds.reduce((n, d) => n + d.weight, 0);
      return {
        picks: ds.map((dest) => ({ dest, probability: dest.weight / total })),
        basis: s === 'wrr' ? `wrr: servers in proportion to their weights (total ${total})` : `mh: Maglev table not computed; each server with its weight share (total ${total})`,
      };
    })
    .with('lc', () => {
      let least: IpvsDest | undefined;
      for (const d of ds) if (!least || overhead(d) < overhead(least)) least = d;
      return one(least, 'lc: least connections (ActiveConn*256 + InActConn), first in list on ties');
    })
    .with('wlc', () => one(weightedLeast(ds, overhead), 'wlc: least connections per weight, first in list on ties'))
    .with('lblc', 'lblcr', (s) => one(weightedLeast(ds, overhead), `${s}: no server cached for this destination address yet; weighted least connections`))
    // ip_vs_sed: overhead = ActiveConn + 1, so weights decide among idle servers.
    .with('sed', () => one(weightedLeast(ds, (d) => d.activeConns + 1), 'sed: shortest expected delay (ActiveConn+1)/weight'))
    .with('nq', () => one(ds.find((d) => d.activeConns === 0) ?? weightedLeast(ds, (d) => d.activeConns + 1), 'nq: first idle server, else shortest expected delay'))
    .with('sh', () => {
      const h = shSchedule(svc, pkt.src, pkt.sport);
      return one(h.dest, `sh: source hash bucket ${h.bucket} of 256`);
    })
    .with('dh', () => {
      const h = dhSchedule(svc, pkt.dst);
      return one(h.dest, `dh: destination hash bucket ${h.bucket} of 256`);
    })
    .exhaustive();
}

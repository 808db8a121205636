import type { Ipv4 } from '../../net/ipv4.js';
import type { Match } from './match.js';

/**
 * The `-m recent` address lists of one netns (net/netfilter/xt_recent.c), as pure data: list
 * name -> masked address -> the times (seconds) it was seen, newest last. Every evaluation
 * returns the updated state instead of changing it.
 */
export interface RecentEntry {
  readonly stamps: readonly number[];
  readonly ttl: number;
}

export type RecentState = ReadonlyMap<string, ReadonlyMap<number, RecentEntry>>;

export const EMPTY_RECENT: RecentState = new Map();

/** xt_recent's ip_pkt_list_tot default: timestamps kept per address. */
export const RECENT_PKT_LIST_TOT = 20;

export type RecentMatch = Extract<Match, { kind: 'recent' }>;

export interface RecentUpdate {
  readonly list: string;
  readonly addr: Ipv4;
  readonly op: 'set' | 'update' | 'remove' | 'reap';
  readonly at: number;
}

export interface RecentResult {
  readonly matched: boolean;
  readonly state: RecentState;
  readonly update: RecentUpdate | null;
}

function put(state: RecentState, list: string, addr: number, e: RecentEntry | null): RecentState {
  const inner = new Map(state.get(list) ?? []);
  if (e) inner.set(addr, e);
  else inner.delete(addr);
  const out = new Map(state);
  out.set(list, inner);
  return out;
}

function stamp(e: RecentEntry | undefined, now: number, ttl: number): RecentEntry {
  const stamps = [...(e?.stamps ?? []), now].slice(-RECENT_PKT_LIST_TOT);
  return { stamps, ttl };
}

/** recent_mt() for one packet. */
export function evalRecent(m: RecentMatch, state: RecentState, pkt: { readonly src: Ipv4; readonly dst: Ipv4; readonly ttl: number }, now: number): RecentResult {
  const addr = ((m.side === 'source' ? pkt.src : pkt.dst) & m.mask) >>> 0;
  const ttl = m.rttl ? pkt.ttl : 0;
  let ret = m.negate;
  const e = state.get(m.name)?.get(addr);
  const found = e && (!m.rttl || e.ttl === ttl) ? e : undefined;
  if (!found) {
    if (m.command !== 'set') return { matched: ret, state, update: null };
    return { matched: !ret, state: put(state, m.name, addr, stamp(undefined, now, ttl)), update: { list: m.name, addr: addr as Ipv4, op: 'set', at: now } };
  }
  let next = state;
  let update: RecentUpdate | null = null;
  if (m.command === 'set') ret = !ret;
  else if (m.command === 'remove') {
    next = put(next, m.name, addr, null);
    return { matched: !ret, state: next, update: { list: m.name, addr: addr as Ipv4, op: 'remove', at: now } };
  } else {
    const since = m.seconds !== null ? now - m.seconds : null;
    let hits = 0;
    for (const s of found.stamps) {
      if (since !== null && s < since) continue;
      if (m.hitcount === null || ++hits >= m.hitcount) {
        ret = !ret;
        break;
      }
    }
    if (m.reap && since !== null) {
      const kept = found.stamps.filter((s) => s >= since);
      if (kept.length !== found.stamps.length) {
        next = put(next, m.name, addr, kept.length > 0 ? { ...found, stamps: kept } : null);
        update = { list: m.name, addr: addr as Ipv4, op: 'reap', at: now };
      }
    }
  }
  if (m.command === 'set' || (m.command === 'update' && ret)) {
    const cur = next.get(m.name)?.get(addr);
    next = put(next, m.name, addr, stamp(cur, now, ttl));
    update = { list: m.name, addr: addr as Ipv4, op: m.command === 'set' ? 'set' : 'update', at: now };
  }
  return { matched: ret, state: next, update };
}

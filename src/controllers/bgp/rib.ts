import type { Cidr } from '../../net/cidr.js';
import type { Ipv4 } from '../../net/ipv4.js';
import { comparePaths, type Candidate } from './best-path.js';
import { nameOf, schedule, sec, send, type Route, type Side, type Sim, type Speaker } from './sim-state.js';
import type { BgpBestRoute, BgpPathAttributes } from './types.js';

/**
 * Adj-RIB-In, Loc-RIB and Adj-RIB-Out of each speaker: import checks, the decision process,
 * and what goes out to each peer (UPDATE on change only; BIRD has no MRAI delay).
 */

/** BIRD's `default_local_pref` (Calico up to v3.31 sets none of its own). */
export const DEFAULT_LOCAL_PREF = 100;

/** Attributes of a locally originated static blackhole route as BIRD sends it (cni.md §2.7). */
export function localAttrs(speaker: Speaker): BgpPathAttributes {
  // NEXT_HOP: a blackhole is not RTD_ROUTER, so BIRD uses the session's source address.
  return { origin: 'IGP', asPath: [], nextHop: speaker.address, localPref: DEFAULT_LOCAL_PREF, originatorId: null, clusterList: [] };
}

export function attrKey(a: BgpPathAttributes): string {
  return `${a.nextHop}|${a.localPref}|${a.origin}|${a.asPath.join(',')}|${a.originatorId ?? ''}|${a.clusterList.join(',')}`;
}

function candidateOf(sim: Sim, r: Route): Candidate {
  if (r.side < 0) return { attrs: r.attrs, peerAddress: null, peerRouterId: null };
  const side = sim.sides[r.side] as Side;
  const peer = sim.speakers[side.peer] as Speaker;
  // Router id = node IP in Calico's bird.cfg (`router id <node IPv4>`).
  return { attrs: r.attrs, peerAddress: peer.address, peerRouterId: peer.address };
}

/** Put (or remove, with null) one candidate path and rerun the decision for its prefix. */
export function setCandidate(sim: Sim, sp: Speaker, key: number, sideIndex: number, route: Route | null, why: string): void {
  let cands = sp.candidates.get(key);
  if (route) {
    if (!cands) sp.candidates.set(key, (cands = new Map()));
    cands.set(sideIndex, route);
  } else if (cands) {
    cands.delete(sideIndex);
    if (cands.size === 0) sp.candidates.delete(key);
  }
  decide(sim, sp, key, why);
}

function decide(sim: Sim, sp: Speaker, key: number, why: string): void {
  const cands = sp.candidates.get(key);
  let best: Route | null = null;
  if (cands) {
    for (const r of cands.values()) {
      if (best === null || comparePaths(candidateOf(sim, r), candidateOf(sim, best)).order < 0) best = r;
    }
  }
  const old = sp.locRib.get(key) ?? null;
  if (old === best) return;
  if (old && best && old.side === best.side && old.stale === best.stale && attrKey(old.attrs) === attrKey(best.attrs)) {
    sp.locRib.set(key, best);
    return;
  }
  if (best) sp.locRib.set(key, best);
  else sp.locRib.delete(key);
  sim.lastRouteChange = sim.now;
  if (sim.record) {
    const prefix = (best ?? old)?.prefix as Cidr;
    sim.timeline.push({ kind: 'route', at: sec(sim.now), node: sp.name, prefix, best: best ? bestRouteOf(sim, best) : null, why });
  }
  exportChange(sim, sp, key, old, best);
}

export function bestRouteOf(sim: Sim, r: Route): BgpBestRoute {
  const from = r.side < 0 ? null : (sim.speakers[(sim.sides[r.side] as Side).peer] as Speaker).address;
  return { prefix: r.prefix, nextHop: r.attrs.nextHop, learnedFrom: from, originator: nameOf(sim, r.originator), stale: r.stale };
}

/**
 * The cluster id a session uses (BIRD `rr_cluster_id`): the configured `rr cluster id` on an
 * `rr client` session (Calico renders it there only), else BIRD's default, the router id.
 */
function sessionClusterId(sim: Sim, sp: Speaker, side: Side): number {
  return side.rrClient && sim.clusterId !== null ? sim.clusterId : sp.address;
}

/**
 * What speaker `sp` advertises to the peer of `side` for its best route `r`, or null
 * (BIRD 2 `bgp_preexport` and `bgp_update_attrs`):
 * - never back to the peer it came from;
 * - an iBGP-learned route goes to another iBGP peer only when it came from an `rr client` or
 *   goes to one (RFC 4456 §6), and not if the session's cluster id is already in its
 *   CLUSTER_LIST;
 * - reflected, it keeps NEXT_HOP, gets ORIGINATOR_ID = the source peer's router id if absent,
 *   and CLUSTER_LIST gains the source session's cluster id if that is a client, else ours.
 */
function exported(sim: Sim, sp: Speaker, side: Side, r: Route | null): BgpPathAttributes | null {
  if (r === null) return null;
  if (r.side < 0) return r.attrs;
  const src = sim.sides[r.side] as Side;
  if (src.peer === side.peer) return null;
  if (!src.rrClient && !side.rrClient) return null;
  if (r.attrs.clusterList.includes(sessionClusterId(sim, sp, side) as Ipv4)) return null;
  const srcPeer = sim.speakers[src.peer] as Speaker;
  const cid = sessionClusterId(sim, sp, src.rrClient ? src : side) as Ipv4;
  return { ...r.attrs, originatorId: r.attrs.originatorId ?? srcPeer.address, clusterList: [cid, ...r.attrs.clusterList] };
}

function exportChange(sim: Sim, sp: Speaker, key: number, old: Route | null, best: Route | null): void {
  // In a mesh nobody reflects: a change between two iBGP-learned paths goes to no peer.
  if (!sp.isReflector && (old === null || old.side >= 0) && (best === null || best.side >= 0)) return;
  const prefix = (best ?? old)?.prefix as Cidr;
  for (const si of sp.sides) {
    const side = sim.sides[si] as Side;
    if (side.state !== 'Established') continue;
    queueOut(sim, side, key, prefix, exported(sim, sp, side, best));
  }
}

function queueOut(sim: Sim, side: Side, key: number, prefix: Cidr, attrs: BgpPathAttributes | null): void {
  const sentKey = side.ribOut.get(key);
  const newKey = attrs ? attrKey(attrs) : undefined;
  const pending = side.pendingOut.get(key);
  const currentKey = pending ? (pending.attrs ? attrKey(pending.attrs) : undefined) : sentKey;
  if (currentKey === newKey) return;
  if (side.pendingOut.size === 0) sim.dirty.push(side);
  side.pendingOut.set(key, { prefix, attrs });
}

/** Send the pending changes of every dirty side as UPDATEs: withdrawals together, NLRI grouped by identical attributes. */
export function flushUpdates(sim: Sim): void {
  for (const side of sim.dirty) {
    if (side.pendingOut.size === 0) continue;
    const pend = [...side.pendingOut.entries()];
    side.pendingOut.clear();
    if (side.state !== 'Established') continue;
    const withdrawn: Cidr[] = [];
    const groups = new Map<string, { attrs: BgpPathAttributes; nlri: Cidr[] }>();
    for (const [key, p] of pend) {
      if (p.attrs === null) {
        if (side.ribOut.delete(key)) withdrawn.push(p.prefix);
        continue;
      }
      const k = attrKey(p.attrs);
      if (side.ribOut.get(key) === k) continue;
      side.ribOut.set(key, k);
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { attrs: p.attrs, nlri: [] }));
      g.nlri.push(p.prefix);
    }
    if (withdrawn.length > 0) sendUpdate(sim, side, { type: 'UPDATE', nlri: [], withdrawn, attrs: null });
    for (const g of groups.values()) sendUpdate(sim, side, { type: 'UPDATE', nlri: g.nlri, withdrawn: [], attrs: g.attrs });
  }
  sim.dirty.length = 0;
}

function sendUpdate(sim: Sim, side: Side, m: { type: 'UPDATE'; nlri: Cidr[]; withdrawn: Cidr[]; attrs: BgpPathAttributes | null }): void {
  send(sim, side, side.conn, { bgp: m });
  // RFC 4271 §8.2.2: the KeepaliveTimer restarts whenever an UPDATE or KEEPALIVE is sent.
  side.keepaliveDue = sim.now + sim.timers.keepalive * 1000;
}

/** On reaching Established: the whole exportable Loc-RIB, then End-of-RIB (RFC 4724 §2). */
export function sendInitialTable(sim: Sim, side: Side): void {
  const sp = sim.speakers[side.me] as Speaker;
  // A speaker that reflects nothing exports only its own routes: look at those alone (the
  // 500-node mesh would otherwise scan 500 Loc-RIB entries per session).
  const keys = sp.isReflector ? [...sp.locRib.keys()] : [...sp.originates.keys()];
  keys.sort((a, b) => a - b);
  for (const key of keys) {
    const r = sp.locRib.get(key);
    if (!r) continue;
    const attrs = exported(sim, sp, side, r);
    if (attrs) queueOut(sim, side, key, r.prefix, attrs);
  }
  flushUpdates(sim);
  send(sim, side, side.conn, { bgp: { type: 'End-of-RIB' } });
}

/** Receive an UPDATE on `side` (import all, with RFC 4456 §8 loop prevention). */
export function receiveUpdate(sim: Sim, side: Side, nlri: readonly Cidr[], withdrawn: readonly Cidr[], attrs: BgpPathAttributes | null): void {
  const sp = sim.speakers[side.me] as Speaker;
  const peer = nameOf(sim, side.peer);
  for (const p of withdrawn) {
    const key = p.network * 64 + p.prefix;
    if (side.ribIn.delete(key)) setCandidate(sim, sp, key, side.index, null, `withdrawn by ${peer}`);
  }
  if (!attrs) return;
  // A route carrying our own router id as ORIGINATOR_ID, or, on an `rr client` session, our
  // cluster id in CLUSTER_LIST, has looped: treat as withdrawn (RFC 4456 §8; BIRD 2 checks the
  // cluster list only when `p->rr_client`).
  const looped = attrs.originatorId === sp.address || (side.rrClient && attrs.clusterList.includes(sessionClusterId(sim, sp, side) as Ipv4));
  const origin = originOf(sim, side, attrs);
  for (const p of nlri) {
    const key = p.network * 64 + p.prefix;
    if (looped) {
      if (side.ribIn.delete(key)) setCandidate(sim, sp, key, side.index, null, `loop from ${peer} (ORIGINATOR_ID/CLUSTER_LIST)`);
      continue;
    }
    const r: Route = { key, prefix: p, attrs, side: side.index, originator: origin, stale: false };
    side.ribIn.set(key, r);
    setCandidate(sim, sp, key, side.index, r, `UPDATE from ${peer}`);
  }
}

/** The originating speaker: the one whose router id is ORIGINATOR_ID, else the peer itself. */
function originOf(sim: Sim, side: Side, attrs: BgpPathAttributes): number {
  if (attrs.originatorId === null) return side.peer;
  const found = sim.speakers.find((s) => s.address === attrs.originatorId);
  return found ? found.index : side.peer;
}

/** Drop every path learned on `side` (session down without graceful restart). */
export function flushRibIn(sim: Sim, side: Side, why: string): void {
  const sp = sim.speakers[side.me] as Speaker;
  const keys = [...side.ribIn.keys()];
  side.ribIn.clear();
  for (const key of keys) setCandidate(sim, sp, key, side.index, null, why);
}

/** Graceful restart (RFC 4724 §4.2): keep the peer's paths, marked stale, until the timer or End-of-RIB. */
export function markStale(sim: Sim, side: Side): void {
  const sp = sim.speakers[side.me] as Speaker;
  const peer = nameOf(sim, side.peer);
  for (const [key, r] of [...side.ribIn.entries()]) {
    if (r.stale) continue;
    const s: Route = { ...r, stale: true };
    side.ribIn.set(key, s);
    setCandidate(sim, sp, key, side.index, s, `${peer} went away without NOTIFICATION: kept as stale (graceful restart)`);
  }
  if (!side.grActive) {
    side.grActive = true;
    side.grGen++;
    schedule(sim, sim.timers.gracefulRestart * 1000, { k: 'gr', side: side.index, gen: side.grGen });
  }
}

/** Remove the stale paths still left from `side` (End-of-RIB received, or restart timer expired). */
export function flushStale(sim: Sim, side: Side, why: string): void {
  side.grActive = false;
  side.grGen++;
  const sp = sim.speakers[side.me] as Speaker;
  for (const [key, r] of [...side.ribIn.entries()]) {
    if (!r.stale) continue;
    side.ribIn.delete(key);
    setCandidate(sim, sp, key, side.index, null, why);
  }
}

/** Install or remove the speaker's own static route for a prefix. */
export function setLocal(sim: Sim, sp: Speaker, prefix: Cidr, present: boolean, why: string): void {
  const key = prefix.network * 64 + prefix.prefix;
  const r: Route | null = present ? { key, prefix, attrs: localAttrs(sp), side: -1, originator: sp.index, stale: false } : null;
  setCandidate(sim, sp, key, -1, r, why);
}

import type { Ipv4 } from '../net/ipv4.js';
import type { Cluster } from '../cluster/cluster.js';
import type { System } from '../topology/system.js';
import type { FlowKind, FlowOutcome, FlowVerdict } from '../trace/flow.js';
import { checkPolicy, type PolicyCheck } from '../trace/policy-check.js';
import { summarize } from '../trace/summary.js';
import type { Disposition, Outcome } from '../trace/types.js';
import { pathMtu, type PathMtu } from './path-mtu.js';
import { tunnelsOf, type Tunnel } from './tunnel.js';

/** A router the packet crossed: a netns that forwarded it and decremented the TTL (ip_forward). */
export interface RouterHop {
  readonly netns: string;
  readonly where: string;
  readonly ttlBefore: number;
  readonly ttlAfter: number;
}

/** A route a netns's fib lookup chose, as the trace cites it (`ip route` form). */
export interface RouteUsed {
  readonly netns: string;
  readonly where: string;
  readonly route: string;
}

/** What one outcome of the flow did, in the terms a CNI comparison asks for. */
export interface OutcomeFacts {
  readonly probability: number;
  readonly verdict: FlowVerdict;
  /** How the request ended. */
  readonly disposition: Disposition;
  /** The netns labels the request crossed, in order. */
  readonly path: readonly string[];
  /** Routers crossed, in order; their count is the hop count. */
  readonly routers: readonly RouterHop[];
  readonly tunnels: readonly Tunnel[];
  /** Bytes the largest tunnel header stack adds per packet; 0 without a tunnel. */
  readonly overhead: number;
  readonly pathMtu: PathMtu | null;
  readonly ttlOnArrival: number | null;
  /** The source the client sent from, the source the destination saw, and whether they match. */
  readonly source: { readonly sent: Ipv4 | null; readonly seen: Ipv4 | null; readonly preserved: boolean | null };
  /** Non-local routes looked up along the request's path. */
  readonly routes: readonly RouteUsed[];
  /** NetworkPolicy verdict (after DNAT); null when nothing arrived or no policy exists. */
  readonly policy: PolicyCheck | null;
}

/** Forwarding steps that lowered the TTL: one per router, the underlay's included. */
export function routersOf(o: Outcome, where: (netns: string) => string): RouterHop[] {
  const out: RouterHop[] = [];
  for (const s of o.steps) {
    if (s.stage !== 'forward' || !s.rewrite) continue;
    const before = s.rewrite.before.header.ttl;
    const after = s.rewrite.after.header.ttl;
    if (after < before) out.push({ netns: s.netns, where: where(s.netns), ttlBefore: before, ttlAfter: after });
  }
  return out;
}

/**
 * The routes each netns's lookup picked. Routes of type local (delivery to an address of the
 * netns itself, table local) are left out: every data path ends in one.
 */
export function routesOf(o: Outcome, where: (netns: string) => string): RouteUsed[] {
  const out: RouteUsed[] = [];
  for (const s of o.steps) {
    if (s.stage !== 'routing') continue;
    for (const route of s.lines) {
      if (route.startsWith('local ')) continue;
      const last = out[out.length - 1];
      if (last && last.netns === s.netns && last.route === route) continue;
      out.push({ netns: s.netns, where: where(s.netns), route });
    }
  }
  return out;
}

export function outcomeFacts(system: System, cluster: Cluster, kind: FlowKind, fo: FlowOutcome): OutcomeFacts {
  const where = (id: string): string => system.netns.get(id)?.where ?? id;
  const req = fo.request;
  const sum = summarize(req, where);
  const tunnels = tunnelsOf(req);
  const sent = req.steps.find((s) => s.stage === 'send')?.packet ?? null;
  return {
    probability: fo.probability,
    verdict: fo.verdict,
    disposition: req.disposition,
    path: sum.path,
    routers: routersOf(req, where),
    tunnels,
    overhead: tunnels.reduce((m, t) => Math.max(m, t.overhead), 0),
    pathMtu: pathMtu(system.world, req),
    ttlOnArrival: sum.ttlOnArrival,
    source: { sent: sent?.header.src ?? null, seen: sum.sourceSeen, preserved: sum.sourcePreserved },
    routes: routesOf(req, where),
    policy: checkPolicy(cluster, kind, fo),
  };
}

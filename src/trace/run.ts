import { formatIpv4 } from '../net/ipv4.js';
import { err, ok, type Result } from '../lib/result.js';
import { findLink, getNetns } from '../kernel/netns.js';
import type { System } from '../topology/system.js';
import type { Dynamic } from './dynamic-state.js';
import type { WalkEnv } from './env.js';
import { resolveEndpoint, type Endpoint, type EndpointSpec } from './endpoint.js';
import { traceFlow, type FlowKind, type FlowOutcome } from './flow.js';
import { netfilterHook } from './netfilter-hook.js';
import { formatRoute, printContext } from '../kernel/print/index.js';
import { RT_TABLE_MAIN } from '../kernel/route.js';
import { pickWeighted } from './seed.js';
import { withExternalClient } from '../topology/external-client.js';

export interface TraceRequest {
  readonly from: EndpointSpec;
  readonly to: EndpointSpec;
  readonly kind: FlowKind;
  /** Pick one outcome of the random choices instead of showing all. */
  readonly seed?: number;
}

export interface TraceRun {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly kind: FlowKind;
  /** Every outcome with its probability (or the one `seed` picked). */
  readonly outcomes: readonly FlowOutcome[];
  /**
   * The system the walk ran in, when it differs from the one given: the external client added
   * for `external[:IP]` (label its netns from here).
   */
  readonly system?: System;
}

/** Device transmissions after which a walk is declared a loop (a TTL of 64 bounds real loops). */
const MAX_HOPS = 256;

export function walkEnv(system: System): WalkEnv {
  return {
    world: system.world,
    label: (id) => {
      const info = system.netns.get(id);
      return { where: info?.where ?? id, node: info && info.role.kind !== 'underlay' ? info.role.node : null };
    },
    runHook: netfilterHook,
    sockets: system.sockets,
    // As `ip route show table all` prints it (the table shown unless main).
    formatRoute: (netns, route) => formatRoute(printContext(system.world, netns), route, route.table !== RT_TABLE_MAIN).trimEnd(),
    ...(system.explainRule ? { explainRule: system.explainRule } : {}),
    maxHops: MAX_HOPS,
  };
}

export function runTrace(base: System, req: TraceRequest, dyn: Dynamic = new Map()): Result<TraceRun, string> {
  const external = [req.from, req.to].filter((e) => e.kind === 'external');
  if (external.length > 1) return err('only one end of a trace can be an external client');
  const withClient = external[0]?.kind === 'external' ? withExternalClient(base, external[0].ip) : ok(base);
  if (!withClient.ok) return withClient;
  const system = withClient.value;
  const from = resolveEndpoint(system, req.from);
  if (!from.ok) return from;
  const to = resolveEndpoint(system, req.to);
  if (!to.ok) return to;
  const src = from.value.netns;
  if (!src) return err(`${formatIpv4(from.value.ip)} is not an address of any pod or node in ${system.name}; packets must start inside the cluster`);
  const ns = getNetns(system.world, src.id);
  const mtu = findLink(ns, 'eth0')?.mtu ?? 1500;
  // Pods send from their own address; nodes let the route pick (a client socket is unbound).
  const srcIp = src.role.kind === 'pod' ? from.value.ip : null;
  const all = traceFlow(walkEnv(system), { srcNetns: src.id, src: srcIp, dst: to.value.ip, kind: req.kind }, dyn, mtu);
  const outcomes = req.seed === undefined ? all : [pickWeighted(all, req.seed)].filter((o): o is FlowOutcome => o !== undefined);
  return ok({ from: from.value, to: to.value, kind: req.kind, outcomes, ...(system !== base ? { system } : {}) });
}

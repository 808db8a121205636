import { match } from 'ts-pattern';
import type { BgpBestRoute, BgpMessage, BgpPath, BgpPathAttributes, BgpScenarioEvent, BgpTimelineEntry } from '../../controllers/bgp/types.js';
import { formatCidr } from '../../net/cidr.js';
import { formatIpv4 } from '../../net/ipv4.js';
import { birdKernelLine } from './bgp-routes.js';
import { involves, type BgpReportInput } from './bgp-text.js';

/** `podnet bgp --json`: the whole simulation with addresses and prefixes as strings. */

function attrsJson(a: BgpPathAttributes): unknown {
  return {
    origin: a.origin,
    asPath: a.asPath,
    nextHop: formatIpv4(a.nextHop),
    localPref: a.localPref,
    originatorId: a.originatorId === null ? null : formatIpv4(a.originatorId),
    clusterList: a.clusterList.map(formatIpv4),
  };
}

function messageJson(m: BgpMessage): unknown {
  return match(m)
    .with({ type: 'OPEN' }, (o) => ({ ...o, routerId: formatIpv4(o.routerId) }))
    .with({ type: 'UPDATE' }, (u) => ({ type: u.type, nlri: u.nlri.map(formatCidr), withdrawn: u.withdrawn.map(formatCidr), attrs: u.attrs ? attrsJson(u.attrs) : null }))
    .with({ type: 'KEEPALIVE' }, { type: 'End-of-RIB' }, { type: 'NOTIFICATION' }, (x) => x)
    .exhaustive();
}

function bestJson(b: BgpBestRoute): unknown {
  return { prefix: formatCidr(b.prefix), nextHop: formatIpv4(b.nextHop), learnedFrom: b.learnedFrom === null ? null : formatIpv4(b.learnedFrom), originator: b.originator, stale: b.stale };
}

function pathJson(p: BgpPath): unknown {
  return { prefix: formatCidr(p.prefix), attrs: attrsJson(p.attrs), learnedFrom: p.learnedFrom, originator: p.originator, stale: p.stale };
}

export function scenarioJson(e: BgpScenarioEvent): unknown {
  return e.kind === 'announce' || e.kind === 'withdraw' ? { ...e, prefix: formatCidr(e.prefix) } : e;
}

function entryJson(e: BgpTimelineEntry): unknown {
  return match(e)
    .with({ kind: 'tcp' }, (t) => t)
    .with({ kind: 'message' }, (m) => ({ ...m, message: messageJson(m.message) }))
    .with({ kind: 'state' }, (s) => s)
    .with({ kind: 'route' }, (r) => ({ ...r, prefix: formatCidr(r.prefix), best: r.best ? bestJson(r.best) : null }))
    .with({ kind: 'scenario' }, (s) => ({ ...s, event: scenarioJson(s.event) }))
    .exhaustive();
}

export function bgpJson(r: BgpReportInput): unknown {
  const { sim, input, cluster } = r;
  const keep = (n: string): boolean => r.node === null || n === r.node;
  return {
    topology: cluster.header.name,
    asNumber: input.asNumber,
    peering: input.peering.kind === 'full-mesh' ? input.peering : { ...input.peering, clusterId: formatIpv4(input.peering.clusterId) },
    timers: input.timers,
    latency: sim.latency,
    scenario: r.scenario.map(scenarioJson),
    until: sim.until,
    convergedAt: sim.convergedAt,
    messagesSent: sim.messagesSent,
    eventsProcessed: sim.eventsProcessed,
    sessions: sim.sessions.filter((s) => keep(s.a) || keep(s.b)),
    timeline: sim.timeline.filter((e) => r.node === null || involves(e, r.node)).map(entryJson),
    nodes: sim.nodes
      .filter((n) => keep(n.node))
      .map((n) => {
        const node = cluster.nodes.find((x) => x.name === n.node);
        const best = sim.finalRib.get(n.node) ?? null;
        return {
          node: n.node,
          address: formatIpv4(n.address),
          status: n.status,
          locRib: n.locRib.map(pathJson),
          adjRibIn: Object.fromEntries([...n.adjRibIn.entries()].map(([peer, ps]) => [peer, ps.map(pathJson)])),
          routes: best && node ? best.map((b) => ({ ...(bestJson(b) as object), kernel: birdKernelLine(b, node, r.cni) })) : null,
        };
      }),
  };
}

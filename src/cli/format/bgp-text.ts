import { match } from 'ts-pattern';
import type { Cluster } from '../../cluster/cluster.js';
import type { CalicoConfig } from '../../cluster/header.js';
import type { BgpMessage, BgpNetworkInput, BgpScenarioEvent, BgpSessionState, BgpSimulation, BgpTimelineEntry } from '../../controllers/bgp/types.js';
import { formatCidr } from '../../net/cidr.js';
import { formatIpv4 } from '../../net/ipv4.js';
import { birdKernelLine } from './bgp-routes.js';

/** What `podnet bgp` prints, as text. */
export interface BgpReportInput {
  readonly file: string;
  readonly cluster: Cluster;
  readonly cni: CalicoConfig;
  readonly input: BgpNetworkInput;
  readonly scenario: readonly BgpScenarioEvent[];
  readonly sim: BgpSimulation;
  /** Only this node's sessions, timeline and routes. */
  readonly node: string | null;
}

export const secText = (s: number): string => s.toFixed(3);

export function scenarioText(e: BgpScenarioEvent): string {
  const what = e.kind === 'announce' || e.kind === 'withdraw' ? `${e.kind} ${formatCidr(e.prefix)}` : e.kind;
  return `${e.node} ${what} at ${e.at} s`;
}

export function messageText(m: BgpMessage): string {
  return match(m)
    .with({ type: 'OPEN' }, (o) => `OPEN as ${o.as} hold ${o.holdTime} router-id ${formatIpv4(o.routerId)}`)
    .with({ type: 'KEEPALIVE' }, () => 'KEEPALIVE')
    .with({ type: 'End-of-RIB' }, () => 'UPDATE End-of-RIB')
    .with({ type: 'NOTIFICATION' }, (n) => `NOTIFICATION ${n.text} (${n.code}/${n.subcode})`)
    .with({ type: 'UPDATE' }, (u) => {
      const parts: string[] = ['UPDATE'];
      if (u.withdrawn.length > 0) parts.push(`withdrawn ${u.withdrawn.map(formatCidr).join(' ')}`);
      if (u.nlri.length > 0 && u.attrs) {
        const a = u.attrs;
        parts.push(`nlri ${u.nlri.map(formatCidr).join(' ')}`);
        parts.push(`next-hop ${formatIpv4(a.nextHop)} local-pref ${a.localPref} origin ${a.origin} as-path [${a.asPath.join(' ')}]`);
        if (a.originatorId !== null) parts.push(`originator-id ${formatIpv4(a.originatorId)}`);
        if (a.clusterList.length > 0) parts.push(`cluster-list [${a.clusterList.map(formatIpv4).join(' ')}]`);
      }
      return parts.join(' ');
    })
    .exhaustive();
}

export function involves(e: BgpTimelineEntry, node: string): boolean {
  return match(e)
    .with({ kind: 'tcp' }, { kind: 'message' }, (x) => x.from === node || x.to === node)
    .with({ kind: 'state' }, (x) => x.node === node || x.peer === node)
    .with({ kind: 'route' }, (x) => x.node === node)
    .with({ kind: 'scenario' }, (x) => x.event.node === node)
    .exhaustive();
}

/**
 * The timeline, without the noise: periodic KEEPALIVEs (sent in Established) and the connect
 * attempts that repeat after a first refused or unanswered one are counted, not listed.
 */
export function timelineLines(sim: BgpSimulation, node: string | null): { lines: string[]; hidden: string[] } {
  const state = new Map<string, BgpSessionState>();
  const retrying = new Set<string>();
  const hiddenKeepalive = new Map<string, number>();
  const hiddenRetry = new Map<string, number>();
  const lines: string[] = [];
  const bump = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);
  const row = (at: number, who: string, text: string): void => void lines.push(`  ${secText(at).padStart(9)}  ${who.padEnd(18)}  ${text}`);
  for (const e of sim.timeline) {
    if (e.kind === 'state') {
      state.set(`${e.node}>${e.peer}`, e.to);
      if (e.to === 'Established' || e.to === 'Idle') {
        retrying.delete(`${e.node}>${e.peer}`);
        retrying.delete(`${e.peer}>${e.node}`);
      }
    }
    if (node !== null && !involves(e, node)) continue;
    match(e)
      .with({ kind: 'tcp' }, (t) => {
        const pair = t.segment === 'SYN' ? `${t.from}>${t.to}` : `${t.to}>${t.from}`;
        if (retrying.has(pair) && (t.segment === 'SYN' || t.segment === 'RST')) {
          if (t.segment === 'SYN') bump(hiddenRetry, pair);
          return;
        }
        if (t.segment === 'RST' || (t.segment === 'SYN' && !t.delivered)) retrying.add(pair);
        row(t.at, `${t.from} -> ${t.to}`, `TCP ${t.segment}${t.segment === 'SYN' ? ' to port 179' : ''}${t.delivered ? '' : ' (lost)'}`);
      })
      .with({ kind: 'message' }, (m) => {
        if (m.message.type === 'KEEPALIVE' && state.get(`${m.from}>${m.to}`) === 'Established') {
          bump(hiddenKeepalive, `${m.from}>${m.to}`);
          return;
        }
        row(m.at, `${m.from} -> ${m.to}`, `${messageText(m.message)}${m.delivered ? '' : ' (lost)'}`);
      })
      .with({ kind: 'state' }, (s) => {
        const pair = `${s.node}>${s.peer}`;
        if (retrying.has(pair) && ((s.from === 'Active' && s.to === 'Connect') || (s.from === 'Connect' && s.to === 'Active') || (s.from === 'Connect' && s.to === 'Connect'))) return;
        row(s.at, `${s.node} ~ ${s.peer}`, `${s.from} -> ${s.to} (${s.why})`);
      })
      .with({ kind: 'route' }, (r) => {
        const what = r.best === null ? `removed ${formatCidr(r.prefix)}` : `best ${formatCidr(r.prefix)} ${r.best.learnedFrom === null ? 'local (blackhole)' : `next-hop ${formatIpv4(r.best.nextHop)} from ${formatIpv4(r.best.learnedFrom)}`}${r.best.stale ? ' STALE' : ''}`;
        row(r.at, r.node, `route ${what} (${r.why})`);
      })
      .with({ kind: 'scenario' }, (s) => row(s.at, s.event.node, `event: ${s.note}`))
      .exhaustive();
  }
  const hidden: string[] = [];
  for (const [k, n] of hiddenKeepalive) hidden.push(`${k.replace('>', ' -> ')}: ${n} periodic KEEPALIVE${n === 1 ? '' : 's'}`);
  for (const [k, n] of hiddenRetry) hidden.push(`${k.replace('>', ' -> ')}: ${n} more connection attempt${n === 1 ? '' : 's'}`);
  return { lines, hidden };
}

export function bgpText(r: BgpReportInput): string {
  const { sim, input, cluster } = r;
  const out: string[] = [];
  const t = input.timers;
  const peering = input.peering.kind === 'full-mesh' ? 'node-to-node mesh' : `route reflectors ${input.peering.reflectors.join(', ')} (cluster id ${formatIpv4(input.peering.clusterId)})`;
  out.push(`bgp ${cluster.header.name}: calico ${r.cni.mode}${r.cni.crossSubnet ? ' crossSubnet' : ''}, BIRD on ${input.speakers.length} nodes, ${peering}, AS ${input.asNumber}`);
  out.push(
    `timers: connect delay ${t.connectDelay} s, connect retry ${t.connectRetry} s, hold ${t.holdTime} s, keepalive ${t.keepalive} s, graceful restart ${t.gracefulRestart} s, error wait ${t.errorWait[0]}-${t.errorWait[1]} s; message latency ${sim.latency * 1000} ms`,
  );
  out.push(`events: ${r.scenario.length === 0 ? 'none' : r.scenario.map(scenarioText).join(', ')}; simulated until ${sim.until} s`);
  out.push('');
  out.push(`sessions at ${sim.until} s:`);
  const sessions = sim.sessions.filter((s) => r.node === null || s.a === r.node || s.b === r.node);
  const w = Math.max(...sessions.map((s) => `${s.a} <-> ${s.b}`.length), 4);
  for (const s of sessions) {
    const passive = s.active === s.a ? s.b : s.a;
    const up = s.establishedAt === null ? 'down' : `up ${secText(sim.until - s.establishedAt)} s (since ${secText(s.establishedAt)})`;
    const rr = s.rrClientOf ? `, ${s.rrClientOf.client} is rr client of ${s.rrClientOf.reflector}` : '';
    out.push(`  ${`${s.a} <-> ${s.b}`.padEnd(w)}  ${`${s.a} ${s.stateA}, ${s.b} ${s.stateB}`.padEnd(44)}  ${s.active} connects to ${passive}:179${rr}; ${up}${s.flaps > 0 ? `, ${s.flaps} flap${s.flaps === 1 ? '' : 's'}` : ''}`);
  }
  out.push('');
  out.push('timeline (seconds):');
  const tl = timelineLines(sim, r.node);
  out.push(...tl.lines);
  if (tl.hidden.length > 0) out.push(`  not shown (see --json): ${tl.hidden.join('; ')}`);
  out.push('');
  for (const n of sim.nodes) {
    if (r.node !== null && n.node !== r.node) continue;
    const node = cluster.nodes.find((x) => x.name === n.node);
    const rib = sim.finalRib.get(n.node);
    if (!node || !rib) {
      out.push(`${n.node}: BIRD ${n.status === 'not-started' ? 'not started' : n.status}; no BIRD RIB${n.status === 'killed' || n.status === 'stopped' ? ' (the kernel keeps the routes BIRD wrote: protocol kernel `persist`)' : ''}`);
      continue;
    }
    out.push(`${n.node} (${formatIpv4(n.address)}${n.status === 'link-lost' ? ', link lost' : ''}) routes from BIRD, as \`ip route\` shows them:`);
    for (const b of rib) {
      const line = birdKernelLine(b, node, r.cni);
      out.push(`  ${line.text}${line.note ? `   # ${line.note}` : ''}`);
    }
    if (rib.length === 0) out.push('  (none)');
  }
  out.push('');
  out.push(convergenceText(sim));
  return out.join('\n');
}

export function convergenceText(sim: BgpSimulation): string {
  const totals = `${sim.messagesSent} messages and TCP segments, ${sim.eventsProcessed} events`;
  if (sim.convergedAt !== null) return `converged at ${secText(sim.convergedAt)} s (the last route change); ${totals}`;
  const stale = [...sim.finalRib.entries()].filter(([, rs]) => rs.some((x) => x.stale)).map(([n]) => n);
  const reachable = new Set(sim.nodes.filter((n) => n.status === 'running').map((n) => n.node));
  const down = sim.sessions.filter((s) => s.establishedAt === null && reachable.has(s.a) && reachable.has(s.b)).map((s) => `${s.a}-${s.b}`);
  const why = [stale.length > 0 ? `stale routes on ${stale.join(', ')}` : '', down.length > 0 ? `sessions not Established: ${down.join(', ')}` : ''].filter((x) => x !== '');
  return `not converged at ${sim.until} s (${why.join('; ') || 'no routes'}); ${totals}`;
}

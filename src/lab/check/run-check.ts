import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Cluster } from '../../cluster/cluster.js';
import { UNDERLAY_NETNS } from '../../controllers/names.js';
import { formatIpv4 } from '../../net/ipv4.js';
import type { System } from '../../topology/system.js';
import { agentPlan, type ListenSpec } from '../agent-plan.js';
import { startAgent } from '../agents.js';
import { formatFailure } from '../exec.js';
import { ping } from '../icmp.js';
import { createLab, teardownLab, type Lab } from '../lab.js';
import { newLabPrefix } from '../names.js';
import { waitSettled } from '../readback.js';
import { labWorkDir, LAB_STATE_DIR } from '../state-file.js';
import { captureAll, type CapturePoint, type WirePacket } from './captures.js';
import { compareFlow, type AspectCheck } from './compare.js';
import { buildLibcClients, dnsProbe, installedMuslVersion, type LibcClients } from './dns-probe.js';
import type { LabFlow } from './flows.js';
import { dnsQueriesSent, observePing, observeSocket, type FlowWindow, type Observation } from './observe.js';
import { predict, type Prediction } from './predict.js';
import { socketProbe } from './socket-probe.js';
import { localArrivals, watchConntrack, type ConntrackNew } from './conntrack-probe.js';

/** One flow's verdict: every aspect compared, or why it was not run. */
export type FlowCheck =
  | { readonly kind: 'checked'; readonly flow: string; readonly aspects: readonly AspectCheck[]; readonly agree: boolean; readonly attempts: number }
  | { readonly kind: 'skipped'; readonly flow: string; readonly reason: string }
  | { readonly kind: 'error'; readonly flow: string; readonly error: string };

export interface CheckReport {
  readonly topology: string;
  readonly file: string;
  readonly description: string;
  /** Set when the whole topology cannot be built by this kernel: nothing was run. */
  readonly unsupported: readonly string[];
  readonly flows: readonly FlowCheck[];
  /** The private lab's prefix (gone again when the report is returned); null when none was made. */
  readonly prefix: string | null;
}

export interface CheckOptions {
  /** Connections per Service flow whose model has several endpoints (default 8). */
  readonly repeat?: number;
  readonly stateDir?: string;
  /** Why the kernel cannot build the topology (kernel-support.ts); non-empty skips everything. */
  readonly unsupported: readonly string[];
}

interface Planned {
  readonly flow: LabFlow;
  readonly prediction: Prediction;
}

/**
 * `podnet lab check`: build the topology in a fresh lab of its own (never one `lab up` made, so
 * nothing done by hand through `lab exec` can sway the result), run every flow for real one after
 * another while capturing on every pod, node and underlay port, compare each with the model, and
 * tear the lab down again, whatever happens.
 */
export async function runCheck(system: System, cluster: Cluster, file: string, flows: readonly LabFlow[], opts: CheckOptions): Promise<CheckReport> {
  const base = { topology: system.name, file, description: system.description };
  if (opts.unsupported.length > 0) return { ...base, prefix: null, unsupported: opts.unsupported, flows: flows.map((f) => ({ kind: 'skipped', flow: f.text, reason: opts.unsupported.join('; ') })) };
  const muslVersion = (await installedMuslVersion()) ?? undefined;
  const results: FlowCheck[] = [];
  const planned: Planned[] = [];
  for (const flow of flows) {
    const p = predict(system, cluster, flow, muslVersion ? { muslVersion } : {});
    if (p.ok) planned.push({ flow, prediction: p.value });
    else results.push({ kind: 'error', flow: flow.text, error: p.error });
  }
  const stateDir = opts.stateDir ?? LAB_STATE_DIR;
  const prefix = newLabPrefix();
  try {
    const made = await createLab(system.world, { prefix, stateDir });
    if (!made.ok) throw new Error(`building the lab failed: ${formatFailure(made.error)}`);
    const lab = made.value;
    const dir = labWorkDir(prefix, stateDir);
    mkdirSync(dir, { recursive: true });
    await waitSettled(lab);
    await Promise.all(agentPlan(cluster, resolve(file), dir, deliveredSockets(planned)).filter((a) => system.netns.has(a.id)).map((a) => startAgent(lab, a.id, a, dir)));
    const clients = planned.some((p) => p.prediction.kind === 'dns') ? await buildLibcClients(dir) : new Map();
    const capture = await captureAll(lab, capturePoints(system), dir);
    const conntrack = await watchConntrack(lab, [...system.netns.values()].filter((i) => i.role.kind === 'node').map((i) => i.id));
    const runs: { planned: Planned; window: FlowWindow; finish: (packets: readonly WirePacket[], events: readonly ConntrackNew[]) => Observation | string }[] = [];
    for (const p of planned) {
      const from = Date.now();
      try {
        const finish = await runFlow(lab, system, p, { clients, dir, repeat: opts.repeat ?? 8 });
        runs.push({ planned: p, window: { from, to: Date.now() }, finish });
      } catch (e) {
        // A probe that could not run is reported with the flow; the other flows still run.
        results.push({ kind: 'error', flow: p.flow.text, error: `the real probe failed: ${(e as Error).message}` });
      }
      // Keep windows apart: a late packet of one flow must not count for the next.
      await new Promise((r) => setTimeout(r, 20));
    }
    const packets = await capture.stop();
    const events = await conntrack.stop();
    const where = (id: string): string => system.netns.get(id)?.where ?? id;
    for (const r of runs) {
      const inWindow = <T extends { readonly t: number }>(x: T): boolean => x.t >= r.window.from - 1 && x.t <= r.window.to + 1;
      const real = r.finish(packets.filter(inWindow), events.filter(inWindow));
      if (typeof real === 'string') {
        results.push({ kind: 'skipped', flow: r.planned.flow.text, reason: real });
        continue;
      }
      const aspects = compareFlow(r.planned.prediction, real, where);
      results.push({ kind: 'checked', flow: r.planned.flow.text, aspects, agree: aspects.every((a) => a.agree), attempts: real.kind === 'net' ? real.attempts.length : 1 });
    }
  } finally {
    await teardownLab(prefix, stateDir);
  }
  const order = new Map(flows.map((f, i) => [f.text, i]));
  return { ...base, prefix, unsupported: [], flows: results.sort((a, b) => (order.get(a.flow) ?? 0) - (order.get(b.flow) ?? 0)) };
}

/** Every pod's eth0, every node on all its devices, the underlay ports the nodes plug into. */
function capturePoints(system: System): CapturePoint[] {
  const out: CapturePoint[] = [];
  for (const info of system.netns.values()) {
    if (info.role.kind === 'pod') out.push({ netns: info.id, dev: 'eth0' });
    else if (info.role.kind === 'node') out.push({ netns: info.id, dev: 'any' });
  }
  const underlay = system.world.netns.get(UNDERLAY_NETNS);
  for (const l of underlay?.links ?? []) if (l.kind.type === 'veth') out.push({ netns: UNDERLAY_NETNS, dev: l.name });
  return out;
}

/** Where the model delivers a TCP/UDP flow, something must listen (see agentPlan). */
function deliveredSockets(planned: readonly Planned[]): ListenSpec[] {
  const out: ListenSpec[] = [];
  for (const { flow, prediction } of planned) {
    if (prediction.kind !== 'net' || (flow.kind !== 'tcp' && flow.kind !== 'udp')) continue;
    for (const o of prediction.outcomes) if (o.verdict === 'ok' && o.endpoint && o.endpointPort !== null) out.push({ netns: o.endpoint, proto: flow.kind, port: o.endpointPort });
  }
  return out;
}

async function runFlow(
  lab: Lab,
  system: System,
  { flow, prediction }: Planned,
  ctx: { readonly clients: LibcClients; readonly dir: string; readonly repeat: number },
): Promise<(packets: readonly WirePacket[], events: readonly ConntrackNew[]) => Observation | string> {
  const ipOf = (id: string): string | null => {
    const ip = system.netns.get(id)?.ip;
    return ip === null || ip === undefined ? null : formatIpv4(ip);
  };
  const window = { from: -Infinity, to: Infinity };
  if (prediction.kind === 'dns') {
    const client = ctx.clients.get(prediction.libc);
    if (!client?.ok) return () => client?.reason ?? `no ${prediction.libc} client`;
    const r = await dnsProbe(lab, prediction.netns, { bin: client.bin, dir: ctx.dir, resolvConf: prediction.resolvConf, hosts: prediction.hosts, name: flow.kind === 'dns' ? flow.name : '' });
    return (packets) => ({ kind: 'dns', queries: dnsQueriesSent(packets, window, prediction.netns, prediction.clientIp), result: r.result, raw: r.raw });
  }
  if (flow.kind === 'dns') throw new Error('a dns flow with a net prediction');
  const src = sourceNetns(system, flow);
  if (flow.kind === 'ping') {
    const r = await ping(lab, src, prediction.dstIp, { count: 1, timeoutSec: 1 });
    const detail = r.ok ? 'echo reply' : (r.output.trim().split('\n').at(-1) ?? 'no reply');
    return (packets) => observePing(r.ok, r.replies[0]?.ttl ?? null, detail, packets, window, prediction.dstIp, ipOf, UNDERLAY_NETNS);
  }
  const endpoints = new Set(prediction.outcomes.filter((o) => o.probability > 0).map((o) => o.endpoint));
  const count = endpoints.size > 1 ? ctx.repeat : 1;
  const attempts = await socketProbe(lab, src, { proto: flow.kind, dst: prediction.dstIp, port: flow.port, count, timeoutMs: 1000 });
  return (packets, events) => {
    // Only a refused attempt lacks an answer naming its endpoint; a node may have refused it itself.
    const local = localArrivals(events, { proto: flow.kind, client: prediction.clientIp, target: prediction.dstIp, dport: flow.port }, ipOf);
    return observeSocket(flow.kind, attempts, packets, window, prediction.dstIp, ipOf, UNDERLAY_NETNS, local);
  };
}

function sourceNetns(system: System, flow: Extract<LabFlow, { kind: 'ping' | 'tcp' | 'udp' }>): string {
  const f = flow.from;
  for (const info of system.netns.values()) {
    if (f.kind === 'pod' && info.role.kind === 'pod' && info.role.namespace === f.namespace && info.role.name === f.name) return info.id;
    if (f.kind === 'node' && info.role.kind === 'node' && info.role.node === f.name) return info.id;
    if (f.kind === 'ip' && info.ip === f.ip) return info.id;
  }
  if (f.kind === 'pod') {
    const host = system.hostNetworkPods.get(`${f.namespace}/${f.name}`);
    if (host) return host.netns;
  }
  throw new Error(`flow ${flow.text}: no netns for its source (the prediction found one)`);
}

import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Cluster } from '../cluster/cluster.js';
import { nodeNetns, podNetns } from '../controllers/names.js';
import { podEtc, writePodEtc } from './pod-etc.js';
import { err, ok, type Result } from '../lib/result.js';
import type { System } from '../topology/system.js';
import { agentPlan } from './agent-plan.js';
import { startAgent, type RunningAgent } from './agents.js';
import { birdConfig, withoutBirdRoutes } from './bird.js';
import { cmd, inNetns } from './command.js';
import { formatFailure, run, runOk } from './exec.js';
import { createLab, teardownLab, type Lab } from './lab.js';
import { netnsName, newLabPrefix } from './names.js';
import { recordProcess } from './processes.js';
import { labPrintOptions, printModelState, waitSettled } from './readback.js';
import { LAB_STATE_DIR, labWorkDir, listLabStates, readLabState, type LabState } from './state-file.js';

/** The labs `lab up` made from this topology file (by its absolute path). */
export function labsForTopology(file: string, stateDir = LAB_STATE_DIR): LabState[] {
  const abs = resolve(file);
  return listLabStates(stateDir)
    .map((p) => readLabState(p, stateDir))
    .filter((s): s is LabState => s !== null && s.topology?.file === abs);
}

/** The real netns of a model netns id in a recorded lab, or null when the lab has none. */
export function labNetnsOf(state: LabState, modelId: string): string | null {
  const name = netnsName(state.prefix, modelId);
  return state.netns.includes(name) ? name : null;
}

export interface LabUp {
  readonly lab: Lab;
  readonly agents: readonly RunningAgent[];
  /** Nodes running BIRD. */
  readonly bird: readonly { readonly node: string; readonly pid: number; readonly config: string }[];
  /** Why BGP routes were materialized from the model instead of learned by a real BIRD. */
  readonly birdSkipped: string | null;
  /** With BIRD: per node, whether the routes BIRD installed equal the model's (`ip route`). */
  readonly bgpRoutes: readonly RouteAgreement[];
}

export interface RouteAgreement {
  readonly node: string;
  readonly agree: boolean;
  readonly model: string;
  readonly real: string;
}

/**
 * `podnet lab up`: make the topology's kernel state real under a fresh prefix, recorded against
 * the topology file so `lab down FILE` and `lab exec FILE` find it; start the applications (the
 * pods' declared ports, CoreDNS) and, for Calico with BGP, BIRD in every node netns. On any
 * failure everything made so far is removed again.
 */
export async function labUp(system: System, cluster: Cluster, file: string, opts: { readonly stateDir?: string } = {}): Promise<Result<LabUp, string>> {
  const stateDir = opts.stateDir ?? LAB_STATE_DIR;
  const abs = resolve(file);
  const existing = labsForTopology(abs, stateDir);
  if (existing[0]) return err(`a lab of ${file} is already up (${existing[0].prefix}, since ${existing[0].createdAt}); run \`podnet lab down ${file}\` first`);
  const wantsBird = cluster.header.cni.kind === 'calico' && cluster.header.cni.bgp !== null;
  const haveBird = wantsBird && (await run({ argv: ['sh', '-c', 'command -v bird'] }).catch(() => ({ code: 1 }))).code === 0;
  const birdSkipped = wantsBird && !haveBird ? 'BIRD 2 (`bird`) is not installed (apt-get install bird2): BGP-learned routes are set from the model instead' : null;
  const world = haveBird ? withoutBirdRoutes(system.world) : system.world;
  const prefix = newLabPrefix();
  try {
    const made = await createLab(world, { prefix, stateDir, topology: { file: abs, name: system.name }, persistent: true });
    if (!made.ok) throw new Error(`building the lab failed: ${formatFailure(made.error)}`);
    const lab = made.value;
    const dir = labWorkDir(prefix, stateDir);
    mkdirSync(dir, { recursive: true });
    await waitSettled(lab);
    // Each pod's resolv.conf and hosts, for `lab exec` (a lookup in a pod asks the modelled CoreDNS).
    for (const pod of cluster.pods) {
      const etc = podEtc(cluster, pod);
      if (!pod.hostNetwork && etc.ok) writePodEtc(dir, lab.netnsName(podNetns(pod.namespace, pod.name)), etc.value);
    }
    const plan = agentPlan(cluster, abs, dir).filter((a) => system.netns.has(a.id) && (a.tcp.length > 0 || a.udp.length > 0 || a.dns !== null));
    const agents = await Promise.all(plan.map((a) => startAgent(lab, a.id, a, dir)));
    const bird = haveBird ? await startBird(lab, cluster, dir) : [];
    const bgpRoutes = haveBird ? await awaitBgpRoutes(lab, system, cluster) : [];
    return ok({ lab, agents, bird, birdSkipped, bgpRoutes });
  } catch (e) {
    await teardownLab(prefix, stateDir);
    return err((e as Error).message);
  }
}

async function startBird(lab: Lab, cluster: Cluster, dir: string): Promise<LabUp['bird']> {
  const out: { node: string; pid: number; config: string }[] = [];
  for (const n of cluster.nodes) {
    const text = birdConfig(cluster, n.name);
    if (text === null) continue;
    const conf = join(dir, `bird-${n.name}.conf`);
    writeFileSync(conf, text);
    // -f: stay in the foreground, so the recorded pid is BIRD's own and `lab down` can end it.
    const [cmd, ...args] = inNetns(lab.netnsName(nodeNetns(n.name)), ['bird', '-f', '-c', conf, '-s', join(dir, `bird-${n.name}.ctl`)]).argv;
    const child = spawn(cmd ?? 'ip', args, { stdio: 'ignore', detached: true });
    child.unref();
    if (child.pid === undefined) throw new Error(`bird did not start in ${n.name}`);
    recordProcess(lab.prefix, child.pid, `bird in node ${n.name}`, lab.stateDir);
    out.push({ node: n.name, pid: child.pid, config: conf });
  }
  return out;
}

/**
 * Wait for BIRD to converge (sessions up after `connect delay time 2`, routes exported to the
 * kernel) until every node's `ip route` equals the model's, or 30 s pass; the last reading.
 */
async function awaitBgpRoutes(lab: Lab, system: System, cluster: Cluster): Promise<RouteAgreement[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const rows = await Promise.all(
      cluster.nodes.map(async (n): Promise<RouteAgreement> => {
        const id = nodeNetns(n.name);
        const model = printModelState(system.world, id, labPrintOptions(lab)).route;
        const real = await runOk(cmd('ip', '-n', lab.netnsName(id), 'route', 'show'));
        return { node: n.name, agree: model === real, model, real };
      }),
    );
    if (rows.every((r) => r.agree) || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 500));
  }
}

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { labAvailable } from '../../lab/available.js';
import { defaultFlows, FLOW_SYNTAX, parseFlow, type LabFlow } from '../../lab/check/flows.js';
import { runCheck } from '../../lab/check/run-check.js';
import { probeKernelFeatures, unsupportedReasons } from '../../lab/kernel-support.js';
import { listLabNetns, teardownLab, type TeardownReport } from '../../lab/lab.js';
import { isAlive } from '../../lab/processes.js';
import { labWorkDir, listLabStates, readLabState, type LabState } from '../../lab/state-file.js';
import { podEtcPaths, withPodEtc } from '../../lab/pod-etc.js';
import { labNetnsOf, labsForTopology, labUp } from '../../lab/up.js';
import type { Cluster } from '../../cluster/cluster.js';
import type { System } from '../../topology/system.js';
import { EXIT_DISAGREE, UnavailableError, UsageError } from '../exit.js';
import { checkText, tally } from '../format/lab-check-text.js';
import { statusJson, statusText, type LabStatusRow } from '../format/lab-status-text.js';
import { loadSystem } from '../load.js';
import { resolveWhere } from './show.js';

/**
 * `podnet lab`: podnet's model made real in network namespaces (root only). `up` builds a
 * topology and leaves it running, `exec` runs a command inside it, `down` removes it, `status`
 * lists labs, `check` builds a private lab, sends real packets and compares with the model.
 */

async function needRoot(): Promise<void> {
  const a = await labAvailable();
  if (!a.ok) throw new UnavailableError(`lab: ${a.reason}`);
}

/** Load and build the topology; refuse it when this kernel cannot build it. */
async function buildable(file: string): Promise<{ system: System; cluster: Cluster; unsupported: string[] }> {
  const { system, cluster } = await loadSystem(file);
  const unsupported = unsupportedReasons(cluster, system.world, await probeKernelFeatures());
  return { system, cluster, unsupported };
}

function write(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

async function upAction(file: string, o: { json?: boolean }): Promise<void> {
  await needRoot();
  const { system, cluster, unsupported } = await buildable(file);
  if (unsupported.length > 0) throw new UnavailableError(`lab up ${file}: this kernel cannot build topology ${system.name}:\n  - ${unsupported.join('\n  - ')}`);
  const r = await labUp(system, cluster, file);
  if (!r.ok) throw new UnavailableError(`lab up ${file}: ${r.error}`);
  const { lab, agents, bird, birdSkipped } = r.value;
  const netns = [...system.world.netns.keys()].map((id) => ({ id, where: system.netns.get(id)?.where ?? id, netns: lab.netnsName(id) }));
  if (o.json) {
    write(JSON.stringify({ prefix: lab.prefix, topology: system.name, netns, agents: agents.map((a) => ({ netns: a.nsId, pid: a.pid, tcp: a.config.tcp, udp: a.config.udp, dns: a.config.dns !== null })), bird, birdSkipped, bgpRoutes: r.value.bgpRoutes }, null, 2));
    return;
  }
  const lines = [`lab ${lab.prefix} up: topology ${system.name} (${system.description}), ${netns.length} network namespaces`];
  const w = Math.max(...netns.map((n) => n.where.length));
  for (const n of netns) lines.push(`  ${n.where.padEnd(w)}  ${n.netns}`);
  for (const a of agents) lines.push(`  listening in ${system.netns.get(a.nsId)?.where ?? a.nsId}: ${[...a.config.tcp.map((p) => `${p}/tcp`), ...a.config.udp.map((p) => `${p}/udp`), ...(a.config.dns ? ['53/udp DNS (modelled CoreDNS)'] : [])].join(', ')} (pid ${a.pid})`);
  for (const b of bird) lines.push(`  BIRD in ${b.node} (pid ${b.pid}, ${b.config})`);
  for (const g of r.value.bgpRoutes) {
    lines.push(g.agree ? `  BGP: the routes BIRD installed in ${g.node} equal the model's` : `  BGP: the routes BIRD installed in ${g.node} differ from the model's:\n    model:\n${indent(g.model)}    real:\n${indent(g.real)}`);
  }
  if (birdSkipped) lines.push(`  note: ${birdSkipped}`);
  lines.push(`run a command in a pod: podnet lab exec ${file} NS/POD -- CMD; remove it: podnet lab down ${file}`);
  write(lines.join('\n'));
}

function indent(text: string): string {
  return text.split('\n').filter((l) => l !== '').map((l) => `      ${l}\n`).join('');
}

function teardownLines(prefix: string, r: TeardownReport): string[] {
  return [`lab ${prefix} down: ${r.netnsDeleted.length} network namespaces deleted, ${r.processesEnded.length} process(es) ended`, ...r.errors.map((e) => `  error: ${e}`)];
}

async function downAction(file: string | undefined, o: { all?: boolean; json?: boolean }): Promise<void> {
  if (file === undefined && !o.all) throw new UsageError('lab down: give the topology FILE, or --all for every podnet lab');
  if (file !== undefined && o.all) throw new UsageError('lab down: FILE and --all exclude each other');
  await needRoot();
  const prefixes = o.all ? listLabStates() : labsForTopology(file ?? '').map((s) => s.prefix);
  const reports: { prefix: string; report: TeardownReport }[] = [];
  for (const p of prefixes) reports.push({ prefix: p, report: await teardownLab(p) });
  if (o.json) write(JSON.stringify(reports, null, 2));
  else write(reports.length === 0 ? `no lab of ${file ?? 'any topology'} is up` : reports.flatMap((r) => teardownLines(r.prefix, r.report)).join('\n'));
  if (reports.some((r) => r.report.errors.length > 0)) process.exitCode = EXIT_DISAGREE;
}

async function statusAction(o: { json?: boolean }): Promise<void> {
  const rows: LabStatusRow[] = [];
  for (const prefix of listLabStates()) {
    const state = readLabState(prefix);
    if (!state) continue;
    const alive = process.getuid?.() === 0 ? (await listLabNetns(prefix)).length : state.netns.length;
    rows.push({ state, netnsAlive: alive, processesAlive: state.processes.filter((p) => isAlive(p.pid)).length, ownerAlive: isAlive(state.ownerPid) });
  }
  write(o.json ? JSON.stringify(statusJson(rows), null, 2) : statusText(rows));
}

async function execAction(file: string, where: string, argv: string[]): Promise<void> {
  await needRoot();
  if (argv.length === 0) throw new UsageError('lab exec: no command; write podnet lab exec FILE NS/POD -- CMD [ARGS...]');
  const state: LabState | undefined = labsForTopology(file)[0];
  if (!state) throw new UsageError(`lab exec: no lab of ${file} is up; run \`podnet lab up ${file}\` first`);
  const { system } = await loadSystem(file);
  const id = resolveWhere(system, where);
  const netns = labNetnsOf(state, id);
  if (netns === null) throw new UsageError(`lab exec: lab ${state.prefix} has no namespace for ${where} (the topology changed since \`lab up\`? run lab down and lab up again)`);
  // In a pod, with the resolv.conf and hosts the kubelet would give it (written by `lab up`).
  const etc = podEtcPaths(labWorkDir(state.prefix), netns);
  const inPod = system.netns.get(id)?.role.kind === 'pod' && existsSync(etc.resolvConf);
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', netns, ...(inPod ? withPodEtc(etc, argv) : argv)], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
  });
  process.exitCode = code;
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

async function checkAction(file: string, o: { flows: string[]; repeat?: string; json?: boolean }): Promise<void> {
  const repeat = o.repeat === undefined ? 8 : Number(o.repeat);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 100) throw new UsageError(`--repeat ${o.repeat}: expected an integer from 1 to 100`);
  // Parse everything before touching the kernel: bad input is exit 2 even without root.
  const { system, cluster } = await loadSystem(file);
  const flows: LabFlow[] = [];
  for (const text of o.flows.flatMap((f) => f.split(/\s+/)).filter((t) => t !== '')) {
    const f = parseFlow(text);
    if (!f.ok) throw new UsageError(`--flows: ${f.error}`);
    flows.push(f.value);
  }
  await needRoot();
  const unsupported = unsupportedReasons(cluster, system.world, await probeKernelFeatures());
  const report = await runCheck(system, cluster, file, flows.length > 0 ? flows : defaultFlows(system, cluster), { unsupported, repeat });
  write(o.json ? JSON.stringify({ ...report, tally: tally(report) }, null, 2) : checkText(report));
  if (report.unsupported.length > 0) throw new UnavailableError(`lab check ${file}: not checked (the kernel cannot build it)`);
  const t = tally(report);
  if (t.disagree > 0 || t.errors > 0) process.exitCode = EXIT_DISAGREE;
}

export function labCommand(): Command {
  // exitOverride before the subcommands exist: they inherit it, so usage errors reach main (exit 2).
  const lab = new Command('lab').exitOverride().description('podnet\'s model made real in network namespaces (root): up, exec, check, status, down');
  lab
    .command('up')
    .description('build the topology\'s kernel state in network namespaces and leave it running')
    .argument('<file>', 'topology file')
    .option('--json', 'print JSON')
    .action(upAction);
  lab
    .command('down')
    .description('remove a lab: every namespace, process and file it made (also after a crash)')
    .argument('[file]', 'topology file the lab was made from')
    .option('--all', 'remove every podnet lab on this machine')
    .option('--json', 'print JSON')
    .action(downAction);
  lab.command('status').description('list the podnet labs on this machine').option('--json', 'print JSON').action(statusAction);
  lab
    .command('exec')
    .description('run a command inside a pod or node of a lab: podnet lab exec FILE NS/POD -- CMD')
    .argument('<file>', 'topology file the lab was made from')
    .argument('<where>', 'NS/POD, node/NAME, a node name, or underlay')
    .argument('[command...]', 'the command and its arguments (after --)')
    .action((file: string, where: string, argv: string[]) => execAction(file, where, argv));
  lab
    .command('check')
    .description('send real packets for a set of flows in a private lab and compare with podnet\'s prediction')
    .argument('<file>', 'topology file')
    .option('--flows <spec...>', `flows to check instead of the default set: ${FLOW_SYNTAX}`, collect, [])
    .option('--repeat <n>', 'connections per Service flow with several endpoints (default 8)')
    .option('--json', 'print JSON')
    .action(checkAction);
  return lab;
}

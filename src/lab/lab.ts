import { err, ok, type Result } from '../lib/result.js';
import type { World } from '../kernel/netns.js';
import type { Ruleset } from '../kernel/netfilter/ruleset.js';
import { cmd } from './command.js';
import { applyCommands, run, type CommandFailure } from './exec.js';
import { materialize } from './materialize.js';
import { isLabPrefix, netnsNames, newLabPrefix } from './names.js';
import { endProcess, isAlive } from './processes.js';
import { LAB_STATE_DIR, listLabStates, readLabState, removeLabState, writeLabState, type LabState } from './state-file.js';

/** A World made real: one network namespace per model netns, named `<prefix><id>`. */
export interface Lab {
  readonly prefix: string;
  readonly world: World;
  readonly stateDir: string;
  /** Real netns name of a model netns id. */
  readonly netnsName: (id: string) => string;
}

export interface LabOptions {
  /** Defaults to a fresh random `pnXXXX-`. */
  readonly prefix?: string;
  readonly stateDir?: string;
  readonly iptablesText?: (ruleset: Ruleset) => string;
  /** Recorded in the state file: the topology a `lab up` lab was made from. */
  readonly topology?: LabState['topology'];
  readonly persistent?: boolean;
}

/**
 * Record the lab in its state file, then run materialize(world). On failure the lab is left as it
 * is for inspection and the first failing command is returned; teardownLab(prefix) removes it.
 */
export async function createLab(world: World, opts: LabOptions = {}): Promise<Result<Lab, CommandFailure>> {
  const prefix = opts.prefix ?? newLabPrefix();
  const stateDir = opts.stateDir ?? LAB_STATE_DIR;
  const names = netnsNames(prefix, world.netns.keys());
  const netnsName = (id: string): string => {
    const n = names.get(id);
    if (n === undefined) throw new Error(`lab ${prefix} has no netns for ${id}`);
    return n;
  };
  writeLabState(
    {
      prefix,
      createdAt: new Date().toISOString(),
      ownerPid: process.pid,
      netns: [...names.values()],
      processes: [],
      ...(opts.topology ? { topology: opts.topology } : {}),
      ...(opts.persistent ? { persistent: true } : {}),
    },
    stateDir,
  );
  const cmds = materialize(world, { netnsName, ...(opts.iptablesText ? { iptablesText: opts.iptablesText } : {}) });
  const applied = await applyCommands(cmds);
  if (!applied.ok) return err(applied.error);
  return ok({ prefix, world, stateDir, netnsName });
}

/** Names of the real namespaces that carry the prefix (`ip netns list`). */
export async function listLabNetns(prefix: string): Promise<string[]> {
  const r = await run(cmd('ip', 'netns', 'list'));
  if (r.code !== 0) throw new Error(`ip netns list: ${r.stderr.trim()}`);
  return r.stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(prefix));
}

export interface TeardownReport {
  readonly netnsDeleted: readonly string[];
  readonly processesEnded: readonly number[];
  readonly errors: readonly string[];
}

/**
 * Undo a lab, whether or not its creator is still running: end the processes it recorded and any
 * left inside its namespaces, delete every netns with its prefix, remove its state file.
 * Idempotent: a second call finds nothing to do.
 */
export async function teardownLab(prefix: string, stateDir = LAB_STATE_DIR): Promise<TeardownReport> {
  if (!isLabPrefix(prefix)) throw new Error(`refusing to tear down "${prefix}": not a lab prefix like pn1a2b-`);
  const state = readLabState(prefix, stateDir);
  const ended: number[] = [];
  const errors: string[] = [];
  for (const p of state?.processes ?? []) if (await endProcess(p)) ended.push(p.pid);
  const names = [...new Set([...(state?.netns ?? []), ...(await listLabNetns(prefix))])];
  const existing = new Set(await listLabNetns(prefix));
  const deleted: string[] = [];
  for (const n of names.filter((x) => existing.has(x))) {
    const pids = await run(cmd('ip', 'netns', 'pids', n));
    for (const pid of pids.stdout.split('\n').filter(Boolean).map(Number)) {
      try {
        process.kill(pid, 'SIGKILL');
        ended.push(pid);
      } catch {
        /* gone */
      }
    }
    const r = await run(cmd('ip', 'netns', 'del', n));
    if (r.code === 0) deleted.push(n);
    else errors.push(`ip netns del ${n}: ${r.stderr.trim()}`);
  }
  if (errors.length === 0) removeLabState(prefix, stateDir);
  return { netnsDeleted: deleted, processesEnded: ended, errors };
}

/** Tear down every lab whose creating process is gone (a crash, a killed test run); `lab up` labs are meant to outlive theirs. */
export async function teardownStaleLabs(stateDir = LAB_STATE_DIR): Promise<TeardownReport[]> {
  const out: TeardownReport[] = [];
  for (const prefix of listLabStates(stateDir)) {
    const s = readLabState(prefix, stateDir);
    if (s && !s.persistent && !isAlive(s.ownerPid) && isLabPrefix(prefix)) out.push(await teardownLab(prefix, stateDir));
  }
  return out;
}

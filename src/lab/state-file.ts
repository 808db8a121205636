import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a lab created, on disk before it is created, so `teardown` can undo it after a crash:
 * /run/podnet/<prefix>.json (tmpfs: gone after a reboot, like the namespaces themselves).
 */
export const LAB_STATE_DIR = '/run/podnet';

export interface LabProcess {
  readonly pid: number;
  /** Field 22 of /proc/PID/stat: tells our process from a later one that reused the pid. */
  readonly startTime: string;
  readonly what: string;
}

export interface LabState {
  readonly prefix: string;
  readonly createdAt: string;
  /** The process that made the lab; a lab whose owner is gone is stale. */
  readonly ownerPid: number;
  readonly netns: readonly string[];
  readonly processes: readonly LabProcess[];
  /** The topology file a `podnet lab up` lab was made from (absolute path) and its name. */
  readonly topology?: { readonly file: string; readonly name: string };
  /** Made by `lab up`: meant to outlive its creator, so not stale when the owner is gone. */
  readonly persistent?: boolean;
}

export function labStatePath(prefix: string, dir = LAB_STATE_DIR): string {
  return join(dir, `${prefix}.json`);
}

export function readLabState(prefix: string, dir = LAB_STATE_DIR): LabState | null {
  try {
    return JSON.parse(readFileSync(labStatePath(prefix, dir), 'utf8')) as LabState;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Written to a temporary file and renamed, so a crash never leaves half a file. */
export function writeLabState(state: LabState, dir = LAB_STATE_DIR): void {
  mkdirSync(dir, { recursive: true });
  const path = labStatePath(state.prefix, dir);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, path);
}

export function updateLabState(prefix: string, f: (s: LabState) => LabState, dir = LAB_STATE_DIR): LabState {
  const cur = readLabState(prefix, dir);
  if (!cur) throw new Error(`no lab state for ${prefix} in ${dir}`);
  const next = f(cur);
  writeLabState(next, dir);
  return next;
}

/** The lab's own directory (agent configs, DNS query logs), removed with the lab. */
export function labWorkDir(prefix: string, dir = LAB_STATE_DIR): string {
  return join(dir, prefix);
}

export function removeLabState(prefix: string, dir = LAB_STATE_DIR): void {
  rmSync(labWorkDir(prefix, dir), { recursive: true, force: true });
  rmSync(labStatePath(prefix, dir), { force: true });
}

/** Prefixes of every lab with a state file. */
export function listLabStates(dir = LAB_STATE_DIR): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

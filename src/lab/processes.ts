import { readFileSync } from 'node:fs';
import { readLabState, updateLabState, LAB_STATE_DIR, type LabProcess } from './state-file.js';

/** Field 22 (starttime) of /proc/PID/stat, or null when there is no such process. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? null;
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  return processStartTime(pid) !== null;
}

/** Record a process the lab started, so teardown ends it even after a crash. */
export function recordProcess(prefix: string, pid: number, what: string, dir = LAB_STATE_DIR): LabProcess {
  const p: LabProcess = { pid, startTime: processStartTime(pid) ?? '', what };
  if (readLabState(prefix, dir)) updateLabState(prefix, (s) => ({ ...s, processes: [...s.processes, p] }), dir);
  return p;
}

/** End a recorded process (TERM, then KILL after a grace period) if it is still the same process. */
export async function endProcess(p: LabProcess, graceMs = 2000): Promise<boolean> {
  if (processStartTime(p.pid) !== p.startTime) return false;
  try {
    process.kill(p.pid, 'SIGTERM');
  } catch {
    return false;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (processStartTime(p.pid) !== p.startTime) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  try {
    process.kill(p.pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  return true;
}

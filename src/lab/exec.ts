import { spawn } from 'node:child_process';
import { err, ok, type Result } from '../lib/result.js';
import { formatCommand, type LabCommand } from './command.js';

export interface RunResult {
  /** Exit status; null when a signal ended the process. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run argv[0] with the rest as arguments (no shell), feeding `stdin` if given. */
export function run(c: LabCommand, opts: { readonly timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = c.argv;
    if (file === undefined) throw new Error('empty command');
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(c.stdin ?? '');
  });
}

/** Run a command that must succeed; its stdout. */
export async function runOk(c: LabCommand): Promise<string> {
  const r = await run(c);
  if (r.code !== 0) throw new Error(`${formatCommand(c)} failed (${r.code ?? r.signal}): ${r.stderr.trim()}`);
  return r.stdout;
}

export interface CommandFailure {
  readonly command: LabCommand;
  /** Position in the list given to applyCommands. */
  readonly index: number;
  readonly code: number | null;
  readonly stderr: string;
}

/** Run the commands in order, stopping at the first that fails. */
export async function applyCommands(cmds: readonly LabCommand[]): Promise<Result<number, CommandFailure>> {
  for (const [index, command] of cmds.entries()) {
    let r: RunResult;
    try {
      r = await run(command);
    } catch (e) {
      return err({ command, index, code: null, stderr: (e as Error).message });
    }
    if (r.code !== 0) return err({ command, index, code: r.code, stderr: r.stderr.trim() });
  }
  return ok(cmds.length);
}

export function formatFailure(f: CommandFailure): string {
  return `command ${f.index + 1} failed (exit ${f.code ?? 'signal'}): ${formatCommand(f.command)}\n${f.stderr}`;
}

import { spawn } from 'node:child_process';
import { inNetns } from './command.js';
import type { RunResult } from './exec.js';
import type { Lab } from './lab.js';
import { recordProcess } from './processes.js';

export interface CaptureOptions {
  /** pcapng file tshark writes (dumpcap runs as root: any writable path). */
  readonly file: string;
  /** Stop after this many seconds (`-a duration:N`). */
  readonly durationSec?: number;
  /** Stop after this many packets (`-c N`). */
  readonly count?: number;
  /** Capture filter (`-f`), e.g. `icmp or udp port 8472`. */
  readonly filter?: string;
  /**
   * `dumpcap` alone (tshark's own capture engine, without loading every dissector: starts in
   * milliseconds, where a dozen tsharks at once can take seconds on a busy machine). Default tshark.
   */
  readonly engine?: 'tshark' | 'dumpcap';
}

export interface Capture {
  readonly pid: number;
  readonly file: string;
  /** Resolves when tshark exits (stop condition reached, or stop()). */
  readonly done: Promise<RunResult>;
  /**
   * Let dumpcap write what it has (it drops what it has not yet written when interrupted: the last
   * packets go missing without this pause), then SIGINT tshark and wait for it to exit.
   */
  readonly stop: (flushMs?: number) => Promise<RunResult>;
}

/**
 * Capture on a device inside a lab netns: `ip netns exec NAME tshark -i DEV -w FILE ...`. Resolves
 * once dumpcap has started capturing, so packets sent afterwards are in the file. The process is
 * recorded in the lab's state file, so teardown ends it if the caller does not.
 */
export function startCapture(lab: Lab, nsId: string, dev: string, opts: CaptureOptions): Promise<Capture> {
  const argv = opts.engine === 'dumpcap' ? ['dumpcap', '-n', '-q', '-i', dev, '-w', opts.file] : ['tshark', '-n', '-q', '-i', dev, '-w', opts.file];
  if (opts.durationSec !== undefined) argv.push('-a', `duration:${opts.durationSec}`);
  if (opts.count !== undefined) argv.push('-c', String(opts.count));
  if (opts.filter !== undefined) argv.push('-f', opts.filter);
  const [file, ...args] = inNetns(lab.netnsName(nsId), argv).argv;
  const child = spawn(file ?? 'ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const done = new Promise<RunResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return new Promise((resolve, reject) => {
    let fallback: NodeJS.Timeout | undefined;
    const ready = (): void => {
      clearTimeout(timer);
      clearTimeout(fallback);
      resolve({ pid: child.pid ?? -1, file: opts.file, done, stop });
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tshark did not start capturing on ${dev} in ${nsId} within 15 s: ${stderr.trim()}`));
    }, 15_000);
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      // "Capturing on 'eth0'" comes before dumpcap has the socket open (and its filter compiled);
      // "Capture started" (tshark 4) or dumpcap's "File: ..." once it has. Older tshark prints
      // only the first: wait a bit.
      if (/Capture started/.test(stderr) || (opts.engine === 'dumpcap' && /^File: /m.test(stderr))) ready();
      else if (/Capturing on/.test(stderr) && fallback === undefined) fallback = setTimeout(ready, 5000);
    });
    done.then((r) => {
      clearTimeout(timer);
      clearTimeout(fallback);
      if (!/Capturing on/.test(stderr)) reject(new Error(`tshark exited (${r.code ?? r.signal}) before capturing: ${stderr.trim()}`));
    }, reject);
    if (child.pid !== undefined) recordProcess(lab.prefix, child.pid, `tshark -i ${dev} in ${nsId}`, lab.stateDir);
  });

  async function stop(flushMs = 1000): Promise<RunResult> {
    if (child.exitCode === null && child.signalCode === null) {
      await Promise.race([done, new Promise((r) => setTimeout(r, flushMs))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    }
    return done;
  }
}

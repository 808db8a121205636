import { inNetns } from './command.js';
import { run, type RunResult } from './exec.js';
import type { Lab } from './lab.js';

/** Run a program inside a lab netns (`ip netns exec NAME argv...`). */
export function execIn(lab: Lab, nsId: string, argv: readonly string[], opts: { readonly stdin?: string; readonly timeoutMs?: number } = {}): Promise<RunResult> {
  return run(inNetns(lab.netnsName(nsId), argv, opts.stdin), opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {});
}

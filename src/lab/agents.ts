import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AgentConfig } from './agent-config.js';
import { inNetns } from './command.js';
import type { Lab } from './lab.js';
import { recordProcess } from './processes.js';

const AGENT = fileURLToPath(new URL('./agent.ts', import.meta.url));
/** tsx's ESM loader by absolute URL, so the agent starts whatever the caller's working directory. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface RunningAgent {
  readonly nsId: string;
  readonly pid: number;
  readonly config: AgentConfig;
}

/**
 * Start an agent (src/lab/agent.ts) in a lab netns, detached so it outlives `podnet lab up`, and
 * record it in the lab's state file so `lab down` ends it. Resolves once its sockets are bound.
 */
export async function startAgent(lab: Lab, nsId: string, config: AgentConfig, dir: string): Promise<RunningAgent> {
  const file = join(dir, `agent-${lab.netnsName(nsId)}.json`);
  writeFileSync(file, JSON.stringify(config));
  const [cmd, ...args] = inNetns(lab.netnsName(nsId), [process.execPath, '--import', TSX, AGENT, file]).argv;
  const child = spawn(cmd ?? 'ip', args, { stdio: 'ignore', detached: true });
  child.unref();
  const pid = child.pid ?? -1;
  if (pid > 0) recordProcess(lab.prefix, pid, `agent in ${nsId}${config.dns ? ' (CoreDNS)' : ''}`, lab.stateDir);
  const deadline = Date.now() + 20_000;
  while (!existsSync(`${file}.ready`)) {
    if (existsSync(`${file}.failed`)) throw new Error(`agent in ${nsId} failed: ${readFileSync(`${file}.failed`, 'utf8').trim()}`);
    if (Date.now() > deadline) throw new Error(`agent in ${nsId} did not bind its sockets within 20 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { nsId, pid, config };
}

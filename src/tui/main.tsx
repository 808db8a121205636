import { readFile } from 'node:fs/promises';
import { render } from 'ink';
import type { Cluster } from '../cluster/cluster.js';
import type { CniConfig, CniKind } from '../cluster/header.js';
import { formatInputError } from '../lib/input-error.js';
import { parseTopology } from '../topology/load.js';
import { err, ok, type Result } from '../lib/result.js';
import { buildSystem } from '../topology/build.js';
import { runTrace } from '../trace/run.js';
import { loadSystem } from '../cli/load.js';
import { UsageError } from '../cli/exit.js';
import { flowText } from '../cli/format/trace-text.js';
import { App } from './app.js';
import { compareByCni } from './compare-source.js';
import { catalog, defaultQuery, flowKindText, traceRequest, whereOf, type Loaded, type TuiDeps } from './model.js';
import { policyFor } from './policy-source.js';
import { colorWanted } from './theme.js';

/** The real answers: the packet walk, CNI comparison by rebuilding, and the policy evaluator. */
export function defaultDeps(): TuiDeps {
  const trace: TuiDeps['trace'] = (system, req) => runTrace(system, req);
  return { trace, compare: compareByCni(buildSystem, trace), policy: policyFor };
}

/** Load and build a topology file; bad input comes back as the message the CLI would print. */
export async function loadFile(file: string): Promise<Result<Loaded, string>> {
  try {
    const { system, cluster } = await loadSystem(file);
    const text = await readFile(file, 'utf8');
    const reparse = (cni: CniKind | CniConfig): Result<Cluster, string> => {
      const r = parseTopology(text, file, { cni });
      return r.ok ? ok(r.value) : err(formatInputError(r.error));
    };
    return ok({ system, cluster, file, reparse });
  } catch (e) {
    if (e instanceof UsageError) return err(e.detail);
    throw e;
  }
}

/** What `podnet` prints instead of the UI when stdout is not a terminal: the first flow's trace. */
export function plainTrace(loaded: Loaded, deps: TuiDeps = defaultDeps()): string {
  const q = defaultQuery(catalog(loaded));
  if (!q) return `${loaded.system.name}: no pods or nodes to trace between`;
  const req = traceRequest(loaded, q);
  if (!req.ok) return `${loaded.system.name}: ${req.error}`;
  const run = deps.trace(loaded.system, req.value.request);
  if (!run.ok) return `${loaded.system.name}: ${run.error}`;
  const r = run.value;
  const header = { title: `trace ${r.from.label} -> ${r.to.label}: ${flowKindText(r.kind)}`, context: `topology ${loaded.system.name}: ${loaded.system.description}` };
  return flowText(header, r.outcomes, whereOf(loaded.system)).join('\n');
}

const ALT_SCREEN_ON = '\u001b[?1049h\u001b[H';
const ALT_SCREEN_OFF = '\u001b[?1049l';

/**
 * `podnet ui FILE`: load and build the topology, then open the terminal UI on the alternate
 * screen. Bad input throws the CLI's UsageError (exit 2) before anything is drawn. When stdout or
 * stdin is not a terminal, print the plain trace of the first flow instead.
 */
export async function runTui(file: string): Promise<void> {
  const deps = defaultDeps();
  const first = await loadFile(file);
  if (!first.ok) throw new UsageError(first.error);
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    process.stdout.write(`${plainTrace(first.value, deps)}\n`);
    return;
  }
  process.stdout.write(ALT_SCREEN_ON);
  const restore = (): void => {
    process.stdout.write(ALT_SCREEN_OFF);
  };
  process.once('exit', restore);
  try {
    const app = render(<App loaded={first.value} load={() => loadFile(file)} deps={deps} color={colorWanted()} file={file} />, {
      exitOnCtrlC: false,
      // Ink 6.8's incremental mode mispositions changed lines on a full-height frame (seen in
      // tmux); the standard mode rewrites the frame in one write, inside a synchronized update
      // where the terminal supports it, and the frame never reaches the last row (no clear).
      incrementalRendering: false,
      patchConsole: true,
    });
    await app.waitUntilExit();
    app.cleanup();
  } finally {
    process.off('exit', restore);
    restore();
  }
}

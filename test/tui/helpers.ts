import { EventEmitter } from 'node:events';
import type { ReactElement } from 'react';
import { render as inkRender } from 'ink';
import { ok, type Result } from '../../src/lib/result.js';
import type { CompareColumn } from '../../src/tui/compare-source.js';
import type { Loaded, TuiDeps } from '../../src/tui/model.js';
import type { PolicyProvider } from '../../src/tui/policy-source.js';
import { fakeTrace, fixtureLoaded } from './fixture.js';

/** Terminal byte sequences for keys, as a terminal sends them. */
export const KEY = {
  up: '\u001B[A',
  down: '\u001B[B',
  right: '\u001B[C',
  left: '\u001B[D',
  pageUp: '\u001B[5~',
  pageDown: '\u001B[6~',
  home: '\u001B[H',
  end: '\u001B[F',
  enter: '\r',
  escape: '\u001B',
  tab: '\t',
  backTab: '\u001B[Z',
  backspace: '\u007F',
  ctrlC: '\u0003',
} as const;

export const tick = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Write keys one at a time, letting Ink and React settle after each: when the target can show
 * its last frame, wait for the frame to change (up to a limit: some keys change nothing).
 */
export async function press(target: { write: (s: string) => void; lastFrame?: () => string | undefined }, ...keys: string[]): Promise<void> {
  for (const k of keys) {
    const before = target.lastFrame?.();
    target.write(k);
    // A lone ESC waits for the rest of a possible sequence before it counts as Escape.
    const settle = k === KEY.escape ? 120 : 10;
    await tick(settle);
    if (!target.lastFrame) continue;
    const until = Date.now() + 400;
    while (target.lastFrame() === before && Date.now() < until) await tick(5);
  }
}

/** Strip ANSI escapes (colour) from a frame. */
export function plain(frame: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  return (frame ?? '').replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '');
}

/** A compare source over the scripted walk: the same flow on two labelled "systems". */
export function fakeCompare(loaded: Loaded): NonNullable<TuiDeps['compare']> {
  const trace = fakeTrace(loaded.cluster ?? (() => { throw new Error('fixture has a cluster'); })());
  return (l, _q, req) => {
    const where = (id: string): string => l.system.netns.get(id)?.where ?? id;
    const cols: CompareColumn[] = [
      { label: 'flannel vxlan', run: trace(l.system, req), where },
      { label: 'flannel host-gw', run: trace(l.system, req), where },
      { label: 'calico bgp', run: { ok: false, error: 'CNI calico is not modelled yet' }, where },
    ];
    return ok(cols);
  };
}

/** A policy provider with a fixed matrix: pod-a may reach pod-b, nothing reaches pod-c. */
export function fakePolicy(): PolicyProvider {
  const rows = ['default/pod-a', 'default/pod-b', 'default/pod-c'];
  return {
    ports: ['80/TCP', '53/UDP'],
    matrix: (port): Result<{ rows: string[]; cols: string[]; cells: ('allow' | 'deny' | 'n/a')[][] }, string> =>
      ok({
        rows,
        cols: rows,
        cells: rows.map((_, r) => rows.map((__, c) => (r === c ? 'n/a' : c === 2 ? 'deny' : port === '53/UDP' ? 'deny' : 'allow'))),
      }),
    explain: (port, r, c) => [`${rows[r]} -> ${rows[c]} on ${port}:`, c === 2 ? 'default/deny-to-c selects default/pod-c for ingress and no rule admits default/pod-a' : 'no policy selects the destination for ingress: allowed'],
  };
}

export function fixtureApp(extra: Partial<TuiDeps> = {}): { loaded: Loaded; deps: TuiDeps } {
  const loaded = fixtureLoaded();
  const cluster = loaded.cluster;
  if (!cluster) throw new Error('fixture has a cluster');
  return { loaded, deps: { trace: fakeTrace(cluster), ...extra } };
}

/**
 * ink-testing-library's streams report a 100-column terminal with no rows. For wider layouts
 * and resize tests, the same fake streams with a size that can change.
 */
class SizedStdout extends EventEmitter {
  frames: string[] = [];
  private last: string | undefined;
  constructor(public columns: number, public rows: number) {
    super();
  }
  write = (frame: string): boolean => {
    this.frames.push(frame);
    this.last = frame;
    return true;
  };
  lastFrame = (): string | undefined => this.last;
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write = (data: string): void => {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  };
  read = (): string | null => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

export function renderSized(tree: ReactElement, size: { columns: number; rows: number }) {
  const stdout = new SizedStdout(size.columns, size.rows);
  const stderr = new SizedStdout(size.columns, size.rows);
  const stdin = new FakeStdin();
  const instance = inkRender(tree, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return {
    stdin,
    lastFrame: stdout.lastFrame,
    unmount: () => instance.unmount(),
    resize: (s: { columns: number; rows: number }): void => {
      stdout.columns = s.columns;
      stdout.rows = s.rows;
      stdout.emit('resize');
    },
  };
}

/** Poll until `check` stops throwing (or 3 s pass, then rethrow): no fixed sleeps under load. */
export async function eventually(check: () => void, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (e) {
      if (Date.now() > until) throw e;
      await tick(10);
    }
  }
}

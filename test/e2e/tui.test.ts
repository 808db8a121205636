/**
 * End to end: the real `podnet ui` binary in a real terminal (tmux, 120x40). Steps through the
 * whole cross-node walk of the two-node Flannel topology with the keyboard, reading the screen
 * back with capture-pane, and checks the VXLAN step shows its outer headers.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOPOLOGY = 'topologies/two-node-flannel.yaml';
const CLI = 'src/cli/main.ts';
const SESSION = `podnet-tui-e2e-${process.pid}-${Date.now().toString(36)}`;
const COLS = 120;
const ROWS = 40;

function tmux(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('tmux', args, { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Why the test cannot run here, or null when it can. */
function skipReason(): string | null {
  if (spawnSync('tmux', ['-V'], { encoding: 'utf8' }).status !== 0) return 'tmux is not installed';
  if (!existsSync(join(ROOT, TOPOLOGY))) return `${TOPOLOGY} does not exist yet`;
  if (!existsSync(join(ROOT, CLI))) return `${CLI} does not exist yet`;
  const probe = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'ui', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  const out = `${probe.stdout ?? ''}${probe.stderr ?? ''}`;
  if (probe.status !== 0 && /ERR_MODULE_NOT_FOUND|Cannot find module/.test(out)) {
    return `the CLI cannot load yet (${out.split('\n').find((l) => /Cannot find module/.test(l))?.trim() ?? 'a module is missing'})`;
  }
  if (probe.status !== 0) return `the CLI has no ui command yet (${out.split('\n')[0] ?? ''})`;
  return null;
}

const reason = skipReason();

const screen = (): string => tmux('capture-pane', '-p', '-t', SESSION).stdout;

async function waitFor(what: string, ok: (s: string) => boolean, timeoutMs = 20_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  let s = '';
  while (Date.now() < until) {
    s = screen();
    if (ok(s)) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; the screen was:\n${s}`);
}

const send = (...keys: string[]): void => {
  const r = tmux('send-keys', '-t', SESSION, ...keys);
  if (r.status !== 0) throw new Error(`tmux send-keys: ${r.stderr}`);
};

afterAll(() => {
  if (!reason) tmux('kill-session', '-t', SESSION);
});

describe.skipIf(reason !== null)(`podnet ui in tmux${reason ? ` (skipped: ${reason})` : ''}`, () => {
  test('step through the cross-node Flannel walk, see the VXLAN step with its outer headers, quit', { timeout: 180_000 }, async () => {
    // The shell keeps the pane open after the UI exits so its exit status can be read.
    // CI=false: Ink draws only the final frame when it thinks it runs in CI (is-in-ci), and a
    // person at this terminal is not in CI even when the test runner is.
    const cmd = `CI=false node --import tsx ${CLI} ui ${TOPOLOGY}; echo "[podnet exited $?]"; sleep 600`;
    const started = tmux('new-session', '-d', '-s', SESSION, '-x', String(COLS), '-y', String(ROWS), '-c', ROOT, cmd);
    expect(started.status, started.stderr).toBe(0);

    const first = await waitFor('the trace view', (s) => s.includes('── Hops') && /Step 1\/\d+ request/.test(s), 60_000);
    expect(first).toContain('podnet two-node-flannel');
    expect(first).toContain('from default/pod-a 10.244.1.2');
    expect(first).toContain('to default/pod-b 10.244.2.2');
    expect(first).toContain('? help');
    expect(first).toContain('q quit');
    const total = Number(/Step 1\/(\d+) request/.exec(first)?.[1]);
    expect(total).toBeGreaterThan(20);
    for (const l of first.split('\n')) expect([...l].length).toBeLessThanOrEqual(COLS);

    let vxlan: string | null = null;
    let sawReply = false;
    for (let i = 2; i <= total; i++) {
      send('j');
      const s = await waitFor(`step ${i}`, (x) => new RegExp(`Step ${i}/${total} (request|reply)`).test(x));
      if (s.includes(`Step ${i}/${total} reply`)) sawReply = true;
      if (vxlan === null && s.includes('stage encap') && s.includes('VXLAN on the wire')) vxlan = s;
    }
    expect(vxlan, 'no VXLAN encap step was shown').not.toBeNull();
    const v = vxlan ?? '';
    // The walk's summary of the tunnel, and the outer and inner headers of the encapsulated packet.
    expect(v).toMatch(/vxlan encap on flannel\.1: VNI 1, \S+ -> VTEP 192\.168\.1\.102, UDP dport 8472/);
    expect(v).toMatch(/VXLAN on the wire: outer 192\.168\.1\.101 > 192\.168\.1\.102, UDP \d+ > 8472, VXLAN VNI 1/);
    expect(v).toMatch(/outer ip\s+192\.168\.1\.101 > 192\.168\.1\.102\s+ttl 64\s+proto udp/);
    expect(v).toMatch(/outer udp\s+\d+ > 8472/);
    expect(v).toMatch(/vxlan\s+vni 1/);
    expect(v).toMatch(/inner ip\s+10\.244\.1\.2 > 10\.244\.2\.2/);
    expect(v).toContain('dev flannel.1 dst 192.168.1.102 self permanent');
    expect(v).toContain('[flannel.1]');
    expect(sawReply).toBe(true);

    const end = screen();
    expect(end).toContain('Disposition: DELIVERED to pod default/pod-a');
    expect(end).toContain('Verdict: OK');

    send('k');
    await waitFor('a step back', (s) => s.includes(`Step ${total - 1}/${total}`));
    send('g');
    await waitFor('the first step', (s) => s.includes(`Step 1/${total} request`));

    send('?');
    await waitFor('the help', (s) => s.includes('podnet · keys') && s.includes('next step of the walk'));
    send('Escape');
    await waitFor('the help to close', (s) => !s.includes('podnet · keys') && s.includes('── Hops'));

    send('q');
    const after = await waitFor('the UI to exit', (s) => s.includes('[podnet exited'));
    expect(after).toContain('[podnet exited 0]');
  });
});

/**
 * The UI on the real model: topologies/two-node-flannel.yaml loaded, built and walked by the
 * same code `podnet ui` runs. Skips (saying why) while the modules it needs are missing.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { App } from '../../src/tui/app.js';
import { makeEnv, initialState, reduce, flatSteps, currentOutcome } from '../../src/tui/state.js';
import { KEY, plain, press } from './helpers.js';

const TOPOLOGY = fileURLToPath(new URL('../../topologies/two-node-flannel.yaml', import.meta.url));

type Main = typeof import('../../src/tui/main.js');
let main: Main | null = null;
let why = '';
if (!existsSync(TOPOLOGY)) why = `${TOPOLOGY} does not exist yet`;
else {
  try {
    main = await import('../../src/tui/main.js');
  } catch (e) {
    why = `the model cannot be loaded yet: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
  }
}

afterEach(() => {
  cleanup();
});

describe.skipIf(main === null)(`the UI on the real two-node Flannel walk${why ? ` (skipped: ${why})` : ''}`, () => {
  async function load() {
    if (!main) throw new Error('unreachable');
    const r = await main.loadFile(TOPOLOGY);
    if (!r.ok) throw new Error(r.error);
    return { loaded: r.value, deps: main.defaultDeps() };
  }

  test('the default flow crosses nodes through VXLAN and gets its reply', async () => {
    const { loaded, deps } = await load();
    const env = makeEnv(loaded, deps);
    const s = initialState(env);
    expect(s.query?.from.text).toBe('default/pod-a');
    expect(s.query?.to.text).toBe('default/pod-b');
    expect(s.result?.ok).toBe(true);
    const steps = flatSteps(currentOutcome(s));
    expect(steps.some((f) => f.step.stage === 'encap' && f.step.where === 'node1')).toBe(true);
    expect(steps.some((f) => f.leg === 'reply')).toBe(true);
    expect(currentOutcome(s)?.verdict.kind).toBe('ok');
  });

  test('stepping through the whole walk reaches the VXLAN step with its outer headers, then the verdict', { timeout: 60_000 }, async () => {
    const { loaded, deps } = await load();
    const r = render(<App loaded={loaded} deps={deps} size={{ columns: 100, rows: 40 }} color={false} />);
    const { lastFrame } = r;
    const stdin = { write: r.stdin.write, lastFrame };
    const total = flatSteps(currentOutcome(initialState(makeEnv(loaded, deps)))).length;
    let sawVxlan = false;
    for (let i = 1; i < total; i++) {
      await press(stdin, 'j');
      const s = plain(lastFrame());
      if (s.includes('stage encap') && s.includes('VXLAN on the wire: outer 192.168.1.101 > 192.168.1.102')) {
        expect(s).toMatch(/outer udp\s+\d+ > 8472/);
        expect(s).toMatch(/vxlan\s+vni 1/);
        expect(s).toMatch(/inner ip\s+10\.244\.1\.2 > 10\.244\.2\.2/);
        sawVxlan = true;
      }
    }
    expect(sawVxlan).toBe(true);
    const end = plain(lastFrame());
    expect(end).toContain(`Step ${total}/${total} reply`);
    expect(end).toContain('Verdict: OK');
    await press(stdin, KEY.home);
    expect(plain(lastFrame())).toContain(`Step 1/${total} request`);
  });

  test('the plain trace (stdout not a terminal) is the CLI text with the VXLAN summary', async () => {
    const { loaded } = await load();
    const text = main?.plainTrace(loaded) ?? '';
    expect(text).toContain('trace pod default/pod-a (10.244.1.2) -> pod default/pod-b (10.244.2.2)');
    expect(text).toMatch(/encapsulation: VXLAN VNI 1 on flannel\.1 \(node1\): outer 192\.168\.1\.101 -> 192\.168\.1\.102/);
    expect(text).toContain('verdict: OK');
  });

  test('compare: flannel vxlan and host-gw side by side from the same cluster', async () => {
    const { loaded, deps } = await load();
    const env = makeEnv(loaded, deps);
    const s = reduce(initialState(env), '3', env);
    const cols = s.compare.columns;
    expect(cols?.ok).toBe(true);
    if (!cols?.ok) return;
    const byLabel = new Map(cols.value.map((c) => [c.label, c]));
    expect(byLabel.get('flannel')?.run.ok).toBe(true);
    expect(byLabel.get('flannel/host-gw')?.run.ok).toBe(true);
    const hostGw = byLabel.get('flannel/host-gw');
    const steps = hostGw?.run.ok ? flatSteps(hostGw.run.value.outcomes[0]) : [];
    expect(steps.some((f) => f.step.stage === 'encap')).toBe(false);
    // The columns carry src/compare's facts, which the view prints (tunnel, MTU, hops).
    expect(hostGw?.facts?.[0]?.pathMtu?.mtu).toBe(1500);
    expect(byLabel.get('flannel')?.facts?.[0]?.overhead).toBe(50);
  });
});

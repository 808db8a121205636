import { afterEach, describe, expect, test } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { err, ok } from '../../src/lib/result.js';
import { App } from '../../src/tui/app.js';
import type { Size } from '../../src/tui/screen.js';
import { eventually, fakeCompare, fakePolicy, fixtureApp, KEY, plain, press, renderSized, tick } from './helpers.js';

const SMALL: Size = { columns: 80, rows: 24 };
const LARGE: Size = { columns: 150, rows: 40 };

const sized: { unmount: () => void }[] = [];

afterEach(() => {
  cleanup();
  for (const s of sized.splice(0)) s.unmount();
});

/**
 * The app on a fixture topology. Up to 100 columns through ink-testing-library; wider through
 * the same fake streams with the terminal size set (the library's terminal is 100 wide).
 */
function app(size: Size = SMALL, extra: Parameters<typeof fixtureApp>[0] = {}, color = false) {
  const { loaded, deps } = fixtureApp(extra);
  if (size.columns > 100) {
    const r = renderSized(<App loaded={loaded} deps={deps} color={color} />, size);
    sized.push(r);
    return { stdin: { write: r.stdin.write, lastFrame: r.lastFrame }, lastFrame: r.lastFrame, loaded, screen: () => plain(r.lastFrame()) };
  }
  const r = render(<App loaded={loaded} deps={deps} size={size} color={color} />);
  // Keys go through the library's stdin; `press` waits for the frame they cause.
  return { ...r, stdin: { write: r.stdin.write, lastFrame: r.lastFrame }, loaded, screen: () => plain(r.lastFrame()) };
}

/** Every frame fits the terminal: at most rows-1 lines (Ink never clears), none wider than it. */
function expectFits(screen: string, size: Size): void {
  const lines = screen.split('\n');
  expect(lines.length).toBeLessThanOrEqual(size.rows - 1);
  for (const l of lines) expect([...l].length).toBeLessThanOrEqual(size.columns);
}

describe('trace view', () => {
  test('opens on the first cross-node flow with keys on screen', () => {
    const { screen } = app();
    const s = screen();
    expect(s).toContain('2 Trace');
    expect(s).toContain('from default/pod-a');
    expect(s).toContain('to default/pod-b');
    expect(s).toContain('OK echo reply received');
    expect(s).toMatch(/›\s+1 default\/pod-a/);
    expect(s).toContain('? help');
    expect(s).toContain('q quit');
    expectFits(s, SMALL);
  });

  test('j / ↓ / → / space step forward, k / ↑ / ← step back, and the path cursor follows', async () => {
    const { stdin, screen } = app();
    await press(stdin, 'j', KEY.down, KEY.right, ' ');
    expect(screen()).toMatch(/›\s+5 node1/);
    expect(screen()).toContain('Step 5/32');
    await press(stdin, 'k', KEY.up, KEY.left);
    expect(screen()).toMatch(/›\s+2 default\/pod-a/);
    await press(stdin, 'l', 'l', 'l', 'l', 'l');
    // Step 7 is the VXLAN encap on flannel.1: bracketed in the drawn path.
    expect(screen()).toContain('[flannel.1]');
    expect(screen()).toContain('stage encap');
  });

  test('the VXLAN step shows the outer and inner headers and the wire summary', async () => {
    const { stdin, screen } = app(LARGE);
    await press(stdin, ...Array<string>(6).fill('j'));
    const s = screen();
    expect(s).toContain('vxlan encap on flannel.1');
    expect(s).toContain('VXLAN on the wire: outer 192.168.1.101 > 192.168.1.102');
    expect(s).toMatch(/outer ip\s+0\.0\.0\.0 \(set by the route lookup\) > 192\.168\.1\.102/);
    expect(s).toMatch(/outer udp\s+51234 > 8472/);
    expect(s).toMatch(/vxlan\s+vni 1/);
    expect(s).toMatch(/inner ip\s+10\.244\.1\.2 > 10\.244\.2\.2/);
    expect(s).toContain('dev flannel.1 dst 192.168.1.102 self permanent');
    expectFits(s, LARGE);
    // The next transmission carries the whole outer frame on eth0.
    await press(stdin, 'j', 'j');
    expect(screen()).toMatch(/outer eth\s+\S+ > \S+/);
    expect(screen()).toMatch(/outer ip\s+192\.168\.1\.101 > 192\.168\.1\.102/);
  });

  test('g / G / Home / End jump to the ends; the last step shows the disposition and verdict', async () => {
    const { stdin, screen } = app();
    await press(stdin, 'G');
    expect(screen()).toContain('Step 32/32');
    expect(screen()).toContain('Disposition: DELIVERED to pod default/pod-a');
    expect(screen()).toContain('Verdict: OK');
    await press(stdin, 'g');
    expect(screen()).toContain('Step 1/32');
    await press(stdin, KEY.end);
    expect(screen()).toContain('Step 32/32');
    await press(stdin, KEY.home);
    expect(screen()).toContain('Step 1/32');
  });

  test('r jumps to the reply and back', async () => {
    const { stdin, screen } = app();
    await press(stdin, 'r');
    expect(screen()).toContain('Step 17/32 reply');
    expect(screen()).toContain('── reply ──');
    await press(stdin, 'r');
    expect(screen()).toContain('Step 1/32 request');
  });

  test('PgDn / PgUp (and J / K) scroll long details', async () => {
    const { stdin, screen } = app();
    await press(stdin, ...Array<string>(6).fill('j'));
    expect(screen()).toContain('1-');
    await press(stdin, KEY.pageDown);
    expect(screen()).not.toContain('Step 7/32 request');
    expect(screen()).toMatch(/\d+-\d+ of \d+ · PgUp\/PgDn/);
    await press(stdin, KEY.pageUp);
    expect(screen()).toContain('Step 7/32 request');
    await press(stdin, 'J');
    expect(screen()).not.toContain('Step 7/32 request');
    await press(stdin, 'K');
    expect(screen()).toContain('Step 7/32 request');
  });

  test('t opens the destination picker; typing filters; Enter on a Service traces every branch', async () => {
    const { stdin, screen } = app();
    await press(stdin, 't');
    expect(screen()).toContain('Pick the destination');
    expect(screen()).toContain('svc/default/web');
    expect(screen()).toContain('web.default.svc.cluster.local');
    expect(screen()).toContain('node/node2');
    await press(stdin, 's', 'v', 'c', '/', 'd', 'e', 'f', 'a', 'u', 'l', 't', '/', 'w');
    expect(screen()).toMatch(/›\s+services\s+svc\/default\/web/);
    await press(stdin, KEY.enter);
    const s = screen();
    expect(s).toContain('to svc/default/web');
    expect(s).toContain('p tcp');
    expect(s).toContain('port 80');
    expect(s).toContain('2 branches');
    expect(s).toContain('p=0.500');
    expect(s).toContain('→ default/pod-b');
    expect(s).toContain('→ default/pod-e');
  });

  test('b / B move between branches; the branch point is marked with the statistic rule', async () => {
    const { stdin, screen } = app();
    await press(stdin, 't', ...'svc/default/web'.split(''), KEY.enter);
    await press(stdin, 'j', 'j', 'j', 'j');
    expect(screen()).toMatch(/›◆\s+5 node1/);
    expect(screen()).toContain('random choice: branch 1 of 2');
    await press(stdin, 'b');
    expect(screen()).toContain('random choice: branch 2 of 2');
    expect(screen()).toContain('DNAT 10.106.175.246:80 -> 10.244.2.4:80');
    await press(stdin, 'B');
    expect(screen()).toContain('random choice: branch 1 of 2');
  });

  test('f picks the source; Esc cancels a picker; Backspace edits the filter', async () => {
    const { stdin, screen } = app();
    await press(stdin, 'f');
    expect(screen()).toContain('Pick the source');
    expect(screen()).not.toContain('svc/default/web');
    await press(stdin, 'p', 'o', 'd', '-', 'x');
    expect(screen()).toContain('use "pod-x"');
    await press(stdin, KEY.backspace, 'c');
    expect(screen()).toMatch(/›\s+pods on node1\s+default\/pod-c/);
    await press(stdin, KEY.escape);
    expect(screen()).not.toContain('Pick the source');
    expect(screen()).toContain('from default/pod-a');
    await press(stdin, 'f', 'p', 'o', 'd', '-', 'c', KEY.enter);
    expect(screen()).toContain('from default/pod-c');
  });

  test('a DNS name resolves through the Service records and says so', async () => {
    const { stdin, screen } = app();
    await press(stdin, 't', ...'web.default.svc'.split(''), KEY.enter);
    expect(screen()).toContain('resolved: web.default.svc.cluster.local -> 10.106.175.246');
    // What was typed, as typed: completed through the search list.
    await press(stdin, 't', ...'web.default'.split(''), KEY.down, KEY.enter);
    expect(screen()).toContain('resolved: web.default -> web.default.svc.cluster.local (search list)');
  });

  test('p cycles the protocol; : sets the port', async () => {
    const { stdin, screen } = app();
    await press(stdin, 'p');
    expect(screen()).toContain('p tcp');
    expect(screen()).toContain('TCP connect to port 80');
    await press(stdin, ':', '8', '0', '8', '0');
    expect(screen()).toContain('port 8080▏');
    await press(stdin, KEY.enter);
    expect(screen()).toContain('TCP connect to port 8080');
    await press(stdin, 'p');
    expect(screen()).toContain('UDP to port 8080');
    await press(stdin, 'p');
    expect(screen()).toContain('ICMP echo');
    await press(stdin, ':', '9', '9', '9', '9', '9', KEY.enter);
    expect(screen()).toContain('port "99999": expected 1 to 65535');
  });

  test('x swaps source and destination', async () => {
    const { stdin, screen } = app();
    await press(stdin, 'x');
    expect(screen()).toContain('from default/pod-b');
    expect(screen()).toContain('to default/pod-a');
  });

  test('an error from the walk is shown, not thrown', async () => {
    const { stdin, screen } = app();
    await press(stdin, 't', ...'node/node2'.split(''), KEY.enter);
    expect(screen()).toContain('cannot trace: the scripted walk cannot reach');
  });
});

describe('cluster view', () => {
  test('1 shows nodes with underlay addresses, pods by node and namespace, and services', async () => {
    const { stdin, screen } = app();
    await press(stdin, '1');
    const s = screen();
    expect(s).toContain('── Nodes');
    expect(s).toMatch(/node1\s+192\.168\.1\.101\/24\s+podCIDR 10\.244\.1\.0\/24/);
    expect(s).toContain('── Pods (by node and namespace)');
    expect(s).toMatch(/default\s+pod-a\s+10\.244\.1\.2/);
    expect(s).toMatch(/shop\s+pod-d\s+10\.244\.2\.3/);
    expect(s).toContain('── Services');
    expect(s).toMatch(/default\/web\s+ClusterIP\s+10\.106\.175\.246\s+80\/TCP->http\s+2 endpoints/);
    expectFits(s, SMALL);
  });

  test('↓ selects an entry, f traces from it and t / Enter to it', async () => {
    const { stdin, screen } = app();
    await press(stdin, '1', KEY.down, KEY.down, KEY.down);
    expect(screen()).toMatch(/›\s+default\s+pod-c/);
    await press(stdin, 'f');
    expect(screen()).toContain('from default/pod-c');
    await press(stdin, '1', 'G', KEY.enter);
    expect(screen()).toContain('to svc/default/web');
    await press(stdin, '1', 'G', 'f');
    expect(screen()).toContain('cannot send packets');
  });
});

describe('compare view', () => {
  test('shows two or more systems side by side, with their facts and steps', async () => {
    const { stdin, screen } = app(SMALL, { compare: undefined });
    await press(stdin, '3');
    expect(screen()).toContain('Compare is not available yet');
    cleanup();
    const { loaded } = fixtureApp();
    const withCompare = app(SMALL, { compare: fakeCompare(loaded) });
    await press(withCompare.stdin, '3');
    const s = withCompare.screen();
    expect(s).toContain('flannel vxlan');
    expect(s).toContain('flannel host-gw');
    expect(s).toContain('3 systems · showing 1-2 · ←→ more');
    expect(s).toMatch(/flannel vxlan\s+flannel host-gw/);
    expect(s).toMatch(/encap VXLAN vni 1/);
    expect(s).toContain('Steps (branch 1 of each)');
    expectFits(s, SMALL);
    await press(withCompare.stdin, 'j', 'j');
    expect(withCompare.screen()).toContain('row 3/32');
    await press(withCompare.stdin, KEY.right);
    expect(withCompare.screen()).toContain('calico bgp');
    expect(withCompare.screen()).toContain('CNI calico is not modelled yet');
    await press(withCompare.stdin, KEY.left);
    expect(withCompare.screen()).toContain('showing 1-2');
  });

  test('changing the flow in the compare view recomputes the columns', async () => {
    const { loaded } = fixtureApp();
    const { stdin, screen } = app(LARGE, { compare: fakeCompare(loaded) });
    await press(stdin, '3', 't', ...'svc/default/web'.split(''), KEY.enter);
    expect(screen()).toContain('svc/default/web');
    expect(screen()).toContain('2 branches');
    expect(screen()).toContain('calico bgp');
  });
});

describe('policy view', () => {
  test('without an evaluator it says so', async () => {
    const { stdin, screen } = app();
    await press(stdin, '4');
    expect(screen()).toContain('Not available yet');
  });

  test('with one: a matrix, a cell cursor, its explanation, and p for the port', async () => {
    const { stdin, screen } = app(SMALL, { policy: () => fakePolicy() });
    await press(stdin, '4');
    expect(screen()).toContain('port 80/TCP');
    expect(screen()).toMatch(/›default\/pod-a\s+\[· *\]\s+allow\s+deny/);
    await press(stdin, KEY.right, KEY.right);
    expect(screen()).toContain('Why: default/pod-a → default/pod-c');
    expect(screen()).toContain('default/deny-to-c selects default/pod-c');
    await press(stdin, KEY.down);
    expect(screen()).toContain('Why: default/pod-b → default/pod-c');
    await press(stdin, 'p');
    expect(screen()).toContain('port 53/UDP');
    expectFits(screen(), SMALL);
  });
});

describe('keys everywhere', () => {
  test('? opens help listing the keys; ↓ scrolls it; ? / Esc close it', async () => {
    const { stdin, screen } = app();
    await press(stdin, '?');
    expect(screen()).toContain('podnet · keys');
    expect(screen()).toContain('next step of the walk');
    await press(stdin, KEY.pageDown);
    expect(screen()).toContain('Policy view');
    await press(stdin, '?');
    expect(screen()).not.toContain('podnet · keys');
    await press(stdin, '?', KEY.escape);
    expect(screen()).not.toContain('podnet · keys');
  });

  test('Tab and Shift-Tab cycle the views; 1-4 pick one', async () => {
    const { stdin, screen } = app();
    await press(stdin, KEY.tab);
    expect(screen()).toContain('Same flow, side by side');
    await press(stdin, KEY.backTab, KEY.backTab);
    expect(screen()).toContain('── Nodes');
    await press(stdin, '2');
    expect(screen()).toContain('── Hops');
  });

  test('q quits (and Ctrl-C): the app unmounts and stops reading keys', async () => {
    for (const k of ['q', KEY.ctrlC]) {
      const { stdin, lastFrame } = app();
      // Keys are live once G (idempotent: to the last step) visibly moves the cursor; under load
      // Ink may attach its input handler after the first frame.
      await eventually(() => {
        stdin.write('G');
        expect(plain(lastFrame())).not.toContain('Step 1/32');
      });
      const atEnd = plain(lastFrame());
      await press(stdin, k);
      const before = lastFrame();
      await press(stdin, 'g', 'k');
      expect(lastFrame()).toBe(before);
      expect(plain(before)).not.toContain('Step 1/32');
      expect(plain(before).match(/Step \d+\/32/)?.[0]).toBe(atEnd.match(/Step \d+\/32/)?.[0]);
      cleanup();
    }
  });

  test('every view fits 80x24 and 150x40 exactly (no line wraps, no full-screen redraw)', { timeout: 60_000 }, async () => {
    const { loaded } = fixtureApp();
    for (const size of [SMALL, LARGE, { columns: 100, rows: 30 }]) {
      const { stdin, screen } = app(size, { compare: fakeCompare(loaded), policy: () => fakePolicy() });
      for (const k of ['2', 'j', 'j', 'j', 'j', 'j', 'j', '1', '3', '4', '?', KEY.escape, 't', 'f']) {
        await press(stdin, k);
        expectFits(screen(), size);
      }
      cleanup();
      for (const x of sized.splice(0)) x.unmount();
    }
  });

  test('follows the terminal size: side by side when wide, stacked when narrow', async () => {
    const { loaded, deps } = fixtureApp();
    const r = renderSized(<App loaded={loaded} deps={deps} color={false} />, LARGE);
    sized.push(r);
    await tick();
    expect(plain(r.lastFrame())).toMatch(/── Hops .*── Details/);
    expectFits(plain(r.lastFrame()), LARGE);
    r.resize(SMALL);
    await tick(50);
    expect(plain(r.lastFrame())).not.toMatch(/── Hops .*── Details/);
    expectFits(plain(r.lastFrame()), SMALL);
  });

  test('a terminal smaller than 80x24 still gets a screen that fits', async () => {
    const tiny = { columns: 50, rows: 12 };
    const { loaded } = fixtureApp();
    const { stdin, screen } = app(tiny, { compare: fakeCompare(loaded), policy: () => fakePolicy() });
    for (const k of ['j', 'j', '1', '3', '4', '?', KEY.escape, '2', 't']) {
      await press(stdin, k);
      expectFits(screen(), tiny);
    }
  });

  test('NO_COLOR (color off): no colour escapes in the frame', async () => {
    const mono = app(SMALL, {}, false);
    // eslint-disable-next-line no-control-regex
    expect(mono.lastFrame() ?? '').not.toMatch(/\u001B\[3[0-9]m/);
  });
});

describe('loading', () => {
  test('shows a loading screen, then the topology the loader returns', async () => {
    const { loaded, deps } = fixtureApp();
    let calls = 0;
    const load = async () => {
      calls++;
      await tick(30);
      return ok(loaded);
    };
    const r = render(<App load={load} deps={deps} size={SMALL} color={false} file="x.yaml" />);
    expect(plain(r.lastFrame())).toContain('loading x.yaml');
    await eventually(() => expect(plain(r.lastFrame())).toContain('from default/pod-a'));
    // R reloads and keeps the flow.
    r.stdin.write('x');
    await eventually(() => expect(plain(r.lastFrame())).toContain('from default/pod-b'));
    r.stdin.write('R');
    await eventually(() => {
      expect(calls).toBe(2);
      expect(plain(r.lastFrame())).toContain('topology reloaded');
    });
    expect(plain(r.lastFrame())).toContain('from default/pod-b');
  });

  test('a load error is shown with a retry key', async () => {
    const { deps, loaded } = fixtureApp();
    let fail = true;
    const load = async () => (fail ? err('x.yaml:3:1: expected a mapping') : ok(loaded));
    const r = render(<App load={load} deps={deps} size={SMALL} color={false} />);
    await eventually(() => expect(plain(r.lastFrame())).toContain('cannot load the topology'));
    expect(plain(r.lastFrame())).toContain('x.yaml:3:1: expected a mapping');
    fail = false;
    // Ink attaches its input handler in an effect after the first frame; keep pressing until seen.
    await eventually(() => {
      r.stdin.write('R');
      expect(plain(r.lastFrame())).toContain('from default/pod-a');
    });
  });
});

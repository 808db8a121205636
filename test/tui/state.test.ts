import { describe, expect, test } from 'vitest';
import { flatSteps, currentOutcome, initialState, makeEnv, pickerEntries, reduce, type Env, type TuiState } from '../../src/tui/state.js';
import { fakeCompare, fakePolicy, fixtureApp } from './helpers.js';

function setup(extra: Parameters<typeof fixtureApp>[0] = {}): { env: Env; s: TuiState } {
  const { loaded, deps } = fixtureApp(extra);
  const env = makeEnv(loaded, deps);
  return { env, s: initialState(env) };
}

const keys = (s: TuiState, env: Env, ...ks: string[]): TuiState => ks.reduce((acc, k) => reduce(acc, k, env), s);

describe('initial state', () => {
  test('traces the first pod to a pod on another node, cursor on the first step', () => {
    const { s } = setup();
    expect(s.view).toBe('trace');
    expect(s.query?.from.text).toBe('default/pod-a');
    expect(s.query?.to.text).toBe('default/pod-b');
    expect(s.query?.proto).toBe('icmp');
    expect(s.result?.ok).toBe(true);
    expect(s.cursor).toBe(0);
    expect(flatSteps(currentOutcome(s)).length).toBe(32);
  });
});

describe('stepping', () => {
  test('next/previous stay within the flattened request + reply steps', () => {
    const { s, env } = setup();
    expect(keys(s, env, '<up>').cursor).toBe(0);
    expect(keys(s, env, 'j', 'j', '<down>', '<right>', 'l', ' ').cursor).toBe(6);
    expect(keys(s, env, 'j', 'j', 'k', '<up>', '<left>', 'h').cursor).toBe(0);
    expect(keys(s, env, 'G').cursor).toBe(31);
    expect(keys(s, env, 'G', 'j').cursor).toBe(31);
    expect(keys(s, env, 'G', 'g').cursor).toBe(0);
    expect(keys(s, env, '<end>', '<home>').cursor).toBe(0);
  });

  test('stepping resets the details scroll; PgDn/PgUp scroll them', () => {
    const { s, env } = setup();
    const scrolled = keys(s, env, '<pagedown>');
    expect(scrolled.detailScroll).toBeGreaterThan(0);
    expect(keys(scrolled, env, '<pageup>').detailScroll).toBe(0);
    expect(keys(scrolled, env, 'j').detailScroll).toBe(0);
  });

  test('PgDn stops at the end of the details when the app can measure them', () => {
    const { s, env } = setup();
    const measured: Env = { ...env, detailRows: () => 10, page: { ...env.page, details: 8 } };
    expect(keys(s, measured, '<pagedown>', '<pagedown>', '<pagedown>').detailScroll).toBe(2);
  });

  test('r goes to the first reply step and back to the request', () => {
    const { s, env } = setup();
    const r = keys(s, env, 'j', 'j', 'r');
    expect(flatSteps(currentOutcome(r))[r.cursor]?.leg).toBe('reply');
    expect(flatSteps(currentOutcome(r))[r.cursor]?.index).toBe(0);
    expect(keys(r, env, 'r').cursor).toBe(0);
  });
});

describe('branches', () => {
  test('b/B cycle the outcomes of a Service DNAT; a single outcome says so', () => {
    const { s, env } = setup();
    expect(keys(s, env, 'b').status).toMatch(/single outcome/);
    const svc = keys(s, env, 't', ...'svc/default/web'.split(''), '<enter>');
    expect(svc.result?.ok && svc.result.run.outcomes.length).toBe(2);
    expect(keys(svc, env, 'b').outcome).toBe(1);
    expect(keys(svc, env, 'b', 'b').outcome).toBe(0);
    expect(keys(svc, env, 'B').outcome).toBe(1);
  });
});

describe('pickers', () => {
  test('the source picker lists pods and nodes; the destination picker adds services and names', () => {
    const { s, env } = setup();
    const from = keys(s, env, 'f');
    expect(pickerEntries(from, env).map((t) => t.kind)).not.toContain('service');
    expect(pickerEntries(from, env).map((t) => t.text)).toContain('node/node1');
    const to = keys(s, env, 't');
    const texts = pickerEntries(to, env).map((t) => t.text);
    expect(texts).toContain('svc/default/web');
    expect(texts).toContain('web.default.svc.cluster.local');
    expect(texts).toContain('shop/pod-d');
  });

  test('typing filters by every word; typed text is offered as is', () => {
    const { s, env } = setup();
    const p = keys(s, env, 't', 's', 'h', 'o', 'p');
    expect(pickerEntries(p, env).map((t) => t.text)).toEqual(['shop/pod-d', 'shop']);
    // A pod's address finds the pod first; an address nobody owns is offered as typed.
    const podIp = keys(s, env, 't', ...'10.244.2.3'.split(''));
    expect(pickerEntries(podIp, env).map((t) => t.text)).toEqual(['shop/pod-d', '10.244.2.3']);
    const ext = keys(s, env, 't', ...'8.8.8.8'.split(''));
    expect(pickerEntries(ext, env).map((t) => t.text)).toEqual(['8.8.8.8']);
    const words = keys(s, env, 't', ...'node2 pods'.split(''));
    expect(pickerEntries(words, env).every((t) => t.group === 'pods on node2' || t.group === 'typed')).toBe(true);
  });

  test('Enter on a typed IP traces to it; Esc leaves the flow as it was', () => {
    const { s, env } = setup();
    const ip = keys(s, env, 't', ...'10.244.1.3'.split(''), '<down>', '<enter>');
    expect(ip.picker).toBeNull();
    expect(ip.query?.to.text).toBe('10.244.1.3');
    expect(ip.query?.to.kind).toBe('ip');
    expect(ip.result?.ok && ip.result.run.to.label).toContain('pod default/pod-c');
    const esc = keys(s, env, 't', 'x', '<escape>');
    expect(esc.picker).toBeNull();
    expect(esc.query).toBe(s.query);
  });

  test('a Service cannot be a source; picking one as destination selects its port', () => {
    const { s, env } = setup();
    const bad = keys(s, env, 'f', ...'svc/default/web'.split(''), '<enter>');
    expect(bad.picker).not.toBeNull();
    expect(bad.status).toMatch(/cannot send packets/);
    expect(bad.query?.from.text).toBe('default/pod-a');
    const good = keys(s, env, 't', ...'svc/default/web'.split(''), '<enter>');
    expect(good.query?.proto).toBe('tcp');
    expect(good.query?.port).toBe(80);
  });

  test('keys typed in a picker do not act as commands', () => {
    const { s, env } = setup();
    const p = keys(s, env, 't', 'q', '1', 'j');
    expect(p.quit).toBe(false);
    expect(p.view).toBe('trace');
    expect(p.picker?.filter).toBe('q1j');
  });
});

describe('flow keys', () => {
  test('p cycles icmp -> tcp -> udp -> icmp and re-traces', () => {
    const { s, env } = setup();
    const protos = [1, 2, 3].map((n) => keys(s, env, ...Array<string>(n).fill('p')).query?.proto);
    expect(protos).toEqual(['tcp', 'udp', 'icmp']);
    expect(keys(s, env, 'p').result?.ok && keys(s, env, 'p').result).toMatchObject({ run: { kind: { proto: 'tcp', dport: 80 } } });
  });

  test(': takes digits only, Enter applies (switching icmp to tcp), bad ports are refused', () => {
    const { s, env } = setup();
    const typing = keys(s, env, ':', '4', 'a', '4', '3');
    expect(typing.portInput).toBe('443');
    const set = keys(typing, env, '<enter>');
    expect(set.query?.port).toBe(443);
    expect(set.query?.proto).toBe('tcp');
    expect(keys(s, env, ':', '0', '<enter>').status).toMatch(/expected 1 to 65535/);
    expect(keys(s, env, ':', '1', '<backspace>', '<escape>').portInput).toBeNull();
  });

  test('x swaps pods; a Service destination cannot become the source', () => {
    const { s, env } = setup();
    expect(keys(s, env, 'x').query?.from.text).toBe('default/pod-b');
    const svc = keys(s, env, 't', ...'svc/default/web'.split(''), '<enter>', 'x');
    expect(svc.status).toMatch(/cannot swap/);
  });
});

describe('views', () => {
  test('1-4, Tab and Shift-Tab switch views', () => {
    const { s, env } = setup();
    expect(keys(s, env, '1').view).toBe('cluster');
    expect(keys(s, env, '3').view).toBe('compare');
    expect(keys(s, env, '4').view).toBe('policy');
    expect(keys(s, env, '<tab>').view).toBe('compare');
    expect(keys(s, env, '<backtab>').view).toBe('cluster');
    expect(keys(s, env, '<tab>', '<tab>', '<tab>').view).toBe('cluster');
  });

  test('cluster view: the cursor moves over entries; f/t/Enter set the flow and open the trace', () => {
    const { s, env } = setup();
    const c = keys(s, env, '1', 'j', 'j');
    expect(c.clusterCursor).toBe(2);
    const from = keys(c, env, 'f');
    expect(from.view).toBe('trace');
    expect(from.query?.from.text).toBe('default/pod-a');
    const to = keys(s, env, '1', 'G', '<enter>');
    expect(to.query?.to.text).toBe('svc/default/web');
    expect(keys(s, env, '1', 'k').clusterCursor).toBe(0);
  });

  test('compare view computes its columns for the current flow, once', () => {
    let calls = 0;
    const { loaded } = fixtureApp();
    const inner = fakeCompare(loaded);
    const { s, env } = setup({ compare: (...a) => (calls++, inner(...a)) });
    const c = keys(s, env, '3');
    expect(c.compare.columns?.ok && c.compare.columns.value.map((x) => x.label)).toEqual(['flannel vxlan', 'flannel host-gw', 'calico bgp']);
    keys(c, env, 'j', 'j', '1', '3');
    expect(calls).toBe(1);
    const changed = keys(c, env, 'p');
    expect(calls).toBe(2);
    expect(changed.compare.columns?.ok).toBe(true);
    expect(keys(c, env, 'j', 'j').compare.row).toBe(2);
    expect(keys(c, env, '<right>').compare.first).toBe(1);
    expect(keys(c, env, '<right>', '<right>', '<right>').compare.first).toBe(1);
  });

  test('policy view: arrows move the cell, p the port', () => {
    const { s, env } = setup({ policy: () => fakePolicy() });
    const p = keys(s, env, '4', '<right>', '<down>', '<down>', '<down>');
    expect(p.policy).toEqual({ port: 0, row: 2, col: 1 });
    expect(keys(p, env, 'p').policy).toEqual({ port: 1, row: 0, col: 0 });
    const none = setup();
    expect(keys(none.s, none.env, '4', '<right>').policy).toEqual({ port: 0, row: 0, col: 0 });
  });
});

describe('help, quit, reload', () => {
  test('? toggles help; while open, only its keys act', () => {
    const { s, env } = setup();
    const h = keys(s, env, '?');
    expect(h.help).toBe(true);
    expect(keys(h, env, 'j').helpScroll).toBe(1);
    expect(keys(h, env, '1').view).toBe('trace');
    expect(keys(h, env, '?').help).toBe(false);
    expect(keys(h, env, '<escape>').help).toBe(false);
    expect(keys(h, env, 'q').quit).toBe(true);
  });

  test('q and Ctrl-C quit; R asks for a reload', () => {
    const { s, env } = setup();
    expect(keys(s, env, 'q').quit).toBe(true);
    expect(keys(s, env, '<ctrl-c>').quit).toBe(true);
    expect(keys(s, env, 't', '<ctrl-c>').quit).toBe(true);
    expect(keys(s, env, 'R').reload).toBe(true);
  });

  test('unknown keys change nothing', () => {
    const { s, env } = setup();
    for (const k of ['z', '<f1>', '~', '<enter>']) expect(keys(s, env, k)).toBe(s);
  });
});

import { describe, expect, it } from 'vitest';
import { cidr, routeChanges, routesOf, run, THREE } from './helpers.js';

/** kernel-facts.md "Calico BGP": clean stop 11-23 ms, kill -9 stale for 120 s, silent loss: hold timer. */
describe('simulateBgp: a node going away', () => {
  it('clean stop: NOTIFICATION Cease, the peers withdraw within tens of ms', () => {
    const sim = run(THREE, [{ kind: 'stop', node: 'node3', at: 30 }]);
    const notes = sim.timeline.filter((e) => e.kind === 'message' && e.message.type === 'NOTIFICATION');
    expect(notes.map((e) => (e.kind === 'message' && e.message.type === 'NOTIFICATION' ? `${e.from}->${e.to} ${e.message.code}/${e.message.subcode}` : ''))).toEqual([
      'node3->node1 6/2',
      'node3->node2 6/2',
    ]);
    for (const n of ['node1', 'node2']) {
      const gone = routeChanges(sim, n, '10.244.3.0/26').filter((e) => e.best === null);
      expect(gone).toHaveLength(1);
      expect((gone[0]?.at ?? 0) - 30).toBeGreaterThan(0);
      expect((gone[0]?.at ?? 0) - 30).toBeLessThan(0.03);
    }
    expect(routesOf(sim, 'node1')).toEqual(['10.244.1.0/26 local', '10.244.2.0/26 via 192.168.1.102']);
    expect(sim.finalRib.has('node3')).toBe(false);
    expect(sim.nodes.find((n) => n.node === 'node3')?.status).toBe('stopped');
    expect(sim.convergedAt).toBeCloseTo(30.001, 6);
  });

  it('kill -9: the peers keep node3\'s block as stale for the graceful-restart time (120 s), then withdraw', () => {
    const at120 = run(THREE, [{ kind: 'kill', node: 'node3', at: 30 }], { until: 149 });
    expect(routesOf(at120, 'node1')).toContain('10.244.3.0/26 via 192.168.2.103 stale');
    expect(at120.convergedAt).toBeNull();
    const sim = run(THREE, [{ kind: 'kill', node: 'node3', at: 30 }]);
    const changes = routeChanges(sim, 'node1', '10.244.3.0/26').map((e) => `${e.at} ${e.best === null ? 'gone' : e.best.stale ? 'stale' : 'fresh'}`);
    expect(changes).toEqual(['2.005 fresh', '30.001 stale', '150.001 gone']);
    expect(routesOf(sim, 'node1')).toEqual(['10.244.1.0/26 local', '10.244.2.0/26 via 192.168.1.102']);
    // No NOTIFICATION: the kernel closes the dead process's sockets.
    expect(sim.timeline.some((e) => e.kind === 'message' && e.message.type === 'NOTIFICATION')).toBe(false);
    expect(sim.timeline.some((e) => e.kind === 'tcp' && e.segment === 'FIN' && e.from === 'node3')).toBe(true);
  });

  it('kill then restart within the graceful-restart time: the stale route is refreshed, never withdrawn', () => {
    const sim = run(THREE, [
      { kind: 'kill', node: 'node3', at: 30 },
      { kind: 'join', node: 'node3', at: 60 },
    ]);
    const changes = routeChanges(sim, 'node1', '10.244.3.0/26').map((e) => `${e.best === null ? 'gone' : e.best.stale ? 'stale' : 'fresh'}`);
    expect(changes).toEqual(['fresh', 'stale', 'fresh']);
    expect(routesOf(sim, 'node3')).toEqual(['10.244.1.0/26 via 192.168.1.101', '10.244.2.0/26 via 192.168.1.102', '10.244.3.0/26 local']);
    // Reconnected about connect delay (2 s) after BIRD came back, at most one connect attempt later.
    expect(sim.convergedAt).toBeGreaterThan(62);
    expect(sim.convergedAt).toBeLessThan(65);
  });

  it('kill then restart without a block: End-of-RIB flushes the stale path at once', () => {
    const sim = run(THREE, [
      { kind: 'kill', node: 'node3', at: 30 },
      { kind: 'withdraw', node: 'node3', prefix: cidr('10.244.3.0/26'), at: 50 },
      { kind: 'join', node: 'node3', at: 60 },
    ]);
    const gone = routeChanges(sim, 'node1', '10.244.3.0/26').find((e) => e.best === null);
    expect(gone?.why).toMatch(/End-of-RIB from node3/);
    expect(gone?.at).toBeLessThan(65);
  });

  it('silent link loss: nothing happens until the hold timer expires 240 s after the last KEEPALIVE', () => {
    const sim = run(THREE, [{ kind: 'link-lost', node: 'node3', at: 90 }]);
    const lastKa = Math.max(
      ...sim.timeline.filter((e) => e.kind === 'message' && e.from === 'node3' && e.to === 'node1' && e.delivered && e.at < 90).map((e) => e.at),
    );
    const gone = routeChanges(sim, 'node1', '10.244.3.0/26').find((e) => e.best === null);
    expect(gone?.why).toMatch(/hold timer expired/);
    expect((gone?.at ?? 0) - lastKa).toBeCloseTo(240.001, 6);
    const before = run(THREE, [{ kind: 'link-lost', node: 'node3', at: 90 }], { until: 300 });
    expect(routesOf(before, 'node1')).toContain('10.244.3.0/26 via 192.168.2.103');
    // node3 keeps running but hears nobody: only its own block is left.
    expect(routesOf(sim, 'node3')).toEqual(['10.244.3.0/26 local']);
    expect(sim.nodes.find((n) => n.node === 'node3')?.status).toBe('link-lost');
  });

  it('after a hold timer expiry the side waits error wait time (5 s) in Idle before trying again', () => {
    const sim = run(THREE, [{ kind: 'link-lost', node: 'node3', at: 90 }]);
    const idle = sim.timeline.find((e) => e.kind === 'state' && e.node === 'node1' && e.peer === 'node3' && e.to === 'Idle');
    const active = sim.timeline.find((e) => e.kind === 'state' && e.node === 'node1' && e.peer === 'node3' && e.to === 'Active' && e.at > (idle?.at ?? 0));
    expect(idle?.kind === 'state' && idle.why).toMatch(/error wait 5 s/);
    expect((active?.at ?? 0) - (idle?.at ?? 0)).toBeCloseTo(5, 6);
  });

  it('a second error within the error forget time (300 s) doubles the error wait (5 s, then 10 s)', () => {
    const sim = run(THREE, [
      { kind: 'link-lost', node: 'node3', at: 90 },
      { kind: 'join', node: 'node3', at: 330 },
      { kind: 'link-lost', node: 'node3', at: 340 },
    ]);
    const waits = sim.timeline
      .filter((e) => e.kind === 'state' && e.node === 'node1' && e.peer === 'node3' && e.to === 'Idle')
      .map((e) => (e.kind === 'state' ? `${Math.round(e.at)} ${/error wait (\d+) s/.exec(e.why)?.[1]}` : ''));
    expect(waits).toEqual(['322 5', '574 10']);
  });

  it('a node joining later: its sessions come up 2 s after it starts and everyone learns its block', () => {
    const sim = run(THREE, [{ kind: 'join', node: 'node3', at: 10 }]);
    expect(sim.nodes.find((n) => n.node === 'node3')?.status).toBe('running');
    const learned = routeChanges(sim, 'node1', '10.244.3.0/26');
    expect(learned.map((e) => e.at)).toEqual([12.005]);
    expect(sim.convergedAt).toBeGreaterThan(12);
    expect(sim.convergedAt).toBeLessThan(12.1);
  });

  it('announce and withdraw a block: one UPDATE each way, no MRAI delay', () => {
    const sim = run(THREE, [
      { kind: 'announce', node: 'node2', prefix: cidr('10.244.9.0/26'), at: 20 },
      { kind: 'withdraw', node: 'node2', prefix: cidr('10.244.9.0/26'), at: 40 },
    ]);
    const ch = routeChanges(sim, 'node3', '10.244.9.0/26').map((e) => `${e.at} ${e.best === null ? 'gone' : 'via'}`);
    expect(ch).toEqual(['20.001 via', '40.001 gone']);
    const updates = sim.timeline.filter((e) => e.kind === 'message' && e.from === 'node2' && e.at >= 20 && e.message.type === 'UPDATE');
    expect(updates).toHaveLength(4);
  });
});

import { describe, expect, it } from 'vitest';
import { peeringsOf } from '../../../src/controllers/bgp/peering.js';
import { network, routeChanges, routesOf, run, THREE } from './helpers.js';

describe('simulateBgp: a three-node Calico full mesh', () => {
  const sim = run(THREE);

  it('converges in about 2 s (connect delay time 2, then a few 1 ms messages)', () => {
    expect(sim.convergedAt).not.toBeNull();
    expect(sim.convergedAt).toBeGreaterThanOrEqual(2);
    expect(sim.convergedAt).toBeLessThan(2.1);
  });

  it('every node has its own block as a local route and the others via their node IP', () => {
    expect(routesOf(sim, 'node1')).toEqual(['10.244.1.0/26 local', '10.244.2.0/26 via 192.168.1.102', '10.244.3.0/26 via 192.168.2.103']);
    expect(routesOf(sim, 'node2')).toEqual(['10.244.1.0/26 via 192.168.1.101', '10.244.2.0/26 local', '10.244.3.0/26 via 192.168.2.103']);
    expect(routesOf(sim, 'node3')).toEqual(['10.244.1.0/26 via 192.168.1.101', '10.244.2.0/26 via 192.168.1.102', '10.244.3.0/26 local']);
  });

  it('all three sessions are Established on both sides and nothing flapped', () => {
    expect(sim.sessions.map((s) => `${s.a}-${s.b} ${s.stateA}/${s.stateB} ${s.flaps}`)).toEqual([
      'node1-node2 Established/Established 0',
      'node1-node3 Established/Established 0',
      'node2-node3 Established/Established 0',
    ]);
  });

  it('the greater IP string opens TCP to port 179 (confd writes passive on toward a greater peer)', () => {
    expect(sim.sessions.map((s) => `${s.a}-${s.b}: ${s.active}`)).toEqual(['node1-node2: node2', 'node1-node3: node3', 'node2-node3: node3']);
    const syns = sim.timeline.filter((e) => e.kind === 'tcp' && e.segment === 'SYN').map((e) => (e.kind === 'tcp' ? `${e.from}->${e.to} at ${e.at}` : ''));
    expect(syns).toEqual(['node2->node1 at 2', 'node3->node1 at 2', 'node3->node2 at 2']);
  });

  it('compares the IP as a string, not a number: 192.168.1.9 connects to 192.168.1.10', () => {
    const p = peeringsOf(network([
      ['a', '192.168.1.10'],
      ['b', '192.168.1.9'],
    ]));
    expect(p).toEqual([{ a: 0, b: 1, active: 1, reflector: null }]);
  });

  it('the handshake follows the FSM: Active, Connect, OpenSent, OpenConfirm, Established', () => {
    const states = sim.timeline.filter((e) => e.kind === 'state' && e.node === 'node2' && e.peer === 'node1').map((e) => (e.kind === 'state' ? e.to : ''));
    expect(states).toEqual(['Active', 'Connect', 'OpenSent', 'OpenConfirm', 'Established']);
    const passive = sim.timeline.filter((e) => e.kind === 'state' && e.node === 'node1' && e.peer === 'node2').map((e) => (e.kind === 'state' ? e.to : ''));
    expect(passive).toEqual(['Active', 'OpenSent', 'OpenConfirm', 'Established']);
  });

  it('each speaker sends its block in one UPDATE with NEXT_HOP = itself, then End-of-RIB; iBGP routes are not re-advertised', () => {
    const fromNode1 = sim.timeline.filter((e) => e.kind === 'message' && e.from === 'node1' && (e.message.type === 'UPDATE' || e.message.type === 'End-of-RIB'));
    expect(fromNode1.map((e) => (e.kind === 'message' ? `${e.to} ${e.message.type}` : ''))).toEqual(['node2 UPDATE', 'node2 End-of-RIB', 'node3 UPDATE', 'node3 End-of-RIB']);
    const u = fromNode1[0];
    if (u?.kind !== 'message' || u.message.type !== 'UPDATE' || !u.message.attrs) throw new Error('expected an UPDATE');
    expect(u.message.attrs).toEqual({ origin: 'IGP', asPath: [], nextHop: THREE.speakers[0]?.address, localPref: 100, originatorId: null, clusterList: [] });
  });

  it('keepalives every 80 s keep the sessions up; no route changes after convergence', () => {
    const ka = sim.timeline.filter((e) => e.kind === 'message' && e.from === 'node2' && e.to === 'node1' && e.message.type === 'KEEPALIVE').map((e) => e.at);
    expect(ka.slice(1)).toEqual([82.004, 162.004, 242.004]);
    expect(sim.timeline.filter((e) => e.kind === 'route' && e.at > 3)).toEqual([]);
  });

  it('is deterministic: the same input gives the same timeline', () => {
    expect(run(THREE).timeline).toEqual(sim.timeline);
  });

  it('a node with no block still peers and learns the others', () => {
    const s = run(network([
      ['node1', '192.168.1.101', '10.244.1.0/26'],
      ['node2', '192.168.1.102'],
    ]));
    expect(routesOf(s, 'node2')).toEqual(['10.244.1.0/26 via 192.168.1.101']);
    expect(routeChanges(s, 'node1', '10.244.1.0/26')).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import { ipv4, formatIpv4 } from '../../../src/net/ipv4.js';
import { network, routesOf, run } from './helpers.js';

const CLUSTER = ipv4('244.0.0.1');
const RR = network(
  [
    ['rr1', '192.168.1.11', '10.244.11.0/26'],
    ['rr2', '192.168.1.12', '10.244.12.0/26'],
    ['c3', '192.168.1.23', '10.244.23.0/26'],
    ['c4', '192.168.1.24', '10.244.24.0/26'],
    ['c5', '192.168.1.25', '10.244.25.0/26'],
  ],
  { kind: 'route-reflectors', reflectors: ['rr1', 'rr2'], clusterId: CLUSTER },
);

describe('simulateBgp: route reflectors (RFC 4456, Calico cluster id 244.0.0.1)', () => {
  const sim = run(RR);

  it('reflectors peer with every client and with each other; clients do not peer with clients', () => {
    expect(sim.sessions.map((s) => `${s.a}-${s.b}${s.rrClientOf ? ` (${s.rrClientOf.client} client of ${s.rrClientOf.reflector})` : ''}`)).toEqual([
      'rr1-rr2',
      'rr1-c3 (c3 client of rr1)',
      'rr1-c4 (c4 client of rr1)',
      'rr1-c5 (c5 client of rr1)',
      'rr2-c3 (c3 client of rr2)',
      'rr2-c4 (c4 client of rr2)',
      'rr2-c5 (c5 client of rr2)',
    ]);
    expect(sim.convergedAt).toBeLessThan(2.1);
  });

  it('every node ends with every block, next hop = the originating node (reflection keeps NEXT_HOP)', () => {
    const all = ['11', '12', '23', '24', '25'];
    for (const [node, own] of [
      ['rr1', '11'],
      ['rr2', '12'],
      ['c3', '23'],
      ['c4', '24'],
      ['c5', '25'],
    ] as const) {
      expect(routesOf(sim, node)).toEqual(all.map((x) => (x === own ? `10.244.${x}.0/26 local` : `10.244.${x}.0/26 via 192.168.1.${x}`)));
    }
  });

  it('a reflected route carries ORIGINATOR_ID = the client and CLUSTER_LIST = [244.0.0.1]', () => {
    const c5 = sim.nodes.find((n) => n.node === 'c5');
    const viaRr1 = c5?.adjRibIn.get('rr1')?.find((p) => p.originator === 'c3');
    expect(viaRr1 && formatIpv4(viaRr1.attrs.nextHop)).toBe('192.168.1.23');
    expect(viaRr1 && viaRr1.attrs.originatorId !== null && formatIpv4(viaRr1.attrs.originatorId)).toBe('192.168.1.23');
    expect(viaRr1?.attrs.clusterList.map(formatIpv4)).toEqual(['244.0.0.1']);
  });

  it('a client gets each block from both reflectors and the tie goes to the lower neighbor address (rr1)', () => {
    const c5 = sim.nodes.find((n) => n.node === 'c5');
    expect(c5?.adjRibIn.get('rr1')?.map((p) => p.originator)).toEqual(['rr1', 'rr2', 'c3', 'c4']);
    expect(c5?.adjRibIn.get('rr2')?.map((p) => p.originator)).toEqual(['rr1', 'rr2', 'c3', 'c4']);
    const best = sim.finalRib.get('c5')?.find((r) => r.originator === 'c3');
    expect(best?.learnedFrom && formatIpv4(best.learnedFrom)).toBe('192.168.1.11');
  });

  it('a reflector\'s own block reaches clients directly: shorter CLUSTER_LIST beats the copy reflected by the other reflector', () => {
    const best = sim.finalRib.get('c5')?.find((r) => r.originator === 'rr2');
    expect(best?.learnedFrom && formatIpv4(best.learnedFrom)).toBe('192.168.1.12');
  });

  it('rr2 keeps rr1\'s reflection of a client route (BIRD checks CLUSTER_LIST on receipt only on rr client sessions) but prefers the direct path', () => {
    const rr2 = sim.nodes.find((n) => n.node === 'rr2');
    const copies = rr2?.adjRibIn.get('rr1') ?? [];
    expect(copies.map((p) => p.originator)).toEqual(['rr1', 'c3', 'c4', 'c5']);
    expect(copies.find((p) => p.originator === 'c3')?.attrs.clusterList.map(formatIpv4)).toEqual(['244.0.0.1']);
    const best = sim.finalRib.get('rr2')?.find((r) => r.originator === 'c3');
    expect(best?.learnedFrom && formatIpv4(best.learnedFrom)).toBe('192.168.1.23');
  });

  it('loop prevention on export: when c3 leaves, rr2 falls back to rr1\'s copy for a moment but never reflects it to a client (244.0.0.1 is in its CLUSTER_LIST)', () => {
    const s = run(RR, [{ kind: 'stop', node: 'c3', at: 30 }]);
    const onRr2 = s.timeline.filter((e) => e.kind === 'route' && e.node === 'rr2' && e.at >= 30 && e.prefix.network === ipv4('10.244.23.0'));
    expect(onRr2.map((e) => (e.kind === 'route' ? `${e.at} ${e.best?.learnedFrom ? formatIpv4(e.best.learnedFrom) : 'gone'}` : ''))).toEqual(['30.001 192.168.1.11', '30.002 gone']);
    const toClients = s.timeline.filter((e) => e.kind === 'message' && e.from === 'rr2' && e.at >= 30 && e.message.type === 'UPDATE');
    expect(toClients.every((e) => e.kind === 'message' && e.message.type === 'UPDATE' && e.message.nlri.length === 0)).toBe(true);
    expect(toClients.length).toBeGreaterThan(0);
    expect(routesOf(s, 'c5')).toEqual(['10.244.11.0/26 via 192.168.1.11', '10.244.12.0/26 via 192.168.1.12', '10.244.24.0/26 via 192.168.1.24', '10.244.25.0/26 local']);
  });

  it('a client never takes back its own route (ORIGINATOR_ID is its router id)', () => {
    const c3 = sim.nodes.find((n) => n.node === 'c3');
    for (const peer of ['rr1', 'rr2']) expect(c3?.adjRibIn.get(peer)?.some((p) => p.originator === 'c3')).toBe(false);
  });

  it('losing one reflector cleanly: clients fall back to the other, same next hops', () => {
    const s = run(RR, [{ kind: 'stop', node: 'rr1', at: 30 }]);
    expect(routesOf(s, 'c5')).toEqual(['10.244.12.0/26 via 192.168.1.12', '10.244.23.0/26 via 192.168.1.23', '10.244.24.0/26 via 192.168.1.24', '10.244.25.0/26 local']);
    const best = s.finalRib.get('c5')?.find((r) => r.originator === 'c3');
    expect(best?.learnedFrom && formatIpv4(best.learnedFrom)).toBe('192.168.1.12');
    expect(s.convergedAt).toBeLessThan(30.05);
  });

  it('a killed client: the reflectors keep its block stale for 120 s and reflect the withdrawal to the other clients then', () => {
    const s = run(RR, [{ kind: 'kill', node: 'c4', at: 10 }]);
    const c3 = s.timeline.filter((e) => e.kind === 'route' && e.node === 'c3' && e.best?.originator !== 'c3' && e.at > 3);
    expect(c3.map((e) => (e.kind === 'route' ? `${e.at} ${e.best === null ? 'gone' : 'changed'}` : ''))).toEqual(['130.002 changed', '130.002 gone']);
    // Path hunting: rr1's withdrawal lands first, c3 falls back to rr2's copy, then rr2's lands.
    // The stale phase never reaches the clients: a stale path is exported like any other.
    expect(s.convergedAt).toBeCloseTo(130.002, 6);
    expect(routesOf(s, 'c3')).not.toContain('10.244.24.0/26 via 192.168.1.24');
  });
});

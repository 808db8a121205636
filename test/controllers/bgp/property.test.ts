import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BgpScenarioEvent } from '../../../src/controllers/bgp/types.js';
import { formatCidr } from '../../../src/net/cidr.js';
import { formatIpv4, ipv4 } from '../../../src/net/ipv4.js';
import { network, run } from './helpers.js';

/**
 * Whatever order nodes join and leave in (clean stop, kill, or joining late), once the dust
 * settles every running node has exactly one best route per block of every other running node,
 * with NEXT_HOP = that node's IP, and its own blocks as local routes; nothing of a node that is
 * gone remains.
 */
const NODES = 5;
const IPS = ['192.168.1.101', '192.168.1.102', '192.168.2.103', '192.168.1.9', '192.168.1.10'];
const speakers = Array.from({ length: NODES }, (_, i) => [`n${i}`, IPS[i] as string, `10.244.${i}.0/26`] as const);

const arbEvents = fc.array(
  fc.record({
    node: fc.integer({ min: 0, max: NODES - 1 }),
    kind: fc.constantFrom('join', 'stop', 'kill') as fc.Arbitrary<'join' | 'stop' | 'kill'>,
    at: fc.integer({ min: 0, max: 200 }),
  }),
  { maxLength: 12 },
);

describe('simulateBgp: any join/leave order converges to the right routes', () => {
  for (const peering of ['full-mesh', 'route-reflectors'] as const) {
    it(`${peering}`, () => {
      const input = network(
        speakers,
        peering === 'full-mesh' ? { kind: 'full-mesh' } : { kind: 'route-reflectors', reflectors: ['n0', 'n3'], clusterId: ipv4('244.0.0.1') },
      );
      fc.assert(
        fc.property(arbEvents, (raw) => {
          const scenario: BgpScenarioEvent[] = raw.map((e) => ({ kind: e.kind, node: `n${e.node}`, at: e.at }));
          // Long enough for graceful restart (120 s) and reconnects to run out after the last event.
          const sim = run(input, scenario, { recordTimeline: false });
          const running = sim.nodes.filter((n) => n.status === 'running').map((n) => n.node);
          expect([...sim.finalRib.keys()].sort()).toEqual([...running].sort());
          const reflectorsUp = peering === 'full-mesh' || running.includes('n0') || running.includes('n3');
          for (const node of running) {
            const got = (sim.finalRib.get(node) ?? []).map((r) => `${formatCidr(r.prefix)} ${r.learnedFrom === null ? 'local' : formatIpv4(r.nextHop)}${r.stale ? ' stale' : ''}`);
            const isRr = node === 'n0' || node === 'n3';
            const expected = speakers
              .map(([name, ip, block], i) => ({ name, ip, block, i }))
              .filter((s) => running.includes(s.name) && (s.name === node || reflectorsUp || isRr))
              .map((s) => `${s.block} ${s.name === node ? 'local' : s.ip}`);
            expect(got).toEqual(expected);
          }
          if (running.length > 0) expect(sim.convergedAt).not.toBeNull();
        }),
        { numRuns: 60 },
      );
    });
  }
});

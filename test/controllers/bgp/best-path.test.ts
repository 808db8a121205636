import { describe, expect, it } from 'vitest';
import { comparePaths, type Candidate } from '../../../src/controllers/bgp/best-path.js';
import type { BgpPathAttributes } from '../../../src/controllers/bgp/types.js';
import { ipv4 } from '../../../src/net/ipv4.js';

const attrs = (o: Partial<BgpPathAttributes> = {}): BgpPathAttributes => ({
  origin: 'IGP',
  asPath: [],
  nextHop: ipv4('192.168.1.23'),
  localPref: 100,
  originatorId: null,
  clusterList: [],
  ...o,
});
const via = (peer: string, o: Partial<BgpPathAttributes> = {}): Candidate => ({ attrs: attrs(o), peerAddress: ipv4(peer), peerRouterId: ipv4(peer) });
const local: Candidate = { attrs: attrs(), peerAddress: null, peerRouterId: null };

describe('comparePaths: BIRD bgp_rte_better for iBGP', () => {
  it.each([
    ['the local static route beats any BGP path', local, via('10.0.0.1', { localPref: 1000 }), 'local route (protocol preference)'],
    ['higher LOCAL_PREF first', via('10.0.0.9', { localPref: 200 }), via('10.0.0.1'), 'higher LOCAL_PREF'],
    ['then the shorter AS_PATH', via('10.0.0.9', { asPath: [65001] }), via('10.0.0.1', { asPath: [65001, 65002] }), 'shorter AS_PATH'],
    ['then the lower ORIGIN', via('10.0.0.9', { origin: 'IGP' }), via('10.0.0.1', { origin: 'INCOMPLETE' }), 'lower ORIGIN'],
    ['then the lower router id', via('10.0.0.1'), via('10.0.0.9'), 'lower router id (ORIGINATOR_ID)'],
    ['ORIGINATOR_ID stands in for the peer\'s router id', via('10.0.0.9', { originatorId: ipv4('10.0.0.2') }), via('10.0.0.3'), 'lower router id (ORIGINATOR_ID)'],
    ['then the shorter CLUSTER_LIST', via('10.0.0.9', { originatorId: ipv4('10.0.0.5') }), via('10.0.0.1', { originatorId: ipv4('10.0.0.5'), clusterList: [ipv4('244.0.0.1')] }), 'shorter CLUSTER_LIST'],
    [
      'then the lower neighbor address',
      via('192.168.1.11', { originatorId: ipv4('10.0.0.5'), clusterList: [ipv4('244.0.0.1')] }),
      via('192.168.1.12', { originatorId: ipv4('10.0.0.5'), clusterList: [ipv4('244.0.0.1')] }),
      'lower neighbor address',
    ],
  ] as const)('%s', (_name, better, worse, step) => {
    expect(comparePaths(better, worse)).toEqual({ order: expect.any(Number), step });
    expect(comparePaths(better, worse).order).toBeLessThan(0);
    expect(comparePaths(worse, better).order).toBeGreaterThan(0);
  });

  it('router ids compare as unsigned numbers: 192.x is greater than 10.x', () => {
    expect(comparePaths(via('10.0.0.1'), via('192.168.1.1')).order).toBeLessThan(0);
  });

  it('identical paths tie', () => {
    expect(comparePaths(via('10.0.0.1'), via('10.0.0.1'))).toEqual({ order: 0, step: 'identical' });
  });
});

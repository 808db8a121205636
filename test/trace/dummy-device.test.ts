import { describe, expect, it } from 'vitest';
import { addRoute, setLinkUp } from '../../src/kernel/ops.js';
import { cidr } from '../../src/net/cidr.js';
import { unwrap } from '../../src/lib/result.js';
import { loadTopology } from '../../src/topology/load.js';
import { buildSystem } from '../../src/topology/build.js';
import { parseEndpointSpec } from '../../src/trace/endpoint.js';
import { runTrace } from '../../src/trace/run.js';

/**
 * A route out of a dummy device (kube-ipvs0 in IPVS mode): dummy is NOARP, so no neighbour
 * lookup happens, and dummy_xmit discards the frame (drivers/net/dummy.c).
 */
describe('walk: transmit on a dummy device', () => {
  it('sends without ARP and ends DROPPED by the dummy driver', async () => {
    const system = unwrap(buildSystem(unwrap(await loadTopology('topologies/services-ipvs.yaml'))));
    let world = setLinkUp(system.world, 'node:node1', 'kube-ipvs0');
    world = unwrap(addRoute(world, 'node:node1', { dst: cidr('203.0.113.0/24'), dev: 'kube-ipvs0', scope: 'link' }));
    const run = unwrap(runTrace({ ...system, world }, { from: unwrap(parseEndpointSpec('node/node1')), to: unwrap(parseEndpointSpec('203.0.113.5')), kind: { proto: 'icmp', size: 56 } }));
    expect(run.outcomes).toHaveLength(1);
    const req = run.outcomes[0]?.request;
    expect(req?.disposition).toEqual({ kind: 'DROPPED', reason: { kind: 'dummy-xmit', netns: 'node:node1', dev: 'kube-ipvs0' } });
    expect(req?.steps.some((s) => s.stage === 'neigh')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { calicoBgpInput } from '../../../src/controllers/bgp/calico-input.js';
import { CALICO_BIRD_TIMERS } from '../../../src/controllers/bgp/timers.js';
import { blocksOf } from '../../../src/cluster/calico-ipam.js';
import { formatCidr } from '../../../src/net/cidr.js';
import { formatIpv4 } from '../../../src/net/ipv4.js';
import { loadTopology } from '../../../src/topology/load.js';
import { unwrap } from '../../../src/lib/result.js';
import { routesOf, run } from './helpers.js';

async function load(file: string) {
  return unwrap(await loadTopology(file));
}

describe('calicoBgpInput', () => {
  it('three-node topology: a speaker per node at its IP, originating its IPAM blocks, full mesh, AS 64512, Calico timers', async () => {
    const c = await load('topologies/calico-bgp-three-nodes.yaml');
    const input = calicoBgpInput(c);
    if (!input) throw new Error('expected BGP');
    expect(input.asNumber).toBe(64512);
    expect(input.peering).toEqual({ kind: 'full-mesh' });
    expect(input.timers).toBe(CALICO_BIRD_TIMERS);
    expect(input.speakers.map((s) => `${s.node} ${formatIpv4(s.address)} ${s.originates.map(formatCidr).join(',')}`)).toEqual(
      c.nodes.map((n) => `${n.name} ${formatIpv4(n.ip)} ${blocksOf(c.calicoIpam ?? { blocks: [], tunnelAddresses: new Map() }, n.name).map(formatCidr).join(',')}`),
    );
    expect(input.speakers.every((s) => s.originates.length === 1 && s.originates[0]?.prefix === 26)).toBe(true);
    // And simulating it: each node routes every other node's block to that node's IP.
    const sim = run(input);
    for (const s of input.speakers) {
      const others = input.speakers.filter((o) => o !== s).map((o) => `${formatCidr(o.originates[0] ?? { network: 0 as never, prefix: 0 })} via ${formatIpv4(o.address)}`);
      expect(routesOf(sim, s.node).filter((r) => !r.endsWith('local')).sort()).toEqual(others.sort());
    }
  });

  it('route-reflector topology: reflectors and cluster id from the header', async () => {
    const input = calicoBgpInput(await load('topologies/calico-route-reflectors.yaml'));
    expect(input?.peering.kind === 'route-reflectors' && { ...input.peering, clusterId: formatIpv4(input.peering.clusterId) }).toEqual({
      kind: 'route-reflectors',
      reflectors: ['node1', 'node2'],
      clusterId: '244.0.0.1',
    });
  });

  it('null without BIRD: flannel, and Calico VXLAN mode', async () => {
    expect(calicoBgpInput(await load('topologies/two-node-flannel.yaml'))).toBeNull();
    const c = await load('topologies/calico-bgp-three-nodes.yaml');
    const vxlan = { ...c, header: { ...c.header, cni: { ...(c.header.cni as Extract<typeof c.header.cni, { kind: 'calico' }>), mode: 'vxlan' as const, bgp: null } } };
    expect(calicoBgpInput(vxlan)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { birdConfig, withoutBirdRoutes } from '../../src/lab/bird.js';
import { unsupportedReasons, type KernelFeatures } from '../../src/lab/kernel-support.js';
import { loadTopology } from '../../src/topology/load.js';
import { buildSystem } from '../../src/topology/build.js';

async function load(file: string) {
  const c = await loadTopology(file);
  if (!c.ok) throw new Error(c.error.message);
  return c.value;
}

const HERE: KernelFeatures = { vxlan: true, ipip: false, dummy: false, ipvs: false };

describe('BIRD config for a Calico BGP lab', () => {
  it('full mesh: router id = node IP, own blocks blackholed, every other node a peer, connect delay 2', async () => {
    const c = await load('topologies/calico-bgp-three-nodes.yaml');
    const text = birdConfig(c, 'node1') ?? '';
    expect(text).toContain('router id 192.168.1.101;');
    expect(text).toContain('  route 10.244.29.0/26 blackhole;');
    expect(text).toContain('  local 192.168.1.101 as 64512;');
    expect(text).toContain('  connect delay time 2;');
    expect([...text.matchAll(/neighbor (\S+) as 64512;/g)].map((m) => m[1])).toEqual(['192.168.1.102', '192.168.2.103']);
    expect(text).toMatch(/export filter \{ if source ~ \[ RTS_STATIC, RTS_BGP \] then accept; reject; \}/);
    expect(text).toContain('metric 0;');
  });

  it('not for flannel; the routes BIRD installs are left out of the materialized model', async () => {
    const f = await load('topologies/two-node-flannel.yaml');
    expect(birdConfig(f, 'node1')).toBeNull();
    const c = await load('topologies/calico-bgp-three-nodes.yaml');
    const s = buildSystem(c);
    if (!s.ok) throw new Error(s.error);
    const count = (w: typeof s.value.world): number => [...w.netns.values()].flatMap((n) => n.routes).filter((r) => r.proto === 'bird').length;
    expect(count(s.value.world)).toBeGreaterThan(0);
    expect(count(withoutBirdRoutes(s.value.world))).toBe(0);
  });
});

describe('what this kernel cannot build', () => {
  it('ipvs mode and Calico IPIP are refused with the reason; flannel vxlan is fine', async () => {
    expect(unsupportedReasons(await load('topologies/two-node-flannel.yaml'), null, HERE)).toEqual([]);
    expect(unsupportedReasons(await load('topologies/services-ipvs.yaml'), null, HERE)).toEqual(['kube-proxy mode ipvs needs IPVS (the ip_vs module: /proc/net/ip_vs), which this kernel lacks']);
    expect(unsupportedReasons(await load('topologies/calico-ipip.yaml'), null, HERE)[0]).toMatch(/Calico IPIP needs ipip tunnel devices/);
    expect(unsupportedReasons(await load('topologies/two-node-flannel.yaml'), null, { ...HERE, vxlan: false })[0]).toMatch(/flannel vxlan needs vxlan/);
    expect(unsupportedReasons(await load('topologies/services-ipvs.yaml'), null, { ...HERE, ipvs: true })).toEqual([]);
  });
});

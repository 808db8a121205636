import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/topology/load.js';
import { formatIpv4 } from '../../src/net/ipv4.js';
import { formatCidr } from '../../src/net/cidr.js';
import { formatInputError } from '../../src/lib/input-error.js';
import type { Cluster } from '../../src/cluster/cluster.js';

async function load(name: string): Promise<Cluster> {
  const r = await loadTopology(new URL(`../../topologies/${name}.yaml`, import.meta.url).pathname);
  if (!r.ok) throw new Error(formatInputError(r.error));
  return r.value;
}

const nodesOf = (c: Cluster) => c.nodes.map((n) => `${n.name} ${formatIpv4(n.ip)}/${n.subnetPrefix} gw ${formatIpv4(n.gateway)} pods ${n.podCIDR ? formatCidr(n.podCIDR) : '-'} mtu ${n.mtu}`);
const podsOf = (c: Cluster) => c.pods.map((p) => `${p.namespace}/${p.name} ${p.nodeName} ${formatIpv4(p.ip)}`);

describe('topologies/', () => {
  it('two-node-flannel.yaml is the seed case', async () => {
    const c = await load('two-node-flannel');
    expect(c.header.name).toBe('two-node-flannel');
    expect(c.header.cni).toEqual({ kind: 'flannel', backend: { type: 'vxlan', vni: 1, port: 0, directRouting: false, mtu: null } });
    expect(c.header.kubeProxy).toEqual({ mode: 'iptables', masqueradeAll: false });
    expect(nodesOf(c)).toEqual([
      'node1 192.168.1.101/24 gw 192.168.1.1 pods 10.244.1.0/24 mtu 1500',
      'node2 192.168.1.102/24 gw 192.168.1.1 pods 10.244.2.0/24 mtu 1500',
    ]);
    expect(podsOf(c)).toEqual(['default/pod-a node1 10.244.1.2', 'default/pod-b node2 10.244.2.2', 'default/pod-c node1 10.244.1.3']);
    expect(c.services.map((s) => `${s.namespace}/${s.name}`)).toEqual(['default/kubernetes', 'default/web']);
    const web = c.services.find((s) => s.name === 'web');
    expect(web?.ports).toEqual([{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: null }]);
    const slices = c.endpointSlices.filter((s) => s.serviceName === 'web');
    expect(slices).toHaveLength(1);
    expect(slices[0]?.endpoints.map((e) => e.addresses.map(formatIpv4))).toEqual([['10.244.2.2']]);
    expect(slices[0]?.endpoints[0]?.nodeName).toBe('node2');
    expect(slices[0]?.ports).toEqual([{ name: 'http', protocol: 'TCP', port: 80 }]);
  });

  it('two-node-host-gw.yaml is the same cluster with the host-gw backend', async () => {
    const c = await load('two-node-host-gw');
    expect(c.header.cni).toEqual({ kind: 'flannel', backend: { type: 'host-gw' } });
    expect(nodesOf(c)).toEqual([
      'node1 192.168.1.101/24 gw 192.168.1.1 pods 10.244.1.0/24 mtu 1500',
      'node2 192.168.1.102/24 gw 192.168.1.1 pods 10.244.2.0/24 mtu 1500',
    ]);
    expect(podsOf(c)).toEqual(['default/pod-a node1 10.244.1.2', 'default/pod-b node2 10.244.2.2', 'default/pod-c node1 10.244.1.3']);
  });

  it('host-gw-two-subnets.yaml puts node2 on another subnet behind the router', async () => {
    const c = await load('host-gw-two-subnets');
    expect(c.header.cni).toEqual({ kind: 'flannel', backend: { type: 'host-gw' } });
    expect(nodesOf(c)).toEqual([
      'node1 192.168.1.101/24 gw 192.168.1.1 pods 10.244.1.0/24 mtu 1500',
      'node2 192.168.2.102/24 gw 192.168.2.1 pods 10.244.2.0/24 mtu 1500',
    ]);
    expect(podsOf(c)).toEqual(['default/pod-a node1 10.244.1.2', 'default/pod-b node2 10.244.2.2']);
  });

  it('every topology also loads with Calico (podnet compare --cni calico)', async () => {
    for (const name of ['two-node-flannel', 'two-node-host-gw', 'host-gw-two-subnets']) {
      const r = await loadTopology(new URL(`../../topologies/${name}.yaml`, import.meta.url).pathname, { cni: 'calico' });
      expect(r.ok, name).toBe(true);
      if (r.ok) expect(r.value.header.cni.kind).toBe('calico');
    }
  });

  it('a missing file is an input error, not an exception', async () => {
    const r = await loadTopology('/nonexistent/topology.yaml');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(formatInputError(r.error)).toBe('/nonexistent/topology.yaml: cannot read the topology file: no such file');
  });
});

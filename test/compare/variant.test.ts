import { describe, expect, it } from 'vitest';
import { formatIpv4 } from '../../src/net/ipv4.js';
import type { CniConfig } from '../../src/cluster/header.js';
import { parseVariantList, variantConfig, variantName, variantOf, VARIANT_NAMES, DEFAULT_VARIANTS } from '../../src/compare/variant.js';
import { sourceOf } from './helpers.js';

const flannelOwn: CniConfig = { kind: 'flannel', backend: { type: 'vxlan', vni: 4096, port: 4789, directRouting: false, mtu: 9000 } };
const calicoOwn: CniConfig = {
  kind: 'calico',
  mode: 'ipip',
  crossSubnet: false,
  bgp: { asNumber: 65001, topology: { kind: 'route-reflectors', reflectors: ['node1'], clusterId: 1 as never } },
  blockSize: 24,
  natOutgoing: false,
};

describe('CNI variant grammar', () => {
  it('KIND[/MODE[-option]], case-insensitive; a bare kind is its default data path', () => {
    const v = parseVariantList('Flannel, calico/IPIP-CrossSubnet,flannel/vxlan-directrouting');
    expect(v.ok && v.value).toEqual([
      { name: 'flannel', variant: { kind: 'flannel', backend: 'vxlan', directRouting: false } },
      { name: 'calico/ipip-crosssubnet', variant: { kind: 'calico', mode: 'ipip', crossSubnet: true } },
      { name: 'flannel/vxlan-directrouting', variant: { kind: 'flannel', backend: 'vxlan', directRouting: true } },
    ]);
    const d = parseVariantList(DEFAULT_VARIANTS);
    expect(d.ok && d.value.map((x) => x.variant)).toEqual([
      { kind: 'flannel', backend: 'vxlan', directRouting: false },
      { kind: 'flannel', backend: 'host-gw' },
      { kind: 'calico', mode: 'bgp' },
      { kind: 'calico', mode: 'ipip', crossSubnet: false },
      { kind: 'calico', mode: 'vxlan', crossSubnet: false },
    ]);
  });

  it('every listed name parses, and variantName gives the shortest name back', () => {
    for (const n of VARIANT_NAMES) {
      const v = parseVariantList(n);
      if (!v.ok || !v.value[0]) throw new Error(n);
      expect(parseVariantList(variantName(v.value[0].variant)).ok).toBe(true);
    }
    expect(variantName({ kind: 'calico', mode: 'bgp' })).toBe('calico');
    expect(variantName({ kind: 'flannel', backend: 'vxlan', directRouting: false })).toBe('flannel');
  });

  it('unknown names, empty items and the same variant twice are errors', () => {
    expect(parseVariantList('calico/wireguard')).toEqual({ ok: false, error: expect.stringMatching(/^unknown CNI variant "calico\/wireguard"; expected one of flannel, flannel\/host-gw, /) });
    expect(parseVariantList('calico,calico/bgp')).toEqual({ ok: false, error: 'calico/bgp is listed twice (it is the same as calico)' });
    expect(parseVariantList('')).toMatchObject({ ok: false });
  });
});

describe('variant configuration', () => {
  it('keeps the file\'s own settings for the same CNI and changes only what the variant names', () => {
    expect(variantConfig({ kind: 'flannel', backend: 'vxlan', directRouting: true }, flannelOwn)).toEqual({ kind: 'flannel', backend: { type: 'vxlan', vni: 4096, port: 4789, directRouting: true, mtu: 9000 } });
    expect(variantConfig({ kind: 'calico', mode: 'bgp' }, calicoOwn)).toEqual({ ...calicoOwn, mode: 'bgp', crossSubnet: false });
    expect(variantConfig({ kind: 'calico', mode: 'ipip', crossSubnet: true }, calicoOwn)).toEqual({ ...calicoOwn, crossSubnet: true });
  });

  it('another CNI gets its defaults; Calico VXLAN runs without BGP', () => {
    expect(variantConfig({ kind: 'flannel', backend: 'vxlan', directRouting: false }, calicoOwn)).toEqual({ kind: 'flannel', backend: { type: 'vxlan', vni: 1, port: 0, directRouting: false, mtu: null } });
    expect(variantConfig({ kind: 'calico', mode: 'vxlan', crossSubnet: false }, flannelOwn)).toEqual({ kind: 'calico', mode: 'vxlan', crossSubnet: false, bgp: null, blockSize: 26, natOutgoing: true });
    expect(variantConfig({ kind: 'calico', mode: 'ipip', crossSubnet: false }, flannelOwn)).toMatchObject({ bgp: { asNumber: 64512, topology: { kind: 'full-mesh' } } });
  });

  it('the file\'s own configuration is an instance of its own variant', () => {
    for (const own of [flannelOwn, calicoOwn, { kind: 'flannel', backend: { type: 'host-gw' } } as CniConfig]) expect(variantConfig(variantOf(own), own)).toEqual(own);
  });
});

describe('re-loading a topology with a full CNI configuration', () => {
  it('IPAM follows the mode: in IPIP mode the node\'s tunnel address takes the block\'s ordinal 0', () => {
    const src = sourceOf('topologies/two-node-flannel.yaml');
    const podA = (cni: CniConfig) => {
      const c = src.reload(cni);
      if (!c.ok) throw new Error(c.error);
      expect(c.value.header.cni).toEqual(cni);
      const p = c.value.pods.find((x) => x.name === 'pod-a');
      return p ? formatIpv4(p.ip) : null;
    };
    const bgp = variantConfig({ kind: 'calico', mode: 'bgp' }, src.cluster.header.cni);
    const ipip = variantConfig({ kind: 'calico', mode: 'ipip', crossSubnet: false }, src.cluster.header.cni);
    const a = podA(bgp);
    const b = podA(ipip);
    expect(a).not.toBe(b);
    // Same block, one ordinal further along.
    expect(a && b && Number(b.split('.')[3]) - Number(a.split('.')[3])).toBe(1);
    expect(podA(variantConfig({ kind: 'flannel', backend: 'host-gw' }, src.cluster.header.cni))).toBe('10.244.1.2');
  });
});

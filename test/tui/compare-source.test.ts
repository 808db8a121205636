import { describe, expect, test } from 'vitest';
import { err, ok } from '../../src/lib/result.js';
import type { CniConfig } from '../../src/cluster/header.js';
import { compareByCni, tuiVariants } from '../../src/tui/compare-source.js';
import { catalog, defaultQuery, traceRequest } from '../../src/tui/model.js';
import { fakeTrace, fixtureLoaded, fixtureSystem } from './fixture.js';

describe('compare by CNI (the TUI view fed by src/compare)', () => {
  test('the topology\'s own CNI first, then podnet compare\'s default variants', () => {
    const c = fixtureLoaded().cluster;
    if (!c) throw new Error('fixture has a cluster');
    expect(tuiVariants(c).map((v) => v.name)).toEqual(['flannel', 'flannel/host-gw', 'calico', 'calico/ipip', 'calico/vxlan']);
    const hostGw = { ...c, header: { ...c.header, cni: { kind: 'flannel' as const, backend: { type: 'host-gw' as const } } } };
    expect(tuiVariants(hostGw).map((v) => v.name)).toEqual(['flannel/host-gw', 'flannel', 'calico', 'calico/ipip', 'calico/vxlan']);
  });

  test('each variant is read from the file again with its full CNI configuration (IPAM differs)', () => {
    const loaded = fixtureLoaded();
    const cluster = loaded.cluster;
    if (!cluster) throw new Error('fixture has a cluster');
    const asked: CniConfig[] = [];
    const reparse = (cni: unknown) => {
      asked.push(cni as CniConfig);
      return (cni as CniConfig).kind === 'calico' ? err('calico: not in this file') : ok(cluster);
    };
    const compare = compareByCni((c) => ok(fixtureSystem(c)), fakeTrace(cluster));
    const q = defaultQuery(catalog(loaded));
    if (!q) throw new Error('no flow');
    const req = traceRequest(loaded, q);
    if (!req.ok) throw new Error(req.error);
    const cols = compare({ ...loaded, reparse }, q, req.value.request);
    expect(asked.map((c) => (c.kind === 'flannel' ? `flannel ${c.backend.type}` : `calico ${c.mode}`))).toEqual(['flannel vxlan', 'flannel host-gw', 'calico bgp', 'calico ipip', 'calico vxlan']);
    expect(asked[3]).toMatchObject({ kind: 'calico', mode: 'ipip', crossSubnet: false });
    expect(cols.ok && cols.value.find((c) => c.label === 'calico/ipip')?.run).toEqual(err('load: calico: not in this file'));
  });

  test('builds each variant and traces the same request; failures come last as error columns', () => {
    const loaded = fixtureLoaded();
    const cluster = loaded.cluster;
    if (!cluster) throw new Error('fixture has a cluster');
    const build = (c: typeof cluster) => (c.header.cni.kind === 'calico' ? err('CNI calico is not modelled yet') : ok(fixtureSystem(c)));
    const compare = compareByCni(build, fakeTrace(cluster));
    const q = defaultQuery(catalog(loaded));
    if (!q) throw new Error('no flow');
    const req = traceRequest(loaded, q);
    if (!req.ok) throw new Error(req.error);
    const cols = compare(loaded, q, req.value.request);
    expect(cols.ok).toBe(true);
    if (!cols.ok) return;
    expect(cols.value.map((x) => [x.label, x.run.ok])).toEqual([
      ['flannel', true],
      ['flannel/host-gw', true],
      ['calico', false],
      ['calico/ipip', false],
      ['calico/vxlan', false],
    ]);
    expect(cols.value[2]?.run).toEqual(err('build: CNI calico is not modelled yet'));
    // Good columns carry the comparison's facts, one per outcome.
    expect(cols.value[0]?.facts?.length).toBe(cols.value[0]?.run.ok ? cols.value[0].run.value.outcomes.length : -1);
    expect(compare({ ...loaded, cluster: null }, q, req.value.request).ok).toBe(false);
  });
});

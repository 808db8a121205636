import { describe, expect, test } from 'vitest';
import { err, ok } from '../../src/lib/result.js';
import { cniVariants, compareByCni } from '../../src/tui/compare-source.js';
import { catalog, defaultQuery, traceRequest } from '../../src/tui/model.js';
import { fakeTrace, fixtureLoaded, fixtureSystem } from './fixture.js';

describe('compare by CNI', () => {
  test('the topology\'s own CNI first, then flannel\'s backends and calico\'s modes', () => {
    const c = fixtureLoaded().cluster;
    if (!c) throw new Error('fixture has a cluster');
    const vs = cniVariants(c);
    expect(vs.map((v) => v.label)).toEqual(['flannel vxlan', 'flannel host-gw', 'calico bgp', 'calico ipip', 'calico vxlan']);
    const hostGw = vs[1]?.cluster;
    expect(hostGw?.ok && hostGw.value.header.cni).toEqual({ kind: 'flannel', backend: { type: 'host-gw' } });
    const vx = vs[4]?.cluster;
    expect(vx?.ok && vx.value.header.cni).toMatchObject({ kind: 'calico', mode: 'vxlan', bgp: null });
  });

  test('another CNI is read from the file again when the loader can (its IPAM differs)', () => {
    const c = fixtureLoaded().cluster;
    if (!c) throw new Error('fixture has a cluster');
    const asked: string[] = [];
    const vs = cniVariants(c, (cni) => (asked.push(cni), err(`${cni}: not in this file`)));
    expect(asked).toEqual(['calico']);
    expect(vs.find((v) => v.label === 'calico ipip')?.cluster).toEqual(err('calico: not in this file'));
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
      ['flannel vxlan', true],
      ['flannel host-gw', true],
      ['calico bgp', false],
      ['calico ipip', false],
      ['calico vxlan', false],
    ]);
    expect(compare({ ...loaded, cluster: null }, q, req.value.request).ok).toBe(false);
  });
});

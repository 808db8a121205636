import { describe, expect, test } from 'vitest';
import { formatIpv4 } from '../../src/net/ipv4.js';
import { catalog, defaultQuery, lookupServiceName, resolveTarget, traceRequest, typedTarget } from '../../src/tui/model.js';
import { clusterRows, selectableRows } from '../../src/tui/cluster-rows.js';
import { fixtureLoaded } from './fixture.js';

describe('catalog', () => {
  test('sources are pods (by node) and nodes; destinations add services and their DNS names', () => {
    const cat = catalog(fixtureLoaded());
    expect(cat.sources.map((t) => t.text)).toEqual(['default/pod-a', 'default/pod-c', 'default/pod-b', 'default/pod-e', 'shop/pod-d', 'node/node1', 'node/node2']);
    expect(cat.destinations.filter((t) => t.kind === 'service').map((t) => t.text)).toEqual(['svc/default/kubernetes', 'svc/default/web']);
    expect(cat.destinations.filter((t) => t.kind === 'dns').map((t) => t.text)).toContain('web.default.svc.cluster.local');
    expect(cat.destinations.find((t) => t.text === 'svc/default/web')?.suggest).toEqual({ proto: 'tcp', port: 80 });
  });

  test('without Kubernetes objects, services come from the System and no DNS names are offered', () => {
    const l = fixtureLoaded();
    const cat = catalog({ ...l, cluster: null });
    expect(cat.destinations.filter((t) => t.kind === 'service').map((t) => t.text)).toContain('svc/default/web');
    expect(cat.destinations.some((t) => t.kind === 'dns')).toBe(false);
  });

  test('the default flow crosses nodes', () => {
    const q = defaultQuery(catalog(fixtureLoaded()));
    expect(q?.from.group).not.toBe(q?.to.group);
    expect(q).toMatchObject({ from: { text: 'default/pod-a' }, to: { text: 'default/pod-b' }, proto: 'icmp' });
  });
});

describe('resolving targets', () => {
  const l = fixtureLoaded();
  const web = l.cluster?.services.find((s) => s.name === 'web');
  const webIp = web && web.clusterIP !== 'None' ? formatIpv4(web.clusterIP) : '';

  test('pods, nodes, IPs and svc/NS/NAME go to the trace runner as they are', () => {
    expect(resolveTarget(l, typedTarget('default/pod-b'), null)).toMatchObject({ ok: true, value: { spec: { kind: 'pod', namespace: 'default', name: 'pod-b' }, note: null } });
    expect(resolveTarget(l, typedTarget('node/node2'), null)).toMatchObject({ ok: true, value: { spec: { kind: 'node', name: 'node2' } } });
    expect(resolveTarget(l, typedTarget('10.0.0.1'), null)).toMatchObject({ ok: true, value: { spec: { kind: 'ip' } } });
    expect(resolveTarget(l, typedTarget('svc/default/web'), null)).toMatchObject({ ok: true, value: { spec: { kind: 'service', namespace: 'default', name: 'web' } } });
  });

  test('DNS names: FQDN, and short names through the source pod\'s search list', () => {
    const fq = resolveTarget(l, typedTarget('web.default.svc.cluster.local'), null);
    expect(fq.ok && fq.value.note).toContain(`-> ${webIp}`);
    const short = resolveTarget(l, typedTarget('web.default'), typedTarget('default/pod-a'));
    expect(short.ok && short.value.note).toContain('web.default.svc.cluster.local');
    const bare = resolveTarget(l, typedTarget('web'), typedTarget('default/pod-a'));
    expect(bare.ok && bare.value.note).toContain('search list');
    // From the shop namespace, `web` is shop's (there is none): the search list falls through.
    expect(lookupServiceName(l, 'web', 'shop').ok).toBe(false);
    expect(lookupServiceName(l, 'nope.default.svc.cluster.local.', 'default').ok).toBe(false);
  });

  test('a trace request carries the flow kind and the notes', () => {
    const cat = catalog(l);
    const q = defaultQuery(cat);
    if (!q) throw new Error('no default query');
    expect(traceRequest(l, { ...q, proto: 'udp', port: 53 })).toMatchObject({ ok: true, value: { request: { kind: { proto: 'udp', dport: 53 } }, notes: [] } });
    expect(traceRequest(l, { ...q, to: typedTarget('svc/default/nope') }).ok).toBe(true);
    expect(traceRequest(l, { ...q, to: typedTarget('a/b/c/d') }).ok).toBe(false);
  });
});

describe('cluster rows', () => {
  test('nodes, pods grouped by node then namespace, services; every entry selectable', () => {
    const rows = clusterRows(fixtureLoaded());
    const text = rows.map((r) => (r.kind === 'entry' ? r.cells.join(' ') : r.text));
    expect(text.indexOf('Nodes')).toBe(0);
    expect(text.indexOf('node2')).toBeGreaterThan(text.indexOf('node1'));
    expect(text.findIndex((t) => t.startsWith('shop pod-d'))).toBeGreaterThan(text.findIndex((t) => t.startsWith('default pod-e')));
    expect(selectableRows(rows)).toHaveLength(2 + 5 + 2);
  });
});

import { describe, expect, it } from 'vitest';
import { ipv4 } from '../../src/net/ipv4.js';
import { deriveEndpointSlices, findPodPort, serviceSelects } from '../../src/cluster/endpoints.js';
import type { Pod } from '../../src/cluster/pod.js';
import type { Service } from '../../src/cluster/service.js';

const pod = (name: string, over: Partial<Pod> = {}): Pod => ({
  namespace: 'default',
  name,
  uid: null,
  labels: { app: 'web' },
  annotations: {},
  nodeName: 'node1',
  hostNetwork: false,
  ip: ipv4('10.244.0.2'),
  containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP', hostPort: null }] }],
  hostname: null,
  subdomain: null,
  dnsPolicy: 'ClusterFirst',
  dnsConfig: null,
  owner: null,
  ready: true,
  terminating: false,
  source: { file: 't.yaml', line: 1, col: 1 },
  ...over,
});

const service = (over: Partial<Service> = {}): Service => ({
  namespace: 'default',
  name: 'web',
  labels: {},
  type: 'ClusterIP',
  clusterIP: ipv4('10.96.0.20'),
  ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: null }],
  selector: { app: 'web' },
  sessionAffinity: { kind: 'None' },
  externalTrafficPolicy: 'Cluster',
  internalTrafficPolicy: 'Cluster',
  loadBalancerIngress: [],
  loadBalancerSourceRanges: [],
  externalIPs: [],
  externalName: null,
  publishNotReadyAddresses: false,
  healthCheckNodePort: null,
  source: null,
  ...over,
});

describe('EndpointSlice controller', () => {
  it('selects by equality on every selector key', () => {
    expect(serviceSelects({ app: 'web' }, { app: 'web', tier: 'fe' })).toBe(true);
    expect(serviceSelects({ app: 'web', tier: 'be' }, { app: 'web', tier: 'fe' })).toBe(false);
    expect(serviceSelects({}, { app: 'web' })).toBe(true);
  });

  it('resolves named target ports by name and protocol', () => {
    const p = pod('a');
    expect(findPodPort(p, { name: null, protocol: 'TCP', port: 80, targetPort: 'http', nodePort: null })).toBe(8080);
    expect(findPodPort(p, { name: null, protocol: 'UDP', port: 80, targetPort: 'http', nodePort: null })).toBeNull();
    expect(findPodPort(p, { name: null, protocol: 'TCP', port: 80, targetPort: 9000, nodePort: null })).toBe(9000);
  });

  it('groups pods by resolved ports: a pod without the named port lands in its own slice', () => {
    const pods = [pod('a'), pod('b', { ip: ipv4('10.244.0.3'), containers: [{ name: 'c', ports: [] }] }), pod('other', { labels: { app: 'x' } })];
    const slices = deriveEndpointSlices(service(), pods);
    expect(slices.map((s) => [s.ports, s.endpoints.map((e) => e.targetRef?.name)])).toEqual([
      [[{ name: 'http', protocol: 'TCP', port: 8080 }], ['a']],
      [[], ['b']],
    ]);
    expect(new Set(slices.map((s) => s.name)).size).toBe(2);
  });

  it('publishNotReadyAddresses makes every endpoint ready', () => {
    const [slice] = deriveEndpointSlices(service({ publishNotReadyAddresses: true }), [pod('a', { ready: false })]);
    expect(slice?.endpoints[0]?.conditions).toEqual({ ready: true, serving: false, terminating: false });
  });

  it('sets hostname only for pods whose subdomain is the service', () => {
    const [slice] = deriveEndpointSlices(service(), [pod('a', { hostname: 'a', subdomain: 'web' }), pod('b', { hostname: 'b', subdomain: 'other' })]);
    expect(slice?.endpoints.map((e) => e.hostname)).toEqual(['a', null]);
  });

  it('a service with no matching pods gets one empty slice; no selector or ExternalName gets none', () => {
    const [empty, ...rest] = deriveEndpointSlices(service({ ports: [{ name: null, protocol: 'TCP', port: 80, targetPort: 80, nodePort: null }] }), []);
    expect(rest).toEqual([]);
    expect(empty?.endpoints).toEqual([]);
    expect(empty?.ports).toEqual([{ name: null, protocol: 'TCP', port: 80 }]);
    expect(deriveEndpointSlices(service({ selector: null }), [pod('a')])).toEqual([]);
    expect(deriveEndpointSlices(service({ type: 'ExternalName', clusterIP: 'None' }), [pod('a')])).toEqual([]);
  });
});

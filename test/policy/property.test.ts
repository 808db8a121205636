/**
 * Property test: on random namespaces, pods and NetworkPolicy manifests, the evaluator (through
 * the manifest converter, `evaluate` and `computeMatrix`) agrees with the brute-force reading of
 * the spec in brute-force.ts on every pod pair.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Protocol } from '../../src/cluster/meta.js';
import { ipv4 } from '../../src/net/ipv4.js';
import { evaluate } from '../../src/policy/evaluate.js';
import { networkPolicyFromManifest } from '../../src/policy/manifest.js';
import { computeMatrix, isAllowedCell } from '../../src/policy/matrix.js';
import { indexWorld, type PolicyPod, type PolicyWorld } from '../../src/policy/model.js';
import { bruteForceAllowed, type BfPod, type BfWorld } from './brute-force.js';

const NAMESPACES = ['n1', 'n2', 'n3'];
const NODES = [
  { name: 'node-a', ip: '192.168.0.1' },
  { name: 'node-b', ip: '192.168.0.2' },
];
const LABEL_KEYS = ['app', 'tier', 'env'];
const LABEL_VALUES = ['a', 'b', 'c'];
const PORT_NAMES = ['http', 'dns', 'metrics'];
const PORT_NUMBERS = [53, 80, 8080];
const CIDRS = ['10.0.0.0/24', '10.0.0.0/26', '10.0.0.16/28', '0.0.0.0/0', '192.168.0.0/24', '10.0.0.200/29', '10.0.0.40/32'];
const EXCEPTS = ['10.0.0.0/27', '10.0.0.32/28', '10.0.0.8/29', '10.0.0.16/30', '192.168.0.1/32', '10.0.0.40/32', '10.0.0.128/25'];

function prefixInside(inner: string, outer: string): boolean {
  const toInt = (ip: string): number => ip.split('.').reduce((a, x) => a * 256 + Number(x), 0);
  const [ib, ip] = inner.split('/');
  const [ob, op] = outer.split('/');
  const ibits = Number(ip);
  const obits = Number(op);
  if (ibits <= obits) return false;
  const size = 2 ** (32 - obits);
  return Math.floor(toInt(ib ?? '') / size) === Math.floor(toInt(ob ?? '') / size);
}

const labelsArb = fc.dictionary(fc.constantFrom(...LABEL_KEYS), fc.constantFrom(...LABEL_VALUES), { maxKeys: 3 });

const expressionArb = fc.oneof(
  fc.record({ key: fc.constantFrom(...LABEL_KEYS, 'team'), operator: fc.constantFrom('In', 'NotIn'), values: fc.uniqueArray(fc.constantFrom(...LABEL_VALUES), { minLength: 1, maxLength: 2 }) }),
  fc.record({ key: fc.constantFrom(...LABEL_KEYS, 'team'), operator: fc.constantFrom('Exists', 'DoesNotExist') }),
);

const selectorArb = fc.record(
  { matchLabels: labelsArb, matchExpressions: fc.array(expressionArb, { maxLength: 2 }) },
  { requiredKeys: [] },
);

const nsSelectorArb = fc.oneof(
  selectorArb,
  fc.record({ matchLabels: fc.dictionary(fc.constantFrom('team', 'kubernetes.io/metadata.name'), fc.constantFrom('a', 'b', 'n1', 'n2'), { maxKeys: 1 }) }),
);

const ipBlockArb = fc.constantFrom(...CIDRS).chain((cidr) =>
  fc.subarray(EXCEPTS.filter((e) => prefixInside(e, cidr)), { maxLength: Math.min(2, EXCEPTS.filter((e) => prefixInside(e, cidr)).length) }).map((except) => (except.length > 0 ? { cidr, except } : { cidr })),
);

const peerArb = fc.oneof(
  fc.record({ podSelector: selectorArb }),
  fc.record({ namespaceSelector: nsSelectorArb }),
  fc.record({ podSelector: selectorArb, namespaceSelector: nsSelectorArb }),
  fc.record({ ipBlock: ipBlockArb }),
);

const portArb = fc.oneof(
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP', 'SCTP') }, { requiredKeys: [] }),
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP'), port: fc.constantFrom<number | string>(...PORT_NUMBERS, ...PORT_NAMES) }, { requiredKeys: ['port'] }),
  fc.record({ port: fc.constantFrom(53, 80), endPort: fc.constantFrom(80, 443, 8080), protocol: fc.constantFrom('TCP', 'UDP') }, { requiredKeys: ['port', 'endPort'] }),
);

const rulesArb = (peersKey: 'from' | 'to') =>
  fc.option(
    fc.array(
      fc.record({ [peersKey]: fc.array(peerArb, { maxLength: 2 }), ports: fc.array(portArb, { maxLength: 2 }) }, { requiredKeys: [] }),
      { maxLength: 2 },
    ),
    { nil: undefined },
  );

const policyArb = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  podSelector: fc.oneof(selectorArb, fc.constant({})),
  policyTypes: fc.constantFrom<string[] | undefined>(undefined, ['Ingress'], ['Egress'], ['Ingress', 'Egress']),
  ingress: rulesArb('from'),
  egress: rulesArb('to'),
});

const podArb = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  labels: labelsArb,
  node: fc.constantFrom(0, 1),
  hostNetwork: fc.integer({ min: 0, max: 9 }).map((x) => x < 2),
  ipOffset: fc.integer({ min: 0, max: 7 }),
  ports: fc.array(
    fc.record({ name: fc.option(fc.constantFrom(...PORT_NAMES), { nil: undefined }), containerPort: fc.constantFrom(...PORT_NUMBERS), protocol: fc.option(fc.constantFrom('TCP', 'UDP'), { nil: undefined }) }),
    { maxLength: 3 },
  ),
});

const worldArb = fc.record({
  nsLabels: fc.tuple(...NAMESPACES.map(() => fc.dictionary(fc.constantFrom('team', 'env'), fc.constantFrom('a', 'b'), { maxKeys: 2 }))),
  pods: fc.array(podArb, { minLength: 1, maxLength: 6 }),
  policies: fc.array(policyArb, { maxLength: 4 }),
  traffic: fc.record({ protocol: fc.constantFrom<Protocol>('TCP', 'UDP', 'SCTP'), port: fc.constantFrom(53, 80, 443, 8080) }),
});

type Gen = typeof worldArb extends fc.Arbitrary<infer T> ? T : never;

function build(g: Gen): { bf: BfWorld; world: PolicyWorld; bfPods: BfPod[] } {
  const namespaces = NAMESPACES.map((name, i) => ({ name, labels: { ...(g.nsLabels[i] ?? {}), 'kubernetes.io/metadata.name': name } }));
  const bfPods: BfPod[] = g.pods.map((p, i) => {
    const node = NODES[p.node] ?? NODES[0]!;
    return {
      namespace: p.namespace,
      name: `p${i}`,
      labels: { ...p.labels },
      ip: p.hostNetwork ? node.ip : `10.0.0.${i * 8 + p.ipOffset}`,
      nodeName: node.name,
      hostNetwork: p.hostNetwork,
      ports: p.ports.map((c) => ({ ...(c.name !== undefined ? { name: c.name } : {}), containerPort: c.containerPort, ...(c.protocol !== undefined ? { protocol: c.protocol } : {}) })),
    };
  });
  const manifests = g.policies.map((p, i) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `pol${i}`, namespace: p.namespace },
    spec: {
      podSelector: p.podSelector,
      ...(p.policyTypes ? { policyTypes: p.policyTypes } : {}),
      ...(p.ingress ? { ingress: p.ingress } : {}),
      ...(p.egress ? { egress: p.egress } : {}),
    },
  }));
  const pods: PolicyPod[] = bfPods.map((p) => ({
    namespace: p.namespace,
    name: p.name,
    labels: p.labels,
    ip: ipv4(p.ip),
    nodeName: p.nodeName,
    hostNetwork: p.hostNetwork,
    containers: [{ ports: p.ports.map((c) => ({ name: c.name ?? null, containerPort: c.containerPort, protocol: (c.protocol ?? 'TCP') as Protocol })) }],
  }));
  const policies = manifests.map((m) => {
    const r = networkPolicyFromManifest(JSON.parse(JSON.stringify(m)), { file: 'gen.yaml', line: 1, col: 1 });
    if (!r.ok) throw new Error(`generator made an invalid policy: ${r.error.message}\n${JSON.stringify(m)}`);
    return r.value;
  });
  return {
    bf: { namespaces, pods: bfPods, policies: manifests },
    world: { namespaces, pods, nodes: NODES.map((n) => ({ name: n.name, ip: ipv4(n.ip) })), policies },
    bfPods,
  };
}

describe('evaluator vs brute-force reading of the spec', () => {
  it('agrees on every pod pair of random worlds', () => {
    fc.assert(
      fc.property(worldArb, (g) => {
        const { bf, world, bfPods } = build(g);
        const index = indexWorld(world);
        const traffic = { kind: 'l4', protocol: g.traffic.protocol, port: g.traffic.port } as const;
        const m = computeMatrix(index, traffic);
        world.pods.forEach((src, s) => {
          world.pods.forEach((dst, d) => {
            const want = bruteForceAllowed(bf, bfPods[s]!, bfPods[d]!, g.traffic.protocol, g.traffic.port);
            const got = evaluate(index, { src: { kind: 'pod', pod: src }, dst: { kind: 'pod', pod: dst }, traffic }).allowed;
            expect(got, `evaluate ${src.name} -> ${dst.name}`).toBe(want);
            expect(isAllowedCell(m, s, d), `matrix ${src.name} -> ${dst.name}`).toBe(want);
          });
        });
      }),
      { numRuns: 600, seed: 20240604 },
    );
  });
});

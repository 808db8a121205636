import fc from 'fast-check';
import type { Protocol } from '../../../../../src/cluster/meta.js';
import { ipv4 } from '../../../../../src/net/ipv4.js';
import { networkPolicyFromManifest } from '../../../../../src/policy/manifest.js';
import type { PolicyPod, PolicyWorld } from '../../../../../src/policy/model.js';

/**
 * Random clusters for the agreement property: three namespaces, up to seven pods on two nodes
 * (pod IPs inside the 10.244.0.0/16 pool), and up to four NetworkPolicies using every feature
 * Felix renders differently: selectors with all operators, namespace selectors, ipBlocks with
 * excepts, numeric / named / ranged ports on TCP, UDP and SCTP, both policy types.
 */

const NAMESPACES = ['n1', 'n2', 'n3'];
const KEYS = ['app', 'tier'];
const VALUES = ['a', 'b', 'c'];
const PORT_NAMES = ['http', 'dns'];
const PORT_NUMBERS = [53, 80, 8080];
const CIDRS = ['10.244.0.0/16', '10.244.1.0/24', '10.244.2.0/25', '0.0.0.0/0', '10.244.1.16/28', '192.168.1.0/24'];
const EXCEPTS: Record<string, readonly string[]> = {
  '10.244.0.0/16': ['10.244.1.0/24', '10.244.2.0/26', '10.244.1.8/29'],
  '10.244.1.0/24': ['10.244.1.0/27', '10.244.1.16/30'],
  '10.244.2.0/25': ['10.244.2.8/29'],
  '0.0.0.0/0': ['10.244.2.0/24', '10.244.1.24/29'],
  '10.244.1.16/28': ['10.244.1.20/30'],
  '192.168.1.0/24': [],
};

const labels = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 2 });
const expression = fc.oneof(
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom('In', 'NotIn'), values: fc.uniqueArray(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 2 }) }),
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom('Exists', 'DoesNotExist') }),
);
const selector = fc.record({ matchLabels: labels, matchExpressions: fc.array(expression, { maxLength: 1 }) }, { requiredKeys: [] });
const nsSelector = fc.oneof(selector, fc.record({ matchLabels: fc.dictionary(fc.constantFrom('team', 'kubernetes.io/metadata.name'), fc.constantFrom('x', 'n1', 'n2'), { maxKeys: 1 }) }));
const ipBlock = fc.constantFrom(...CIDRS).chain((cidr) =>
  fc.subarray([...(EXCEPTS[cidr] ?? [])], { maxLength: Math.min(2, (EXCEPTS[cidr] ?? []).length) }).map((except) => (except.length > 0 ? { cidr, except } : { cidr })),
);
const peer = fc.oneof(
  fc.record({ podSelector: selector }),
  fc.record({ namespaceSelector: nsSelector }),
  fc.record({ podSelector: selector, namespaceSelector: nsSelector }),
  fc.record({ ipBlock }),
);
const port = fc.oneof(
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP', 'SCTP') }, { requiredKeys: [] }),
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP', 'SCTP'), port: fc.constantFrom<number | string>(...PORT_NUMBERS, ...PORT_NAMES) }, { requiredKeys: ['port'] }),
  fc.record({ port: fc.constantFrom(53, 79, 80), endPort: fc.constantFrom(80, 81, 8080), protocol: fc.constantFrom('TCP', 'UDP') }, { requiredKeys: ['port', 'endPort'] }),
);
const rules = (key: 'from' | 'to') =>
  fc.option(fc.array(fc.record({ [key]: fc.array(peer, { maxLength: 2 }), ports: fc.array(port, { maxLength: 3 }) }, { requiredKeys: [] }), { maxLength: 2 }), { nil: undefined });
const policy = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  podSelector: fc.oneof(selector, fc.constant({})),
  policyTypes: fc.constantFrom<string[] | undefined>(undefined, ['Ingress'], ['Egress'], ['Ingress', 'Egress']),
  ingress: rules('from'),
  egress: rules('to'),
});
const pod = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  labels,
  node: fc.constantFrom(0, 1),
  offset: fc.integer({ min: 0, max: 7 }),
  // One container port per name, so the pod's named ports are unambiguous (Felix would put
  // every same-named port in the set; the evaluator takes the first).
  ports: fc.uniqueArray(fc.record({ name: fc.constantFrom(...PORT_NAMES), containerPort: fc.constantFrom(...PORT_NUMBERS), protocol: fc.constantFrom<Protocol>('TCP', 'UDP') }), {
    maxLength: 2,
    selector: (p) => p.name,
  }),
});

const NODES = [
  { name: 'node1', ip: ipv4('192.168.1.101') },
  { name: 'node2', ip: ipv4('192.168.1.102') },
];

export const worldArb: fc.Arbitrary<PolicyWorld> = fc
  .record({
    nsLabels: fc.tuple(...NAMESPACES.map(() => fc.dictionary(fc.constantFrom('team'), fc.constantFrom('x', 'y'), { maxKeys: 1 }))),
    pods: fc.array(pod, { minLength: 2, maxLength: 7 }),
    policies: fc.array(policy, { maxLength: 4 }),
  })
  .map((g): PolicyWorld => {
    const pods: PolicyPod[] = g.pods.map((p, i) => ({
      namespace: p.namespace,
      name: `p${i}`,
      labels: p.labels,
      ip: ipv4(`10.244.${p.node + 1}.${i * 8 + p.offset}`),
      nodeName: NODES[p.node]?.name ?? 'node1',
      hostNetwork: false,
      containers: [{ ports: p.ports }],
    }));
    const policies = g.policies.map((p, i) => {
      const m = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: `pol${i}`, namespace: p.namespace },
        spec: { podSelector: p.podSelector, ...(p.policyTypes ? { policyTypes: p.policyTypes } : {}), ...(p.ingress ? { ingress: p.ingress } : {}), ...(p.egress ? { egress: p.egress } : {}) },
      };
      const r = networkPolicyFromManifest(JSON.parse(JSON.stringify(m)), { file: 'gen.yaml', line: 1, col: 1 });
      if (!r.ok) throw new Error(`generator made an invalid policy: ${r.error.message}`);
      return r.value;
    });
    return {
      namespaces: NAMESPACES.map((name, i) => ({ name, labels: { ...(g.nsLabels[i] ?? {}), 'kubernetes.io/metadata.name': name } })),
      pods,
      nodes: NODES,
      policies,
    };
  });

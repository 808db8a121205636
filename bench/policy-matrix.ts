/**
 * Benchmark: the pod x pod NetworkPolicy matrix of a 1,000-pod, 200-policy cluster
 * (random but seeded: the same cluster every run). Prints the time to type the policies,
 * index the world and compute the 1,000,000-cell truth table, and spot-checks cells against
 * the explaining evaluator.
 *
 *   npx tsx bench/policy-matrix.ts [pods] [policies]
 */
import { performance } from 'node:perf_hooks';
import type { Protocol } from '../src/cluster/meta.js';
import type { NetworkPolicy } from '../src/cluster/network-policy.js';
import { ipv4FromNumber } from '../src/net/ipv4.js';
import { evaluate } from '../src/policy/evaluate.js';
import { networkPolicyFromManifest } from '../src/policy/manifest.js';
import { computeMatrix, countAllowed, isAllowedCell } from '../src/policy/matrix.js';
import { indexWorld, type PolicyNamespace, type PolicyNode, type PolicyPod } from '../src/policy/model.js';

/** mulberry32: a small seeded PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const POD_COUNT = Number(process.argv[2] ?? 1000);
const POLICY_COUNT = Number(process.argv[3] ?? 200);
const rand = rng(42);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

const NS_COUNT = 20;
const APPS = Array.from({ length: 25 }, (_, i) => `app${i}`);
const TIERS = ['web', 'api', 'db', 'cache', 'batch'];
const ENVS = ['prod', 'staging', 'dev'];

const namespaces: PolicyNamespace[] = Array.from({ length: NS_COUNT }, (_, i) => ({
  name: `ns${i}`,
  labels: { 'kubernetes.io/metadata.name': `ns${i}`, team: `team${i % 5}`, env: pick(ENVS) },
}));
const nodes: PolicyNode[] = Array.from({ length: 50 }, (_, i) => ({ name: `node${i}`, ip: ipv4FromNumber(0xc0a80000 + i + 1) }));
const pods: PolicyPod[] = Array.from({ length: POD_COUNT }, (_, i) => {
  const node = i % nodes.length;
  const hostNetwork = rand() < 0.01;
  return {
    namespace: `ns${Math.floor(rand() * NS_COUNT)}`,
    name: `pod${i}`,
    labels: { app: pick(APPS), tier: pick(TIERS), ...(rand() < 0.5 ? { env: pick(ENVS) } : {}) },
    ip: hostNetwork ? (nodes[node]?.ip ?? ipv4FromNumber(1)) : ipv4FromNumber(0x0af40000 + (node << 8) + 2 + Math.floor(i / nodes.length)),
    nodeName: `node${node}`,
    hostNetwork,
    containers: [
      {
        ports: [
          { name: 'http', containerPort: pick([80, 8080]), protocol: 'TCP' as Protocol },
          { name: 'metrics', containerPort: 9090, protocol: 'TCP' as Protocol },
        ],
      },
    ],
  };
});

function selector(): object {
  const r = rand();
  if (r < 0.15) return {};
  if (r < 0.6) return { matchLabels: { app: pick(APPS) } };
  if (r < 0.8) return { matchLabels: { tier: pick(TIERS) } };
  return { matchExpressions: [{ key: 'tier', operator: pick(['In', 'NotIn']), values: [pick(TIERS), pick(TIERS)] }] };
}

function peer(): object {
  const r = rand();
  if (r < 0.35) return { podSelector: selector() };
  if (r < 0.6) return { namespaceSelector: { matchLabels: { team: `team${Math.floor(rand() * 5)}` } } };
  if (r < 0.85) return { namespaceSelector: { matchLabels: { env: pick(ENVS) } }, podSelector: selector() };
  return { ipBlock: { cidr: '10.244.0.0/16', except: [`10.244.${Math.floor(rand() * 50)}.0/24`] } };
}

function ports(): object[] {
  const r = rand();
  if (r < 0.3) return [];
  if (r < 0.6) return [{ port: pick([80, 8080, 443]) }];
  if (r < 0.8) return [{ port: pick(['http', 'metrics']) }];
  return [{ port: 8000, endPort: 9000, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }];
}

const manifests = Array.from({ length: POLICY_COUNT }, (_, i) => {
  const types = pick([['Ingress'], ['Egress'], ['Ingress', 'Egress'], undefined]);
  const rules = (key: 'from' | 'to'): object[] => Array.from({ length: 1 + Math.floor(rand() * 3) }, () => ({ [key]: Array.from({ length: 1 + Math.floor(rand() * 2) }, peer), ports: ports() }));
  return {
    metadata: { name: `pol${i}`, namespace: `ns${Math.floor(rand() * NS_COUNT)}` },
    spec: { podSelector: selector(), ...(types ? { policyTypes: types } : {}), ingress: rules('from'), ...(types?.includes('Egress') ? { egress: rules('to') } : {}) },
  };
});

const t0 = performance.now();
const policies: NetworkPolicy[] = manifests.map((m, i) => {
  const r = networkPolicyFromManifest(m, { file: 'bench', line: i + 1, col: 1 });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
});
const t1 = performance.now();
const index = indexWorld({ pods, namespaces, nodes, policies });
const t2 = performance.now();
const traffic = { kind: 'l4', protocol: 'TCP', port: 80 } as const;
const m = computeMatrix(index, traffic);
const t3 = performance.now();
const allowed = countAllowed(m);
const t4 = performance.now();

// Spot-check: the matrix agrees with the explaining evaluator on random cells.
let checked = 0;
for (let k = 0; k < 2000; k++) {
  const s = Math.floor(rand() * POD_COUNT);
  const d = Math.floor(rand() * POD_COUNT);
  const src = pods[s];
  const dst = pods[d];
  if (!src || !dst) continue;
  const v = evaluate(index, { src: { kind: 'pod', pod: src }, dst: { kind: 'pod', pod: dst }, traffic });
  if (v.allowed !== isAllowedCell(m, s, d)) throw new Error(`matrix and evaluate disagree on ${src.name} -> ${dst.name}`);
  checked++;
}
const t5 = performance.now();

const ms = (a: number, b: number): string => `${(b - a).toFixed(1)} ms`;
console.log(`policy matrix: ${POD_COUNT} pods x ${POLICY_COUNT} policies, ${NS_COUNT} namespaces, 80/TCP`);
console.log(`  type policies (manifest -> NetworkPolicy): ${ms(t0, t1)}`);
console.log(`  index world:                               ${ms(t1, t2)}`);
console.log(`  compute matrix (${POD_COUNT * POD_COUNT} cells):           ${ms(t2, t3)}`);
console.log(`  count allowed cells:                       ${ms(t3, t4)}  (${allowed} allowed, ${POD_COUNT * POD_COUNT - allowed} denied)`);
console.log(`  total (type + index + matrix):             ${ms(t0, t3)}`);
console.log(`  spot-check ${checked} cells with evaluate():       ${ms(t4, t5)} (all agree)`);

import { parseAllDocuments } from 'yaml';
import type { NetworkPolicy } from '../../src/cluster/network-policy.js';
import type { Protocol } from '../../src/cluster/meta.js';
import { ipv4, type Ipv4 } from '../../src/net/ipv4.js';
import { networkPolicyFromManifest } from '../../src/policy/manifest.js';
import type { PolicyPod, PolicyWorld, PolicyNamespace, PolicyNode } from '../../src/policy/model.js';

/** Parse NetworkPolicy manifests (multi-document YAML) into typed policies; throws on invalid input. */
export function policies(yamlText: string, file = 'test.yaml'): NetworkPolicy[] {
  const out: NetworkPolicy[] = [];
  for (const doc of parseAllDocuments(yamlText)) {
    const obj: unknown = doc.toJSON();
    if (obj === null) continue;
    const r = networkPolicyFromManifest(obj, { file, line: 1, col: 1 });
    if (!r.ok) throw new Error(`${r.error.file}:${r.error.line ?? 0}: ${r.error.message}`);
    out.push(r.value);
  }
  return out;
}

/** The upstream e2e model: namespaces x, y, z (labelled ns=<name>), pods a, b, c (labelled pod=<name>). */
export const E2E_NAMESPACES = ['x', 'y', 'z'] as const;
export const E2E_PODS = ['a', 'b', 'c'] as const;
const PROTOS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

export function e2eIp(ns: string, pod: string): Ipv4 {
  const n = E2E_NAMESPACES.indexOf(ns as (typeof E2E_NAMESPACES)[number]);
  const p = E2E_PODS.indexOf(pod as (typeof E2E_PODS)[number]);
  return ipv4(`10.244.${p % 2 === 0 ? 1 : 2}.${10 + n * 3 + p}`);
}

export function e2eWorld(pols: readonly NetworkPolicy[]): PolicyWorld {
  const namespaces: PolicyNamespace[] = E2E_NAMESPACES.map((name) => ({ name, labels: { ns: name, 'kubernetes.io/metadata.name': name } }));
  const nodes: PolicyNode[] = [
    { name: 'node1', ip: ipv4('192.168.1.101') },
    { name: 'node2', ip: ipv4('192.168.1.102') },
  ];
  const pods: PolicyPod[] = E2E_NAMESPACES.flatMap((ns) =>
    E2E_PODS.map((name, i) => ({
      namespace: ns,
      name,
      labels: { pod: name },
      ip: e2eIp(ns, name),
      nodeName: i % 2 === 0 ? 'node1' : 'node2',
      hostNetwork: false,
      containers: [80, 81].flatMap((port) =>
        PROTOS.map((protocol) => ({ ports: [{ name: `serve-${port}-${protocol.toLowerCase()}`, containerPort: port, protocol }] })),
      ),
    })),
  );
  return { pods, namespaces, nodes, policies: pols };
}

export const ALL_E2E_PODS: readonly string[] = E2E_NAMESPACES.flatMap((ns) => E2E_PODS.map((p) => `${ns}/${p}`));

/** The upstream `Reachability` truth table builder (test/e2e/network/netpol/reachability.go). */
export class Reachability {
  readonly expected = new Map<string, boolean>();
  constructor(
    readonly pods: readonly string[],
    dflt: boolean,
  ) {
    for (const f of pods) for (const t of pods) this.expected.set(`${f}>${t}`, dflt);
  }
  expect(from: string, to: string, v: boolean): this {
    this.expected.set(`${from}>${to}`, v);
    return this;
  }
  expectAllIngress(to: string, v: boolean): this {
    for (const f of this.pods) this.expect(f, to, v);
    return this;
  }
  expectAllEgress(from: string, v: boolean): this {
    for (const t of this.pods) this.expect(from, t, v);
    return this;
  }
  /** Peer matching as upstream: an empty namespace or pod matches anything. */
  expectPeer(from: { ns?: string; pod?: string }, to: { ns?: string; pod?: string }, v: boolean): this {
    const m = (peer: { ns?: string; pod?: string }, s: string): boolean => {
      const [ns, pod] = s.split('/');
      return (peer.ns === undefined || peer.ns === ns) && (peer.pod === undefined || peer.pod === pod);
    };
    for (const f of this.pods) if (m(from, f)) for (const t of this.pods) if (m(to, t)) this.expect(f, t, v);
    return this;
  }
}

/** Print a truth table like upstream's PrettyPrint: rows from, columns to, '.' allowed, 'X' denied. */
export function prettyTable(pods: readonly string[], get: (from: string, to: string) => boolean): string {
  const lines = [`-\t${pods.join('\t')}`];
  for (const f of pods) lines.push(`${f}\t${pods.map((t) => (get(f, t) ? '.' : 'X')).join('\t')}`);
  return lines.join('\n');
}

import type { Cluster } from '../cluster/cluster.js';
import type { SourcePos } from '../cluster/meta.js';
import type { NetworkPolicy } from '../cluster/network-policy.js';
import type { InputError } from '../lib/input-error.js';
import { err, ok, type Result } from '../lib/result.js';
import { networkPolicyFromManifest, type ManifestPath } from './manifest.js';
import type { PolicyWorld } from './model.js';

/**
 * The evaluator's view of a loaded Cluster. Cluster's Pod, Namespace and Node satisfy the
 * evaluator's input interfaces as they are; NetworkPolicies are typed here when the loader
 * still hands them over as parsed manifests (`{namespace, name, manifest, source}`).
 */

interface RawPolicy {
  readonly namespace: string;
  readonly manifest: unknown;
  readonly source: SourcePos;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function isTyped(v: unknown): v is NetworkPolicy {
  return isRecord(v) && Array.isArray(v['policyTypes']) && isRecord(v['podSelector']) && Array.isArray(v['ingress']) && Array.isArray(v['egress']);
}

function isRaw(v: unknown): v is RawPolicy {
  return isRecord(v) && 'manifest' in v && isRecord(v['source']) && typeof v['namespace'] === 'string';
}

/** Field positions of a manifest that starts at `source` (see manifest-positions.ts); null when unknown. */
export type PositionsFor = (source: SourcePos) => ((path: ManifestPath) => SourcePos | null) | null;

/** Type one entry of `Cluster.networkPolicies`, whichever shape the loader produced. */
export function toNetworkPolicy(entry: unknown, positionsFor: PositionsFor = () => null): Result<NetworkPolicy, InputError> {
  if (isTyped(entry)) return ok(entry);
  if (isRaw(entry)) {
    const positionOf = positionsFor(entry.source);
    return networkPolicyFromManifest(entry.manifest, entry.source, { namespace: entry.namespace, ...(positionOf ? { positionOf } : {}) });
  }
  return err({ file: '<cluster>', message: 'internal: a NetworkPolicy entry of unknown shape' });
}

export function policyWorldFromCluster(cluster: Cluster, positionsFor: PositionsFor = () => null): Result<PolicyWorld, InputError> {
  const policies: NetworkPolicy[] = [];
  for (const entry of cluster.networkPolicies as readonly unknown[]) {
    const p = toNetworkPolicy(entry, positionsFor);
    if (!p.ok) return p;
    policies.push(p.value);
  }
  return ok({ pods: cluster.pods, namespaces: cluster.namespaces, nodes: cluster.nodes, policies });
}

import type { Cluster } from '../cluster/cluster.js';
import type { PolicyWorld } from './model.js';

/**
 * The evaluator's view of a loaded Cluster. Cluster's Pod, Namespace and Node satisfy the
 * evaluator's input interfaces as they are, and the loader types every NetworkPolicy (with
 * file:line:col errors) before a Cluster exists.
 */
export function policyWorldFromCluster(cluster: Cluster): PolicyWorld {
  return { pods: cluster.pods, namespaces: cluster.namespaces, nodes: cluster.nodes, policies: cluster.networkPolicies };
}

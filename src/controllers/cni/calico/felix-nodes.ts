import type { Cluster } from '../../../cluster/cluster.js';
import type { CalicoConfig } from '../../../cluster/header.js';
import type { PolicyWorld } from '../../../policy/model.js';
import { nodeNetns } from '../../names.js';
import type { FelixNodeInput } from './felix/input.js';
import { calicoVethName } from './names.js';

/**
 * What Felix on each node learns from the datastore: its workload endpoints (with the cali
 * interface names the CNI plugin created), every host IP, the pool and its settings, and the
 * cluster's policies (selectors are evaluated cluster-wide).
 */
export function felixNodeInputs(c: Cluster, cni: CalicoConfig, policy: PolicyWorld): FelixNodeInput[] {
  return c.nodes.map((n) => ({
    node: n.name,
    netns: nodeNetns(n.name),
    nodeIp: n.ip,
    workloads: c.pods
      .filter((p) => !p.hostNetwork && p.nodeName === n.name)
      // Pods without spec.serviceAccountName run as the namespace's `default` service account.
      .map((p) => ({ namespace: p.namespace, name: p.name, ip: p.ip, iface: calicoVethName(p.namespace, p.name), serviceAccount: 'default' })),
    allHostIps: c.nodes.map((x) => x.ip),
    pools: [c.header.podCIDR],
    natOutgoing: cni.natOutgoing,
    mode: cni.mode,
    crossSubnet: cni.crossSubnet,
    policy,
  }));
}

import { parseTopology } from '../../../../src/topology/load.js';
import { buildSystem } from '../../../../src/topology/build.js';
import type { System } from '../../../../src/topology/system.js';
import type { Cluster } from '../../../../src/cluster/cluster.js';

/**
 * Three Calico nodes as cni.md and kernel-facts.md describe them: node1 and node2 on
 * 192.168.1.0/24, node3 behind the router on 192.168.2.0/24 (set `oneSubnet` to put node3 on
 * 192.168.1.0/24 too). pod-a and pod-e on node1, pod-b on node2, pod-c on node3.
 */
export function calicoTopology(calico: string, opts: { oneSubnet?: boolean; extra?: string } = {}): string {
  const node3 = opts.oneSubnet ? '{name: node3, ip: 192.168.1.103/24, gateway: 192.168.1.1}' : '{name: node3, ip: 192.168.2.103/24, gateway: 192.168.2.1}';
  const pod = (name: string, node: string, app: string) => `---
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default, labels: {app: ${app}}}
spec:
  nodeName: ${node}
  containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 80}]}]
`;
  return `apiVersion: podnet.dev/v1alpha1
kind: Topology
metadata: {name: calico-test}
spec:
  cni: calico
  calico: ${calico}
  podCIDR: 10.244.0.0/16
  nodes:
    - {name: node1, ip: 192.168.1.101/24, gateway: 192.168.1.1}
    - {name: node2, ip: 192.168.1.102/24, gateway: 192.168.1.1}
    - ${node3}
${pod('pod-a', 'node1', 'client')}${pod('pod-b', 'node2', 'web')}${pod('pod-c', 'node3', 'web')}${pod('pod-e', 'node1', 'client')}${opts.extra ?? ''}`;
}

export function calicoCluster(calico: string, opts: { oneSubnet?: boolean; extra?: string } = {}): Cluster {
  const c = parseTopology(calicoTopology(calico, opts), 'calico-test.yaml');
  if (!c.ok) throw new Error(c.error.message);
  return c.value;
}

export function calicoSystem(calico: string, opts: { oneSubnet?: boolean; extra?: string } = {}): System {
  const s = buildSystem(calicoCluster(calico, opts));
  if (!s.ok) throw new Error(s.error);
  return s.value;
}

import { ipv4 } from '../../../../../src/net/ipv4.js';
import type { PolicyPod, PolicyWorld } from '../../../../../src/policy/model.js';
import { policiesFromYaml } from './helpers.js';

/** cni.md §4.4: allow-web selects pod-b (node2) and admits app=client on 80/TCP. */
export const ALLOW_WEB_YAML = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-web, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
    ports: [{protocol: TCP, port: 80}]
`;

function pod(namespace: string, name: string, labels: Record<string, string>, ip: string, nodeName: string, ports: PolicyPod['containers'][number]['ports'] = []): PolicyPod {
  return { namespace, name, labels, ip: ipv4(ip), nodeName, hostNetwork: false, containers: [{ ports }] };
}

export const NODES = [
  { name: 'node1', ip: ipv4('192.168.1.101') },
  { name: 'node2', ip: ipv4('192.168.1.102') },
];

export function exampleWorld(yaml = ALLOW_WEB_YAML): PolicyWorld {
  return {
    nodes: NODES,
    namespaces: [
      { name: 'default', labels: { 'kubernetes.io/metadata.name': 'default' } },
      { name: 'other', labels: { 'kubernetes.io/metadata.name': 'other', team: 'blue' } },
    ],
    pods: [
      pod('default', 'pod-a', { app: 'client' }, '10.244.219.65', 'node1'),
      pod('default', 'pod-b', { app: 'web' }, '10.244.104.1', 'node2', [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]),
      pod('default', 'pod-c', { app: 'web' }, '10.244.104.2', 'node2', [{ name: 'http', containerPort: 9090, protocol: 'TCP' }]),
      pod('other', 'pod-d', { app: 'client' }, '10.244.219.66', 'node1'),
    ],
    policies: policiesFromYaml(yaml),
  };
}

/** Every rendering path at once: blocks for ports and excepts, named ports, groups, egress, SCTP/UDP, endPort. */
export const RICH_YAML = `
${ALLOW_WEB_YAML}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: default}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-mixed, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - ipBlock: {cidr: 10.244.0.0/16, except: [10.244.219.64/26, 10.244.1.0/24]}
    - namespaceSelector: {matchLabels: {team: blue}}
      podSelector: {matchExpressions: [{key: app, operator: In, values: [client, web]}]}
    ports: [{port: http}, {port: 443}, {port: 8000, endPort: 8100}, {protocol: UDP, port: 53}, {protocol: SCTP}]
  egress:
  - to: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: http}]
  - to: [{ipBlock: {cidr: 192.168.1.0/24}}]
  - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.244.0.0/16]}}]
    ports: [{protocol: UDP, port: 53}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-more, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - ports: [{port: 1}, {port: 3}, {port: 5}, {port: 7}, {port: 9}, {port: 11}, {port: 13}, {port: 15}, {port: 17}, {port: 19}, {port: 21}, {port: 23}, {port: 25}, {port: 27}, {port: 29}, {port: 31}]
`;

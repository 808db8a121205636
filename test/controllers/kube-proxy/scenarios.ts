import { cidr } from '../../../src/net/cidr.js';
import type { KpServicePort } from '../../../src/controllers/kube-proxy/config.js';
import { ep, ips, svcPort } from './fake-proxier.js';

/**
 * The services and endpoints of kube-proxy's packet-flow unit tests that have no literal dump
 * (reference/kubeproxy.md §3.2). podnet's own generator turns them into rules.
 */

/** TestNoEndpointsReject. */
export const S_NE: KpServicePort[] = [svcPort('ns1', 'svc1', '172.30.0.41', { nodePort: 3001, externalIPs: ips('192.168.99.11'), loadBalancerIPs: ips('1.2.3.4') })];

/** TestClusterIPGeneral: one named port on svc1, five ports (three protocols) on svc2. */
export const S_CG: KpServicePort[] = (() => {
  const two = (port: number) => [ep('10.180.0.1', 'loc', 'ready', port), ep('10.180.2.1', 'rem', 'ready', port)];
  const svc2 = (portName: string, protocol: 'TCP' | 'UDP' | 'SCTP', port: number, target: number) =>
    svcPort('ns2', 'svc2', '172.30.0.42', { portName, protocol, port, endpoints: two(target) });
  return [
    svcPort('ns1', 'svc1', '172.30.0.41', { portName: 'http', endpoints: [ep('10.180.0.1', 'loc')] }),
    svc2('http', 'TCP', 80, 80),
    svc2('https', 'TCP', 443, 8443),
    svc2('dns-udp', 'UDP', 53, 53),
    svc2('dns-tcp', 'TCP', 53, 5353),
    svc2('dns-sctp', 'SCTP', 53, 53),
  ];
})();

/** TestLoadBalancer: two LB IPs, sourceRanges that include the node's own subnet. */
export const S_LB: KpServicePort[] = [
  svcPort('ns1', 'svc1', '172.30.0.41', {
    nodePort: 3001,
    loadBalancerIPs: ips('1.2.3.4', '5.6.7.8'),
    loadBalancerSourceRanges: [cidr('192.168.0.0/24'), cidr('203.0.113.0/25')],
    endpoints: [ep('10.180.0.1')],
  }),
];

/** TestNodePorts ("ipv4, localhost-nodeports enabled"). */
export const S_NP: KpServicePort[] = [svcPort('ns1', 'svc1', '172.30.0.41', { nodePort: 3001, endpoints: [ep('10.180.0.1'), ep('10.180.2.1', 'loc')] })];

/** TestHealthCheckNodePort (run with --nodeport-addresses 127.0.0.0/8). */
export const S_HC: KpServicePort[] = [svcPort('ns1', 'svc1', '172.30.0.42', { nodePort: 3001, externalTrafficPolicy: 'Local', healthCheckNodePort: 30000, loadBalancerIPs: [] })];

/** TestExternalTrafficPolicyLocal / Cluster: the externalIP 192.168.99.11 is one of the node's addresses. */
export const sEtp = (policy: 'Local' | 'Cluster'): KpServicePort[] => [
  svcPort('ns1', 'svc1', '172.30.0.41', {
    nodePort: 3001,
    externalTrafficPolicy: policy,
    healthCheckNodePort: policy === 'Local' ? 30000 : null,
    externalIPs: ips('192.168.99.11'),
    loadBalancerIPs: ips('1.2.3.4'),
    endpoints: [ep('10.180.0.1'), ep('10.180.2.1', 'loc')],
  }),
];

/** TestInternalTrafficPolicy, cases 1-4 (unnamed port). */
export const sItp = (n: 1 | 2 | 3 | 4): KpServicePort[] => {
  const eps = {
    1: [ep('10.0.1.1', 'loc'), ep('10.0.1.2'), ep('10.0.1.3')],
    2: [ep('10.0.1.1', 'loc'), ep('10.0.1.2'), ep('10.0.1.3')],
    3: [ep('10.0.1.1', 'loc'), ep('10.0.1.2', 'loc'), ep('10.0.1.3')],
    4: [ep('10.0.1.1'), ep('10.0.1.2'), ep('10.0.1.3')],
  }[n];
  return [svcPort('ns1', 'svc1', '172.30.1.1', { portName: null, internalTrafficPolicy: n === 1 ? 'Cluster' : 'Local', endpoints: eps })];
};

/** TestInternalExternalMasquerade: eTP Cluster, eTP Local and iTP Local LoadBalancers. */
export const S_IEM: KpServicePort[] = [
  svcPort('ns1', 'svc1', '172.30.0.41', { nodePort: 3001, healthCheckNodePort: 30001, loadBalancerIPs: ips('1.2.3.4'), endpoints: [ep('10.180.0.1', 'loc'), ep('10.180.1.1')] }),
  svcPort('ns2', 'svc2', '172.30.0.42', {
    nodePort: 3002,
    healthCheckNodePort: 30002,
    externalTrafficPolicy: 'Local',
    loadBalancerIPs: ips('5.6.7.8'),
    endpoints: [ep('10.180.0.2', 'loc'), ep('10.180.1.2')],
  }),
  svcPort('ns3', 'svc3', '172.30.0.43', {
    nodePort: 3003,
    healthCheckNodePort: 30003,
    internalTrafficPolicy: 'Local',
    loadBalancerIPs: ips('9.10.11.12'),
    endpoints: [ep('10.180.0.3', 'loc'), ep('10.180.1.3')],
  }),
];

/** Endpoint sets of TestTerminatingEndpointsTrafficPolicyLocal (Dumps D-D4). */
export const TERMINATING_LOCAL = {
  a: [ep('10.0.1.1', 'loc'), ep('10.0.1.2', 'loc'), ep('10.0.1.3', 'loc', 'serving-terminating'), ep('10.0.1.4', 'loc', 'not-serving'), ep('10.0.1.5')],
  b: [ep('10.0.1.2', 'loc', 'serving-terminating'), ep('10.0.1.3', 'loc', 'serving-terminating'), ep('10.0.1.4', 'loc', 'not-serving'), ep('10.0.1.5')],
  c: [ep('10.0.1.5', 'rem', 'serving-terminating')],
  d: [ep('10.0.1.1', 'loc', 'not-serving'), ep('10.0.1.2', 'rem', 'not-serving')],
} as const;

/** Endpoint sets of TestTerminatingEndpointsTrafficPolicyCluster. */
export const TERMINATING_CLUSTER = {
  a: [ep('10.0.1.1', 'loc'), ep('10.0.1.2', 'loc'), ep('10.0.1.3', 'rem', 'serving-terminating'), ep('10.0.1.4', 'rem', 'not-serving'), ep('10.0.1.5')],
  b: [ep('10.0.1.2', 'loc', 'serving-terminating'), ep('10.0.1.3', 'loc', 'serving-terminating'), ep('10.0.1.4', 'rem', 'not-serving'), ep('10.0.1.5', 'rem', 'serving-terminating')],
  c: [ep('10.0.1.5', 'rem', 'serving-terminating')],
  d: [ep('10.0.1.1', 'loc', 'not-serving'), ep('10.0.1.2', 'rem', 'not-serving')],
} as const;

/** The LoadBalancer of both terminating-endpoint tests (unnamed port, LB 1.2.3.4, hc 30000). */
export const sTerminating = (policy: 'Local' | 'Cluster', endpoints: KpServicePort['endpoints']): KpServicePort[] => [
  svcPort('ns1', 'svc1', '172.30.1.1', {
    portName: null,
    externalTrafficPolicy: policy,
    loadBalancerIPs: ips('1.2.3.4'),
    healthCheckNodePort: policy === 'Local' ? 30000 : null,
    endpoints,
  }),
];

import { describe, expect, it } from 'vitest';
import { cidr } from '../../../src/net/cidr.js';
import type { KubeProxyConfig } from '../../../src/controllers/kube-proxy/config.js';
import type { Ruleset } from '../../../src/kernel/netfilter/ruleset.js';
import { fixtureRuleset, syncedRuleset } from './fake-proxier.js';
import { row, traceFlow, type FlowCase } from './packet-flow.js';
import { S_CG, S_HC, S_IEM, S_LB, S_NE, S_NP, sEtp, sItp, sTerminating, TERMINATING_CLUSTER, TERMINATING_LOCAL } from './scenarios.js';

/**
 * The acceptance corpus of issue #3: every packet-flow case of kube-proxy's iptables unit tests
 * (reference/kubeproxy.md §3.3), traced by podnet's real netfilter model (`traceOnHost`, the
 * function behind `podnet iptables trace`) instead of kube-proxy's simplified test tracer: the
 * packet takes its real path (PREROUTING or OUTPUT, INPUT or FORWARD, POSTROUTING), conntrack
 * runs, `-m statistic` branches are all followed. The endpoint set and the masquerade decision
 * must be what kube-proxy's tests expect; masq is checked twice: the 0x4000 mark kube-proxy's
 * tracer looks for, and the MASQUERADE that the mark really causes in POSTROUTING.
 */

interface Group {
  readonly title: string;
  readonly rules: () => Ruleset;
  readonly cases: readonly FlowCase[];
}

// Cases 1-7: TestTracePacket on Dump A (its comments quoted; see dumps.test.ts for the original).
const TRACE_PACKET: FlowCase[] = [
  row('#1 no match', '10.0.0.2', '10.0.0.3:80', '', 'no'),
  row('#2 single endpoint', '10.0.0.2', '172.30.0.41:80', '10.180.0.1:80', 'no'),
  row('#3 multiple endpoints', '10.0.0.2', '172.30.0.44:80', '10.180.0.4:80, 10.180.0.5:80', 'no'),
  row('#4 LOCAL, KUBE-MARK-MASQ', '192.168.0.2', '192.168.99.22:80', '10.180.0.2:80', 'yes'),
  row('#5 DROP', '203.0.113.2', '192.168.99.22:80', 'DROP', 'no'),
  row('#6 ACCEPT (NodePortHealthCheck)', '192.168.0.2', '192.168.0.2:30000', 'ACCEPT', 'no'),
  row('#7 REJECT', '10.0.0.2', '172.30.0.46:80', 'REJECT', 'no'),
];

const GROUPS: Group[] = [
  { title: 'TestTracePacket on Dump A', rules: () => fixtureRuleset('dump-a-quoted.txt', false), cases: TRACE_PACKET },
  // Dump B is the generated twin of Dump A (same services): the same flows hold once kube-proxy's jumps are in.
  { title: 'TestTracePacket flows on Dump B (+ built-in jumps)', rules: () => fixtureRuleset('dump-b-overall.txt', true), cases: TRACE_PACKET },
  {
    title: 'TestNoEndpointsReject',
    rules: () => syncedRuleset(S_NE),
    cases: [
      row('#8 pod to cluster IP with no endpoints', '10.0.0.2', '172.30.0.41:80', 'REJECT', 'no'),
      row('#9 external to external IP with no endpoints', '203.0.113.2', '192.168.99.11:80', 'REJECT', 'no'),
      row('#10 pod to NodePort with no endpoints', '10.0.0.2', '192.168.0.2:3001', 'REJECT', 'no'),
      row('#11 external to NodePort with no endpoints', '203.0.113.2', '192.168.0.2:3001', 'REJECT', 'no'),
      row('#12 pod to LoadBalancer IP with no endpoints', '10.0.0.2', '1.2.3.4:80', 'REJECT', 'no'),
      row('#13 external to LoadBalancer IP with no endpoints', '203.0.113.2', '1.2.3.4:80', 'REJECT', 'no'),
    ],
  },
  {
    title: 'TestClusterIPGeneral',
    rules: () => syncedRuleset(S_CG),
    cases: [
      row('#14 simple clusterIP', '10.180.0.2', '172.30.0.41:80', '10.180.0.1:80', 'no'),
      row('#15 hairpin to cluster IP', '10.180.0.1', '172.30.0.41:80', '10.180.0.1:80', 'yes'),
      row('#16 clusterIP with multiple endpoints', '10.180.0.2', '172.30.0.42:80', '10.180.0.1:80, 10.180.2.1:80', 'no'),
      row('#17 clusterIP with TargetPort', '10.180.0.2', '172.30.0.42:443', '10.180.0.1:8443, 10.180.2.1:8443', 'no'),
      row('#18 TCP, UDP, SCTP on same port (TCP)', '10.180.0.2', '172.30.0.42:53', '10.180.0.1:5353, 10.180.2.1:5353', 'no'),
      row('#19 TCP, UDP, SCTP on same port (UDP)', '10.180.0.2', '172.30.0.42:53', '10.180.0.1:53, 10.180.2.1:53', 'no', 'udp'),
      row('#20 TCP, UDP, SCTP on same port (SCTP)', '10.180.0.2', '172.30.0.42:53', '10.180.0.1:53, 10.180.2.1:53', 'no', 'sctp'),
      row('#21 TCP-only port does not match UDP traffic', '10.180.0.2', '172.30.0.42:80', '', 'no', 'udp'),
      row("#22 svc1 does not accept svc2's ports", '10.180.0.2', '172.30.0.41:443', '', 'no'),
    ],
  },
  {
    title: 'TestLoadBalancer',
    rules: () => syncedRuleset(S_LB),
    cases: [
      row('#23 pod to cluster IP', '10.0.0.2', '172.30.0.41:80', '10.180.0.1:80', 'no'),
      row('#24 external to nodePort', '203.0.113.2', '192.168.0.2:3001', '10.180.0.1:80', 'yes'),
      row('#25 nodePort bypasses LoadBalancerSourceRanges', '203.0.113.130', '192.168.0.2:3001', '10.180.0.1:80', 'yes'),
      row('#26 accepted external to LB1', '203.0.113.2', '1.2.3.4:80', '10.180.0.1:80', 'yes'),
      row('#27 accepted external to LB2', '203.0.113.2', '5.6.7.8:80', '10.180.0.1:80', 'yes'),
      row('#28 blocked external to LB1', '203.0.113.130', '1.2.3.4:80', 'DROP', 'no'),
      row('#29 blocked external to LB2', '203.0.113.130', '5.6.7.8:80', 'DROP', 'no'),
      row('#30 pod to LB1 (blocked by LoadBalancerSourceRanges)', '10.0.0.2', '1.2.3.4:80', 'DROP', 'no'),
      row('#31 pod to LB2 (blocked by LoadBalancerSourceRanges)', '10.0.0.2', '5.6.7.8:80', 'DROP', 'no'),
      row('#32 node to LB1 (allowed by LoadBalancerSourceRanges)', '192.168.0.2', '1.2.3.4:80', '10.180.0.1:80', 'yes'),
      row('#33 node to LB2 (allowed by LoadBalancerSourceRanges)', '192.168.0.2', '5.6.7.8:80', '10.180.0.1:80', 'yes'),
      row('#34 same node to LB1, SNATted to LB1 (implicitly allowed)', '1.2.3.4', '1.2.3.4:80', '10.180.0.1:80', 'yes'),
      row('#35 same node to LB2, SNATted to LB2 (implicitly allowed)', '5.6.7.8', '5.6.7.8:80', '10.180.0.1:80', 'yes'),
    ],
  },
  {
    title: 'TestNodePorts (ipv4, localhost-nodeports enabled)',
    rules: () => syncedRuleset(S_NP),
    cases: [
      row('#36 pod to cluster IP', '10.0.0.2', '172.30.0.41:80', '10.180.0.1:80, 10.180.2.1:80', 'no'),
      row('#37 external to nodePort', '203.0.113.2', '192.168.0.2:3001', '10.180.0.1:80, 10.180.2.1:80', 'yes'),
      row('#38 node to nodePort', '192.168.0.2', '192.168.0.2:3001', '10.180.0.1:80, 10.180.2.1:80', 'yes'),
      row('#39 localhost to nodePort gets masqueraded', '127.0.0.1', '127.0.0.1:3001', '10.180.0.1:80, 10.180.2.1:80', 'yes'),
      row('#41 external to nodePort on secondary IP', '203.0.113.2', '192.168.1.2:3001', '10.180.0.1:80, 10.180.2.1:80', 'yes'),
    ],
  },
  {
    title: 'TestNodePorts (localhost-nodeports disabled)',
    rules: () => syncedRuleset(S_NP, { localhostNodePorts: false }),
    cases: [row('#40 localhost to nodePort is ignored', '127.0.0.1', '127.0.0.1:3001', '', 'no')],
  },
  {
    title: 'TestNodePorts (--nodeport-addresses 192.168.0.0/24,127.0.0.1/32, localhost-nodeports disabled)',
    rules: () => syncedRuleset(S_NP, { localhostNodePorts: false, nodePortAddresses: [cidr('192.168.0.0/24'), cidr('127.0.0.1/32')] }),
    cases: [row('#42 secondary nodeIP ignores NodePorts', '203.0.113.2', '192.168.1.2:3001', '', 'no')],
  },
  {
    title: 'TestHealthCheckNodePort (--nodeport-addresses 127.0.0.0/8)',
    rules: () => syncedRuleset(S_HC, { nodePortAddresses: [cidr('127.0.0.0/8')] }),
    cases: [row('#43 firewall accepts HealthCheckNodePort', '1.2.3.4', '192.168.0.2:30000', 'ACCEPT', 'no')],
  },
  {
    title: 'TestHealthCheckNodePort after the service is deleted',
    rules: () => syncedRuleset([], { nodePortAddresses: [cidr('127.0.0.0/8')] }),
    cases: [row('#44 HealthCheckNodePort no longer has any rule', '1.2.3.4', '192.168.0.2:30000', '', 'no')],
  },
  {
    title: 'TestExternalTrafficPolicyLocal',
    rules: () => syncedRuleset(sEtp('Local')),
    cases: [
      row('#45 pod to cluster IP hits both endpoints, unmasqueraded', '10.0.0.2', '172.30.0.41:80', '10.180.0.1:80, 10.180.2.1:80', 'no'),
      row('#46 pod to external IP hits both endpoints, unmasqueraded', '10.0.0.2', '192.168.99.11:80', '10.180.0.1:80, 10.180.2.1:80', 'no'),
      row('#47 external to external IP hits only local endpoint, unmasqueraded', '203.0.113.2', '192.168.99.11:80', '10.180.2.1:80', 'no'),
      row('#48 pod to LB IP hits both endpoints, unmasqueraded', '10.0.0.2', '1.2.3.4:80', '10.180.0.1:80, 10.180.2.1:80', 'no'),
      row('#49 external to LB IP hits only local endpoint, unmasqueraded', '203.0.113.2', '1.2.3.4:80', '10.180.2.1:80', 'no'),
      row('#50 pod to NodePort hits both endpoints, unmasqueraded', '10.0.0.2', '192.168.0.2:3001', '10.180.0.1:80, 10.180.2.1:80', 'no'),
      row('#51 external to NodePort hits only local endpoint, unmasqueraded', '203.0.113.2', '192.168.0.2:3001', '10.180.2.1:80', 'no'),
    ],
  },
  {
    title: 'TestExternalTrafficPolicyCluster',
    rules: () => syncedRuleset(sEtp('Cluster')),
    cases: [
      row('#52 pod to cluster IP hits both endpoints, unmasqueraded', '10.0.0.2', '172.30.0.41:80', '10.180.0.1:80, 10.180.2.1:80', 'no'),
      row('#53 pod to external IP hits both endpoints, masqueraded', '10.0.0.2', '192.168.99.11:80', '10.180.0.1:80, 10.180.2.1:80', 'yes'),
      row('#54 external to external IP hits both endpoints, masqueraded', '203.0.113.2', '192.168.99.11:80', '10.180.0.1:80, 10.180.2.1:80', 'yes'),
      row('#55 pod to LB IP hits both endpoints, masqueraded', '10.0.0.2', '1.2.3.4:80', '10.180.0.1:80, 10.180.2.1:80', 'yes'),
      row('#56 external to LB IP hits both endpoints, masqueraded', '203.0.113.2', '1.2.3.4:80', '10.180.0.1:80, 10.180.2.1:80', 'yes'),
      row('#57 pod to NodePort hits both endpoints, masqueraded', '10.0.0.2', '192.168.0.2:3001', '10.180.0.1:80, 10.180.2.1:80', 'yes'),
      row('#58 external to NodePort hits both endpoints, masqueraded', '203.0.113.2', '192.168.0.2:3001', '10.180.0.1:80, 10.180.2.1:80', 'yes'),
    ],
  },
  { title: 'TestInternalTrafficPolicy 1 (Cluster)', rules: () => syncedRuleset(sItp(1)), cases: [row('#59 pod to ClusterIP hits all endpoints', '10.0.0.2', '172.30.1.1:80', '10.0.1.1:80, 10.0.1.2:80, 10.0.1.3:80', 'no')] },
  { title: 'TestInternalTrafficPolicy 2 (Local)', rules: () => syncedRuleset(sItp(2)), cases: [row('#60 pod to ClusterIP hits only local endpoint', '10.0.0.2', '172.30.1.1:80', '10.0.1.1:80', 'no')] },
  { title: 'TestInternalTrafficPolicy 3 (Local, two local)', rules: () => syncedRuleset(sItp(3)), cases: [row('#61 pod to ClusterIP hits all local endpoints', '10.0.0.2', '172.30.1.1:80', '10.0.1.1:80, 10.0.1.2:80', 'no')] },
  { title: 'TestInternalTrafficPolicy 4 (Local, none local)', rules: () => syncedRuleset(sItp(4)), cases: [row('#62 no endpoints', '10.0.0.2', '172.30.1.1:80', 'DROP', 'no')] },
  {
    title: 'TestInternalTrafficPolicy after the EndpointSlice is deleted',
    rules: () => syncedRuleset(sItp(2).map((p) => ({ ...p, endpoints: [] }))),
    cases: [row('#63 endpoints deleted', '10.0.0.2', '172.30.1.1:80', 'REJECT', 'no')],
  },
  ...(['a', 'b', 'c', 'd'] as const).map((set): Group => {
    const expect = {
      a: ['#64', '10.0.1.1:80, 10.0.1.2:80, 10.0.1.5:80', '#65', '10.0.1.1:80, 10.0.1.2:80'],
      b: ['#66', '10.0.1.5:80', '#67', '10.0.1.2:80, 10.0.1.3:80'],
      c: ['#68', '10.0.1.5:80', '#69', 'DROP'],
      d: ['#70', 'REJECT', '#70', 'REJECT'],
    }[set];
    return {
      title: `TestTerminatingEndpointsTrafficPolicyLocal (${set})`,
      rules: () => syncedRuleset(sTerminating('Local', TERMINATING_LOCAL[set])),
      cases: [
        row(`${expect[0]} pod to clusterIP`, '10.0.0.2', '172.30.1.1:80', expect[1] ?? '', 'no'),
        row(`${expect[2]} external to LB`, '203.0.113.2', '1.2.3.4:80', expect[3] ?? '', 'no'),
      ],
    };
  }),
  ...(['a', 'b', 'c', 'd'] as const).map((set): Group => {
    const [n, output] = { a: ['#71', '10.0.1.1:80, 10.0.1.2:80, 10.0.1.5:80'], b: ['#72', '10.0.1.2:80, 10.0.1.3:80, 10.0.1.5:80'], c: ['#73', '10.0.1.5:80'], d: ['#74', 'REJECT'] }[set];
    return {
      title: `TestTerminatingEndpointsTrafficPolicyCluster (${set})`,
      rules: () => syncedRuleset(sTerminating('Cluster', TERMINATING_CLUSTER[set])),
      cases: [row(`${n} pod to clusterIP`, '10.0.0.2', '172.30.1.1:80', output ?? '', 'no'), row(`${n} external to LB`, '203.0.113.2', '1.2.3.4:80', output ?? '', set === 'd' ? 'no' : 'yes')],
    };
  }),
  ...(['Local', 'Cluster'] as const).map(
    (policy): Group => ({
      title: `TestTerminatingEndpointsTrafficPolicy${policy} after the EndpointSlice is deleted`,
      rules: () => syncedRuleset(sTerminating(policy, [])),
      cases: [row('pod to clusterIP after endpoints deleted', '10.0.0.2', '172.30.1.1:80', 'REJECT', 'no'), row('external to LB after endpoints deleted', '203.0.113.2', '1.2.3.4:80', 'REJECT', 'no')],
    }),
  ),
  {
    // The older revision of the same test, with ClientIP affinity: the literal dump. `-m recent
    // --rcheck` finds no entry for a first packet, so the statistic rules decide.
    title: 'Dump D (eTP Local, ClientIP affinity, literal) + built-in jumps',
    rules: () => fixtureRuleset('dump-d-etp-local-affinity.txt', true),
    cases: [row('pod to ClusterIP', '10.0.0.2', '172.30.1.1:80', '10.0.1.1:80, 10.0.1.2:80, 10.0.1.5:80', 'no'), row('external to LB', '203.0.113.2', '1.2.3.4:80', '10.0.1.1:80, 10.0.1.2:80', 'no')],
  },
];

// TestInternalExternalMasquerade, base variant (working local detector, no masqueradeAll).
const IEM_BASE: FlowCase[] = [
  row('pod to ClusterIP', '10.0.0.2', '172.30.0.41:80', '10.180.0.1:80, 10.180.1.1:80', 'no'),
  row('pod to NodePort', '10.0.0.2', '192.168.0.2:3001', '10.180.0.1:80, 10.180.1.1:80', 'yes'),
  row('pod to LB', '10.0.0.2', '1.2.3.4:80', '10.180.0.1:80, 10.180.1.1:80', 'yes'),
  row('node to ClusterIP', '192.168.0.2', '172.30.0.41:80', '10.180.0.1:80, 10.180.1.1:80', 'yes'),
  row('node to NodePort', '192.168.0.2', '192.168.0.2:3001', '10.180.0.1:80, 10.180.1.1:80', 'yes'),
  row('localhost to NodePort', '127.0.0.1', '127.0.0.1:3001', '10.180.0.1:80, 10.180.1.1:80', 'yes'),
  row('node to LB', '192.168.0.2', '1.2.3.4:80', '10.180.0.1:80, 10.180.1.1:80', 'yes'),
  row('external to ClusterIP', '203.0.113.2', '172.30.0.41:80', '10.180.0.1:80, 10.180.1.1:80', 'yes'),
  row('external to NodePort', '203.0.113.2', '192.168.0.2:3001', '10.180.0.1:80, 10.180.1.1:80', 'yes'),
  row('external to LB', '203.0.113.2', '1.2.3.4:80', '10.180.0.1:80, 10.180.1.1:80', 'yes'),
  row('pod to ClusterIP with eTP:Local', '10.0.0.2', '172.30.0.42:80', '10.180.0.2:80, 10.180.1.2:80', 'no'),
  row('pod to NodePort with eTP:Local', '10.0.0.2', '192.168.0.2:3002', '10.180.0.2:80, 10.180.1.2:80', 'no'),
  row('pod to LB with eTP:Local', '10.0.0.2', '5.6.7.8:80', '10.180.0.2:80, 10.180.1.2:80', 'no'),
  row('node to ClusterIP with eTP:Local', '192.168.0.2', '172.30.0.42:80', '10.180.0.2:80, 10.180.1.2:80', 'yes'),
  // kube-proxy's test really uses port 3001 (svc1) here.
  row('node to NodePort with eTP:Local', '192.168.0.2', '192.168.0.2:3001', '10.180.0.1:80, 10.180.1.1:80', 'yes'),
  row('localhost to NodePort with eTP:Local', '127.0.0.1', '127.0.0.1:3002', '10.180.0.2:80, 10.180.1.2:80', 'yes'),
  row('node to LB with eTP:Local', '192.168.0.2', '5.6.7.8:80', '10.180.0.2:80, 10.180.1.2:80', 'yes'),
  row('external to ClusterIP with eTP:Local', '203.0.113.2', '172.30.0.42:80', '10.180.0.2:80, 10.180.1.2:80', 'yes'),
  row('external to NodePort with eTP:Local', '203.0.113.2', '192.168.0.2:3002', '10.180.0.2:80', 'no'),
  row('external to LB with eTP:Local', '203.0.113.2', '5.6.7.8:80', '10.180.0.2:80', 'no'),
  row('pod to ClusterIP with iTP:Local', '10.0.0.2', '172.30.0.43:80', '10.180.0.3:80', 'no'),
  row('pod to NodePort with iTP:Local', '10.0.0.2', '192.168.0.2:3003', '10.180.0.3:80, 10.180.1.3:80', 'yes'),
  row('pod to LB with iTP:Local', '10.0.0.2', '9.10.11.12:80', '10.180.0.3:80, 10.180.1.3:80', 'yes'),
  row('node to ClusterIP with iTP:Local', '192.168.0.2', '172.30.0.43:80', '10.180.0.3:80', 'yes'),
  row('node to NodePort with iTP:Local', '192.168.0.2', '192.168.0.2:3003', '10.180.0.3:80, 10.180.1.3:80', 'yes'),
  row('localhost to NodePort with iTP:Local', '127.0.0.1', '127.0.0.1:3003', '10.180.0.3:80, 10.180.1.3:80', 'yes'),
  row('node to LB with iTP:Local', '192.168.0.2', '9.10.11.12:80', '10.180.0.3:80, 10.180.1.3:80', 'yes'),
  row('external to ClusterIP with iTP:Local', '203.0.113.2', '172.30.0.43:80', '10.180.0.3:80', 'yes'),
  row('external to NodePort with iTP:Local', '203.0.113.2', '192.168.0.2:3003', '10.180.0.3:80, 10.180.1.3:80', 'yes'),
  row('external to LB with iTP:Local', '203.0.113.2', '9.10.11.12:80', '10.180.0.3:80, 10.180.1.3:80', 'yes'),
];

const NO_DETECTOR_UNMASQ = ['node to ClusterIP', 'node to ClusterIP with eTP:Local', 'node to ClusterIP with iTP:Local', 'external to ClusterIP', 'external to ClusterIP with eTP:Local', 'external to ClusterIP with iTP:Local'];
const NO_DETECTOR_LOCAL_ONLY = ['pod to NodePort with eTP:Local', 'pod to LB with eTP:Local'];
const MASQ_ALL_MASQ = ['pod to ClusterIP', 'pod to ClusterIP with eTP:Local', 'pod to ClusterIP with iTP:Local'];

function iemVariant(noDetector: boolean, masqAll: boolean): FlowCase[] {
  return IEM_BASE.map((c) => {
    let out = c;
    // Without a detector no `! -s podCIDR` rule is written, so off-cluster sources of ClusterIP
    // traffic are not marked; with masqueradeAll the unconditional rule is written instead
    // (syncProxyRules checks masqueradeAll first), so they still are. The reference's "union of
    // both override sets" for the combined variant contradicts its own §1.4 [code] reading.
    if (noDetector && !masqAll && NO_DETECTOR_UNMASQ.includes(c.name)) out = { ...out, masq: false };
    if (noDetector && NO_DETECTOR_LOCAL_ONLY.includes(c.name)) out = { ...out, output: '10.180.0.2:80' };
    if (masqAll && MASQ_ALL_MASQ.includes(c.name)) out = { ...out, masq: true };
    return out;
  });
}

const IEM_GROUPS: Group[] = [
  { title: 'TestInternalExternalMasquerade (base)', rules: () => syncedRuleset(S_IEM), cases: iemVariant(false, false) },
  { title: 'TestInternalExternalMasquerade (no LocalTrafficDetector)', rules: () => syncedRuleset(S_IEM, { localDetector: null }), cases: iemVariant(true, false) },
  { title: 'TestInternalExternalMasquerade (masqueradeAll)', rules: () => syncedRuleset(S_IEM, { masqueradeAll: true }), cases: iemVariant(false, true) },
  { title: 'TestInternalExternalMasquerade (masqueradeAll, no LocalTrafficDetector)', rules: () => syncedRuleset(S_IEM, { localDetector: null, masqueradeAll: true }), cases: iemVariant(true, true) },
];

const ALL = [...GROUPS, ...IEM_GROUPS];

describe('kube-proxy packet-flow acceptance corpus, traced by the netfilter model', () => {
  for (const g of ALL) {
    describe(g.title, () => {
      const rs = g.rules();
      it.each(g.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
        const r = traceFlow(rs, c);
        expect({ output: r.output, masq: r.masq, marked: r.marked }).toEqual({ output: c.output, masq: c.masq, marked: c.masq });
      });
    });
  }

  it('covers every case of §3.3 and the 4 x 30 masquerade matrix', () => {
    const numbered = new Set(GROUPS.flatMap((g) => g.cases.map((c) => /^#(\d+)/.exec(c.name)?.[1]).filter((x): x is string => x !== undefined)));
    const missing = Array.from({ length: 74 }, (_, i) => String(i + 1)).filter((n) => !numbered.has(n));
    expect(missing).toEqual([]);
    expect(IEM_GROUPS.reduce((n, g) => n + g.cases.length, 0)).toBe(120);
  });
});

describe('SCTP (case #20)', () => {
  it('is traced through the dns-sctp rules: -p sctp -m sctp --dport 53, DNAT to both endpoints, conntrack COOKIE_WAIT', () => {
    const rs = syncedRuleset(S_CG);
    const r = traceFlow(rs, row('#20', '10.180.0.2', '172.30.0.42:53', '', 'no', 'sctp'));
    expect(r.trace.outcomes).toHaveLength(2);
    for (const o of r.trace.outcomes) {
      const hits = o.stages.flatMap((s) => s.hits.map((h) => h.rule.text));
      expect(hits.some((t) => t.startsWith('-A KUBE-SERVICES -d 172.30.0.42/32 -p sctp -m comment --comment "ns2/svc2:dns-sctp cluster IP" -m sctp --dport 53 -j KUBE-SVC-'))).toBe(true);
      // The TCP and UDP rules of the same port must not catch the SCTP packet.
      expect(hits.some((t) => t.includes('dns-tcp') || t.includes('dns-udp'))).toBe(false);
      expect(o.packet.payload.kind).toBe('sctp');
      expect(o.conntrackLine).toMatch(/^sctp +132 3 COOKIE_WAIT src=10\.180\.0\.2 dst=172\.30\.0\.42 sport=40000 dport=53 \[UNREPLIED\] src=10\.180\.[02]\.1 dst=10\.180\.0\.2 sport=53 dport=40000 /);
    }
  });
});

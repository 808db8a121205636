import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cidr } from '../../src/net/cidr.js';
import { ipv4 } from '../../src/net/ipv4.js';
import type { KpEndpoint, KubeProxyConfig } from '../../src/controllers/kube-proxy/config.js';
import { kubeProxyIptables } from '../../src/controllers/kube-proxy/iptables-rules.js';
import { sortIptablesDump } from './kube-proxy-sort.js';
import { svcPort } from './kube-proxy/fake-proxier.js';

// kube-proxy's NewFakeProxier settings (reference/kubeproxy.md §2).
const fake: KubeProxyConfig = {
  nodeName: 'test-node',
  nodeIPs: [ipv4('192.168.0.2')],
  localDetector: cidr('10.0.0.0/8'),
  masqueradeAll: false,
  masqueradeBit: 14,
  localhostNodePorts: true,
  randomFully: false,
  nfacct: true,
};

const ep = (ip: string, nodeName: string | null = null): KpEndpoint => ({ ip: ipv4(ip), port: 80, nodeName, ready: true, serving: true, terminating: false });

const port = svcPort;

describe('kube-proxy iptables rules', () => {
  it('reproduces TestOverallIPTablesRules (Dump B) exactly', () => {
    const ports = [
      port('ns1', 'svc1', '172.30.0.41', { endpoints: [ep('10.180.0.1')] }),
      port('ns2', 'svc2', '172.30.0.42', {
        nodePort: 3001,
        loadBalancerIPs: [ipv4('1.2.3.4')],
        externalIPs: [ipv4('192.168.99.22')],
        externalTrafficPolicy: 'Local',
        healthCheckNodePort: 30000,
        endpoints: [ep('10.180.0.2')],
      }),
      port('ns3', 'svc3', '172.30.0.43', { nodePort: 3003, endpoints: [ep('10.180.0.3')] }),
      port('ns4', 'svc4', '172.30.0.44', { externalIPs: [ipv4('192.168.99.33')], endpoints: [ep('10.180.0.4'), ep('10.180.0.5', 'test-node')] }),
      port('ns5', 'svc5', '172.30.0.45', {
        nodePort: 3002,
        loadBalancerIPs: [ipv4('5.6.7.8')],
        healthCheckNodePort: 30000,
        loadBalancerSourceRanges: [cidr('203.0.113.0/25')],
        sessionAffinitySeconds: 10800,
        endpoints: [ep('10.180.0.3')],
      }),
      port('ns6', 'svc6', '172.30.0.46'),
    ];
    const expected = readFileSync(new URL('../fixtures/kube-proxy/dump-b-overall.txt', import.meta.url), 'utf8');
    expect(sortIptablesDump(kubeProxyIptables(fake, ports).restore)).toBe(sortIptablesDump(expected));
  });

  it('orders endpoints by "ip:port" as strings and gives 1/n, 1/(n-1), ... probabilities', () => {
    const p = port('ns1', 'svc1', '172.30.0.41', { endpoints: [ep('10.1.1.2'), ep('10.1.1.11'), ep('10.1.1.1')] });
    const svcRules = kubeProxyIptables(fake, [p]).restore.split('\n').filter((l) => l.startsWith('-A KUBE-SVC-') && l.includes('->'));
    expect(svcRules.map((l) => /-> ([^"]+)/.exec(l)?.[1])).toEqual(['10.1.1.11:80', '10.1.1.1:80', '10.1.1.2:80']);
    expect(svcRules.map((l) => /--probability (\S+)/.exec(l)?.[1] ?? 'last')).toEqual(['0.3333333333', '0.5000000000', 'last']);
  });
});

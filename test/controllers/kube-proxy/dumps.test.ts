import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cidr } from '../../../src/net/cidr.js';
import { formatInputError } from '../../../src/lib/input-error.js';
import { kubeProxyIptables } from '../../../src/controllers/kube-proxy/iptables-rules.js';
import { parseIptablesSave } from '../../../src/kernel/netfilter/parse.js';
import { sortIptablesDump } from '../kube-proxy-sort.js';
import { ep, FAKE_PROXIER, fixturePath, ips, svcPort } from './fake-proxier.js';
import { TERMINATING_LOCAL, sTerminating } from './scenarios.js';

const fixture = (name: string) => readFileSync(fixturePath(name), 'utf8');

// kube-proxy's expected restore input for the tests with a literal dump (reference §2), generated
// from the same services by podnet's generator (Dump B is checked in ../kube-proxy-iptables.test.ts).
describe('kube-proxy dumps regenerated from their inputs', () => {
  it('Dump C: TestSyncProxyRulesRepeated, first full sync', () => {
    const ports = [
      svcPort('ns1', 'svc1', '172.30.0.41', { endpoints: [ep('10.0.1.1')] }),
      svcPort('ns2', 'svc2', '172.30.0.42', { portName: 'p8080', port: 8080, endpoints: [ep('10.0.2.1', 'rem', 'ready', 8080)] }),
    ];
    expect(sortIptablesDump(kubeProxyIptables(FAKE_PROXIER, ports).restore)).toBe(sortIptablesDump(fixture('dump-c-repeated.txt')));
  });

  it('Dump D: eTP Local, ClientIP affinity, ready/terminating/not-serving endpoints (1.27/1.28 revision: no nfacct)', () => {
    const ports = sTerminating('Local', TERMINATING_LOCAL.a).map((p) => ({ ...p, sessionAffinitySeconds: 10800 }));
    expect(sortIptablesDump(kubeProxyIptables({ ...FAKE_PROXIER, nfacct: false }, ports).restore)).toBe(sortIptablesDump(fixture('dump-d-etp-local-affinity.txt')));
  });

  it('Dump F: TestBadIPs (LB + externalIP + sourceRanges that do not cover the node)', () => {
    const ports = [
      svcPort('ns1', 'svc1', '172.30.0.41', {
        nodePort: 3001,
        loadBalancerIPs: ips('1.2.3.4'),
        externalIPs: ips('192.168.99.22'),
        loadBalancerSourceRanges: [cidr('203.0.113.0/25')],
        endpoints: [ep('10.180.0.1')],
      }),
    ];
    expect(sortIptablesDump(kubeProxyIptables(FAKE_PROXIER, ports).restore)).toBe(sortIptablesDump(fixture('dump-f-bad-ips.txt')));
  });
});

describe('--nodeport-addresses', () => {
  const np = [svcPort('ns1', 'svc1', '172.30.0.41', { nodePort: 3001, endpoints: [ep('10.180.0.1')] })];
  const natServices = (text: string) => text.split('\n').filter((l) => l.includes('kubernetes service nodeports'));

  it('one -d rule per selected node address; loopback only with localhostNodePorts', () => {
    const r = kubeProxyIptables({ ...FAKE_PROXIER, localhostNodePorts: false, nodePortAddresses: [cidr('192.168.0.0/24'), cidr('127.0.0.1/32')] }, np).restore;
    expect(natServices(r)).toEqual(['-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -d 192.168.0.2 -j KUBE-NODEPORTS']);
    expect(r).not.toContain('KUBE-FIREWALL');
  });

  it('forces localhostNodePorts off when no CIDR covers 127.0.0.1', () => {
    const r = kubeProxyIptables({ ...FAKE_PROXIER, nodePortAddresses: [cidr('192.168.0.0/16')] }, np).restore;
    expect(natServices(r).map((l) => /-d (\S+)/.exec(l)?.[1])).toEqual(['192.168.0.2', '192.168.1.2', '192.168.99.11']);
    expect(r).not.toContain('-d 127.0.0.0/8 --dport 3001');
    expect(r).not.toContain('block incoming localnet connections');
  });

  it('keeps the localhost NodePort rule and the anti-martian rule when 127.0.0.0/8 is selected', () => {
    const r = kubeProxyIptables({ ...FAKE_PROXIER, nodePortAddresses: [cidr('127.0.0.0/8')] }, np).restore;
    expect(natServices(r)).toEqual(['-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -d 127.0.0.1 -j KUBE-NODEPORTS']);
    expect(r).toContain('-d 127.0.0.0/8 --dport 3001 -m nfacct');
    expect(r).toContain('block incoming localnet connections');
  });
});

describe('Dump A as printed in the test source', () => {
  it('is refused like iptables-restore refuses it: its comments are unquoted ("Bad argument `health\'", line 11)', () => {
    const r = parseIptablesSave(fixture('dump-a-trace-packet.txt'), 'dump-a-trace-packet.txt');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(formatInputError(r.error)).toMatch(/^dump-a-trace-packet\.txt:11:\d+: unexpected "health"/);
  });

  it('loads once the comments are quoted, keeping built-in chains declared with policy "-"', () => {
    const r = parseIptablesSave(fixture('dump-a-quoted.txt'), 'dump-a-quoted.txt');
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.tables.get('filter')?.chains.find((c) => c.name === 'INPUT')?.policy).toBe('ACCEPT');
  });
});

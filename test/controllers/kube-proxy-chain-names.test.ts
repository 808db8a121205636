import { describe, expect, it } from 'vitest';
import { computeProbability, sepChain, servicePortName, svcChain } from '../../src/controllers/kube-proxy/chain-names.js';

// Worked examples from kube-proxy's own unit tests (reference/kubeproxy.md §1.10, §1.6).
describe('kube-proxy chain names', () => {
  it.each([
    ['ns1/svc1:p80', 'KUBE-SVC-XPGD46QRK7WJZT7O'],
    ['ns2/svc2:p80', 'KUBE-SVC-GNZBNJ2PO5MGZ6GT'],
    ['ns2/svc2:p8080', 'KUBE-SVC-2VJB64SDSIJUP5T6'],
    ['ns1/svc1', 'KUBE-SVC-AQI2S6QIMU7PVVRP'],
    ['default/kubernetes:https', 'KUBE-SVC-NPX46M4PTMTKRN6Y'],
    ['kube-system/kube-dns:dns', 'KUBE-SVC-TCOU7JCQXEZGVUNU'],
  ])('%s', (svc, chain) => {
    const proto = svc.endsWith(':dns') ? 'udp' : 'tcp';
    expect(svcChain(svc, proto)).toBe(chain);
  });

  it('hashes the endpoint into KUBE-SEP names', () => {
    expect(sepChain('ns1/svc1:p80', 'tcp', '10.180.0.1:80')).toBe('KUBE-SEP-SXIVWICOYRO3J4NJ');
    expect(sepChain('ns4/svc4:p80', 'tcp', '10.180.0.5:80')).toBe('KUBE-SEP-C6EBXVWJJZMIWKLZ');
    expect(sepChain('ns1/svc1', 'tcp', '10.0.1.1:80')).toBe('KUBE-SEP-3JOIVZTXZZRGORX4');
  });

  it('names ports like ServicePortName.String()', () => {
    expect(servicePortName('ns1', 'svc1', 'p80')).toBe('ns1/svc1:p80');
    expect(servicePortName('ns1', 'svc1', null)).toBe('ns1/svc1');
  });

  it('formats probabilities with %0.10f', () => {
    expect([2, 3, 6, 7, 100000, 100001].map(computeProbability)).toEqual(['0.5000000000', '0.3333333333', '0.1666666667', '0.1428571429', '0.0000100000', '0.0000099999']);
  });
});

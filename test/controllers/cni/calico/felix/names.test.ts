import { describe, expect, it } from 'vitest';
import {
  endpointChainName,
  lengthLimitedId,
  makeUniqueId,
  namedPortSetName,
  policyChainName,
  profileChainName,
  selectorSetName,
} from '../../../../../src/controllers/cni/calico/felix/names.js';
import { policyGroupChainName } from '../../../../../src/controllers/cni/calico/felix/endpoint-chains.js';
import { caliIface } from './helpers.js';

describe('Felix chain and ip set names', () => {
  it('hashes a policy chain name over 28 characters: default/allow-web (cni.md §4.3)', () => {
    expect(policyChainName('ingress', 'default', 'allow-web')).toBe('cali-pi-_Vm_1cJRadOrYgBn0juc');
    expect(policyChainName('egress', 'default', 'allow-web')).toMatch(/^cali-po-_[A-Za-z0-9_-]{19}$/);
    expect(policyChainName('ingress', 'default', 'allow-web')).toHaveLength(28);
  });

  it('keeps short names and hashes at exactly 28 only when the suffix starts with _', () => {
    expect(profileChainName('ingress', 'kns.default')).toBe('cali-pri-kns.default');
    // 9 + 19 = 28 characters: fits, not hashed (cni.md §4.3).
    expect(profileChainName('ingress', 'ksa.default.default')).toBe('cali-pri-ksa.default.default');
    expect(lengthLimitedId('cali-pi-', `_${'x'.repeat(19)}`)).not.toBe(`cali-pi-_${'x'.repeat(19)}`);
    expect(lengthLimitedId('cali-pri-', 'ksa.kube-system.coredns')).toMatch(/^cali-pri-_[A-Za-z0-9_-]{18}$/);
  });

  it('names endpoint chains after the cali interface', () => {
    expect(caliIface('default', 'pod-a')).toBe('cali5e1c4d6c68c');
    expect(caliIface('default', 'pod-b')).toBe('cali2f5353dd8c5');
    expect(endpointChainName('ingress', 'cali2f5353dd8c5')).toBe('cali-tw-cali2f5353dd8c5');
    expect(endpointChainName('egress', 'cali2f5353dd8c5')).toBe('cali-fw-cali2f5353dd8c5');
  });

  it('ip set names have Felix shape and fit IPSET_MAXNAMELEN', () => {
    expect(makeUniqueId('s', 'x')).toMatch(/^s:[A-Za-z0-9_-]{38}$/);
    const s = selectorSetName("(projectcalico.org/orchestrator == 'k8s' && app == 'client') && projectcalico.org/namespace == 'default'");
    expect(s).toMatch(/^cali40s:[A-Za-z0-9_-]{23}$/);
    expect(namedPortSetName('all()', 'TCP', 'http')).toMatch(/^cali40n:[A-Za-z0-9_-]{23}$/);
    // Different selectors, protocols and names give different sets.
    expect(selectorSetName('a')).not.toBe(selectorSetName('b'));
    expect(namedPortSetName('all()', 'TCP', 'http')).not.toBe(namedPortSetName('all()', 'UDP', 'http'));
  });

  it('group chains are cali-gi-/cali-go- plus 20 hash characters', () => {
    expect(policyGroupChainName({ dir: 'ingress', selectorText: 's', policies: [] })).toMatch(/^cali-gi-[A-Za-z0-9_-]{20}$/);
    expect(policyGroupChainName({ dir: 'egress', selectorText: 's', policies: [] })).toMatch(/^cali-go-[A-Za-z0-9_-]{20}$/);
  });
});

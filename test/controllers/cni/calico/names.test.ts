import { describe, expect, it } from 'vitest';
import { calicoVethName, calicoVxlanMac } from '../../../../src/controllers/cni/calico/names.js';

describe('Calico names', () => {
  it('names host veths cali + sha1("<ns>.<pod>")[:11] (cni.md §2.1)', () => {
    expect(calicoVethName('default', 'pod-a')).toBe('cali5e1c4d6c68c');
    expect(calicoVethName('default', 'pod-b')).toBe('cali2f5353dd8c5');
    expect(calicoVethName('default', 'nginx')).toBe('calic440f455693');
    expect(calicoVethName('default', 'pod-a')).toHaveLength(15);
  });

  it('derives the VXLAN tunnel MAC as 0x66 + sha1(nodename)[0:5] (cni.md §3.2)', () => {
    expect(calicoVxlanMac('node1')).toBe('66:f9:37:c3:7e:94');
    expect(calicoVxlanMac('node2')).toBe('66:2d:bf:44:a6:8b');
  });
});

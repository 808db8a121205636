import { describe, expect, it } from 'vitest';
import { dispatchChains } from '../../../../../src/controllers/cni/calico/felix/endpoint-chains.js';
import { renderRules } from '../../../../../src/controllers/cni/calico/felix/chain.js';

const lines = (c: { name: string; rules: Parameters<typeof renderRules>[1] }) => renderRules(c.name, c.rules).map((l) => l.replace(/ -m comment --comment "cali:[^"]*"/, ''));

describe('workload dispatch chains (rules/dispatch.go)', () => {
  it('one goto per interface, sorted, then the Unknown interface drop', () => {
    const [root] = dispatchChains(['cali2f5353dd8c5', 'cali5e1c4d6c68c'], 'ingress');
    if (!root) throw new Error('no chain');
    expect(lines(root)).toEqual([
      '-A cali-to-wl-dispatch -o cali2f5353dd8c5 -g cali-tw-cali2f5353dd8c5',
      '-A cali-to-wl-dispatch -o cali5e1c4d6c68c -g cali-tw-cali5e1c4d6c68c',
      '-A cali-to-wl-dispatch -m comment --comment "Unknown interface" -j DROP',
    ]);
  });

  it('interfaces sharing the next character go through a child chain that repeats the end rule', () => {
    const chains = dispatchChains(['cali5e1c4d6c68c', 'cali2f5353dd8c5', 'cali5a000000000'], 'egress');
    expect(chains.map((c) => c.name)).toEqual(['cali-from-wl-dispatch-5', 'cali-from-wl-dispatch']);
    expect(chains.flatMap(lines)).toEqual([
      '-A cali-from-wl-dispatch-5 -i cali5a000000000 -g cali-fw-cali5a000000000',
      '-A cali-from-wl-dispatch-5 -i cali5e1c4d6c68c -g cali-fw-cali5e1c4d6c68c',
      '-A cali-from-wl-dispatch-5 -m comment --comment "Unknown interface" -j DROP',
      '-A cali-from-wl-dispatch -i cali2f5353dd8c5 -g cali-fw-cali2f5353dd8c5',
      '-A cali-from-wl-dispatch -i cali5+ -g cali-from-wl-dispatch-5',
      '-A cali-from-wl-dispatch -m comment --comment "Unknown interface" -j DROP',
    ]);
  });

  it('no workloads: only the drop', () => {
    expect(dispatchChains([], 'ingress').flatMap(lines)).toEqual(['-A cali-to-wl-dispatch -m comment --comment "Unknown interface" -j DROP']);
  });
});

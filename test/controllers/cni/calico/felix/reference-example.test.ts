import { describe, expect, it } from 'vitest';
import { getNetns } from '../../../../../src/kernel/netns.js';
import { formatElem } from '../../../../../src/kernel/netfilter/ipset.js';
import { printRuleset } from '../../../../../src/kernel/netfilter/print.js';
import { exampleWorld } from './fixtures.js';
import { felixWorld } from './helpers.js';

/**
 * cni.md §4.4: the filter-table excerpt on node2 for allow-web, hash comments elided. Two lines
 * of the reference listing are not in the expectation: the trailing
 * `-m mark --mark 0x10000/0x10000 -j RETURN` of cali-pi-… and of cali-pri-kns.default. Felix
 * v3.31.4 strips trailing RETURN rules from policy and profile chains (rules/policy.go
 * ProtoRulesToIptablesRules: "Strip off any return rules at the end of the chain"); the
 * reference was assembled by hand, not from a dump. The selector set's hash is podnet's.
 */
const REFERENCE = `
-A cali-to-wl-dispatch -o cali2f5353dd8c5 -m comment --comment "cali:…" -g cali-tw-cali2f5353dd8c5
-A cali-from-wl-dispatch -i cali2f5353dd8c5 -m comment --comment "cali:…" -g cali-fw-cali2f5353dd8c5
-A cali-tw-cali2f5353dd8c5 -m comment --comment "cali:…" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-tw-cali2f5353dd8c5 -m comment --comment "cali:…" -m conntrack --ctstate INVALID -j DROP
-A cali-tw-cali2f5353dd8c5 -m comment --comment "cali:…" -j MARK --set-xmark 0x0/0x30000
-A cali-tw-cali2f5353dd8c5 -m comment --comment "cali:…" -m comment --comment "Start of tier default" -j MARK --set-xmark 0x0/0x20000
-A cali-tw-cali2f5353dd8c5 -m comment --comment "cali:…" -m mark --mark 0x0/0x20000 -j cali-pi-_Vm_1cJRadOrYgBn0juc
-A cali-tw-cali2f5353dd8c5 -m comment --comment "cali:…" -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-cali2f5353dd8c5 -m comment --comment "cali:…" -m comment --comment "End of tier default. Drop if no policies passed packet" -m mark --mark 0x0/0x20000 -j DROP
-A cali-tw-cali2f5353dd8c5 -m comment --comment "cali:…" -j cali-pri-kns.default
-A cali-tw-cali2f5353dd8c5 -m comment --comment "cali:…" -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-cali2f5353dd8c5 -m comment --comment "cali:…" -j cali-pri-ksa.default.default
-A cali-tw-cali2f5353dd8c5 -m comment --comment "cali:…" -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-cali2f5353dd8c5 -m comment --comment "cali:…" -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-pi-_Vm_1cJRadOrYgBn0juc -p tcp -m comment --comment "cali:…" -m comment --comment "Policy default/knp.default.allow-web ingress" -m set --match-set cali40s:<selector-hash> src -m multiport --dports 80 -j MARK --set-xmark 0x10000/0x10000
-A cali-pri-kns.default -m comment --comment "cali:…" -m comment --comment "Profile kns.default ingress" -j MARK --set-xmark 0x10000/0x10000
-A cali-fw-cali2f5353dd8c5 -m comment --comment "cali:…" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-fw-cali2f5353dd8c5 -m comment --comment "cali:…" -m conntrack --ctstate INVALID -j DROP
-A cali-fw-cali2f5353dd8c5 -m comment --comment "cali:…" -j MARK --set-xmark 0x0/0x30000
-A cali-fw-cali2f5353dd8c5 -p udp -m comment --comment "cali:…" -m comment --comment "Drop VXLAN encapped packets originating in workloads" -m multiport --dports 4789 -j DROP
-A cali-fw-cali2f5353dd8c5 -p ipencap -m comment --comment "cali:…" -m comment --comment "Drop IPinIP encapped packets originating in workloads" -j DROP
-A cali-fw-cali2f5353dd8c5 -m comment --comment "cali:…" -j cali-pro-kns.default
-A cali-fw-cali2f5353dd8c5 -m comment --comment "cali:…" -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-cali2f5353dd8c5 -m comment --comment "cali:…" -j cali-pro-ksa.default.default
-A cali-fw-cali2f5353dd8c5 -m comment --comment "cali:…" -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-cali2f5353dd8c5 -m comment --comment "cali:…" -m comment --comment "Drop if no profiles matched" -j DROP
`;

const normalise = (l: string) => l.replace(/"cali:[^"]*"/, '"cali:…"').replace(/cali40s:[A-Za-z0-9_-]+/, 'cali40s:<selector-hash>');

describe('cni.md §4.4 example: allow-web on node2', () => {
  it('renders the reference rules (hash comments and the selector hash elided), chain by chain in order', () => {
    // pod-b alone on node2, as in the reference (the fixture's pod-c would add its own chains).
    const base = exampleWorld();
    const world = { ...base, pods: base.pods.filter((p) => p.name !== 'pod-c') };
    const dump = printRuleset(getNetns(felixWorld(world, 'ipip'), 'node:node2').netfilter).split('\n').map(normalise);
    const want = REFERENCE.trim().split('\n');
    const chains = [...new Set(want.map((l) => l.split(' ')[1] as string))];
    for (const chain of chains) {
      const got = dump.filter((l) => l.startsWith(`-A ${chain} `));
      // Dispatch chains also end in their "Unknown interface" DROP, which the excerpt leaves out.
      const expected = want.filter((l) => l.startsWith(`-A ${chain} `));
      expect(got.slice(0, expected.length), chain).toEqual(expected);
    }
    expect(dump).toContain('-A cali-to-wl-dispatch -m comment --comment "cali:…" -m comment --comment "Unknown interface" -j DROP');
  });

  it('the selector set holds exactly the pods the peer selects (app=client in default, not other/pod-d)', () => {
    const ns = getNetns(felixWorld(exampleWorld(), 'ipip'), 'node:node2');
    const sets = [...ns.ipsets.values()].filter((s) => s.name.startsWith('cali40s:'));
    expect(sets.map((s) => s.members.map((m) => formatElem(m.elem)))).toEqual([['10.244.219.65']]);
  });
});

import { describe, expect, it } from 'vitest';
import { explainFelixDrop } from '../../../../../src/controllers/cni/calico/felix/explain.js';
import { dataplaneVerdict } from './dataplane-verdict.js';
import { ALLOW_WEB_YAML, exampleWorld } from './fixtures.js';
import { felixWorld, nodeInput } from './helpers.js';

const DENY_ALL = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: default}
spec:
  podSelector: {}
  policyTypes: [Ingress]
`;

describe('explaining a drop in a cali-* chain', () => {
  it('names the policies that select the pod when the tier ends without an accept', () => {
    const world = exampleWorld(`${ALLOW_WEB_YAML}\n---\n${DENY_ALL}`);
    const w = felixWorld(world, 'ipip');
    const podD = world.pods.find((p) => p.name === 'pod-d');
    const podB = world.pods.find((p) => p.name === 'pod-b');
    if (!podD || !podB) throw new Error('fixture');
    // other/pod-d is app=client but not in default: allow-web's peer does not match it.
    const v = dataplaneVerdict(w, world, 'ipip', podD, podB, { kind: 'l4', protocol: 'TCP', port: 80 });
    expect(v.allowed).toBe(false);
    expect(v.drop?.node).toBe('node2');
    expect(v.drop?.chain).toBe('cali-tw-cali2f5353dd8c5');
    const e = explainFelixDrop({ chain: v.drop?.chain ?? '', text: v.drop?.text ?? '' }, nodeInput(world, 'node2'));
    expect(e?.reason.kind).toBe('end-of-tier');
    expect(e?.text).toBe('dropped in cali-tw-cali2f5353dd8c5: End of tier default (no policy selecting default/pod-b accepted it; selected by default/allow-web, default/deny-all)');
  });

  it('explains the other drops Felix writes, and nothing else', () => {
    const input = nodeInput(exampleWorld(), 'node2');
    const fw = 'cali-fw-cali2f5353dd8c5';
    const cases: [string, string, string | null][] = [
      [fw, `-A ${fw} -p ipencap -m comment --comment "cali:x" -m comment --comment "Drop IPinIP encapped packets originating in workloads" -j DROP`, 'encap-from-workload'],
      [fw, `-A ${fw} -p udp -m comment --comment "cali:x" -m comment --comment "Drop VXLAN encapped packets originating in workloads" -m multiport --dports 4789 -j DROP`, 'encap-from-workload'],
      [fw, `-A ${fw} -m comment --comment "cali:x" -m conntrack --ctstate INVALID -j DROP`, 'ct-invalid'],
      [fw, `-A ${fw} -m comment --comment "cali:x" -m comment --comment "Drop if no profiles matched" -j DROP`, 'no-profile'],
      ['cali-to-wl-dispatch', '-A cali-to-wl-dispatch -m comment --comment "cali:x" -m comment --comment "Unknown interface" -j DROP', 'unknown-interface'],
      ['cali-INPUT', '-A cali-INPUT -p ipencap -m comment --comment "cali:x" -m comment --comment "Drop IPIP packets from non-Calico hosts" -j DROP', 'tunnel-from-unknown-host'],
      ['KUBE-FORWARD', '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP', null],
      // A tw chain of an interface Felix does not know on this node.
      ['cali-tw-cali00000000000', '-A cali-tw-cali00000000000 -m comment --comment "End of tier default. Drop if no policies passed packet" -j DROP', null],
    ];
    for (const [chain, text, kind] of cases) expect(explainFelixDrop({ chain, text }, input)?.reason.kind ?? null, text).toBe(kind);
    expect(explainFelixDrop({ chain: fw, text: cases[0]?.[1] ?? '' }, input)?.text).toBe(
      'dropped in cali-fw-cali2f5353dd8c5: IPIP sent by workload default/pod-b (Felix drops encapsulated packets from workloads)',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { programFelix } from '../../../../../src/controllers/cni/calico/felix/program.js';
import { iptablesInsert, iptablesRestoreNoflush } from '../../../../../src/kernel/iptables-restore.js';
import { findChain } from '../../../../../src/kernel/netfilter/ruleset.js';
import { getNetns, type World } from '../../../../../src/kernel/netns.js';
import { addNetns } from '../../../../../src/kernel/ops.js';
import { unwrap } from '../../../../../src/lib/result.js';
import { exampleWorld, RICH_YAML } from './fixtures.js';
import { nodeInput } from './helpers.js';

/** What kube-proxy (iptables mode) leaves in filter before Felix runs, in its order. */
function withKubeProxy(w: World, ns: string): World {
  let x = iptablesRestoreNoflush(w, ns, '*filter\n:KUBE-FORWARD - [0:0]\n:KUBE-FIREWALL - [0:0]\nCOMMIT\n', 'kube-proxy');
  x = iptablesInsert(x, ns, 'filter', 'INPUT', '-j KUBE-FIREWALL', 'kubelet');
  x = iptablesInsert(x, ns, 'filter', 'FORWARD', '-m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD', 'kube-proxy');
  return x;
}

describe('programFelix', () => {
  it('puts its jumps first in the built-in chains and its two FORWARD rules last, after kube-proxy ran', () => {
    const world = exampleWorld(RICH_YAML);
    let w = addNetns({ netns: new Map() }, 'node:node2');
    w = withKubeProxy(w, 'node:node2');
    const r = unwrap(programFelix(w, nodeInput(world, 'node2')));
    const rs = getNetns(r.world, 'node:node2').netfilter;
    const texts = (chain: string) => (findChain(rs, 'filter', chain)?.rules ?? []).map((x) => x.text.replace(/"cali:[^"]*"/, '"cali:H"'));
    expect(texts('INPUT')).toEqual(['-A INPUT -m comment --comment "cali:H" -j cali-INPUT', '-A INPUT -j KUBE-FIREWALL']);
    expect(texts('FORWARD')).toEqual([
      '-A FORWARD -m comment --comment "cali:H" -j cali-FORWARD',
      '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
      '-A FORWARD -m comment --comment "cali:H" -m comment --comment "Policy explicitly accepted packet." -m mark --mark 0x10000/0x10000 -j ACCEPT',
      '-A FORWARD -m comment --comment "cali:H" -j MARK --set-xmark 0x10000/0x10000',
    ]);
    expect(r.events).toEqual([{ node: 'node2', component: 'calico-node', level: 'info', message: expect.stringMatching(/^Felix programmed 2 workload endpoint\(s\), \d+ policy chain\(s\) and \d+ ip set\(s\)$/) }]);
  });

  it('writes every ip set a rule names before the rules (iptables would refuse an unknown set)', () => {
    const world = exampleWorld(RICH_YAML);
    const w = unwrap(programFelix(addNetns({ netns: new Map() }, 'node:node2'), nodeInput(world, 'node2'))).world;
    const ns = getNetns(w, 'node:node2');
    const named = new Set<string>();
    for (const t of ns.netfilter.tables.values()) for (const c of t.chains) for (const rule of c.rules) for (const m of rule.matches) if (m.kind === 'set') named.add(m.name);
    expect(named.size).toBeGreaterThan(5);
    for (const n of named) expect(ns.ipsets.has(n), n).toBe(true);
  });

  it('is an error, not a throw, when a workload is not a pod of the cluster', () => {
    const world = exampleWorld();
    const input = nodeInput(world, 'node2');
    const bad = { ...input, workloads: [...input.workloads, { namespace: 'default', name: 'ghost', ip: input.nodeIp, iface: 'cali0123456789a', serviceAccount: 'default' }] };
    const r = programFelix(addNetns({ netns: new Map() }, 'node:node2'), bad);
    expect(r.ok ? '' : r.error).toContain('default/ghost');
  });
});

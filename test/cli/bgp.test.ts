import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bgpAction } from '../../src/cli/commands/bgp.js';
import { UsageError } from '../../src/cli/exit.js';

const THREE = 'topologies/calico-bgp-three-nodes.yaml';
const RR = 'topologies/calico-route-reflectors.yaml';

function podnet(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('podnet bgp (text)', () => {
  it('three nodes: sessions, the timeline, routes in ip route form, convergence at about 2 s', async () => {
    const out = await bgpAction(THREE, {});
    expect(out).toMatch(/^bgp calico-bgp-three-nodes: calico bgp, BIRD on 3 nodes, node-to-node mesh, AS 64512$/m);
    expect(out).toMatch(/^ {2}node1 <-> node2 +node1 Established, node2 Established +node2 connects to node1:179; up 297\.995 s \(since 2\.005\)$/m);
    expect(out).toMatch(/^ +2\.000 +node2 -> node1 +TCP SYN to port 179$/m);
    expect(out).toMatch(/^ +2\.004 +node2 -> node1 +UPDATE nlri 10\.244\.\d+\.\d+\/26 next-hop 192\.168\.1\.102 local-pref 100 origin IGP as-path \[\]$/m);
    expect(out).toMatch(/not shown \(see --json\): node2 -> node1: 3 periodic KEEPALIVEs/);
    const node1 = out.split('\n').slice(out.split('\n').findIndex((l) => l.startsWith('node1 (192.168.1.101)')) + 1, out.split('\n').findIndex((l) => l.startsWith('node2 (192.168.1.102)')));
    expect(node1).toHaveLength(3);
    expect(node1.filter((l) => /^ {2}blackhole 10\.244\.\d+\.\d+\/26 proto bird$/.test(l))).toHaveLength(1);
    expect(node1.filter((l) => /^ {2}10\.244\.\d+\.\d+\/26 via 192\.168\.1\.102 dev eth0 proto bird$/.test(l))).toHaveLength(1);
    // node3 sits on 192.168.2.0/24: its NEXT_HOP resolves through node1's default route.
    expect(node1.filter((l) => /^ {2}10\.244\.\d+\.\d+\/26 via 192\.168\.1\.1 dev eth0 proto bird {3}# NEXT_HOP 192\.168\.2\.103 is off-link/.test(l))).toHaveLength(1);
    expect(out).toMatch(/^converged at 2\.006 s \(the last route change\); 51 messages and TCP segments, \d+ events$/m);
  });

  it('--events kill: stale routes are marked as such, and the command says it has not converged yet', async () => {
    const out = await bgpAction(THREE, { events: ['node3:kill@30'], until: '100', node: 'node1' });
    expect(out).toMatch(/events: node3 kill at 30 s; simulated until 100 s/);
    expect(out).toMatch(/via 192\.168\.1\.1 dev eth0 proto bird {3}# .*stale: the peer went away without NOTIFICATION/);
    expect(out).toMatch(/^not converged at 100 s \(stale routes on node1, node2\)/m);
    expect(out).not.toMatch(/^node2 \(/m);
  });

  it('--events stop: node3 has no BIRD RIB and the others withdrew its block', async () => {
    const out = await bgpAction(THREE, { events: ['node3:stop@30'] });
    expect(out).toMatch(/30\.000 +node3 -> node1 +NOTIFICATION Cease \(Administrative Shutdown\) \(6\/2\)/);
    expect(out).toMatch(/30\.001 +node1 +route removed 10\.244\.\d+\.\d+\/26 \(NOTIFICATION Cease/);
    expect(out).toMatch(/^node3: BIRD stopped; no BIRD RIB \(the kernel keeps the routes BIRD wrote: protocol kernel `persist`\)$/m);
    expect(out).toMatch(/converged at 30\.001 s/);
  });

  it('route reflectors: client sessions marked, reflected routes show originator and cluster list', async () => {
    const out = await bgpAction(RR, { node: 'node5' });
    expect(out).toMatch(/route reflectors node1, node2 \(cluster id 244\.0\.0\.1\)/);
    expect(out).toMatch(/node1 <-> node5 .* node5 is rr client of node1/);
    expect(out).toMatch(/node1 -> node5 +UPDATE nlri \S+ next-hop 192\.168\.1\.103 local-pref 100 origin IGP as-path \[\] originator-id 192\.168\.1\.103 cluster-list \[244\.0\.0\.1\]/);
  });
});

describe('podnet bgp --json', () => {
  it('carries sessions, timeline, RIBs and kernel lines with addresses as strings', async () => {
    const j = JSON.parse(await bgpAction(THREE, { json: true })) as {
      convergedAt: number;
      sessions: { a: string; b: string; active: string; stateA: string }[];
      timeline: { kind: string; message?: { type: string; nlri?: string[] } }[];
      nodes: { node: string; status: string; routes: { prefix: string; nextHop: string; kernel: { text: string } }[]; adjRibIn: Record<string, unknown[]> }[];
    };
    expect(j.convergedAt).toBe(2.006);
    expect(j.sessions.map((s) => `${s.a}-${s.b} ${s.active}`)).toEqual(['node1-node2 node2', 'node1-node3 node3', 'node2-node3 node3']);
    expect(j.timeline.filter((e) => e.kind === 'message' && e.message?.type === 'KEEPALIVE').length).toBeGreaterThan(6);
    expect(j.timeline.find((e) => e.message?.type === 'UPDATE')?.message?.nlri?.[0]).toMatch(/^10\.244\.\d+\.\d+\/26$/);
    const n2 = j.nodes.find((n) => n.node === 'node2');
    expect(n2?.status).toBe('running');
    expect(n2?.routes.map((r) => r.kernel.text).filter((t) => t.includes('via 192.168.1.101 dev eth0 proto bird'))).toHaveLength(1);
    expect(Object.keys(n2?.adjRibIn ?? {})).toEqual(['node1', 'node3']);
  });
});

describe('podnet bgp: bad input exits 2 with a clear message', () => {
  it.each([
    [THREE, { events: ['node9:kill@3'] }, /unknown node "node9"; the nodes are node1, node2, node3/],
    [THREE, { events: ['node1:kill@3', 'node1:boom@3'] }, /unknown action "boom"/],
    [THREE, { until: 'soon' }, /--until soon: expected a number of seconds/],
    [THREE, { node: 'node7' }, /--node node7: no such node; the nodes are node1, node2, node3/],
    ['topologies/two-node-flannel.yaml', {}, /uses cni: flannel; BGP runs only with cni: calico/],
  ] as const)('%s %j', async (file, o, msg) => {
    const e = await bgpAction(file, o).then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).detail).toMatch(msg);
  });

  it('the real CLI maps a bad --events to exit 2 on stderr, and runs a good one with exit 0', () => {
    const bad = podnet('bgp', THREE, '--events', 'node9:kill@3');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^podnet: --events item "node9:kill@3": unknown node "node9"/);
    expect(bad.stdout).toBe('');
    const r = podnet('bgp', THREE, '--events', 'node3:stop@10', '--until', '20');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/converged at 10\.001 s/);
  });
});

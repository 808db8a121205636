import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateBgp } from '../../../src/controllers/bgp/simulate.js';
import { formatCidr } from '../../../src/net/cidr.js';
import { formatIpv4 } from '../../../src/net/ipv4.js';
import { BIRD_SKIP, BirdLab, openBirdLab, canRunBird, parseShowRouteAll, waitFor } from './bird-lab.js';

/**
 * The judge for route reflection: BIRD 2 on calico-route-reflectors.yaml (node1, node2 reflectors
 * with `rr client; rr cluster id 244.0.0.1` toward the clients). For every node, every BGP path
 * BIRD holds (`show route all`: prefix, neighbor, ORIGINATOR_ID, CLUSTER_LIST, which one is
 * best) must be what simulateBgp's Adj-RIB-In and Loc-RIB hold.
 */
let lab: BirdLab;
const dir = mkdtempSync(join(tmpdir(), 'podnet-bird-rr-'));

beforeAll(async () => {
  lab = await openBirdLab('topologies/calico-route-reflectors.yaml', 'bgpr', dir);
}, 60_000);

afterAll(async () => {
  if (canRunBird) expect(await lab.teardown()).toEqual([]);
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe.skipIf(!canRunBird)(`BIRD 2 route reflectors agree with simulateBgp (${canRunBird ? 'root, bird' : BIRD_SKIP})`, () => {
  it('every path, its attributes and the best choice match on every node', async () => {
    const sim = simulateBgp(lab.input, []);
    const nodes = lab.cluster.nodes.map((n) => n.name);
    for (const n of nodes) lab.start(n);
    const pathCount = (n: string): number => [...(sim.nodes.find((x) => x.node === n)?.adjRibIn.values() ?? [])].reduce((k, ps) => k + ps.length, 0);
    const birdPaths = (n: string) => parseShowRouteAll(lab.birdc(n, 'show', 'route', 'all')).filter((r) => r.neighbor !== null);
    await waitFor(() => nodes.every((n) => birdPaths(n).length === pathCount(n)), 20);
    await new Promise((r) => setTimeout(r, 500));
    for (const n of nodes) {
      const model = sim.nodes.find((x) => x.node === n);
      if (!model) throw new Error(n);
      const addrOf = (peer: string): string => formatIpv4(lab.input.speakers.find((s) => s.node === peer)?.address ?? (0 as never));
      const best = new Set(model.locRib.filter((p) => p.learnedFrom !== null).map((p) => `${formatCidr(p.prefix)} ${addrOf(p.learnedFrom as string)}`));
      const expected = [...model.adjRibIn.entries()]
        .flatMap(([peer, paths]) =>
          paths.map((p) => ({
            prefix: formatCidr(p.prefix),
            best: best.has(`${formatCidr(p.prefix)} ${addrOf(peer)}`),
            neighbor: addrOf(peer),
            originatorId: p.attrs.originatorId === null ? null : formatIpv4(p.attrs.originatorId),
            clusterList: p.attrs.clusterList.length === 0 ? null : p.attrs.clusterList.map(formatIpv4).join(' '),
          })),
        )
        .sort((a, b) => `${a.prefix} ${a.neighbor}`.localeCompare(`${b.prefix} ${b.neighbor}`));
      const got = birdPaths(n).sort((a, b) => `${a.prefix} ${a.neighbor}`.localeCompare(`${b.prefix} ${b.neighbor}`));
      expect({ node: n, paths: got }).toEqual({ node: n, paths: expected });
    }
  }, 40_000);
});

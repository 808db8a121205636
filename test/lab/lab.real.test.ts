import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labAvailable } from '../../src/lab/available.js';
import { startCapture } from '../../src/lab/capture.js';
import { formatFailure } from '../../src/lab/exec.js';
import { ping, readIcmpEchoes } from '../../src/lab/icmp.js';
import { createLab, listLabNetns, teardownLab, type Lab } from '../../src/lab/lab.js';
import { newLabPrefix } from '../../src/lab/names.js';
import { probeEcho } from '../../src/lab/probe.js';
import { compareLabState, waitSettled } from '../../src/lab/readback.js';
import { readLabState } from '../../src/lab/state-file.js';
import type { World } from '../../src/kernel/netns.js';
import { flannelNodeWorld, routedWorld, twoNetnsWorld } from './worlds.js';

const env = await labAvailable();
const skipped = env.ok ? '' : ` (skipped: ${env.reason})`;

/** Make the world real under a fresh prefix; the prefix is kept for afterAll even if this throws. */
async function make(world: World, prefixes: string[]): Promise<Lab> {
  const prefix = newLabPrefix();
  prefixes.push(prefix);
  const r = await createLab(world, { prefix });
  if (!r.ok) throw new Error(formatFailure(r.error));
  await waitSettled(r.value);
  return r.value;
}

describe.skipIf(!env.ok)(`lab: a World made real${skipped}`, () => {
  const prefixes: string[] = [];
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'podnet-lab-'));
  });

  afterAll(async () => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
    for (const p of prefixes) {
      const report = await teardownLab(p);
      expect(report.errors).toEqual([]);
      expect(await listLabNetns(p)).toEqual([]);
      expect(readLabState(p)).toBeNull();
      // Idempotent: nothing left to do.
      expect((await teardownLab(p)).netnsDeleted).toEqual([]);
    }
  }, 120_000);

  it('two namespaces joined by a veth: ping across, the echo arrives with TTL 64', async () => {
    const lab = await make(twoNetnsWorld(), prefixes);
    const file = join(dir, 'b-eth0.pcapng');
    const cap = await startCapture(lab, 'b', 'eth0', { file, durationSec: 10 });
    const r = await ping(lab, 'a', '10.2.0.1', { count: 2 });
    await cap.stop();
    expect(r.ok, r.output).toBe(true);
    expect(r.replies[0]?.ttl).toBe(64);
    const requests = (await readIcmpEchoes(file)).filter((e) => e.type === 'request');
    expect(requests.length).toBeGreaterThan(0);
    expect(requests[0]).toMatchObject({ src: '10.1.0.1', dst: '10.2.0.1', ttl: 64 });
    expect(readLabState(lab.prefix)?.processes.map((p) => p.pid)).toContain(cap.pid);
  }, 120_000);

  it('two namespaces: what the real tools print equals the printed model', async () => {
    const lab = await make(twoNetnsWorld(), prefixes);
    for (const id of ['a', 'b']) expect(await compareLabState(lab, id)).toEqual([]);
  }, 120_000);

  it('a Flannel-style node built with kernel/ops: real state equals the printed model', async () => {
    const lab = await make(flannelNodeWorld(), prefixes);
    for (const id of ['node', 'pod', 'wire']) expect(await compareLabState(lab, id)).toEqual([]);
    const r = await ping(lab, 'pod', '10.244.1.1');
    expect(r.replies[0]?.ttl).toBe(64);
  }, 120_000);

  it('through a router: the echo arrives with TTL 63, the reply with 63; state matches the model', async () => {
    const lab = await make(routedWorld(), prefixes);
    const probe = await probeEcho(lab, { from: 'a', dst: '10.2.0.2', at: 'b', dev: 'eth0' });
    expect(probe.ping.ok, probe.ping.output).toBe(true);
    expect(probe.received[0]?.ttl).toBe(63);
    expect(probe.ping.replies[0]?.ttl).toBe(63);
    for (const id of ['a', 'r', 'b']) expect(await compareLabState(lab, id)).toEqual([]);
  }, 120_000);

  it('reports the first failing command with its stderr', async () => {
    const prefix = newLabPrefix();
    prefixes.push(prefix);
    const bad = twoNetnsWorld();
    const a = bad.netns.get('a');
    if (!a) throw new Error('no a');
    // A gateway that no connected route reaches: the kernel refuses the route.
    const broken: World = {
      netns: new Map(bad.netns).set('a', { ...a, routes: [...a.routes, { ...a.routes[a.routes.length - 1]!, dst: { network: 0x0a090000 as never, prefix: 16 }, gateway: 0x0a080001 as never, scope: 'universe' }] }),
    };
    const r = await createLab(broken, { prefix });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.command.argv.join(' ')).toContain('route add 10.9.0.0/16 via 10.8.0.1 dev eth0');
    expect(r.error.stderr).toMatch(/Nexthop has invalid gateway|Network is unreachable/);
  }, 120_000);
});

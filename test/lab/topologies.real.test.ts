import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSystem } from '../../src/topology/build.js';
import { loadTopology } from '../../src/topology/load.js';
import { labAvailable } from '../../src/lab/available.js';
import { probeKernelFeatures, unsupportedReasons } from '../../src/lab/kernel-support.js';
import { formatFailure } from '../../src/lab/exec.js';
import { createLab, listLabNetns, teardownLab } from '../../src/lab/lab.js';
import { newLabPrefix } from '../../src/lab/names.js';
import { compareLabState, waitSettled } from '../../src/lab/readback.js';

/**
 * Every shipped topology, built by podnet's controllers and made real: each netns must print, with
 * the real ip/bridge/sysctl/iptables-save, what podnet's printers print for the model.
 */
const env = await labAvailable();
const files = readdirSync('topologies').filter((f) => f.endsWith('.yaml'));
const features = env.ok ? await probeKernelFeatures() : null;

describe.skipIf(!env.ok)(`shipped topologies made real match the model${env.ok ? '' : ` (skipped: ${env.reason})`}`, () => {
  const prefixes: string[] = [];

  afterAll(async () => {
    for (const p of prefixes) {
      await teardownLab(p);
      expect(await listLabNetns(p)).toEqual([]);
    }
  }, 120_000);

  it.for(files)('%s', { timeout: 180_000 }, async (file, ctx) => {
    const c = await loadTopology(`topologies/${file}`);
    if (!c.ok) throw new Error(c.error.message);
    const s = buildSystem(c.value);
    if (!s.ok) throw new Error(s.error);
    // A kernel without IPVS or ipip cannot hold this state: skip, saying why, never fake it.
    const unsupported = unsupportedReasons(c.value, s.value.world, features!);
    if (unsupported.length > 0) {
      ctx.skip(`this kernel cannot build ${file}: ${unsupported.join('; ')}`);
      return;
    }
    const prefix = newLabPrefix();
    prefixes.push(prefix);
    const lab = await createLab(s.value.world, { prefix });
    if (!lab.ok) throw new Error(formatFailure(lab.error));
    await waitSettled(lab.value);
    for (const id of s.value.world.netns.keys()) {
      const diffs = await compareLabState(lab.value, id);
      expect(diffs.map((d) => `${id} ${d.section}\n--- model\n${d.model}--- real\n${d.real}`)).toEqual([]);
    }
  });
});

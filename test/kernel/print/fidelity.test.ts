import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mac, type Mac } from '../../../src/net/mac.js';
import type { World } from '../../../src/kernel/netns.js';
import { labAvailable } from '../../../src/lab/available.js';
import { cmd } from '../../../src/lab/command.js';
import { runOk } from '../../../src/lab/exec.js';
import { listLabNetns, teardownLab, type Lab } from '../../../src/lab/lab.js';
import { netnsNames, newLabPrefix } from '../../../src/lab/names.js';
import { labPrintOptions, normalizeState, printModelState, readRealState, STATE_SECTIONS, waitSettled, type StateText } from '../../../src/lab/readback.js';
import { writeLabState } from '../../../src/lab/state-file.js';
import { fixtureCommands, fixtureWorld } from './fixture.js';

/**
 * The oracle test for the printers: make a small Flannel-like setup in real namespaces with plain
 * `ip`/`bridge` commands, describe the same state as a literal model, and require the printers to
 * print what iproute2 prints. Normalised (src/lab/normalize.ts), and only these:
 *  - MACs the kernel picked at random are read back and put in the model;
 *  - `ip -d link`: generic attributes and bridge timers are cut (the printer omits them);
 *  - `ip neigh`: lines sorted (the kernel dumps a randomly seeded hash table).
 * Peer ifindexes need no normalising: ifindexes are per netns and the commands run in a fixed order.
 * IPv6 is disabled in the namespaces, as the model is IPv4 only.
 */
const env = await labAvailable();
const title = env.ok ? 'printers vs the real iproute2' : `printers vs the real iproute2 (skipped: ${env.reason})`;

describe.skipIf(!env.ok)(title, () => {
  const prefix = newLabPrefix();
  const names = netnsNames(prefix, ['h', 'p', 'u']);
  const n = (id: string): string => names.get(id) ?? '';
  let world: World;
  let lab: Lab;
  const model: Record<string, StateText> = {};
  const real: Record<string, StateText> = {};

  beforeAll(async () => {
    writeLabState({ prefix, createdAt: new Date().toISOString(), ownerPid: process.pid, netns: [...names.values()], processes: [] });
    for (const argv of fixtureCommands(n, mac('02:c0:00:00:00:03'))) await runOk(cmd(...argv));
    const macs = async (id: string): Promise<Map<string, Mac>> => {
      const j = JSON.parse(await runOk(cmd('ip', '-j', '-n', n(id), 'link', 'show'))) as { ifname: string; address: string }[];
      return new Map(j.map((l) => [l.ifname, mac(l.address)]));
    };
    const [h, p, u] = [await macs('h'), await macs('p'), await macs('u')];
    const get = (m: Map<string, Mac>, k: string): Mac => m.get(k) ?? mac('00:00:00:00:00:00');
    world = fixtureWorld({
      hVeth1: get(h, 'veth1'),
      hCni0: get(h, 'cni0'),
      hEth0: get(h, 'eth0'),
      hFlannel: get(h, 'flannel.1'),
      pEth0: get(p, 'eth0'),
      pVa: get(p, 'va'),
      pVb: get(p, 'vb'),
      uUplink: get(u, 'uplink'),
      uVx1: get(u, 'vx1'),
      uVx2: get(u, 'vx2'),
      uBrEmpty: get(u, 'br-empty'),
    });
    lab = { prefix, world, stateDir: '/run/podnet', netnsName: n };
    await waitSettled(lab);
    for (const id of ['h', 'p', 'u']) {
      model[id] = normalizeState(printModelState(world, id, labPrintOptions(lab)), { ignoreDynamic: false });
      real[id] = normalizeState(await readRealState(lab, id), { ignoreDynamic: false });
    }
  }, 120_000);

  afterAll(async () => {
    await teardownLab(prefix);
    expect(await listLabNetns(prefix)).toEqual([]);
  }, 120_000);

  for (const id of ['h', 'p', 'u']) {
    it.each(STATE_SECTIONS)(`${id}: %s`, (section) => {
      expect(model[id]?.[section]).toBe(real[id]?.[section]);
    });
  }

  it('routes of one table print without `table`', async () => {
    const { printIpRoute } = await import('../../../src/kernel/print/ip-route.js');
    expect(printIpRoute(world, 'h', { table: 100 })).toBe(await runOk(cmd('ip', '-n', n('h'), 'route', 'show', 'table', '100')));
  });
});

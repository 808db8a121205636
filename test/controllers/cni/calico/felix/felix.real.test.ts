import { afterAll, describe, expect, it } from 'vitest';
import type { CalicoMode } from '../../../../../src/cluster/header.js';
import { getNetns } from '../../../../../src/kernel/netns.js';
import { formatIpsetSave } from '../../../../../src/kernel/netfilter/ipset.js';
import { printRuleset } from '../../../../../src/kernel/netfilter/print.js';
import { parseIptablesSave } from '../../../../../src/kernel/netfilter/parse.js';
import { unwrap } from '../../../../../src/lib/result.js';
import { ipsetRestoreText } from '../../../../../src/controllers/cni/calico/felix/ipsets.js';
import { restoreText } from '../../../../../src/controllers/cni/calico/felix/program.js';
import { renderFelix } from '../../../../../src/controllers/cni/calico/felix/render.js';
import { addNs, canRunRealNetfilter, deleteNsWithPrefix, haveTool, inNs, nsPrefix, saveWithoutComments, SKIP_REASON } from '../../../../kernel/netfilter/real-kernel.js';
import { exampleWorld, RICH_YAML } from './fixtures.js';
import { felixWorld, nodeInput } from './helpers.js';

/**
 * The real kernel judges the text: Felix's ip sets are created with the real `ipset restore`,
 * its four tables go through the real `iptables-restore --noflush` (nf_tables backend), and
 * `iptables-save` must print exactly what podnet's model prints after applying the same input.
 */

const prefix = nsPrefix('felix');
let n = 0;
const canRun = canRunRealNetfilter() && haveTool('ipset');

afterAll(() => {
  if (canRun) expect(deleteNsWithPrefix(prefix)).toEqual([]);
});

const withoutCounters = (s: string) => s.replace(/\[\d+:\d+\]/g, '[0:0]');

describe.skipIf(!canRun)(`Felix's rules round-trip through the real iptables-restore/iptables-save (${SKIP_REASON}, and ipset)`, () => {
  const modes: CalicoMode[] = ['ipip', 'vxlan', 'bgp'];
  it.each(modes)('%s mode, every rendering path, both nodes', (mode) => {
    const world = exampleWorld(RICH_YAML);
    const model = felixWorld(world, mode);
    for (const node of ['node1', 'node2']) {
      const ns = `${prefix}-${n++}`;
      addNs(ns);
      const r = unwrap(renderFelix(nodeInput(world, node, mode), []));
      const ip = inNs(ns, 'ipset', ['restore'], ipsetRestoreText(r.ipsets));
      expect(ip.stderr).toBe('');
      // Same members as the model's sets (ipset save lists them in hash order: compare sorted).
      const adds = (text: string) => text.split('\n').filter((l) => l.startsWith('add ')).sort();
      expect(adds(inNs(ns, 'ipset', ['save']).stdout)).toEqual(adds(formatIpsetSave(getNetns(model, `node:${node}`).ipsets.values())).filter((l) => !l.startsWith('add cali40this-host ')));
      for (const t of r.tables) {
        const res = inNs(ns, 'iptables-restore', ['--noflush'], restoreText(t));
        expect(res.stderr).toBe('');
        expect(res.status).toBe(0);
      }
      const real = withoutCounters(saveWithoutComments(ns));
      expect(printRuleset(getNetns(model, `node:${node}`).netfilter)).toBe(real);
      // The model reads the real dump back unchanged.
      expect(printRuleset(unwrap(parseIptablesSave(real)))).toBe(real);
    }
  });
});

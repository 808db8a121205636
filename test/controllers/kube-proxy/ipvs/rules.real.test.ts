import { afterAll, describe, expect, it } from 'vitest';
import { unwrap } from '../../../../src/lib/result.js';
import { getNetns } from '../../../../src/kernel/netns.js';
import { formatIpsetSave } from '../../../../src/kernel/netfilter/ipset.js';
import { printRuleset } from '../../../../src/kernel/netfilter/print.js';
import { nodeNetns } from '../../../../src/controllers/names.js';
import { servicePorts, kubeProxyConfigFor } from '../../../../src/controllers/kube-proxy/program.js';
import { ipsetRestoreText, kubeProxyIpsetEntries } from '../../../../src/controllers/kube-proxy/ipvs/ipsets.js';
import { kubeProxyIpvsIptables } from '../../../../src/controllers/kube-proxy/ipvs/iptables.js';
import { loadTopology } from '../../../../src/topology/load.js';
import { buildSystem } from '../../../../src/topology/build.js';
import { addNs, canRunRealNetfilter, deleteNsWithPrefix, haveTool, inNs, nsPrefix, SKIP_REASON } from '../../../kernel/netfilter/real-kernel.js';

/**
 * The real ipset and iptables-restore accept what podnet's kube-proxy IPVS mode writes, and what
 * they save back is what podnet's model prints (ipset: ignoring the bucketsize/initval options
 * newer ipset adds; iptables: the filter and nat tables kube-proxy wrote).
 */
const ok = canRunRealNetfilter() && haveTool('ipset');
const prefix = nsPrefix('ipvs');

afterAll(() => {
  if (ok) expect(deleteNsWithPrefix(prefix)).toEqual([]);
});

describe.skipIf(!ok)(`kube-proxy IPVS rules on the real kernel (${ok ? 'root' : SKIP_REASON + ' and ipset'})`, () => {
  it('ipset restore + iptables-restore accept them and save them back as the model prints them', async () => {
    const cluster = unwrap(await loadTopology('topologies/services-ipvs.yaml'));
    const system = unwrap(buildSystem(cluster));
    const node = cluster.nodes[0] as (typeof cluster.nodes)[number];
    const model = getNetns(system.world, nodeNetns(node.name));
    const ns = `${prefix}n1`;
    addNs(ns);
    // The same inputs the controller fed the model.
    const nodeIPs = model.addrs.filter((a) => a.dev !== 'lo' && a.dev !== 'kube-ipvs0').map((a) => a.local);
    const bound = model.addrs.filter((a) => a.dev === 'kube-ipvs0').map((a) => a.local);
    const sets = kubeProxyIpsetEntries(servicePorts(cluster), { node: node.name, nodeIPs, boundIPs: bound });
    const restore = inNs(ns, 'ipset', ['restore'], ipsetRestoreText(sets));
    expect(restore.stderr).toBe('');
    expect(restore.status).toBe(0);
    const norm = (t: string) =>
      t
        .split('\n')
        .map((l) => l.replace(/ bucketsize \d+| initval 0x[0-9a-f]+/g, ''))
        .filter((l) => l.startsWith('create KUBE-') || l.startsWith('add KUBE-'))
        .sort();
    expect(norm(inNs(ns, 'ipset', ['save']).stdout)).toEqual(norm(formatIpsetSave(model.ipsets.values())));

    const rules = kubeProxyIpvsIptables(kubeProxyConfigFor(cluster, node), sets);
    const ipt = inNs(ns, 'iptables-restore', ['--noflush'], rules.restore);
    expect(ipt.stderr).toBe('');
    expect(ipt.status).toBe(0);
    const kubeLines = (t: string) =>
      t
        .split('\n')
        .filter((l) => /^-A KUBE-/.test(l))
        .sort();
    const real = kubeLines(inNs(ns, 'iptables-save', []).stdout);
    expect(real.length).toBeGreaterThan(20);
    expect(real).toEqual(kubeLines(printRuleset(model.netfilter)).filter((l) => !/^-A KUBE-(FIREWALL)/.test(l)));
  });
});

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { compareAction } from '../../src/cli/commands/compare.js';
import { UsageError } from '../../src/cli/exit.js';
import { wrapText } from '../../src/cli/format/compare-table.js';

const TWO_NODE = 'topologies/two-node-flannel.yaml';
const TWO_SUBNETS = 'topologies/host-gw-two-subnets.yaml';
const base = { from: 'default/pod-a', to: 'default/pod-b' };

async function usage(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof UsageError) return e.detail;
    throw e;
  }
  throw new Error('expected a usage error');
}

describe('podnet compare: text', () => {
  it('two variants side by side within 80 columns, one row per fact', async () => {
    const out = await compareAction(TWO_NODE, { ...base, cni: 'flannel,flannel/host-gw', width: '80' });
    const lines = out.split('\n');
    expect(lines[0]).toBe('compare default/pod-a -> default/pod-b: ICMP echo (56 data bytes)');
    expect(lines.every((l) => l.length <= 80)).toBe(true);
    expect(lines).toContain('                FLANNEL                          FLANNEL/HOST-GW');
    const row = (label: string) => lines.find((l) => l.startsWith(label.padEnd(16))) ?? '';
    expect(row('overhead')).toMatch(/^overhead\s+50 B\/packet \(frame 98 > 148\)\s+0 B$/);
    expect(row('path MTU')).toMatch(/1450 \(eth0 in default\/pod-a\)\s+1500 \(eth0 in default\/pod-a\)$/);
    expect(row('TTL on arrival')).toMatch(/^TTL on arrival\s+62\s+62$/);
    expect(row('encapsulation')).toMatch(/VXLAN UDP 8472 VNI 1,\s+none$/);
    expect(row('policy')).toMatch(/not enforced\s+not enforced$/);
    for (const label of ['verdict', 'path', 'hops', 'source IP seen', 'routes used']) expect(row(label)).not.toBe('');
  });

  it('too many columns for the width: a summary row per variant, then a block per variant', async () => {
    const out = await compareAction(TWO_SUBNETS, { ...base, cni: 'flannel,flannel/host-gw,flannel/vxlan-directrouting', width: '80' });
    const lines = out.split('\n');
    expect(lines[3]).toMatch(/^VARIANT\s+VERDICT\s+HOPS\s+ENCAP\s+OVERHEAD\s+MTU\s+TTL\s+SOURCE\s+POLICY$/);
    expect(lines[4]).toMatch(/^flannel\s+OK\s+3\s+VXLAN:8472\s+50\s+1450\s+62\s+kept\s+off$/);
    expect(lines[5]).toMatch(/^flannel\/host-gw\s+FAILED\s+1\s+none\s+0\s+1500\s+-\s+-\s+off$/);
    expect(lines).toContain('flannel/host-gw:');
    // The verdict says where it died, and the controller error says why.
    expect(out).toMatch(/verdict\s+FAILED: NO_ROUTE to 10\.244\.2\.2 in underlay/);
    expect(out).toMatch(/problems\s+error flanneld on node1: Error adding route to 10\.244\.2\.0\/24\n\s+via 192\.168\.2\.102: Nexthop has invalid gateway/);
    expect(lines.filter((l) => l.length > 80)).toEqual([]);
  });

  it('a wider terminal gets the side-by-side table', async () => {
    const out = await compareAction(TWO_SUBNETS, { ...base, cni: 'flannel,flannel/host-gw,flannel/vxlan-directrouting', width: '200' });
    expect(out.split('\n')[3]).toMatch(/^\s+FLANNEL\s+FLANNEL\/HOST-GW\s+FLANNEL\/VXLAN-DIRECTROUTING$/);
  });

  it('random choices: a cell lists each outcome with its probability; --seed picks one', async () => {
    const svc = { from: 'default/client', to: 'svc/default/web:80', cni: 'flannel', width: '80' };
    const all = await compareAction('test/fixtures/topologies/two-endpoints.yaml', svc);
    expect(all).toMatch(/^TTL on arrival\s+p=0\.50 64\n\s+p=0\.50 62$/m);
    expect(all).toMatch(/^encapsulation\s+p=0\.50 none\n\s+p=0\.50 VXLAN UDP 8472 VNI 1,/m);
    const seeded = await compareAction('test/fixtures/topologies/two-endpoints.yaml', { ...svc, seed: '7' });
    expect(seeded).not.toMatch(/p=0\.50/);
    expect(seeded).toBe(await compareAction('test/fixtures/topologies/two-endpoints.yaml', { ...svc, seed: '7' }));
  });

  it('is deterministic', async () => {
    const o = { ...base, cni: 'flannel,flannel/host-gw', width: '100' };
    expect(await compareAction(TWO_NODE, o)).toBe(await compareAction(TWO_NODE, o));
  });

  it('wraps at spaces, cuts words longer than a line, indents continuations', () => {
    expect(wrapText('aaa bbb ccc', 7)).toEqual(['aaa bbb', '  ccc']);
    expect(wrapText('abcdefghij', 4)).toEqual(['abcd', '  ef', '  gh', '  ij']);
    expect(wrapText('short', 10)).toEqual(['short']);
  });
});

describe('podnet compare --json', () => {
  it('one entry per variant with the documented fields', async () => {
    const doc = JSON.parse(await compareAction(TWO_NODE, { ...base, cni: 'flannel,flannel/host-gw', json: true })) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(['topology', 'from', 'to', 'flow', 'variants']);
    expect(doc).toMatchObject({ topology: 'two-node-flannel', from: 'default/pod-a', to: 'default/pod-b', flow: { proto: 'icmp', size: 56 } });
    const [vx, gw] = doc.variants as Record<string, unknown>[];
    expect(Object.keys(vx ?? {})).toEqual(['name', 'config', 'ok', 'description', 'endpoints', 'policyEnforced', 'policyNote', 'problems', 'outcomes']);
    expect(vx).toMatchObject({ name: 'flannel', ok: true, endpoints: { from: '10.244.1.2', to: '10.244.2.2' }, policyEnforced: false, problems: [] });
    const o = (vx?.outcomes as Record<string, unknown>[])[0];
    expect(Object.keys(o ?? {})).toEqual(['probability', 'verdict', 'disposition', 'path', 'hops', 'routers', 'encapsulation', 'overhead', 'pathMtu', 'ttlOnArrival', 'source', 'routes', 'policy']);
    expect(o).toMatchObject({
      probability: 1,
      verdict: { kind: 'ok' },
      disposition: { kind: 'DELIVERED' },
      hops: 2,
      overhead: 50,
      pathMtu: { mtu: 1450, where: 'pod default/pod-a', dev: 'eth0' },
      ttlOnArrival: 62,
      source: { sent: '10.244.1.2', seen: '10.244.1.2', preserved: true },
      encapsulation: [{ kind: 'vxlan', udpDstPort: 8472, vni: 1, where: 'node1', dev: 'flannel.1', outerSrc: '192.168.1.101', outerDst: '192.168.1.102', overhead: 50, wireBytes: 148, innerBytes: 98 }],
      policy: null,
    });
    expect((gw?.outcomes as Record<string, unknown>[])[0]).toMatchObject({ overhead: 0, encapsulation: [], pathMtu: { mtu: 1500 }, ttlOnArrival: 62 });
  });

  it('a variant that cannot run is an entry with ok false and the stage and reason', async () => {
    const doc = JSON.parse(await compareAction(TWO_NODE, { ...base, cni: 'flannel,calico/vxlan-crosssubnet', json: true })) as { variants: Record<string, unknown>[] };
    const c = doc.variants[1];
    expect(c).toMatchObject({ name: 'calico/vxlan-crosssubnet', config: { kind: 'calico', mode: 'vxlan', crossSubnet: true, bgp: null } });
    if (c?.ok === false) expect(c.error).toMatchObject({ stage: expect.stringMatching(/^(load|build|trace)$/), message: expect.any(String) });
    else expect(c?.ok).toBe(true);
  });
});

describe('podnet compare: usage errors', () => {
  it('names the valid variants for an unknown one, and refuses duplicates', async () => {
    expect(await usage(compareAction(TWO_NODE, { ...base, cni: 'flannel,cilium' }))).toBe(
      '--cni: unknown CNI variant "cilium"; expected one of flannel, flannel/host-gw, flannel/vxlan-directrouting, calico, calico/ipip, calico/vxlan, calico/ipip-crosssubnet, calico/vxlan-crosssubnet, flannel/vxlan, calico/bgp',
    );
    expect(await usage(compareAction(TWO_NODE, { ...base, cni: 'flannel,flannel/vxlan' }))).toBe('--cni: flannel/vxlan is listed twice (it is the same as flannel)');
    expect(await usage(compareAction(TWO_NODE, { ...base, cni: 'flannel,' }))).toMatch(/^--cni: "flannel,": empty item/);
  });

  it('pods by name: a pod IP is refused, an unknown pod is named', async () => {
    expect(await usage(compareAction(TWO_NODE, { ...base, to: '10.244.2.2' }))).toMatch(/^destination 10\.244\.2\.2: an address in the pod CIDR/);
    expect(await usage(compareAction(TWO_NODE, { ...base, from: 'default/ghost' }))).toMatch(/^source default\/ghost: no such pod/);
    expect(await usage(compareAction(TWO_NODE, { ...base, proto: 'tcp' }))).toMatch(/needs a destination port/);
  });

  it('the real binary exits 2 with the message on stderr, 0 when a variant fails', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'compare', ...args], { encoding: 'utf8' });
    const bad = run(TWO_NODE, '--from', 'default/pod-a', '--to', 'default/pod-b', '--cni', 'weave');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^podnet: --cni: unknown CNI variant "weave"; expected one of flannel, /);
    const failed = run(TWO_SUBNETS, '--from', 'default/pod-a', '--to', 'default/pod-b', '--cni', 'flannel/host-gw');
    expect(failed.status).toBe(0);
    expect(failed.stdout).toMatch(/FAILED: NO_ROUTE/);
  });
});

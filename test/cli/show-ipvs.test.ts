import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const FILE = 'topologies/services-ipvs.yaml';
const run = (...args: string[]) => spawnSync('npx', ['tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });

describe('podnet show NODE ipvs|ipset', () => {
  it('prints ipvsadm -Ln for a node in IPVS mode', () => {
    const out = execFileSync('npx', ['tsx', 'src/cli/main.ts', 'show', FILE, 'node2', 'ipvs'], { encoding: 'utf8' });
    expect(out.startsWith('IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n')).toBe(true);
    expect(out).toContain('TCP  192.168.1.102:30080 rr\n');
    expect(out).toContain('TCP  10.96.0.20:80 rr\n  -> 10.244.1.3:8080              Masq    1      0          0         \n');
  });

  it('prints ipset save, and JSON lines with --json', () => {
    const r = run('show', FILE, 'node1', 'ipset', '--json');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.what).toBe('ipset');
    expect(j.lines).toContain('add KUBE-CLUSTER-IP 10.96.0.20,tcp:80');
  });

  it('prints an empty table for a pod netns and exits 2 for an unknown section', () => {
    const pod = run('show', FILE, 'default/client', 'ipvs');
    expect(pod.status).toBe(0);
    expect(pod.stdout.split('\n').filter((l) => l !== '')).toHaveLength(3);
    const bad = run('show', FILE, 'node1', 'ipvsadm');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/"ipvsadm" is not one of .*ipvs, ipset/);
  });
});

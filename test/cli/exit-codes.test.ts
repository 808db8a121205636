import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Run the real CLI as a user would, with stdout not a terminal. */
function podnet(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('podnet CLI exit codes and messages', () => {
  it('podnet alone, not on a terminal, prints the seed trace and exits 0', () => {
    const r = podnet();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^trace pod default\/pod-a \(10\.244\.1\.2\) -> pod default\/pod-b/);
    expect(r.stdout).toMatch(/ttl on arrival: 62/);
  });

  it('exits 2 with file:line:col for a malformed topology, and no stack trace', () => {
    const r = podnet('trace', 'test/fixtures/topologies/bad-cidr.yaml', '--from', 'default/pod-a', '--to', 'default/pod-b');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^podnet: test\/fixtures\/topologies\/bad-cidr\.yaml:7:\d+: /m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('exits 2 for a missing file, a missing option and an unknown show section', () => {
    expect(podnet('trace', 'nope.yaml', '--from', 'a', '--to', 'b').code).toBe(2);
    expect(podnet('trace', 'topologies/two-node-flannel.yaml').code).toBe(2);
    const s = podnet('show', 'topologies/two-node-flannel.yaml', 'node1', 'bogus');
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/"bogus" is not one of links, addrs, routes/);
  });

  it('exits 0 when the packet is dropped: the command ran', () => {
    const r = podnet('trace', 'topologies/host-gw-two-subnets.yaml', '--from', 'default/pod-a', '--to', 'default/pod-b');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/NO_ROUTE to 10\.244\.2\.2 in underlay/);
    expect(r.stdout).toMatch(/error: flanneld on node1: Error adding route to 10\.244\.2\.0\/24 via 192\.168\.2\.102: Nexthop has invalid gateway/);
  });

  it('show prints kernel state as the Linux tools do', () => {
    const routes = podnet('show', 'topologies/two-node-flannel.yaml', 'node1', 'routes');
    expect(routes.code).toBe(0);
    expect(routes.stdout.split('\n')).toEqual(expect.arrayContaining(['default via 192.168.1.1 dev eth0 ', '10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink ']));
    const fdb = podnet('show', 'topologies/two-node-flannel.yaml', 'node1', 'fdb');
    expect(fdb.stdout).toMatch(/dev flannel\.1 dst 192\.168\.1\.102 self permanent/);
    const ipt = podnet('show', 'topologies/two-node-flannel.yaml', 'node1', 'iptables');
    expect(ipt.stdout).toMatch(/^-A FLANNEL-POSTRTG -s 10\.244\.1\.0\/24 -d 10\.244\.0\.0\/16 -m comment --comment "flanneld masq" -j RETURN$/m);
  });
});

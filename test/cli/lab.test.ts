import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * `podnet lab` without root: a clear error and exit 3 (the machine cannot do it), while bad input
 * is still exit 2 and is reported before anything needs root. As root, the CLI runs as nobody.
 */
const asRoot = process.getuid?.() === 0;
const hasSetpriv = spawnSync('sh', ['-c', 'command -v setpriv'], { stdio: 'ignore' }).status === 0;

function podnet(...args: string[]): { code: number | null; stderr: string; stdout: string } {
  const cli = [process.execPath, '--import', 'tsx', 'src/cli/main.ts', ...args];
  const argv = asRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'env', 'HOME=/tmp', ...cli] : cli;
  const r = spawnSync(argv[0] ?? 'node', argv.slice(1), { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe.skipIf(asRoot && !hasSetpriv)('podnet lab as an unprivileged user', () => {
  it('lab up and lab check say they need root and exit 3', () => {
    for (const args of [['lab', 'up', 'topologies/two-node-flannel.yaml'], ['lab', 'check', 'topologies/two-node-flannel.yaml']]) {
      const r = podnet(...args);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/podnet: lab: needs root to create network namespaces/);
    }
  }, 60_000);

  it('bad input is exit 2 before root is needed: a bad flow, a missing FILE for down, a bad --repeat', () => {
    const bad = podnet('lab', 'check', 'topologies/two-node-flannel.yaml', '--flows', 'tcp:default/pod-a->default/pod-b');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--flows: flow "tcp:default\/pod-a->default\/pod-b": tcp needs a destination port/);
    expect(podnet('lab', 'down').stderr).toMatch(/give the topology FILE, or --all/);
    expect(podnet('lab', 'check', 'topologies/two-node-flannel.yaml', '--repeat', '0').code).toBe(2);
    expect(podnet('lab', 'check', 'topologies/nope.yaml').code).toBe(2);
  }, 60_000);

  it('lab status works without root', () => {
    const r = podnet('lab', 'status', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(Array.isArray(JSON.parse(r.stdout))).toBe(true);
  }, 60_000);
});

import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labAvailable } from '../../src/lab/available.js';
import { listLabNetns, teardownLab } from '../../src/lab/lab.js';
import { isAlive } from '../../src/lab/processes.js';
import { labStatePath, labWorkDir, readLabState, type LabState } from '../../src/lab/state-file.js';
import { labsForTopology } from '../../src/lab/up.js';

/**
 * `podnet lab up / status / exec / check / down` as a user runs them (the CLI in a child process),
 * on a copy of a shipped topology (its path is the lab's key, so no other lab is touched). The root
 * namespace must be exactly as before; `lab down` must leave no namespace, process or file, also
 * after `lab up` was killed half-way.
 */
const env = await labAvailable();
const dir = mkdtempSync(join(tmpdir(), 'podnet-labcli-'));
const flannel = join(dir, 'two-node-flannel.yaml');
const dns = join(dir, 'dns-demo.yaml');
const calico = join(dir, 'calico-bgp-three-nodes.yaml');
copyFileSync('topologies/two-node-flannel.yaml', flannel);
copyFileSync('topologies/calico-bgp-three-nodes.yaml', calico);
const hasBird = spawnSync('sh', ['-c', 'command -v bird'], { stdio: 'ignore' }).status === 0;
copyFileSync('topologies/dns-demo.yaml', dns);

function podnet(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const sh = (cmd: string): string => spawnSync('sh', ['-c', cmd], { encoding: 'utf8' }).stdout;

/** The root netns as the tools print it (iptables-save without its timestamp comments and counters). */
function rootSnapshot(): Record<string, string> {
  return {
    links: sh('ip -o link show'),
    addrs: sh('ip -o addr show'),
    routes: sh('ip route show table all'),
    rules: sh('ip rule show'),
    iptables: sh("iptables-save | grep -v '^#' | sed -E 's/\\[[0-9]+:[0-9]+\\]/[0:0]/'"),
    sysctl: sh('sysctl -n net.ipv4.ip_forward net.ipv4.conf.all.forwarding; sysctl -n net.bridge.bridge-nf-call-iptables 2>/dev/null || true'),
  };
}

function gone(state: LabState): void {
  for (const p of state.processes) expect(isAlive(p.pid), `${p.what} (pid ${p.pid})`).toBe(false);
  expect(existsSync(labStatePath(state.prefix))).toBe(false);
  expect(existsSync(labWorkDir(state.prefix))).toBe(false);
}

describe.skipIf(!env.ok)(`podnet lab on the real kernel${env.ok ? '' : ` (skipped: ${env.reason})`}`, () => {
  afterAll(async () => {
    for (const f of [flannel, dns, calico]) for (const s of labsForTopology(f)) await teardownLab(s.prefix);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('up, status, exec, down: the root namespace untouched, nothing left behind', async () => {
    const before = rootSnapshot();
    const up = podnet('lab', 'up', flannel);
    expect(up.code, up.stderr).toBe(0);
    const state = labsForTopology(flannel)[0];
    if (!state) throw new Error('no lab state after lab up');
    expect(up.stdout).toContain(`lab ${state.prefix} up: topology two-node-flannel`);
    expect(up.stdout).toContain('listening in pod default/pod-b: 80/tcp');
    expect(await listLabNetns(state.prefix)).toHaveLength(6);

    const status = JSON.parse(podnet('lab', 'status', '--json').stdout) as { prefix: string; persistent?: boolean; netnsAlive: number }[];
    expect(status.find((s) => s.prefix === state.prefix)).toMatchObject({ persistent: true, netnsAlive: 6 });
    expect(podnet('lab', 'up', flannel)).toMatchObject({ code: 3, stderr: expect.stringMatching(/already up/) });

    const addr = podnet('lab', 'exec', flannel, 'default/pod-a', '--', 'ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0');
    expect(addr.code).toBe(0);
    expect(addr.stdout).toContain('inet 10.244.1.2/24');
    const pingB = podnet('lab', 'exec', flannel, 'default/pod-a', '--', 'ping', '-n', '-c', '1', '-W', '2', '10.244.2.2');
    expect(pingB.stdout).toMatch(/ttl=62/);
    // Through kube-proxy's DNAT to the agent in pod-b, which names itself and the source it saw:
    // a node client is masqueraded to flannel.1's address, as the model says too.
    const web = podnet('lab', 'exec', flannel, 'node1', '--', 'bash', '-c', 'exec 3<>/dev/tcp/10.106.175.246/80; cat <&3');
    expect(web.stdout.trim()).toMatch(/^pod:default\/pod-b 10\.244\.1\.0:\d+$/);
    expect(podnet('lab', 'exec', flannel, 'default/pod-a', '--', 'false').code).toBe(1);
    expect(podnet('lab', 'exec', flannel, 'default/nope', '--', 'true').code).toBe(2);

    const down = podnet('lab', 'down', flannel);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain(`lab ${state.prefix} down: 6 network namespaces deleted`);
    expect(await listLabNetns(state.prefix)).toEqual([]);
    gone(state);
    expect(podnet('lab', 'down', flannel).stdout).toMatch(/no lab of .* is up/);
    expect(rootSnapshot()).toEqual(before);
  }, 240_000);

  it('a lab whose `lab up` was killed half-way is still removed by lab down', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'lab', 'up', dns], { stdio: 'ignore' });
    let state: LabState | undefined;
    const deadline = Date.now() + 60_000;
    // Kill it once it has recorded the lab and made some of its namespaces.
    while (Date.now() < deadline) {
      state = labsForTopology(dns)[0];
      if (state && (await listLabNetns(state.prefix)).length >= 3) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    if (!state) throw new Error('lab up never recorded its lab');
    const down = podnet('lab', 'down', dns);
    expect(down.code, down.stderr).toBe(0);
    expect(await listLabNetns(state.prefix)).toEqual([]);
    gone(readLabState(state.prefix) ?? state);
  }, 240_000);

  it('dns-demo: a pod resolves Service names through the modelled CoreDNS, with its own resolv.conf', () => {
    expect(podnet('lab', 'up', dns).code).toBe(0);
    const r = podnet('lab', 'exec', dns, 'default/debian', '--', 'getent', 'hosts', 'web.prod');
    expect(r.stdout).toMatch(/^10\.98\.6\.198\s+web\.prod\.svc\.cluster\.local/);
    expect(podnet('lab', 'down', dns).code).toBe(0);
  }, 240_000);

  it.skipIf(!hasBird)('Calico BGP: BIRD in every node learns exactly the routes the model computed', async () => {
    const up = podnet('lab', 'up', calico, '--json');
    expect(up.code, up.stderr).toBe(0);
    const j = JSON.parse(up.stdout) as { prefix: string; bird: unknown[]; bgpRoutes: { node: string; agree: boolean; real: string }[] };
    expect(j.bird).toHaveLength(3);
    expect(j.bgpRoutes.map((r) => [r.node, r.agree])).toEqual([['node1', true], ['node2', true], ['node3', true]]);
    expect(j.bgpRoutes[0]?.real).toMatch(/10\.244\.75\.64\/26 via 192\.168\.1\.102 dev eth0 proto bird/);
    const state = readLabState(j.prefix);
    expect(podnet('lab', 'down', calico).code).toBe(0);
    if (state) gone(state);
  }, 240_000);

  it('lab check --flows: a table of agreements, exit 0', () => {
    const r = podnet('lab', 'check', flannel, '--flows', 'ping:default/pod-a->default/pod-b', 'tcp:default/pod-c->svc/default/web:80');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/agree +ping:default\/pod-a->default\/pod-b +result ok \| endpoint pod default\/pod-b \| source 10\.244\.1\.2 \| ttl 62 \| reply ttl 62 \| encap vxlan 192\.168\.1\.101->192\.168\.1\.102 dport 8472 vni 1/);
    expect(r.stdout).toContain('2 of 2 flows agree with the model; 0 disagree; 0 skipped');
  }, 240_000);

  it('lab up refuses what this kernel cannot build, saying why (IPVS)', () => {
    const r = podnet('lab', 'up', 'topologies/services-ipvs.yaml');
    if (existsSync('/proc/net/ip_vs')) return;
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/kube-proxy mode ipvs needs IPVS/);
  }, 120_000);
});

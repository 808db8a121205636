import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { traceAction } from '../../src/cli/commands/trace.js';
import { dnsNameOf } from '../../src/cli/commands/trace-name.js';
import { UsageError } from '../../src/cli/exit.js';
import { main } from '../../src/cli/main.js';
import { loadSystem } from '../../src/cli/load.js';

/** `podnet trace --to NAME:PORT`: the source pod resolves NAME first, then the flow goes to the answer. */

const DEMO = 'topologies/dns-demo.yaml';
const hasTshark = spawnSync('sh', ['-c', 'command -v tshark'], { stdio: 'ignore' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'podnet-trace-name-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trace --to NAME:PORT', () => {
  it('resolves web.prod from the glibc pod (4 queries), then connects to its ClusterIP through kube-proxy', async () => {
    const out = await traceAction(DEMO, { from: 'default/debian', to: 'web.prod:80' });
    expect(out).toMatch(/^resolve web\.prod from default\/debian \(glibc 2\.36\), nameserver 10\.96\.0\.10:$/m);
    expect(out).toMatch(/^ {2}total: 4 queries/m);
    const ip = /^=> web\.prod is (10\.\d+\.\d+\.\d+); tracing to it$/m.exec(out)?.[1];
    expect(ip).toBeDefined();
    expect(out).toContain(`trace pod default/debian (10.244.1.4) -> web.prod = ${ip}: TCP connect to port 80`);
    expect(out).toMatch(new RegExp(`DNAT ${ip!.replaceAll('.', '\\.')}:80 -> 10\\.244\\.2\\.\\d+:80`));
    expect(out).toMatch(/^verdict: OK - connected/m);
    // The lookup left the pod's ARP entry for its gateway: the flow's first hop uses it.
    expect(out).toMatch(/neigh 10\.244\.1\.1 dev eth0 lladdr \S+ REACHABLE \(cached\)/);
  });

  it('musl on an ndots:1 pod fails where glibc succeeds; the failure is a result (exit 0), not an error', async () => {
    const musl = await traceAction(DEMO, { from: 'default/alpine-ndots1', to: 'web.prod:80' });
    expect(musl).toMatch(/^=> web\.prod does not resolve: EAI_NONAME \(Name does not resolve\); nothing to trace$/m);
    expect(musl).not.toMatch(/^verdict:/m);
    const glibc = await traceAction(DEMO, { from: 'default/alpine-ndots1', to: 'web.prod:80', resolver: 'glibc' });
    expect(glibc).toMatch(/^verdict: OK/m);
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      expect(await main(['trace', DEMO, '--from', 'default/debian', '--to', 'missing:80'])).toBe(0);
    } finally {
      process.stdout.write = write;
    }
  });

  it('a missing service: NXDOMAIN with the cluster SOA shown in the resolution', async () => {
    const out = await traceAction(DEMO, { from: 'default/debian', to: 'missing:80' });
    expect(out).toMatch(/missing\.default\.svc\.cluster\.local\.\s+A\s+10\.96\.0\.10\s+\d+\s+NXDOMAIN \(SOA cluster\.local\.\)/);
    expect(out).toMatch(/^=> missing does not resolve: EAI_NONAME/m);
  });

  it('--json has the resolution next to the outcomes', async () => {
    const j = JSON.parse(await traceAction(DEMO, { from: 'default/debian', to: 'www.example.com:443', json: true })) as { resolution: { resolved: boolean; address: string; datagrams: number }; outcomes: unknown[] };
    expect(j.resolution).toMatchObject({ resolved: true, address: '192.0.2.10', datagrams: 8 });
    expect(j.outcomes.length).toBeGreaterThan(0);
  });

  it('NAME rules: a pod in default keeps its meaning, dns/ forces a name, slashes and IPs are never names', async () => {
    const { cluster } = await loadSystem(DEMO);
    expect(dnsNameOf(cluster, 'debian')).toBeNull();
    expect(dnsNameOf(cluster, 'dns/debian')).toBe('debian');
    expect(dnsNameOf(cluster, 'web.prod')).toBe('web.prod');
    expect(dnsNameOf(cluster, 'web.prod.svc.cluster.local.')).toBe('web.prod.svc.cluster.local.');
    expect(dnsNameOf(cluster, 'default/debian')).toBeNull();
    expect(dnsNameOf(cluster, '10.96.0.10')).toBeNull();
    await expect(traceAction(DEMO, { from: 'node/node1', to: 'web.prod:80' })).rejects.toThrow(UsageError);
    await expect(traceAction(DEMO, { from: 'node/node1', to: 'web.prod:80' })).rejects.toThrow(/--from must be a pod/);
  });
});

describe.skipIf(!hasTshark)('trace --to NAME --pcap (needs tshark)', () => {
  it('the DNS queries and replies come first, then the flow', async () => {
    const file = join(dir, 'named.pcap');
    await traceAction(DEMO, { from: 'default/debian', to: 'web.prod:80', pcap: file });
    const rows = execFileSync('tshark', ['-n', '-r', file, '-T', 'fields', '-e', '_ws.col.Protocol'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n');
    const firstTcp = rows.findIndex((r) => r === 'TCP');
    expect(rows.slice(0, firstTcp).filter((r) => r === 'DNS').length).toBeGreaterThanOrEqual(8);
    expect(rows.slice(firstTcp).includes('DNS')).toBe(false);
  });
});

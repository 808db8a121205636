import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dnsAction } from '../../src/cli/commands/dns.js';

/** `podnet dns` over the packet walk: the path of each query, --seed, and a pcap tshark reads as DNS. */

const DEMO = 'topologies/dns-demo.yaml';
const FIXTURE = 'test/dns/packet-fixture.yaml';
const hasTshark = spawnSync('sh', ['-c', 'command -v tshark'], { stdio: 'ignore' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'podnet-dns-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('podnet dns: the path of every query', () => {
  it('lists both CoreDNS endpoints (node1 and node2) at p=0.50, the DNAT on the client\'s node, and the same-socket AAAA', async () => {
    const out = await dnsAction(FIXTURE, 'web', { pod: 'default/debian' });
    expect(out).toMatch(/^ {7}path of #1: kube-system\/coredns-a on node1 \(DNAT 10\.96\.0\.10:53 -> 10\.244\.1\.\d+:53 on node1\) p=0\.50 \| kube-system\/coredns-b on node2 \(DNAT 10\.96\.0\.10:53 -> 10\.244\.2\.\d+:53 on node1\) p=0\.50$/m);
    expect(out).toMatch(/^ {7}#2 uses the same socket: conntrack sends it where #1 went$/m);
    expect(out).toMatch(/^ {7}CoreDNS: kubernetes: ClusterIP of service default\/web/m);
    expect(out).toMatch(/^total: 2 queries/m);
  });

  it('--seed picks one endpoint: one path at p=1.00, named CoreDNS pod', async () => {
    const out = await dnsAction(FIXTURE, 'web', { pod: 'default/debian', seed: '3' });
    expect(out).toMatch(/^ {7}path of #1: kube-system\/coredns-[ab] on node[12] \(DNAT [^)]+\) p=1\.00$/m);
    expect(out).toMatch(/^ {7}CoreDNS kube-system\/coredns-[ab]: kubernetes: /m);
    expect(await dnsAction(FIXTURE, 'web', { pod: 'default/debian', seed: '3' })).toBe(out);
    await expect(dnsAction(FIXTURE, 'web', { pod: 'default/debian', seed: 'x' })).rejects.toThrow(/--seed x: expected an integer/);
  });

  it('--json carries the paths per query', async () => {
    const j = JSON.parse(await dnsAction(FIXTURE, 'web', { pod: 'default/debian', json: true })) as { probability: number; queries: { paths: { probability: number; answeredBy: string; node: string; verdict: string }[] }[] };
    expect(j.probability).toBe(1);
    expect(j.queries[0]!.paths.map((p) => [p.answeredBy, p.node, p.probability, p.verdict])).toEqual([
      ['kube-system/coredns-a', 'node1', 0.5, 'ok'],
      ['kube-system/coredns-b', 'node2', 0.5, 'ok'],
    ]);
  });
});

describe.skipIf(!hasTshark)('podnet dns --pcap, read back by tshark (needs tshark)', () => {
  it('every query and reply decodes as DNS: names, IDs, rcodes; the client sees 10.96.0.10 answer', async () => {
    const file = join(dir, 'www.pcap');
    const text = await dnsAction(DEMO, 'www.example.com', { pod: 'default/debian', pcap: file });
    const ids = [...text.matchAll(/DNS response (0x[0-9a-f]{4})/g)].map((m) => m[1]);
    const rows = execFileSync('tshark', ['-n', '-r', file, '-o', 'udp.check_checksum:TRUE', '-Y', 'dns && dns.flags.response == 1 && ip.src == 10.96.0.10 && ip.dst == 10.244.1.4', '-T', 'fields', '-e', 'ip.src', '-e', 'dns.id', '-e', 'dns.qry.name', '-e', 'dns.qry.type', '-e', 'dns.flags.rcode', '-e', 'dns.soa.mname', '-e', 'dns.a', '-e', 'udp.checksum.status'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    // The eight replies as the pod receives them: from the ClusterIP, after reverse NAT.
    expect(rows.map((r) => [r[0], r[2], r[3], r[4]])).toEqual([
      ['10.96.0.10', 'www.example.com.default.svc.cluster.local', '1', '3'],
      ['10.96.0.10', 'www.example.com.default.svc.cluster.local', '28', '3'],
      ['10.96.0.10', 'www.example.com.svc.cluster.local', '1', '3'],
      ['10.96.0.10', 'www.example.com.svc.cluster.local', '28', '3'],
      ['10.96.0.10', 'www.example.com.cluster.local', '1', '3'],
      ['10.96.0.10', 'www.example.com.cluster.local', '28', '3'],
      ['10.96.0.10', 'www.example.com', '1', '0'],
      ['10.96.0.10', 'www.example.com', '28', '0'],
    ]);
    expect(rows[0]![5]).toBe('ns.dns.cluster.local');
    expect(rows[6]![6]).toBe('192.0.2.10');
    expect(rows.every((r) => r[7] === '1')).toBe(true); // tshark: 1 = checksum good
    expect(ids.length).toBeGreaterThan(0);
    expect(rows.map((r) => r[1])).toContain(ids[0]);
  });
});

import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { dnsAction, dnsCommand } from '../../src/cli/commands/dns.js';
import { UsageError } from '../../src/cli/exit.js';

/** `podnet dns` on topologies/dns-demo.yaml: what the issue says it must show. */

const DEMO = 'topologies/dns-demo.yaml';

async function dns(name: string | undefined, o: Parameters<typeof dnsAction>[2]): Promise<string> {
  return dnsAction(DEMO, name, o);
}

describe('podnet dns (text)', () => {
  it('www.example.com from a glibc pod in default: resolv.conf, 8 queries with the three search suffixes first, answer, hint', async () => {
    const out = await dns('www.example.com', { pod: 'default/debian' });
    expect(out).toMatch(/^dns from default\/debian \(10\.244\.1\.4 on node1\): getaddrinfo\("www\.example\.com", AF_UNSPEC\)$/m);
    expect(out).toMatch(/^resolver: glibc 2\.36 \(pod annotation podnet\.dev\/libc\)$/m);
    expect(out).toContain('  search default.svc.cluster.local svc.cluster.local cluster.local\n  nameserver 10.96.0.10\n  options ndots:5\n');
    const queried = [...out.matchAll(/^\s+\d+\s+\d+ ms\s+(\S+)\s+(A|AAAA)\s+10\.96\.0\.10\s+\d+\s+(\S+)/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
    expect(queried).toEqual([
      'www.example.com.default.svc.cluster.local. A NXDOMAIN',
      'www.example.com.default.svc.cluster.local. AAAA NXDOMAIN',
      'www.example.com.svc.cluster.local. A NXDOMAIN',
      'www.example.com.svc.cluster.local. AAAA NXDOMAIN',
      'www.example.com.cluster.local. A NXDOMAIN',
      'www.example.com.cluster.local. AAAA NXDOMAIN',
      'www.example.com. A NOERROR',
      'www.example.com. AAAA NOERROR',
    ]);
    expect(out).toMatch(/^total: 8 queries \(4 names, 4 source ports\), 0 ms$/m);
    expect(out).toMatch(/^answer: www\.example\.com -> 192\.0\.2\.10, 2001:db8::10$/m);
    expect(out).toMatch(/^hint: 6 of 8 queries went to search-list names that do not exist\. Write "www\.example\.com\." with a trailing dot: 2 queries instead of 8\.$/m);
    expect(out).toMatch(/^hint: Or lower ndots to 2 /m);
    expect(out).toMatch(/forward: forwarded to 192\.168\.1\.1/);
  });

  it('web-0.nginx.default.svc.cluster.local has 5 dots: tried as written first, 2 queries, no hint', async () => {
    const out = await dns('web-0.nginx.default.svc.cluster.local', { pod: 'default/debian' });
    expect(out).toContain('"web-0.nginx.default.svc.cluster.local" has 5 dots >= ndots 5: glibc tries it as written first');
    expect(out).toMatch(/^\s+1\s+0 ms\s+web-0\.nginx\.default\.svc\.cluster\.local\.\s+A\s+10\.96\.0\.10\s+\d+\s+NOERROR A 10\.244\.1\.6$/m);
    expect(out).toMatch(/^total: 2 queries/m);
    expect(out).not.toMatch(/^hint:/m);
  });

  it('a missing service: NXDOMAIN with the cluster SOA, EAI_NONAME', async () => {
    const out = await dns('missing', { pod: 'default/debian' });
    expect(out).toMatch(/missing\.default\.svc\.cluster\.local\.\s+A\s+10\.96\.0\.10\s+\d+\s+NXDOMAIN \(SOA cluster\.local\.\)/);
    expect(out).toMatch(/read as service "missing" in namespace "default": no such service/);
    expect(out).toMatch(/^answer: EAI_NONAME \(Name or service not known\)$/m);
  });

  it('musl and glibc differ where the reference says: ndots:1 web.prod, and a namespace name', async () => {
    const musl = await dns('web.prod', { pod: 'default/alpine-ndots1' });
    expect(musl).toMatch(/^resolver: musl 1\.2\.5/m);
    expect(musl).toMatch(/^total: 2 queries/m);
    expect(musl).toMatch(/^answer: EAI_NONAME \(Name does not resolve\)$/m);
    expect(musl).toMatch(/^hint: "web\.prod" has 1 dot >= ndots 1, so musl sent it only as written; glibc would go on to the search list/m);
    const glibc = await dns('web.prod', { pod: 'default/alpine-ndots1', resolver: 'glibc' });
    expect(glibc).toMatch(/^total: 6 queries/m);
    expect(glibc).toMatch(/^answer: web\.prod \(canonical name web\.prod\.svc\.cluster\.local\) -> 10\.\d+\.\d+\.\d+$/m);
    expect(await dns('prod', { pod: 'default/alpine' })).toMatch(/^total: 4 queries[\s\S]*^answer: EAI_NODATA/m);
    expect(await dns('prod', { pod: 'default/debian' })).toMatch(/^total: 8 queries[\s\S]*^answer: EAI_NODATA/m);
    expect(await dns('prod', { pod: 'default/alpine', muslVersion: '1.2.3' })).toMatch(/^answer: EAI_NONAME/m);
  });

  it('--type SRV, --type PTR, --type A', async () => {
    expect(await dns('_http._tcp.web.prod', { pod: 'default/debian', type: 'SRV' })).toMatch(/^ {2}_http\._tcp\.web\.prod\.svc\.cluster\.local\. 30 IN SRV 0 100 80 web\.prod\.svc\.cluster\.local\.$/m);
    expect(await dns('10.244.1.6', { pod: 'default/debian', type: 'ptr' })).toMatch(/^answer: web-0\.nginx\.default\.svc\.cluster\.local$/m);
    const a = await dns('www.example.com', { pod: 'default/debian', type: 'A' });
    expect(a).toMatch(/^total: 4 queries/m);
    expect(a).not.toMatch(/ AAAA /);
  });

  it('the ExternalName service: CNAME and the canonical name', async () => {
    expect(await dns('ext', { pod: 'default/debian' })).toMatch(/^answer: ext \(canonical name www\.example\.com\) -> 192\.0\.2\.10, 2001:db8::10$/m);
  });

  it('--corefile prints kubeadm\'s Corefile', async () => {
    const out = await dns(undefined, { corefile: true });
    expect(out.split('\n')[0]).toBe('.:53 {');
    expect(out).toContain('    kubernetes cluster.local in-addr.arpa ip6.arpa {\n       pods insecure\n       fallthrough in-addr.arpa ip6.arpa\n       ttl 30\n    }');
  });
});

describe('podnet dns --json', () => {
  it('prints the whole walk as JSON', async () => {
    const j = JSON.parse(await dns('www.example.com', { pod: 'default/alpine', json: true })) as {
      resolver: { libc: string };
      resolvConf: { text: string };
      datagrams: number;
      queries: { name: string; type: string; result: { rcode: string; authority: { type: string }[] }; servedBy: { by: string } }[];
      result: { ok: boolean; addresses: string[] };
      hints: { kind: string; saves: number }[];
    };
    expect(j.resolver.libc).toBe('musl');
    expect(j.datagrams).toBe(8);
    expect(j.queries[0]).toMatchObject({ name: 'www.example.com.default.svc.cluster.local.', type: 'A', result: { rcode: 'NXDOMAIN', authority: [{ type: 'SOA' }] }, servedBy: { by: 'coredns' } });
    expect(j.result).toMatchObject({ ok: true, addresses: ['192.0.2.10', '2001:db8::10'] });
    expect(j.hints.map((h) => [h.kind, h.saves])).toEqual([
      ['trailing-dot', 6],
      ['lower-ndots', 6],
    ]);
  });
});

describe('podnet dns bad input', () => {
  it('throws UsageError (exit 2) for an unknown pod, a bad --type, a bad --resolver, a missing name or --pod', async () => {
    await expect(dns('web', { pod: 'default/nope' })).rejects.toThrow(UsageError);
    await expect(dns('web', { pod: 'default/nope' })).rejects.toThrow(/--pod default\/nope: no such pod in topology dns-demo/);
    await expect(dns('web', { pod: 'default/debian', type: 'MX' })).rejects.toThrow(/--type MX: expected A, AAAA, SRV, PTR/);
    await expect(dns('web', { pod: 'default/debian', resolver: 'uclibc' })).rejects.toThrow(/--resolver uclibc: expected glibc or musl/);
    await expect(dns(undefined, { pod: 'default/debian' })).rejects.toThrow(/NAME to resolve is required/);
    await expect(dns('web', {})).rejects.toThrow(/--pod NS\/NAME is required/);
    await expect(dnsAction('nope.yaml', 'web', { pod: 'default/debian' })).rejects.toThrow(/nope\.yaml: cannot read the topology file: no such file/);
  });

  it('the commander command parses FILE NAME and the options, writing only from the action', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const program = new Command('podnet').exitOverride();
      program.addCommand(dnsCommand());
      await program.parseAsync(['dns', DEMO, '--pod', 'default/debian', 'web', '--resolver', 'musl', '--json'], { from: 'user' });
      const printed = write.mock.calls.map((c) => String(c[0])).join('');
      expect(JSON.parse(printed)).toMatchObject({ resolver: { libc: 'musl', from: 'option' }, datagrams: 2 });
    } finally {
      write.mockRestore();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { formatIpv4 } from '../../src/net/ipv4.js';
import { findPod } from '../../src/cluster/cluster.js';
import { kubeletDnsSettings, podResolvConf } from '../../src/resolver/index.js';
import { addresses, error, fixture, fixtureConfig, names, run, std, withDual, withUpstream } from './helpers.js';

/**
 * dns.md §5: the test table, row by row (gNN glibc, mNN musl), against the fixture cluster
 * (test/dns/fixture.yaml) and the modelled CoreDNS (kubeadm Corefile, pods insecure). Query
 * names in order, datagrams (retransmissions included), timing where the reference gives it,
 * and the final answer.
 */

const S = '.default.svc.cluster.local.';
const SVC = '.svc.cluster.local.';
const CL = '.cluster.local.';
const both = ['glibc', 'musl'] as const;

describe('dns.md §5 rows 01-14: the same for glibc and musl', () => {
  for (const libc of both) {
    describe(libc, () => {
      it('01 web -> 10.96.0.50 (2)', () => {
        const t = run(libc, 'web');
        expect([t.datagrams, addresses(t)]).toEqual([2, ['10.96.0.50']]);
      });
      it('02 web.prod -> 10.96.1.20 (4)', () => {
        const t = run(libc, 'web.prod');
        expect([names(t), t.datagrams, addresses(t)]).toEqual([[`web.prod${S}`, `web.prod${SVC}`], 4, ['10.96.1.20']]);
      });
      it('03 web.prod.svc (6)', () => {
        expect(run(libc, 'web.prod.svc').datagrams).toBe(6);
      });
      it('04 www.example.com: 3 x NX then forwarded (8)', () => {
        const t = run(libc, 'www.example.com');
        expect([t.datagrams, addresses(t)]).toEqual([8, ['192.0.2.10', '2001:db8::10']]);
      });
      it('05/06 web-0.nginx.default.svc.cluster.local[.] (2)', () => {
        expect(run(libc, 'web-0.nginx.default.svc.cluster.local').datagrams).toBe(2);
        expect(run(libc, 'web-0.nginx.default.svc.cluster.local.').datagrams).toBe(2);
      });
      it('07 kubernetes.default (4)', () => {
        expect(addresses(run(libc, 'kubernetes.default'))).toEqual(['10.96.0.1']);
      });
      it('08 nginx.default.svc.cluster.local: ready endpoints only (web-2 is not ready) (8)', () => {
        const t = run(libc, 'nginx.default.svc.cluster.local');
        expect([t.datagrams, addresses(t)]).toEqual([8, ['10.244.1.10', '10.244.2.11']]);
      });
      it('09 ext: CNAME www.example.com + A / AAAA in one pair; canonical name www.example.com', () => {
        const t = run(libc, 'ext');
        expect(t.datagrams).toBe(2);
        expect(t.result).toMatchObject({ ok: true, addresses: ['192.0.2.10', '2001:db8::10'], canonicalName: 'www.example.com' });
        const a = t.queries[0];
        expect(a?.result.kind === 'reply' ? a.result.message.answers.map((r) => r.type) : []).toEqual(['CNAME', 'A']);
      });
      it('10 lonely (headless, no endpoints): 3 x NX then lonely. NX (8) EAI_NONAME', () => {
        const t = run(libc, 'lonely');
        expect(names(t)).toEqual([`lonely${S}`, `lonely${SVC}`, `lonely${CL}`, 'lonely.']);
        expect([t.datagrams, error(t)]).toEqual([8, 'EAI_NONAME']);
      });
      it('11 api.example.com: A ok, AAAA NODATA (8) -> 192.0.2.20', () => {
        const t = run(libc, 'api.example.com');
        expect([t.datagrams, addresses(t)]).toEqual([8, ['192.0.2.20']]);
      });
      it('12 10-244-1-10.default.pod.cluster.local with pods insecure (8)', () => {
        const t = run(libc, '10-244-1-10.default.pod.cluster.local');
        expect([t.datagrams, addresses(t)]).toEqual([8, ['10.244.1.10']]);
      });
      it('13 dual: A and AAAA (2)', () => {
        const t = run(libc, 'dual', { wrap: withDual });
        expect([t.datagrams, addresses(t)]).toEqual([2, ['10.96.0.60', 'fd00:10:96::60']]);
      });
      it('14 a wildcard search domain hijacks www.example.com (8): the wrong target', () => {
        const t = run(libc, 'www.example.com', { conf: std('default', ['wild.example']) });
        expect(names(t)).toEqual([`www.example.com${S}`, `www.example.com${SVC}`, `www.example.com${CL}`, 'www.example.com.wild.example.']);
        expect([t.datagrams, addresses(t)]).toEqual([8, ['192.168.99.99']]);
      });
    });
  }
});

describe('dns.md §5 rows 15-26: where glibc and musl differ', () => {
  it('g15/m15 web-2 (not ready), 5 dots: glibc as-is + 3 search (8), musl as-is only (2)', () => {
    expect([run('glibc', 'web-2.nginx.default.svc.cluster.local').datagrams, error(run('glibc', 'web-2.nginx.default.svc.cluster.local'))]).toEqual([8, 'EAI_NONAME']);
    expect([run('musl', 'web-2.nginx.default.svc.cluster.local').datagrams, error(run('musl', 'web-2.nginx.default.svc.cluster.local'))]).toEqual([2, 'EAI_NONAME']);
  });

  it('g16/m16 dnsConfig ndots:1, web.prod: glibc 6 ok, musl 2 EAI_NONAME', () => {
    const conf = std('default', [], 'ndots:1');
    const g = run('glibc', 'web.prod', { conf });
    expect([names(g), g.datagrams, addresses(g)]).toEqual([['web.prod.', `web.prod${S}`, `web.prod${SVC}`], 6, ['10.96.1.20']]);
    const m = run('musl', 'web.prod', { conf });
    expect([names(m), m.datagrams, error(m)]).toEqual([['web.prod.'], 2, 'EAI_NONAME']);
  });

  it('g17/m17 ndots:1, www.example.com: as-is (2)', () => {
    for (const libc of both) expect(run(libc, 'www.example.com', { conf: std('default', [], 'ndots:1') }).datagrams).toBe(2);
  });

  it('g18/m18 ndots:0, web: glibc web. NX then web.default.svc (4); musl web. only (2) EAI_NONAME', () => {
    const conf = std('default', [], 'ndots:0');
    const g = run('glibc', 'web', { conf });
    expect([names(g), g.datagrams, addresses(g)]).toEqual([['web.', `web${S}`], 4, ['10.96.0.50']]);
    const m = run('musl', 'web', { conf });
    expect([names(m), m.datagrams, error(m)]).toEqual([['web.'], 2, 'EAI_NONAME']);
  });

  it('g19 prod (a namespace): NX, NODATA, NX, NX (8) EAI_NODATA', () => {
    const t = run('glibc', 'prod');
    expect(t.candidates.map((c) => `${c.name} ${c.outcome}`)).toEqual([`prod${S} NXDOMAIN`, `prod${SVC} NODATA`, `prod${CL} NXDOMAIN`, 'prod. NXDOMAIN']);
    expect([t.datagrams, error(t)]).toEqual([8, 'EAI_NODATA']);
  });

  it('m19 prod: musl stops at the NODATA (4): EAI_NODATA from 1.2.4, EAI_NONAME in 1.2.3', () => {
    const t = run('musl', 'prod');
    expect([names(t), t.datagrams, error(t)]).toEqual([[`prod${S}`, `prod${SVC}`], 4, 'EAI_NODATA']);
    expect(error(run('musl', 'prod', { muslVersion: '1.2.3' }))).toBe('EAI_NONAME');
  });

  it('g20/m20 a NODATA search domain: glibc keeps going (10, ok); musl stops (8, fail)', () => {
    const conf = std('default', ['nodata.example']);
    const g = run('glibc', 'www.example.com', { conf });
    expect([names(g).slice(3), g.datagrams, addresses(g)]).toEqual([['www.example.com.nodata.example.', 'www.example.com.'], 10, ['192.0.2.10', '2001:db8::10']]);
    const m = run('musl', 'www.example.com', { conf });
    expect([names(m).slice(3), m.datagrams, error(m)]).toEqual([['www.example.com.nodata.example.'], 8, 'EAI_NODATA']);
  });

  it('g21 a SERVFAIL search domain: glibc sends the pair twice (same IDs, same port), moves on, no delay (12)', () => {
    const t = run('glibc', 'www.example.com', { conf: std('default', ['failing.example']) });
    expect(names(t)).toEqual([`www.example.com${S}`, `www.example.com${SVC}`, `www.example.com${CL}`, 'www.example.com.failing.example.', 'www.example.com.']);
    expect([t.datagrams, t.elapsedMs, addresses(t)]).toEqual([12, 0, ['192.0.2.10', '2001:db8::10']]);
    const failing = t.queries.filter((q) => q.name === 'www.example.com.failing.example.');
    expect(failing.map((q) => `${q.type} ${q.transmission}`)).toEqual(['A 1', 'AAAA 1', 'A 2', 'AAAA 2']);
    expect(new Set(failing.map((q) => q.sourcePort)).size).toBe(1);
    expect(failing[0]?.id).toBe(failing[2]?.id);
    expect(failing[1]?.id).toBe(failing[3]?.id);
  });

  it('m21 a SERVFAIL search domain: musl re-sends (6 at t=0, 6 at 2.5 s), then EAI_AGAIN at 5.0 s (18)', () => {
    const t = run('musl', 'www.example.com', { conf: std('default', ['failing.example']) });
    const failing = t.queries.filter((q) => q.name === 'www.example.com.failing.example.');
    expect(failing.filter((q) => q.t === 0)).toHaveLength(6);
    expect(failing.filter((q) => q.t === 2500)).toHaveLength(6);
    expect([t.datagrams, t.elapsedMs, error(t)]).toEqual([18, 5000, 'EAI_AGAIN']);
    expect(names(t)).not.toContain('www.example.com.');
  });

  it('g22/m22 upstream down: glibc EAI_AGAIN at once (10); musl EAI_AGAIN after 5 s (18)', () => {
    const config = fixtureConfig();
    const down = { ...config, upstream: { ...config.upstream, reachable: false } };
    const g = run('glibc', 'www.example.com', { config: down });
    expect([g.datagrams, g.elapsedMs, error(g)]).toEqual([10, 0, 'EAI_AGAIN']);
    const m = run('musl', 'www.example.com', { config: down });
    expect([m.datagrams, m.elapsedMs, error(m)]).toEqual([18, 5000, 'EAI_AGAIN']);
  });

  it('g23/m23 upstream AAAA SERVFAIL: glibc returns the A (8); musl EAI_AGAIN after 5 s (17)', () => {
    const config = withUpstream(fixtureConfig(), 'www.example.com A 192.0.2.10\nwww.example.com AAAA SERVFAIL\n');
    const g = run('glibc', 'www.example.com', { config });
    expect([g.datagrams, g.elapsedMs, addresses(g)]).toEqual([8, 0, ['192.0.2.10']]);
    const m = run('musl', 'www.example.com', { config });
    expect([m.datagrams, m.elapsedMs, error(m)]).toEqual([17, 5000, 'EAI_AGAIN']);
  });

  it('g24 first AAAA reply lost: glibc stalls 5.0 s, then re-sends A and AAAA one at a time (4)', () => {
    const lose = (q: { type: string; transmission: number }): boolean => q.type === 'AAAA' && q.transmission === 1;
    const g = run('glibc', 'web', { lose });
    expect(g.queries.map((q) => `${q.t} ${q.type} ${q.why}`)).toEqual(['0 A query', '0 AAAA query', '5000 A single-request', '5000 AAAA single-request']);
    expect([g.datagrams, g.elapsedMs, addresses(g)]).toEqual([4, 5000, ['10.96.0.50']]);
    expect(new Set(g.queries.map((q) => q.sourcePort)).size).toBe(1);
  });

  it('m24 first AAAA reply lost: musl re-sends only the AAAA at 2.5 s (3)', () => {
    const lose = (q: { type: string; transmission: number }): boolean => q.type === 'AAAA' && q.transmission === 1;
    const m = run('musl', 'web', { lose });
    expect(m.queries.map((q) => `${q.t} ${q.type}`)).toEqual(['0 A', '0 AAAA', '2500 AAAA']);
    expect([m.datagrams, m.elapsedMs, addresses(m)]).toEqual([3, 2500, ['10.96.0.50']]);
  });

  it('g25 single-request-reopen: each A and AAAA from its own port, sequentially (4 ports)', () => {
    const g = run('glibc', 'web.prod', { conf: std('default', [], 'ndots:5 single-request-reopen') });
    expect(names(g)).toEqual([`web.prod${S}`, `web.prod${SVC}`]);
    expect(g.datagrams).toBe(4);
    expect(new Set(g.queries.map((q) => q.sourcePort)).size).toBe(4);
    expect(addresses(g)).toEqual(['10.96.1.20']);
  });

  it('m25 musl ignores single-request: the pair shares one port (4)', () => {
    const m = run('musl', 'web.prod', { conf: std('default', [], 'ndots:5 single-request') });
    expect(m.datagrams).toBe(4);
    expect(new Set(m.queries.map((q) => q.sourcePort)).size).toBe(2);
    expect(m.config.notes).toContain('musl ignores option "single-request"');
  });

  it('g26 two nameservers: glibc asks only the first, which answers (4)', () => {
    const g = run('glibc', 'web.prod', { conf: std('default', [], 'ndots:5', ['10.96.0.10', '1.1.1.1']) });
    expect(g.datagrams).toBe(4);
    expect(new Set(g.queries.map((q) => q.serverIp))).toEqual(new Set(['10.96.0.10']));
    expect(addresses(g)).toEqual(['10.96.1.20']);
  });

  it('m26 two nameservers: musl asks both; the first accepted reply wins (8 ok, or 16 EAI_NONAME when 1.1.1.1 is faster)', () => {
    const conf = std('default', [], 'ndots:5', ['10.96.0.10', '1.1.1.1']);
    const fast = run('musl', 'web.prod', { conf });
    expect([fast.datagrams, addresses(fast)]).toEqual([8, ['10.96.1.20']]);
    expect(new Set(fast.queries.map((q) => q.serverIp))).toEqual(new Set(['10.96.0.10', '1.1.1.1']));
    const slow = run('musl', 'web.prod', { conf, latencyMs: (ip) => (ip === '10.96.0.10' ? 200 : 20) });
    expect(names(slow)).toEqual([`web.prod${S}`, `web.prod${SVC}`, `web.prod${CL}`, 'web.prod.']);
    expect([slow.datagrams, error(slow)]).toEqual([16, 'EAI_NONAME']);
  });

  it('g27 dnsPolicy Default, node search corp.example: web.corp.example NX, web. NX (4) EAI_NONAME', () => {
    const g = run('glibc', 'web', { conf: 'search corp.example\nnameserver 192.168.0.2\n' });
    expect([names(g), g.datagrams, error(g)]).toEqual([['web.corp.example.', 'web.'], 4, 'EAI_NONAME']);
    expect(new Set(g.queries.map((q) => q.serverIp))).toEqual(new Set(['192.168.0.2']));
  });

  it('g28/m28 hostNetwork + ClusterFirst falls back to Default: kubernetes.default fails (4 / 2)', () => {
    const conf = 'search corp.example\nnameserver 192.168.0.2\n';
    const g = run('glibc', 'kubernetes.default', { conf });
    expect([names(g), g.datagrams, error(g)]).toEqual([['kubernetes.default.', 'kubernetes.default.corp.example.'], 4, 'EAI_NONAME']);
    const m = run('musl', 'kubernetes.default', { conf });
    expect([names(m), m.datagrams, error(m)]).toEqual([['kubernetes.default.'], 2, 'EAI_NONAME']);
  });

  it('g29 ClusterFirstWithHostNet in kube-system: kubernetes.default (4)', () => {
    const g = run('glibc', 'kubernetes.default', { conf: std('kube-system', ['corp.example']) });
    expect([names(g), g.datagrams, addresses(g)]).toEqual([['kubernetes.default.kube-system.svc.cluster.local.', `kubernetes.default${SVC}`], 4, ['10.96.0.1']]);
  });

  it('g30 STD + corp.example: build.corp.example (10)', () => {
    const g = run('glibc', 'build.corp.example', { conf: std('default', ['corp.example']) });
    expect(names(g).slice(3)).toEqual(['build.corp.example.corp.example.', 'build.corp.example.']);
    expect([g.datagrams, addresses(g)]).toEqual([10, ['192.168.10.5']]);
  });

  it('g31 dnsPolicy None with dnsConfig {10.96.0.10, prod.svc.cluster.local, ndots:2}: web (2)', () => {
    const g = run('glibc', 'web', { conf: 'search prod.svc.cluster.local\nnameserver 10.96.0.10\noptions ndots:2\n' });
    expect([names(g), g.datagrams, addresses(g)]).toEqual([['web.prod.svc.cluster.local.'], 2, ['10.96.1.20']]);
  });

  it('m32 a 341-byte search line: musl skips it (web. NX, 2, EAI_NONAME); glibc uses it (2, ok)', () => {
    // 12 node search domains: 11 of 22 characters and one of 23, as in the lab's 341-byte line.
    const extra = Array.from({ length: 12 }, (_, i) => `t${String(i).padStart(i === 11 ? 3 : 2, '0')}.internal.corp.test`);
    const conf = std('default', extra);
    const line = conf.split('\n')[0] ?? '';
    expect(line.length).toBe(341);
    const m = run('musl', 'web', { conf });
    expect([names(m), m.datagrams, error(m)]).toEqual([['web.'], 2, 'EAI_NONAME']);
    expect(m.config.search).toEqual([]);
    const g = run('glibc', 'web', { conf });
    expect([g.datagrams, addresses(g)]).toEqual([2, ['10.96.0.50']]);
  });

  it('g33 getaddrinfo(AF_INET): the same 4 names, A only (4)', () => {
    const g = run('glibc', 'www.example.com', { call: { kind: 'getaddrinfo', family: 'AF_INET' } });
    expect(g.queries.map((q) => q.type)).toEqual(['A', 'A', 'A', 'A']);
    expect([g.datagrams, addresses(g)]).toEqual([4, ['192.0.2.10']]);
  });
});

describe('dns.md §5 rows 34-41: autopath, pods, SRV, PTR', () => {
  const verified = () => fixtureConfig({ autopath: true, pods: 'verified' });

  it('g34 autopath + pods verified: www.example.com in one pair, via a CNAME (2)', () => {
    const g = run('glibc', 'www.example.com', { config: verified() });
    expect([names(g), g.datagrams]).toEqual([[`www.example.com${S}`], 2]);
    expect(g.result).toMatchObject({ ok: true, addresses: ['192.0.2.10', '2001:db8::10'], canonicalName: 'www.example.com' });
    const a = g.queries[0];
    expect(a?.result.kind === 'reply' ? a.result.message.answers.map((r) => `${r.name} ${r.type} ${r.data as string}`) : []).toEqual([
      'www.example.com.default.svc.cluster.local. CNAME www.example.com.',
      'www.example.com. A 192.0.2.10',
    ]);
  });

  it('m34 autopath: web.prod in one pair: CNAME to web.prod.svc.cluster.local + A; AAAA NODATA (2)', () => {
    const m = run('musl', 'web.prod', { config: verified() });
    expect([m.datagrams, addresses(m)]).toEqual([2, ['10.96.1.20']]);
    const [a, aaaa] = m.queries;
    expect(a?.result.kind === 'reply' ? a.result.message.answers.map((r) => r.type) : []).toEqual(['CNAME', 'A']);
    expect(aaaa?.result.kind === 'reply' ? [aaaa.result.message.rcode, aaaa.result.message.answers.length] : []).toEqual(['NOERROR', 0]);
  });

  it('autopath: a client that is not a pod (e.g. behind SNAT) gets the normal walk', () => {
    expect(run('glibc', 'www.example.com', { config: verified(), clientIp: '192.168.1.101' }).datagrams).toBe(8);
  });

  it('x35 autopath with pods insecure is a no-op (8)', () => {
    expect(run('glibc', 'www.example.com', { config: fixtureConfig({ autopath: true, pods: 'insecure' }) }).datagrams).toBe(8);
  });

  it('m36 pods disabled: 10-244-1-10.default.pod.cluster.local: 4 x NX (8) EAI_NONAME', () => {
    const m = run('musl', '10-244-1-10.default.pod.cluster.local', { config: fixtureConfig({ pods: 'disabled' }) });
    expect([m.datagrams, error(m)]).toEqual([8, 'EAI_NONAME']);
  });

  it('g37 res_search SRV _http._tcp.web.prod: NX, then 0 100 80 web.prod.svc.cluster.local. (2)', () => {
    const g = run('glibc', '_http._tcp.web.prod', { call: { kind: 'res_search', type: 'SRV' } });
    expect([names(g), g.datagrams]).toEqual([[`_http._tcp.web.prod${S}`, `_http._tcp.web.prod${SVC}`], 2]);
    expect(g.result).toMatchObject({ ok: true, records: [{ type: 'SRV', data: { priority: 0, weight: 100, port: 80, target: 'web.prod.svc.cluster.local.' } }] });
  });

  it('m37 musl res_search is res_query: _http._tcp.web.prod. NX (1) HOST_NOT_FOUND', () => {
    const m = run('musl', '_http._tcp.web.prod', { call: { kind: 'res_search', type: 'SRV' } });
    expect([names(m), m.datagrams, error(m)]).toEqual([['_http._tcp.web.prod.'], 1, 'HOST_NOT_FOUND']);
  });

  it('g38 SRV _web._tcp.nginx.default.svc.cluster.local.: two records of weight 50 + A in ADDITIONAL (1)', () => {
    const g = run('glibc', '_web._tcp.nginx.default.svc.cluster.local.', { call: { kind: 'res_search', type: 'SRV' } });
    expect(g.datagrams).toBe(1);
    const q = g.queries[0];
    const m = q?.result.kind === 'reply' ? q.result.message : null;
    expect(m?.answers.map((r) => (r.type === 'SRV' ? `${r.data.priority} ${r.data.weight} ${r.data.port} ${r.data.target}` : ''))).toEqual([
      '0 50 80 web-0.nginx.default.svc.cluster.local.',
      '0 50 80 web-1.nginx.default.svc.cluster.local.',
    ]);
    expect(m?.additional.map((r) => `${r.name} ${r.type} ${r.data as string}`)).toEqual([
      'web-0.nginx.default.svc.cluster.local. A 10.244.1.10',
      'web-1.nginx.default.svc.cluster.local. A 10.244.2.11',
    ]);
  });

  it('g39 getnameinfo 10.96.1.20 -> web.prod.svc.cluster.local (1)', () => {
    const g = run('glibc', '10.96.1.20', { call: { kind: 'getnameinfo' } });
    expect([names(g), g.datagrams]).toEqual([['20.1.96.10.in-addr.arpa.'], 1]);
    expect(g.result).toMatchObject({ ok: true, canonicalName: 'web.prod.svc.cluster.local' });
  });

  it('m40 getnameinfo 10.244.1.10 -> web-0.nginx.default.svc.cluster.local (1)', () => {
    const m = run('musl', '10.244.1.10', { call: { kind: 'getnameinfo' } });
    expect([names(m), m.datagrams]).toEqual([['10.1.244.10.in-addr.arpa.'], 1]);
    expect(m.result).toMatchObject({ ok: true, canonicalName: 'web-0.nginx.default.svc.cluster.local' });
  });

  it('g41 getnameinfo of a pod that backs no Service: fallthrough, upstream NXDOMAIN (1) EAI_NONAME', () => {
    const g = run('glibc', '10.244.1.5', { call: { kind: 'getnameinfo' } });
    expect([g.datagrams, error(g)]).toEqual([1, 'EAI_NONAME']);
    const q = g.queries[0];
    expect(q?.result.kind === 'reply' ? [q.result.message.aa, q.result.message.ra, q.result.message.authority[0]?.name] : []).toEqual([false, true, '.']);
  });
});

describe('resolv.conf from the kubelet drives the walk', () => {
  it('the fixture client pod gets STD, and resolves www.example.com in 8', () => {
    const c = fixture();
    const pod = findPod(c, 'default', 'client');
    if (!pod) throw new Error('no client pod');
    const rc = podResolvConf(pod, kubeletDnsSettings(c, pod.nodeName));
    if (!rc.ok) throw new Error(rc.error);
    expect(rc.value.text).toBe(std());
    expect(formatIpv4(pod.ip)).toBe('10.244.1.5');
    expect(run('glibc', 'www.example.com', { conf: rc.value.text }).datagrams).toBe(8);
  });
});

describe('transport edge cases', () => {
  it('kube-dns without ready endpoints: ICMP port unreachable; glibc gives up at once with EAI_AGAIN, musl times out', () => {
    const unreachable = () => (q: import('../../src/resolver/index.js').OutgoingQuery) => ({ kind: 'unreachable' as const, latencyMs: 0, ...{ q } });
    const g = run('glibc', 'web', { wrap: unreachable });
    expect(error(g)).toBe('EAI_AGAIN');
    expect(g.elapsedMs).toBe(0);
    expect(g.candidates).toHaveLength(1);
    expect(g.datagrams).toBe(4);
    const m = run('musl', 'web', { wrap: unreachable });
    expect([m.elapsedMs, error(m)]).toEqual([5000, 'EAI_AGAIN']);
  });

  it('everything lost: glibc times out per attempt (2 x 5 s) and stops the search walk', () => {
    const g = run('glibc', 'web', { lose: () => true });
    expect(g.elapsedMs).toBe(20000);
    expect(names(g)).toEqual([`web${S}`, 'web.']);
    expect(error(g)).toBe('EAI_AGAIN');
  });

  it('/etc/hosts answers before DNS (no datagram)', () => {
    const t = run('glibc', 'web-0', { hosts: '127.0.0.1\tlocalhost\n10.244.1.10\tweb-0.nginx.default.svc.cluster.local\tweb-0\n' });
    expect([t.datagrams, addresses(t)]).toEqual([0, ['10.244.1.10']]);
    expect(t.result).toMatchObject({ source: 'hosts', canonicalName: 'web-0.nginx.default.svc.cluster.local' });
  });

  it('an address literal needs no lookup', () => {
    for (const libc of both) expect(run(libc, '10.96.0.50').datagrams).toBe(0);
  });
});

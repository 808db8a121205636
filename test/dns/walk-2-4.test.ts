import { describe, expect, it } from 'vitest';
import { addresses, error, names, run, std } from './helpers.js';

/**
 * dns.md §2.4: a pod in default with the standard ClusterFirst resolv.conf, getaddrinfo
 * (AF_UNSPEC) so every candidate is an A+AAAA pair. Every row for both libcs: the names in
 * order, the datagram total, the answer.
 */

const S = '.default.svc.cluster.local.';
const SVC = '.svc.cluster.local.';
const CL = '.cluster.local.';

describe('dns.md §2.4, standard resolv.conf (ndots:5)', () => {
  for (const libc of ['glibc', 'musl'] as const) {
    describe(libc, () => {
      it('web (0 dots): the first search domain answers: 2 datagrams', () => {
        const t = run(libc, 'web');
        expect(names(t)).toEqual([`web${S}`]);
        expect(t.datagrams).toBe(2);
        expect(addresses(t)).toEqual(['10.96.0.50']);
        // A 10.96.0.50, AAAA NODATA
        expect(t.queries.map((q) => (q.result.kind === 'reply' ? `${q.type} ${q.result.message.rcode} ${q.result.message.answers.length}` : ''))).toEqual(['A NOERROR 1', 'AAAA NOERROR 0']);
      });

      it('web.prod (1 dot): NXDOMAIN in default, then web.prod.svc.cluster.local: 4', () => {
        const t = run(libc, 'web.prod');
        expect(names(t)).toEqual([`web.prod${S}`, `web.prod${SVC}`]);
        expect(t.datagrams).toBe(4);
        expect(addresses(t)).toEqual(['10.96.1.20']);
      });

      it('web.prod.svc (2 dots): two NXDOMAIN, then web.prod.svc.cluster.local: 6', () => {
        const t = run(libc, 'web.prod.svc');
        expect(names(t)).toEqual([`web.prod.svc${S}`, `web.prod.svc${SVC}`, `web.prod.svc${CL}`]);
        expect(t.datagrams).toBe(6);
        expect(addresses(t)).toEqual(['10.96.1.20']);
      });

      it('www.example.com (2 dots): three search suffixes first, then as written: 8', () => {
        const t = run(libc, 'www.example.com');
        expect(names(t)).toEqual([`www.example.com${S}`, `www.example.com${SVC}`, `www.example.com${CL}`, 'www.example.com.']);
        expect(t.candidates.map((c) => c.outcome)).toEqual(['NXDOMAIN', 'NXDOMAIN', 'NXDOMAIN', 'answer']);
        expect(t.datagrams).toBe(8);
        expect(addresses(t)).toEqual(['192.0.2.10', '2001:db8::10']);
        // a new source port per candidate, A and AAAA from the same one
        const ports = t.candidates.map((c) => new Set(t.queries.filter((q) => q.candidate === c.index).map((q) => q.sourcePort)));
        expect(ports.every((p) => p.size === 1)).toBe(true);
        expect(new Set(ports.map((p) => [...p][0])).size).toBe(4);
      });

      it('web-0.nginx.default.svc.cluster.local has 5 dots (not 4): tried as written first: 2', () => {
        const t = run(libc, 'web-0.nginx.default.svc.cluster.local');
        expect(t.dots).toBe(5);
        expect(names(t)).toEqual(['web-0.nginx.default.svc.cluster.local.']);
        expect(t.datagrams).toBe(2);
        expect(addresses(t)).toEqual(['10.244.1.10']);
      });

      it('the same name with a trailing dot: as written only: 2', () => {
        const t = run(libc, 'web-0.nginx.default.svc.cluster.local.');
        expect(names(t)).toEqual(['web-0.nginx.default.svc.cluster.local.']);
        expect(t.datagrams).toBe(2);
        expect(addresses(t)).toEqual(['10.244.1.10']);
      });

      it('kubernetes.default (1 dot): 4', () => {
        const t = run(libc, 'kubernetes.default');
        expect(names(t)).toEqual([`kubernetes.default${S}`, `kubernetes.default${SVC}`]);
        expect(t.datagrams).toBe(4);
        expect(addresses(t)).toEqual(['10.96.0.1']);
      });

      it('nginx.default.svc.cluster.local (4 dots): three search candidates, then as written: 8', () => {
        const t = run(libc, 'nginx.default.svc.cluster.local');
        expect(t.dots).toBe(4);
        expect(names(t)).toEqual([`nginx.default.svc.cluster.local${S}`, `nginx.default.svc.cluster.local${SVC}`, `nginx.default.svc.cluster.local${CL}`, 'nginx.default.svc.cluster.local.']);
        expect(t.datagrams).toBe(8);
        expect(addresses(t)).toEqual(['10.244.1.10', '10.244.2.11']);
      });

      it('ndots:1, www.example.com (2 dots): as written: 2', () => {
        const t = run(libc, 'www.example.com', { conf: std('default', [], 'ndots:1') });
        expect(names(t)).toEqual(['www.example.com.']);
        expect(t.datagrams).toBe(2);
      });

      it('ndots:1, web (0 dots): the search list first: 2', () => {
        const t = run(libc, 'web', { conf: std('default', [], 'ndots:1') });
        expect(names(t)).toEqual([`web${S}`]);
        expect(t.datagrams).toBe(2);
      });
    });
  }

  it('a missing endpoint with 5 dots: glibc falls back to the search list (8), musl does not (2)', () => {
    const g = run('glibc', 'web-2.nginx.default.svc.cluster.local');
    expect(names(g)).toEqual(['web-2.nginx.default.svc.cluster.local.', `web-2.nginx.default.svc.cluster.local${S}`, `web-2.nginx.default.svc.cluster.local${SVC}`, `web-2.nginx.default.svc.cluster.local${CL}`]);
    expect(g.datagrams).toBe(8);
    expect(error(g)).toBe('EAI_NONAME');
    const m = run('musl', 'web-2.nginx.default.svc.cluster.local');
    expect(names(m)).toEqual(['web-2.nginx.default.svc.cluster.local.']);
    expect(m.datagrams).toBe(2);
    expect(error(m)).toBe('EAI_NONAME');
  });

  it('ndots:1, web.prod: glibc as written then the search list (6, ok); musl as written only (2, EAI_NONAME)', () => {
    const conf = std('default', [], 'ndots:1');
    const g = run('glibc', 'web.prod', { conf });
    expect(names(g)).toEqual(['web.prod.', `web.prod${S}`, `web.prod${SVC}`]);
    expect(g.datagrams).toBe(6);
    expect(addresses(g)).toEqual(['10.96.1.20']);
    const m = run('musl', 'web.prod', { conf });
    expect(names(m)).toEqual(['web.prod.']);
    expect(m.datagrams).toBe(2);
    expect(error(m)).toBe('EAI_NONAME');
  });

  it('formula: all-NXDOMAIN search candidates ending in an as-is hit cost 2 x (search domains + 1)', () => {
    for (const extra of [[], ['us-west-2.compute.internal'], ['a.example', 'b.example']]) {
      for (const libc of ['glibc', 'musl'] as const) {
        const t = run(libc, 'www.example.com', { conf: std('default', extra) });
        expect(t.datagrams).toBe(2 * (3 + extra.length + 1));
        const inet = run(libc, 'www.example.com', { conf: std('default', extra), call: { kind: 'getaddrinfo', family: 'AF_INET' } });
        expect(inet.datagrams).toBe(3 + extra.length + 1);
      }
    }
  });
});

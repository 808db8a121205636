import { describe, expect, it } from 'vitest';
import {
  answer,
  coreDnsConfigFor,
  corefileText,
  kubeadmCoreDnsConfig,
  parseUpstreamTable,
  serveQuery,
  upstreamAnswer,
  upstreamEntries,
  type CoreDnsConfig,
} from '../../src/controllers/coredns/index.js';
import { dnsQuery, recordText, type DnsType } from '../../src/net/dns.js';
import { parseTopology } from '../../src/topology/load.js';
import { fixture, fixtureConfig, withUpstream } from './helpers.js';

/**
 * dns.md §1: what the kubernetes plugin (and forward) answer, row by row of the table, with the
 * SOA in AUTHORITY for every negative answer and AA on everything the plugin writes itself.
 */

const SOA_30 = 'cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1499347823 7200 1800 86400 30';

function ask(name: string, type: DnsType, config: CoreDnsConfig = fixtureConfig(), clientIp?: string) {
  const a = answer(fixture(), { name, type }, config, clientIp ? { ip: clientIp } : {});
  return {
    rcode: a.rcode,
    aa: a.aa,
    answers: a.answers.map(recordText),
    authority: a.authority.map(recordText),
    additional: a.additional.map(recordText),
    plugin: a.plugin,
    why: a.why,
  };
}

describe('SOA and negative answers', () => {
  it('NXDOMAIN for a missing service: rcode 3, AA, the cluster SOA with kubeadm ttl 30', () => {
    expect(ask('missing.default.svc.cluster.local', 'A')).toMatchObject({ rcode: 'NXDOMAIN', aa: true, answers: [], authority: [SOA_30], plugin: 'kubernetes' });
  });

  it('the plugin default ttl 5 gives the test vector of handler_test.go', () => {
    expect(ask('missing.default.svc.cluster.local', 'A', fixtureConfig({ ttl: 5 })).authority).toEqual([
      'cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1499347823 7200 1800 86400 5',
    ]);
  });

  it('SOA TTL is min(ttl, 300), minimum is the ttl', () => {
    expect(ask('missing.default.svc.cluster.local', 'A', fixtureConfig({ ttl: 600 })).authority).toEqual([
      'cluster.local. 300 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1499347823 7200 1800 86400 600',
    ]);
  });

  it('NODATA: NOERROR, no answer, the SOA, AA (glibc must not take it for a referral)', () => {
    expect(ask('web.default.svc.cluster.local', 'AAAA')).toMatchObject({ rcode: 'NOERROR', aa: true, answers: [], authority: [SOA_30] });
  });

  it('SERVFAIL before the informers sync, only for would-be NXDOMAIN names', () => {
    const unsynced = fixtureConfig({ synced: false });
    expect(ask('missing.default.svc.cluster.local', 'A', unsynced)).toMatchObject({ rcode: 'SERVFAIL', authority: [SOA_30] });
    expect(ask('web.default.svc.cluster.local', 'A', unsynced).rcode).toBe('NOERROR');
  });
});

describe('the record table of dns.md §1', () => {
  it('1: ClusterIP A, even with zero endpoints', () => {
    expect(ask('web.default.svc.cluster.local', 'A')).toMatchObject({ rcode: 'NOERROR', aa: true, answers: ['web.default.svc.cluster.local. 30 IN A 10.96.0.50'] });
    expect(ask('web.DEFAULT.svc.Cluster.Local', 'A').answers).toEqual(['web.DEFAULT.svc.Cluster.Local. 30 IN A 10.96.0.50']);
  });

  it('1: ignore empty_service makes a ClusterIP service without endpoints NXDOMAIN', () => {
    expect(ask('web.default.svc.cluster.local', 'A', fixtureConfig({ ignoreEmptyService: true })).rcode).toBe('NXDOMAIN');
    expect(ask('web.prod.svc.cluster.local', 'A', fixtureConfig({ ignoreEmptyService: true })).rcode).toBe('NOERROR');
  });

  it('2: AAAA of an IPv4-only service is NODATA', () => {
    expect(ask('web.prod.svc.cluster.local', 'AAAA')).toMatchObject({ rcode: 'NOERROR', answers: [], authority: [SOA_30] });
  });

  it('4: headless: one A per ready endpoint', () => {
    expect(ask('nginx.default.svc.cluster.local', 'A').answers).toEqual([
      'nginx.default.svc.cluster.local. 30 IN A 10.244.1.10',
      'nginx.default.svc.cluster.local. 30 IN A 10.244.2.11',
    ]);
  });

  it('5: headless without ready endpoints: NXDOMAIN + SOA', () => {
    expect(ask('lonely.default.svc.cluster.local', 'A')).toMatchObject({ rcode: 'NXDOMAIN', authority: [SOA_30] });
  });

  it('6: hostname.subdomain names (EndpointSlice hostname), also on a ClusterIP service (dashed IP)', () => {
    expect(ask('web-0.nginx.default.svc.cluster.local', 'A').answers).toEqual(['web-0.nginx.default.svc.cluster.local. 30 IN A 10.244.1.10']);
    expect(ask('web-2.nginx.default.svc.cluster.local', 'A').rcode).toBe('NXDOMAIN'); // not ready
    expect(ask('10-244-2-20.web.prod.svc.cluster.local', 'A').answers).toEqual(['10-244-2-20.web.prod.svc.cluster.local. 30 IN A 10.244.2.20']);
    expect(ask('10-244-1-10.nginx.default.svc.cluster.local', 'A').rcode).toBe('NXDOMAIN'); // has a hostname
  });

  it('6: endpoint_pod_names uses the pod name when there is no hostname', () => {
    expect(ask('api-0.web.prod.svc.cluster.local', 'A', fixtureConfig({ endpointPodNames: true })).answers).toEqual(['api-0.web.prod.svc.cluster.local. 30 IN A 10.244.2.20']);
  });

  it('7: SRV _port._proto on a ClusterIP service: 0 100 port target + the A in ADDITIONAL', () => {
    expect(ask('_http._tcp.web.prod.svc.cluster.local', 'SRV')).toMatchObject({
      answers: ['_http._tcp.web.prod.svc.cluster.local. 30 IN SRV 0 100 80 web.prod.svc.cluster.local.'],
      additional: ['web.prod.svc.cluster.local. 30 IN A 10.96.1.20'],
    });
    expect(ask('http.tcp.web.prod.svc.cluster.local', 'SRV').answers).toHaveLength(1); // underscores optional
  });

  it('8: SRV on a headless service: one per ready endpoint and port, weight 100/N', () => {
    expect(ask('_web._tcp.nginx.default.svc.cluster.local', 'SRV')).toMatchObject({
      answers: [
        '_web._tcp.nginx.default.svc.cluster.local. 30 IN SRV 0 50 80 web-0.nginx.default.svc.cluster.local.',
        '_web._tcp.nginx.default.svc.cluster.local. 30 IN SRV 0 50 80 web-1.nginx.default.svc.cluster.local.',
      ],
      additional: ['web-0.nginx.default.svc.cluster.local. 30 IN A 10.244.1.10', 'web-1.nginx.default.svc.cluster.local. 30 IN A 10.244.2.11'],
    });
  });

  it('9: SRV without port labels: one per port', () => {
    expect(ask('kube-dns.kube-system.svc.cluster.local', 'SRV').answers).toEqual([
      'kube-dns.kube-system.svc.cluster.local. 30 IN SRV 0 33 53 kube-dns.kube-system.svc.cluster.local.',
      'kube-dns.kube-system.svc.cluster.local. 30 IN SRV 0 33 9153 kube-dns.kube-system.svc.cluster.local.',
    ]);
  });

  it('10: unknown port or protocol, or a port on an ExternalName: NXDOMAIN', () => {
    expect(ask('_https._tcp.web.prod.svc.cluster.local', 'SRV').rcode).toBe('NXDOMAIN');
    expect(ask('_http._udp.web.prod.svc.cluster.local', 'SRV').rcode).toBe('NXDOMAIN');
    expect(ask('_http._tcp.ext.default.svc.cluster.local', 'SRV').rcode).toBe('NXDOMAIN');
  });

  it('11: ExternalName: the CNAME first, then the target resolved through forward', () => {
    expect(ask('ext.default.svc.cluster.local', 'A').answers).toEqual(['ext.default.svc.cluster.local. 30 IN CNAME www.example.com.', 'www.example.com. 300 IN A 192.0.2.10']);
    expect(ask('ext.default.svc.cluster.local', 'CNAME').answers).toEqual(['ext.default.svc.cluster.local. 30 IN CNAME www.example.com.']);
    expect(ask('ext.default.svc.cluster.local', 'SRV')).toMatchObject({ rcode: 'NOERROR', answers: [], authority: [SOA_30] });
    expect(ask('x.ext.default.svc.cluster.local', 'A').rcode).toBe('NXDOMAIN');
  });

  it('11: an ExternalName target without data: the CNAME only', () => {
    const config = withUpstream(fixtureConfig(), 'www.example.com NODATA\n');
    expect(ask('ext.default.svc.cluster.local', 'A', config)).toMatchObject({ rcode: 'NOERROR', answers: ['ext.default.svc.cluster.local. 30 IN CNAME www.example.com.'] });
  });

  it('11: an ExternalName inside the zone is resolved internally', () => {
    const r = parseTopology(
      `${HEADER}---\napiVersion: v1\nkind: Service\nmetadata: {name: alias, namespace: default}\nspec: {type: ExternalName, externalName: kubernetes.default.svc.cluster.local}\n`,
      't.yaml',
    );
    if (!r.ok) throw new Error(r.error.message);
    const a = answer(r.value, { name: 'alias.default.svc.cluster.local', type: 'A' }, kubeadmCoreDnsConfig(r.value));
    expect(a.answers.map(recordText)).toEqual(['alias.default.svc.cluster.local. 30 IN CNAME kubernetes.default.svc.cluster.local.', 'kubernetes.default.svc.cluster.local. 30 IN A 10.96.0.1']);
  });

  it('12: PTR of a ClusterIP', () => {
    expect(ask('20.1.96.10.in-addr.arpa', 'PTR').answers).toEqual(['20.1.96.10.in-addr.arpa. 30 IN PTR web.prod.svc.cluster.local.']);
  });

  it('13: PTR of a ready endpoint: endpoint-name.svc.ns.svc.zone', () => {
    expect(ask('10.1.244.10.in-addr.arpa', 'PTR').answers).toEqual(['10.1.244.10.in-addr.arpa. 30 IN PTR web-0.nginx.default.svc.cluster.local.']);
    expect(ask('20.2.244.10.in-addr.arpa', 'PTR').answers).toEqual(['20.2.244.10.in-addr.arpa. 30 IN PTR 10-244-2-20.web.prod.svc.cluster.local.']);
  });

  it('14: any other IP falls through to forward (upstream NXDOMAIN with the root SOA); never a pod-form PTR', () => {
    expect(ask('5.1.244.10.in-addr.arpa', 'PTR')).toMatchObject({ rcode: 'NXDOMAIN', aa: false, plugin: 'forward' });
    expect(ask('12.3.244.10.in-addr.arpa', 'PTR').rcode).toBe('NXDOMAIN'); // not ready
    // without fallthrough the plugin answers NXDOMAIN itself, with the reverse zone's SOA
    const own = ask('5.1.244.10.in-addr.arpa', 'PTR', fixtureConfig({ fallthroughReverse: false }));
    expect(own).toMatchObject({ rcode: 'NXDOMAIN', aa: true, plugin: 'kubernetes' });
    expect(own.authority[0]).toMatch(/^in-addr\.arpa\. 30 IN SOA ns\.dns\.in-addr\.arpa\. hostmaster\.in-addr\.arpa\. /);
  });

  it('15: pods insecure: any dashed IPv4 in an existing namespace; IPv6 labels too', () => {
    expect(ask('10-244-1-10.default.pod.cluster.local', 'A').answers).toEqual(['10-244-1-10.default.pod.cluster.local. 30 IN A 10.244.1.10']);
    expect(ask('1-2-3-4.default.pod.cluster.local', 'A').answers).toEqual(['1-2-3-4.default.pod.cluster.local. 30 IN A 1.2.3.4']);
    expect(ask('fd00--1.default.pod.cluster.local', 'AAAA').answers).toEqual(['fd00--1.default.pod.cluster.local. 30 IN AAAA fd00::1']);
    expect(ask('1-2-3-4.nope.pod.cluster.local', 'A').rcode).toBe('NXDOMAIN');
    expect(ask('not-an-ip.default.pod.cluster.local', 'A').rcode).toBe('NXDOMAIN');
  });

  it('16: pods verified: only IPs of pods in that namespace', () => {
    const v = fixtureConfig({ pods: 'verified' });
    expect(ask('10-244-1-10.default.pod.cluster.local', 'A', v).answers).toHaveLength(1);
    expect(ask('1-2-3-4.default.pod.cluster.local', 'A', v).rcode).toBe('NXDOMAIN');
    expect(ask('10-244-2-20.default.pod.cluster.local', 'A', v).rcode).toBe('NXDOMAIN'); // api-0 is in prod
    expect(ask('10-244-2-20.prod.pod.cluster.local', 'A', v).rcode).toBe('NOERROR');
  });

  it('17: pods disabled (the plugin default): NXDOMAIN', () => {
    expect(ask('10-244-1-10.default.pod.cluster.local', 'A', fixtureConfig({ pods: 'disabled' })).rcode).toBe('NXDOMAIN');
  });

  it('18: AAAA for an IPv4 pod label: NODATA', () => {
    expect(ask('10-244-1-10.default.pod.cluster.local', 'AAAA')).toMatchObject({ rcode: 'NOERROR', answers: [], authority: [SOA_30] });
  });

  it('19/20: <ns>.svc and <ns>.pod: NODATA if the namespace exists, else NXDOMAIN', () => {
    expect(ask('prod.svc.cluster.local', 'A')).toMatchObject({ rcode: 'NOERROR', answers: [], authority: [SOA_30] });
    expect(ask('prod.pod.cluster.local', 'AAAA').rcode).toBe('NOERROR');
    expect(ask('nope.svc.cluster.local', 'A').rcode).toBe('NXDOMAIN');
  });

  it('21: svc.<zone>, pod.<zone>, <zone>: NODATA', () => {
    for (const n of ['svc.cluster.local', 'pod.cluster.local', 'cluster.local']) expect(ask(n, 'A')).toMatchObject({ rcode: 'NOERROR', answers: [], authority: [SOA_30] });
  });

  it('22: dns-version TXT "1.1.0", TTL 28800', () => {
    expect(ask('dns-version.cluster.local', 'TXT').answers).toEqual(['dns-version.cluster.local. 28800 IN TXT "1.1.0"']);
  });

  it('23: NS of the zone (the kube-dns service, its A in ADDITIONAL) and SOA', () => {
    expect(ask('cluster.local', 'NS')).toMatchObject({
      answers: ['cluster.local. 30 IN NS kube-dns.kube-system.svc.cluster.local.'],
      additional: ['kube-dns.kube-system.svc.cluster.local. 30 IN A 10.96.0.10'],
    });
    expect(ask('cluster.local', 'SOA').answers).toEqual([SOA_30]);
    expect(ask('ns.dns.cluster.local', 'A').answers).toEqual(['ns.dns.cluster.local. 30 IN A 10.96.0.10']);
  });

  it('24: an existing name asked for another type: NODATA (the fake A lookup)', () => {
    for (const t of ['TXT', 'MX'] as const) expect(ask('web.default.svc.cluster.local', t)).toMatchObject({ rcode: 'NOERROR', answers: [], authority: [SOA_30] });
    expect(ask('missing.default.svc.cluster.local', 'MX').rcode).toBe('NXDOMAIN');
    expect(ask('web.default.svc.cluster.local', 'NS').rcode).toBe('NOERROR');
  });

  it('25: everything else under the zone: NXDOMAIN + SOA (no fallthrough for cluster.local)', () => {
    for (const n of ['web.default.foo.cluster.local', 'a.b.c.web.default.svc.cluster.local', 'nope.default.svc.cluster.local', 'x.nope.svc.cluster.local']) {
      expect(ask(n, 'A')).toMatchObject({ rcode: 'NXDOMAIN', aa: true, authority: [SOA_30] });
    }
  });

  it('26: names outside the zone are forwarded; the upstream reply passes through (RA=1, AA=0, its SOA)', () => {
    expect(ask('www.example.com', 'A')).toMatchObject({ rcode: 'NOERROR', aa: false, answers: ['www.example.com. 300 IN A 192.0.2.10'], plugin: 'forward' });
    expect(ask('nothing.invalid', 'A')).toMatchObject({ rcode: 'NXDOMAIN', aa: false, authority: ['. 86400 IN SOA a.root-servers.net. nstld.verisign-grs.com. 2026010100 1800 900 604800 86400'] });
    const down = fixtureConfig();
    expect(ask('www.example.com', 'A', { ...down, upstream: { ...down.upstream, reachable: false } }).rcode).toBe('SERVFAIL');
  });

  it('zone transfers are REFUSED', () => {
    expect(ask('cluster.local', 'AXFR').rcode).toBe('REFUSED');
  });
});

describe('autopath (§4)', () => {
  const verified = fixtureConfig({ autopath: true, pods: 'verified' });

  it('resolves the base name along the pod\'s search path and answers with a CNAME', () => {
    const a = ask('www.example.com.default.svc.cluster.local', 'A', verified, '10.244.1.5');
    expect(a).toMatchObject({ rcode: 'NOERROR', plugin: 'autopath' });
    expect(a.answers).toEqual(['www.example.com.default.svc.cluster.local. 300 IN CNAME www.example.com.', 'www.example.com. 300 IN A 192.0.2.10']);
  });

  it('a NODATA element is returned without a CNAME', () => {
    const a = ask('prod.default.svc.cluster.local', 'A', verified, '10.244.1.5');
    expect(a).toMatchObject({ rcode: 'NOERROR', answers: [], authority: [SOA_30] });
  });

  it('does nothing for a source that is not a pod, for pods insecure, or off the first search element', () => {
    expect(ask('www.example.com.default.svc.cluster.local', 'A', verified, '192.168.1.101').rcode).toBe('NXDOMAIN');
    expect(ask('www.example.com.default.svc.cluster.local', 'A', fixtureConfig({ autopath: true }), '10.244.1.5').rcode).toBe('NXDOMAIN');
    expect(ask('www.example.com.prod.svc.cluster.local', 'A', verified, '10.244.1.5').rcode).toBe('NXDOMAIN');
  });

  it('the node search list (CoreDNS\'s own resolv.conf) joins the path', () => {
    const c = withUpstream(fixtureConfig({ autopath: true, pods: 'verified', resolvSearch: ['corp.example'] }), '');
    const a = ask('build.default.svc.cluster.local', 'A', c, '10.244.1.5');
    expect(a.answers).toEqual(['build.default.svc.cluster.local. 300 IN CNAME build.corp.example.', 'build.corp.example. 300 IN A 192.168.10.5']);
  });
});

describe('serving a query datagram', () => {
  it('keeps the ID and question, copies RD, sets QR and AA', () => {
    const q = dnsQuery(4242, 'web.default.svc.cluster.local', 'A');
    const { response } = serveQuery(fixture(), fixtureConfig(), q);
    expect(response).toMatchObject({ id: 4242, qr: true, aa: true, rd: true, ra: false, rcode: 'NOERROR', questions: [{ name: 'web.default.svc.cluster.local.', type: 'A' }] });
  });

  it('FORMERR for a message without a question', () => {
    const q = { ...dnsQuery(1, 'x', 'A'), questions: [] };
    expect(serveQuery(fixture(), fixtureConfig(), q).response.rcode).toBe('FORMERR');
  });
});

describe('configuration', () => {
  it('prints kubeadm\'s Corefile', () => {
    expect(corefileText(fixtureConfig())).toBe(`.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
`);
    expect(corefileText(fixtureConfig({ autopath: true, pods: 'verified' }))).toMatch(/pods verified[\s\S]*autopath @kubernetes/);
  });

  it('reads the CoreDNS pods\' annotations; bad values are errors', () => {
    const base = `${HEADER}---
apiVersion: v1
kind: Pod
metadata:
  name: coredns
  namespace: kube-system
  labels: {k8s-app: kube-dns}
  annotations:
    podnet.dev/coredns-pods: verified
    podnet.dev/coredns-autopath: "true"
    podnet.dev/dns-upstream-records: |
      intranet.corp.example A 10.1.2.3
      www.example.com A 192.0.2.99
spec: {nodeName: node1, containers: [{name: c}]}
`;
    const r = parseTopology(base, 't.yaml');
    if (!r.ok) throw new Error(r.error.message);
    const c = coreDnsConfigFor(r.value);
    if (!c.ok) throw new Error(c.error);
    expect([c.value.pods, c.value.autopath]).toEqual(['verified', true]);
    expect(upstreamAnswer(c.value.upstream, { name: 'intranet.corp.example', type: 'A' }).answers.map(recordText)).toEqual(['intranet.corp.example. 300 IN A 10.1.2.3']);
    // the topology's www.example.com replaces the default one (no AAAA any more)
    expect(upstreamAnswer(c.value.upstream, { name: 'www.example.com', type: 'AAAA' }).answers).toEqual([]);
    const bad = parseTopology(base.replace('coredns-pods: verified', 'coredns-pods: sometimes'), 't.yaml');
    if (!bad.ok) throw new Error(bad.error.message);
    const e = coreDnsConfigFor(bad.value);
    expect(e.ok ? '' : e.error).toMatch(/podnet\.dev\/coredns-pods: expected insecure, verified, disabled, found "sometimes"/);
  });

  it('the upstream table: parse errors name the line; wildcards, CNAME chains, NODATA for parents', () => {
    const bad = parseUpstreamTable('ok.example A 192.0.2.1\nbroken.example A not-an-ip\n');
    expect(bad.ok ? '' : bad.error).toMatch(/^line 2 .*"not-an-ip" is not an IPv4 address/);
    const t = parseUpstreamTable('alias.example.com CNAME www.example.com\n*.apps.example A 192.0.2.77\n');
    if (!t.ok) throw new Error(t.error);
    const up = { servers: ['192.168.1.1'], reachable: true, entries: upstreamEntries(t.value), ttl: 300 };
    expect(upstreamAnswer(up, { name: 'alias.example.com', type: 'A' }).answers.map(recordText)).toEqual(['alias.example.com. 300 IN CNAME www.example.com.', 'www.example.com. 300 IN A 192.0.2.10']);
    expect(upstreamAnswer(up, { name: 'x.y.apps.example', type: 'A' }).answers.map(recordText)).toEqual(['x.y.apps.example. 300 IN A 192.0.2.77']);
    expect(upstreamAnswer(up, { name: 'com', type: 'A' })).toMatchObject({ rcode: 'NOERROR', answers: [] });
    expect(upstreamAnswer(up, { name: 'nx.example.com', type: 'A' }).authority.map(recordText)).toEqual(['example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 2026010100 7200 3600 1209600 3600']);
  });
});

const HEADER = `apiVersion: podnet.dev/v1alpha1
kind: Topology
metadata: {name: t}
spec:
  nodes:
    - {name: node1, ip: 192.168.1.101}
`;

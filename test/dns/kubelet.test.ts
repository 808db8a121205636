import { describe, expect, it } from 'vitest';
import type { PodDnsConfig } from '../../src/cluster/pod.js';
import { ipv4 } from '../../src/net/ipv4.js';
import {
  glibcConfig,
  kubeletDnsSettings,
  mergeDnsOptions,
  muslConfig,
  parseResolvConf,
  podHostsText,
  podResolvConf,
  printResolvConf,
  searchFitsLimits,
  type KubeletDnsSettings,
  type PodDnsSpec,
} from '../../src/resolver/index.js';
import { fixture } from './helpers.js';

/** dns.md §3: the resolv.conf the kubelet writes, its limits and events, and how each libc reads it. */

const NODE: KubeletDnsSettings = {
  clusterDomain: 'cluster.local',
  clusterDns: ['10.96.0.10'],
  hostResolvConf: 'nameserver 192.168.0.2\nsearch corp.example\noptions timeout:2 rotate\n',
  nodeIps: ['192.168.1.101'],
};

function pod(over: Partial<PodDnsSpec> = {}): PodDnsSpec {
  return { namespace: 'default', name: 'p', hostNetwork: false, dnsPolicy: 'ClusterFirst', dnsConfig: null, ...over };
}

function dnsConfig(c: { nameservers?: string[]; searches?: string[]; options?: { name: string; value?: string }[] }): PodDnsConfig {
  return { nameservers: (c.nameservers ?? []).map(ipv4), searches: c.searches ?? [], options: (c.options ?? []).map((o) => ({ name: o.name, value: o.value ?? null })) };
}

function text(p: PodDnsSpec, settings: KubeletDnsSettings = NODE): string {
  const r = podResolvConf(p, settings);
  if (!r.ok) throw new Error(r.error);
  return r.value.text;
}

describe('kubelet GetPodDNS (§3 typical results)', () => {
  it('ClusterFirst in prod, node search corp.example: cluster DNS only, cluster search + node search, ndots:5 (host options dropped)', () => {
    expect(text(pod({ namespace: 'prod' }))).toBe('search prod.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:5\n');
  });

  it('None with the kubernetes.io dnsConfig example', () => {
    const p = pod({
      dnsPolicy: 'None',
      dnsConfig: dnsConfig({ nameservers: ['1.2.3.4'], searches: ['ns1.svc.cluster-domain.example', 'my.dns.search.suffix'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] }),
    });
    expect(text(p)).toBe('search ns1.svc.cluster-domain.example my.dns.search.suffix\nnameserver 1.2.3.4\noptions ndots:2 edns0\n');
  });

  it('Default: the node\'s file as it is', () => {
    const r = podResolvConf(pod({ dnsPolicy: 'Default' }), NODE);
    expect(r.ok && r.value.config).toEqual({ nameservers: ['192.168.0.2'], searches: ['corp.example'], options: ['timeout:2', 'rotate'] });
  });

  it('hostNetwork + ClusterFirst falls back to Default, without an event; ClusterFirstWithHostNet does not', () => {
    const r = podResolvConf(pod({ hostNetwork: true }), NODE);
    expect(r.ok && [r.value.dnsType, r.value.config.nameservers, r.value.events]).toEqual(['host', ['192.168.0.2'], []]);
    const w = podResolvConf(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet', namespace: 'kube-system' }), NODE);
    expect(w.ok && w.value.text).toBe('search kube-system.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:5\n');
  });

  it('dnsConfig merges: nameservers and searches appended without duplicates, options by name (ndots replaced in place)', () => {
    const p = pod({ dnsConfig: dnsConfig({ nameservers: ['10.96.0.10', '1.1.1.1'], searches: ['svc.cluster.local', 'extra.example'], options: [{ name: 'ndots', value: '2' }, { name: 'single-request-reopen' }] }) });
    expect(text(p)).toBe('search default.svc.cluster.local svc.cluster.local cluster.local corp.example extra.example\nnameserver 10.96.0.10\nnameserver 1.1.1.1\noptions ndots:2 single-request-reopen\n');
  });

  it('no clusterDNS: MissingClusterDNS events (node and pod) and the Default file', () => {
    const r = podResolvConf(pod(), { ...NODE, clusterDns: [] });
    if (!r.ok) throw new Error(r.error);
    expect(r.value.dnsType).toBe('host');
    expect(r.value.events.map((e) => `${e.object} ${e.reason}`)).toEqual(['node MissingClusterDNS', 'pod MissingClusterDNS']);
    expect(r.value.events[0]?.message).toMatch(/kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy\. Falling back to "Default" policy\./);
  });

  it('--resolv-conf="": loopback nameserver and search "."', () => {
    expect(text(pod({ dnsPolicy: 'Default' }), { ...NODE, hostResolvConf: null })).toBe('search .\nnameserver 127.0.0.1\n');
    expect(text(pod({ dnsPolicy: 'Default' }), { ...NODE, hostResolvConf: null, nodeIps: ['fd00::1'] })).toBe('search .\nnameserver ::1\n');
  });

  it('no clusterDomain: the host searches only', () => {
    expect(text(pod(), { ...NODE, clusterDomain: '' })).toBe('search corp.example\nnameserver 10.96.0.10\noptions ndots:5\n');
  });
});

describe('kubelet limits and DNSConfigForming events', () => {
  it('more than 3 nameservers: the first 3, and an event', () => {
    const r = podResolvConf(pod({ dnsConfig: dnsConfig({ nameservers: ['1.1.1.1', '8.8.8.8', '9.9.9.9'] }) }), NODE);
    if (!r.ok) throw new Error(r.error);
    expect(r.value.config.nameservers).toEqual(['10.96.0.10', '1.1.1.1', '8.8.8.8']);
    expect(r.value.events).toEqual([
      { type: 'Warning', reason: 'DNSConfigForming', object: 'pod', message: 'Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 10.96.0.10 1.1.1.1 8.8.8.8' },
    ]);
  });

  it('more than 32 search paths: the first 32', () => {
    const node = { ...NODE, hostResolvConf: `nameserver 192.168.0.2\nsearch ${Array.from({ length: 31 }, (_, i) => `d${i}.example`).join(' ')}\n` };
    const r = podResolvConf(pod(), node);
    if (!r.ok) throw new Error(r.error);
    expect(r.value.config.searches).toHaveLength(32);
    expect(r.value.config.searches[31]).toBe('d28.example');
    expect(r.value.events[0]?.message).toMatch(/^Search Line limits were exceeded, some search paths have been omitted, the applied search line is: default\.svc\.cluster\.local /);
  });

  it('entries over 253 characters are dropped; then entries are cut from the end to 2048 characters', () => {
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}`; // 255
    expect(searchFitsLimits(['a.example', long, 'b.example'])).toEqual({ searches: ['a.example', 'b.example'], exceeded: true });
    const many = Array.from({ length: 20 }, (_, i) => `${String(i).padStart(2, '0')}${'x'.repeat(110)}.example`); // 120 chars each
    const fit = searchFitsLimits(many);
    expect(fit.searches.join(' ').length).toBeLessThanOrEqual(2048);
    expect(fit.searches).toEqual(many.slice(0, 16)); // 17 would be 17 x 120 + 16 = 2056
    expect(searchFitsLimits(['a', 'b']).exceeded).toBe(false);
  });

  it('the API server rejects None without nameservers, and dnsConfig over the limits', () => {
    expect(podResolvConf(pod({ dnsPolicy: 'None' }), NODE)).toEqual({ ok: false, error: 'spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None' });
    const none = podResolvConf(pod({ dnsPolicy: 'None', dnsConfig: dnsConfig({ searches: ['a.example'] }) }), NODE);
    expect(none.ok ? '' : none.error).toMatch(/must provide at least one DNS nameserver when `dnsPolicy` is None/);
    const four = podResolvConf(pod({ dnsConfig: dnsConfig({ nameservers: ['1.1.1.1', '1.0.0.1', '8.8.8.8', '8.8.4.4'] }) }), NODE);
    expect(four.ok ? '' : four.error).toMatch(/must not have more than 3 nameservers/);
    const searches = podResolvConf(pod({ dnsConfig: dnsConfig({ searches: Array.from({ length: 33 }, (_, i) => `s${i}.example`) }) }), NODE);
    expect(searches.ok ? '' : searches.error).toMatch(/must not have more than 32 search paths/);
  });

  it('mergeDnsOptions keeps valueless options bare', () => {
    expect(mergeDnsOptions(['ndots:5', 'edns0'], [{ name: 'ndots', value: '1' }, { name: 'timeout', value: '1' }, { name: 'rotate', value: null }])).toEqual(['ndots:1', 'edns0', 'timeout:1', 'rotate']);
  });
});

describe('the fixture cluster', () => {
  it('kubeadm\'s kubelet: clusterDNS 10.96.0.10, the node file from the header', () => {
    expect(kubeletDnsSettings(fixture(), 'node1')).toEqual({ clusterDomain: 'cluster.local', clusterDns: ['10.96.0.10'], hostResolvConf: 'nameserver 192.168.1.1\n', nodeIps: ['192.168.1.101'] });
  });

  it('the kubelet-managed /etc/hosts maps hostname.subdomain', () => {
    const web0 = fixture().pods.find((p) => p.name === 'web-0');
    if (!web0) throw new Error('no web-0');
    expect(podHostsText(web0, 'cluster.local').split('\n')).toContain('10.244.1.10\tweb-0.nginx.default.svc.cluster.local\tweb-0');
  });
});

describe('resolv.conf text', () => {
  it('kubelet parsing: nameservers accumulate, the last search and options lines win, trailing dots trimmed', () => {
    expect(parseResolvConf('# x\nnameserver 1.1.1.1\nsearch a.example.\nnameserver 2.2.2.2\nsearch b.example c.example. .\noptions ndots:2\noptions edns0\ndomain z.example\n')).toEqual({
      nameservers: ['1.1.1.1', '2.2.2.2'],
      searches: ['b.example', 'c.example'],
      options: ['edns0'],
    });
  });

  it('prints as containerd writes it and parses back', () => {
    const c = { nameservers: ['10.96.0.10', '1.1.1.1'], searches: ['default.svc.cluster.local', 'svc.cluster.local'], options: ['ndots:5', 'edns0'] };
    expect(parseResolvConf(printResolvConf(c))).toEqual(c);
  });

  it('glibc reads: 3 nameservers, last search/domain, capped options, every options line', () => {
    const g = glibcConfig('nameserver 1.1.1.1\nnameserver 2.2.2.2\nnameserver 3.3.3.3\nnameserver 4.4.4.4\nsearch a b\ndomain c\noptions ndots:20 timeout:60 attempts:9\noptions single-request-reopen rotate no-aaaa bogus\n');
    expect([g.nameservers, g.search, g.ndots, g.timeout, g.attempts, g.singleRequestReopen, g.rotate, g.noAaaa]).toEqual([['1.1.1.1', '2.2.2.2', '3.3.3.3'], ['c'], 15, 30, 5, true, true, true]);
    expect(g.notes).toEqual(expect.arrayContaining(['glibc uses only the first 3 nameservers; 4.4.4.4 is ignored', 'glibc ignores unknown option "bogus"']));
    expect(glibcConfig('').nameservers).toEqual(['127.0.0.1']);
  });

  it('musl reads: only ndots/attempts/timeout (caps 15/10/60), skips lines of 255+ bytes', () => {
    const m = muslConfig(`nameserver 10.96.0.10\nsearch ${'x'.repeat(250)}\noptions ndots:20 attempts:20 timeout:90 single-request-reopen\n`);
    expect([m.ndots, m.attempts, m.timeout, m.search]).toEqual([15, 10, 60, []]);
    expect(m.notes.some((n) => n.startsWith('musl skips a 257-byte line'))).toBe(true);
    expect(m.notes).toContain('musl ignores option "single-request-reopen"');
    expect(muslConfig(`search ${'x'.repeat(247)}\n`).search).toEqual(['x'.repeat(247)]); // 254 bytes fit
    expect(muslConfig(`search ${'x'.repeat(248)}\n`).search).toEqual([]); // 255 do not
  });
});

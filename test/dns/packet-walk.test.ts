import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/cluster/cluster.js';
import { formatInputError } from '../../src/lib/input-error.js';
import { resolveFromPod, type PodLookupRequest } from '../../src/lookup/resolve.js';
import { packetTransport } from '../../src/lookup/packet-transport.js';
import { lookup, podResolvConf, kubeletDnsSettings } from '../../src/resolver/index.js';
import { formatIpv4 } from '../../src/net/ipv4.js';
import { walkEnv } from '../../src/trace/run.js';
import { buildSystem } from '../../src/topology/build.js';
import { parseTopology } from '../../src/topology/load.js';
import type { System } from '../../src/topology/system.js';

/** DNS queries as packets: kube-proxy's DNAT to a CoreDNS pod, CoreDNS's answer, reverse NAT back. */

const FIXTURE = readFileSync(new URL('./packet-fixture.yaml', import.meta.url), 'utf8');

function load(text = FIXTURE): { cluster: Cluster; system: System } {
  const c = parseTopology(text, 'packet-fixture.yaml');
  if (!c.ok) throw new Error(formatInputError(c.error));
  const s = buildSystem(c.value);
  if (!s.ok) throw new Error(s.error);
  return { cluster: c.value, system: s.value };
}

const GAI = { kind: 'getaddrinfo', family: 'AF_UNSPEC' } as const;

function resolve(name: string, o: Partial<PodLookupRequest> & { pod?: string; text?: string } = {}) {
  const { cluster, system } = load(o.text);
  const pod = cluster.pods.find((p) => `${p.namespace}/${p.name}` === (o.pod ?? 'default/debian'));
  if (!pod) throw new Error('no pod');
  const r = resolveFromPod(system, cluster, pod, { name, libc: o.libc ?? 'glibc', call: o.call ?? GAI, ...(o.seed !== undefined ? { seed: o.seed } : {}) });
  if (!r.ok) throw new Error(r.error);
  return { ...r.value, system, cluster };
}

/** Where each walk of a datagram was delivered: the netns id and the probability. */
function deliveredTo(d: { paths: readonly { probability: number; walk: { flow: { request: { disposition: { kind: string; netns?: string } } } } }[] }): string[] {
  return d.paths.map((p) => `${p.walk.flow.request.disposition.kind === 'DELIVERED' ? p.walk.flow.request.disposition.netns : p.walk.flow.request.disposition.kind} ${p.probability.toFixed(2)}`);
}

describe('DNS queries walked as packets', () => {
  it('www.example.com from glibc, ndots:5: 8 queries, three search suffixes first, each one DNATed to either CoreDNS pod at p=0.5', () => {
    const r = resolve('www.example.com');
    expect(r.branches).toHaveLength(1);
    const b = r.branches[0]!;
    expect(b.probability).toBe(1);
    expect(b.trace.queries.map((q) => `${q.name} ${q.type} ${q.result.kind === 'reply' ? q.result.message.rcode : q.result.kind}`)).toEqual([
      'www.example.com.default.svc.cluster.local. A NXDOMAIN',
      'www.example.com.default.svc.cluster.local. AAAA NXDOMAIN',
      'www.example.com.svc.cluster.local. A NXDOMAIN',
      'www.example.com.svc.cluster.local. AAAA NXDOMAIN',
      'www.example.com.cluster.local. A NXDOMAIN',
      'www.example.com.cluster.local. AAAA NXDOMAIN',
      'www.example.com. A NOERROR',
      'www.example.com. AAAA NOERROR',
    ]);
    expect(b.trace.result).toMatchObject({ ok: true, addresses: ['192.0.2.10', '2001:db8::10'] });
    for (const d of b.datagrams) expect(deliveredTo(d).sort()).toEqual(['pod:kube-system/coredns-a 0.50', 'pod:kube-system/coredns-b 0.50']);
  });

  it('the query leaves for 10.96.0.10, is DNATed on node1 to a CoreDNS pod IP, and the reply comes back from 10.96.0.10 (reverse NAT)', () => {
    const r = resolve('web');
    const walk = r.branches[0]!.datagrams[0]!.paths[0]!.walk;
    const sent = walk.flow.request.steps.find((s) => s.stage === 'send')?.packet;
    expect(sent && formatIpv4(sent.header.dst)).toBe('10.96.0.10');
    expect(sent?.payload).toMatchObject({ kind: 'udp', dport: 53, payload: { kind: 'dns', message: { qr: false, questions: [{ name: 'web.default.svc.cluster.local.', type: 'A' }] } } });
    const delivered = walk.flow.request.packet;
    const coreDnsIps = r.cluster.pods.filter((p) => p.name.startsWith('coredns')).map((p) => formatIpv4(p.ip));
    expect(coreDnsIps).toContain(delivered && formatIpv4(delivered.header.dst));
    expect(walk.flow.request.steps.some((s) => s.rewrite?.what.startsWith('DNAT 10.96.0.10:53 ->'))).toBe(true);
    const back = walk.flow.reply?.packet;
    expect(back && formatIpv4(back.header.src)).toBe('10.96.0.10');
    expect(back?.payload).toMatchObject({ kind: 'udp', sport: 53, payload: { kind: 'dns', message: { qr: true, aa: true, rcode: 'NOERROR' } } });
    expect(walk.application?.note).toMatch(/^kubernetes: ClusterIP of service default\/web/);
  });

  it('the AAAA query on the same socket follows the A query\'s conntrack entry to the same CoreDNS pod in every world', () => {
    const { cluster, system } = load();
    const pod = cluster.pods.find((p) => p.name === 'debian')!;
    const rc = podResolvConf(pod, kubeletDnsSettings(cluster, pod.nodeName));
    if (!rc.ok) throw new Error(rc.error);
    const pt = packetTransport({ env: walkEnv(system), clientNetns: 'pod:default/debian', clientIp: pod.ip, mtu: 1450, dyn: new Map(), choices: [] });
    lookup('glibc', { name: 'web', call: GAI }, { resolvConf: rc.value.text, transport: pt.transport });
    const worlds = pt.worlds();
    expect(worlds).toHaveLength(2);
    for (const w of worlds) {
      const [a, aaaa] = w.walks.map((x) => x.flow.request.disposition);
      expect(a?.kind).toBe('DELIVERED');
      expect(aaaa).toEqual(a);
      expect(w.probability).toBeCloseTo(0.5);
    }
    expect(new Set(worlds.map((w) => (w.walks[0]!.flow.request.disposition as { netns: string }).netns)).size).toBe(2);
  });

  it('--seed picks one CoreDNS pod per query, deterministically', () => {
    const one = resolve('www.example.com', { seed: 7 });
    const again = resolve('www.example.com', { seed: 7 });
    const paths = (r: typeof one) => r.branches[0]!.datagrams.map((d) => deliveredTo(d).join(','));
    expect(paths(one)).toEqual(paths(again));
    for (const p of paths(one)) expect(p).toMatch(/^pod:kube-system\/coredns-[ab] 1\.00$/);
    const seeds = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((s) => paths(resolve('web', { seed: s }))[0]));
    expect(seeds.size).toBe(2);
  });

  it('a missing service: NXDOMAIN with the cluster SOA in the reply CoreDNS sent over the wire', () => {
    const r = resolve('missing');
    const q = r.branches[0]!.trace.queries[0]!;
    expect(q.result.kind).toBe('reply');
    if (q.result.kind !== 'reply') return;
    expect(q.result.message.rcode).toBe('NXDOMAIN');
    expect(q.result.message.authority[0]).toMatchObject({ name: 'cluster.local.', type: 'SOA', data: { mname: 'ns.dns.cluster.local.', rname: 'hostmaster.cluster.local.' } });
    expect(r.branches[0]!.trace.result).toMatchObject({ ok: false, error: 'EAI_NONAME' });
  });

  it('musl and glibc differ through the packet path as measured: a namespace name stops musl at NODATA', () => {
    const musl = resolve('default', { pod: 'default/alpine', libc: 'musl' }).branches[0]!.trace;
    const glibc = resolve('default', { pod: 'default/alpine', libc: 'glibc' }).branches[0]!.trace;
    expect(musl.datagrams).toBe(4);
    expect(glibc.datagrams).toBe(8);
    expect(musl.result).toMatchObject({ ok: false, error: 'EAI_NODATA' });
    expect(glibc.result).toMatchObject({ ok: false, error: 'EAI_NODATA' });
  });

  it('CoreDNS without ready endpoints: kube-proxy REJECTs, the libc sees ICMP port unreachable and fails at once', () => {
    const notReady = FIXTURE.replace(/(name: coredns-[ab], namespace: kube-system, labels: \{k8s-app: kube-dns\}\})/g, '$1\nstatus: {phase: Pending}');
    const r = resolve('web', { text: notReady });
    const b = r.branches[0]!;
    expect(b.trace.queries[0]?.result.kind).toBe('unreachable');
    expect(b.datagrams[0]!.paths[0]!.walk.flow.request.disposition).toMatchObject({ kind: 'REJECTED', with: 'icmp-port-unreachable' });
    expect(b.trace.result.ok).toBe(false);
    expect(b.trace.elapsedMs).toBeLessThan(1000);
  });
});

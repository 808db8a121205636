import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/topology/load.js';
import { buildSystem } from '../../src/topology/build.js';
import { defaultFlows, parseFlow, type LabFlow } from '../../src/lab/check/flows.js';
import { predict } from '../../src/lab/check/predict.js';

async function system(file: string) {
  const c = await loadTopology(file);
  if (!c.ok) throw new Error(c.error.message);
  const s = buildSystem(c.value);
  if (!s.ok) throw new Error(s.error);
  return { cluster: c.value, system: s.value };
}

function flow(text: string): LabFlow {
  const f = parseFlow(text);
  if (!f.ok) throw new Error(f.error);
  return f.value;
}

describe('lab check flow syntax', () => {
  it('parses ping, tcp, udp and dns flows into canonical text', () => {
    expect(flow('ping:pod-a->default/pod-b').text).toBe('ping:default/pod-a->default/pod-b');
    expect(flow('tcp:default/pod-a->svc/default/web:80')).toMatchObject({ kind: 'tcp', port: 80, to: { kind: 'service', namespace: 'default', name: 'web' } });
    expect(flow('udp:default/pod-a->10.96.0.10:53')).toMatchObject({ kind: 'udp', port: 53, text: 'udp:default/pod-a->10.96.0.10:53' });
    expect(flow('dns:default/debian->web.prod')).toMatchObject({ kind: 'dns', name: 'web.prod', from: { namespace: 'default', name: 'debian' } });
    expect(flow('ping:default/pod-a->node/node2')).toMatchObject({ to: { kind: 'node', name: 'node2' } });
  });

  it('says what is wrong with a bad flow', () => {
    const bad = (t: string): string => {
      const f = parseFlow(t);
      if (f.ok) throw new Error(`${t} parsed`);
      return f.error;
    };
    expect(bad('default/pod-a->default/pod-b')).toMatch(/expected ping:SRC->DST/);
    expect(bad('tcp:default/pod-a->default/pod-b')).toMatch(/needs a destination port/);
    expect(bad('ping:default/pod-a->default/pod-b:80')).toMatch(/ping has no port/);
    expect(bad('tcp:default/pod-a->svc/default/web:70000')).toMatch(/port 70000 is not 1 to 65535/);
    expect(bad('dns:node/node1->web')).toMatch(/runs in a pod/);
    expect(bad('ping:a/b/c->default/pod-b')).toMatch(/source/);
  });
});

describe('default flows', () => {
  it('two-node-flannel: pod pings, pod -> node pings, Service connects from one pod per node', async () => {
    const { system: s, cluster } = await system('topologies/two-node-flannel.yaml');
    const texts = defaultFlows(s, cluster).map((f) => f.text);
    expect(texts.filter((t) => t.startsWith('ping:') && !t.includes('node/'))).toHaveLength(6);
    expect(texts).toContain('ping:default/pod-c->node/node2');
    expect(texts).toContain('tcp:default/pod-a->svc/default/web:80');
    expect(texts).toContain('tcp:default/pod-b->svc/default/web:80');
    expect(texts.some((t) => t.startsWith('dns:'))).toBe(false);
  });

  it('dns-demo runs CoreDNS: every libc-annotated pod looks up every Service as NAME.NAMESPACE', async () => {
    const { system: s, cluster } = await system('topologies/dns-demo.yaml');
    const dns = defaultFlows(s, cluster).filter((f) => f.kind === 'dns');
    expect(new Set(dns.map((f) => (f.kind === 'dns' ? `${f.from.namespace}/${f.from.name}` : '')))).toEqual(new Set(['default/debian', 'default/alpine', 'default/alpine-ndots1', 'default/debian-ndots1']));
    expect(dns.map((f) => f.text)).toContain('dns:default/debian->web.prod');
    // UDP for the UDP port of kube-dns, TCP for the others.
    const texts = defaultFlows(s, cluster).map((f) => f.text);
    expect(texts.some((t) => /^udp:.*->svc\/kube-system\/kube-dns:53$/.test(t))).toBe(true);
    expect(texts.some((t) => /^tcp:.*->svc\/kube-system\/kube-dns:9153$/.test(t))).toBe(true);
  });
});

describe('predictions the lab compares with', () => {
  it('cross-node ping over flannel VXLAN: delivered at TTL 62, source preserved, one VXLAN hop', async () => {
    const { system: s, cluster } = await system('topologies/two-node-flannel.yaml');
    const p = predict(s, cluster, flow('ping:default/pod-a->default/pod-b'));
    if (!p.ok || p.value.kind !== 'net') throw new Error('no net prediction');
    expect(p.value.outcomes).toEqual([
      expect.objectContaining({ probability: 1, verdict: 'ok', endpoint: 'pod:default/pod-b', sourceSeen: '10.244.1.2', ttl: 62, replyTtl: 62, encaps: ['vxlan 192.168.1.101->192.168.1.102 dport 8472 vni 1'] }),
    ]);
  });

  it('a Service with two CoreDNS endpoints: two outcomes at 0.5, DNATed port 53; TCP has no reply TTL', async () => {
    const { system: s, cluster } = await system('topologies/dns-demo.yaml');
    const p = predict(s, cluster, flow('tcp:default/debian->svc/kube-system/kube-dns:53'));
    if (!p.ok || p.value.kind !== 'net') throw new Error('no net prediction');
    expect(p.value.outcomes.map((o) => [o.probability, o.endpoint?.startsWith('pod:kube-system/coredns-'), o.endpointPort, o.replyTtl])).toEqual([
      [0.5, true, 53, null],
      [0.5, true, 53, null],
    ]);
  });

  it('dns: the query order of the pod\'s libc (glibc: A and AAAA per search domain)', async () => {
    const { system: s, cluster } = await system('topologies/dns-demo.yaml');
    const p = predict(s, cluster, flow('dns:default/debian->web.prod'));
    if (!p.ok || p.value.kind !== 'dns') throw new Error('no dns prediction');
    expect(p.value.libc).toBe('glibc');
    expect(p.value.queries).toEqual(['web.prod.default.svc.cluster.local. A', 'web.prod.default.svc.cluster.local. AAAA', 'web.prod.svc.cluster.local. A', 'web.prod.svc.cluster.local. AAAA']);
    expect(p.value.result).toMatch(/^OK 10\./);
    expect(p.value.resolvConf).toContain('nameserver 10.96.0.10');
  });

  it('an unknown endpoint is an error, not a guess', async () => {
    const { system: s, cluster } = await system('topologies/two-node-flannel.yaml');
    const p = predict(s, cluster, flow('ping:default/nope->default/pod-b'));
    expect(p.ok).toBe(false);
  });
});

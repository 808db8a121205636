import { describe, expect, it } from 'vitest';
import { parsePacketLine, type WirePacket } from '../../src/lab/check/captures.js';
import { compareFlow } from '../../src/lab/check/compare.js';
import { arrivals, dnsQueriesSent, observeSocket, requestEncaps } from '../../src/lab/check/observe.js';
import type { PredictedOutcome, Prediction } from '../../src/lab/check/predict.js';
import { encodeDnsMessage, dnsQuery } from '../../src/net/dns.js';

const outcome = (o: Partial<PredictedOutcome>): PredictedOutcome => ({
  probability: 1,
  verdict: 'ok',
  endpoint: 'pod:default/b',
  endpointIp: '10.244.2.2',
  endpointPort: 80,
  sourceSeen: '10.244.1.2',
  ttl: 62,
  replyTtl: null,
  encaps: ['vxlan 192.168.1.101->192.168.1.102 dport 8472 vni 1'],
  ...o,
});
const net = (outcomes: PredictedOutcome[]): Prediction => ({ kind: 'net', clientIp: '10.244.1.2', dstIp: '10.96.0.20', outcomes });
const where = (id: string): string => id.replace(/^pod:/, 'pod ');

describe('compareFlow', () => {
  it('agrees when every real value is a predicted one; shows the distribution of several endpoints', () => {
    const p = net([outcome({ probability: 0.5 }), outcome({ probability: 0.5, endpoint: 'pod:default/c', endpointIp: '10.244.2.3' })]);
    const rows = compareFlow(
      p,
      {
        kind: 'net',
        attempts: [
          ...Array.from({ length: 5 }, () => ({ verdict: 'ok' as const, endpoint: 'pod:default/b', source: '10.244.1.2', replyTtl: null, detail: '' })),
          ...Array.from({ length: 3 }, () => ({ verdict: 'ok' as const, endpoint: 'pod:default/c', source: '10.244.1.2', replyTtl: null, detail: '' })),
        ],
        ttls: [62],
        encaps: ['vxlan 192.168.1.101->192.168.1.102 dport 8472 vni 1'],
      },
      where,
    );
    expect(rows.every((r) => r.agree)).toBe(true);
    const ep = rows.find((r) => r.aspect === 'endpoint');
    expect(ep).toMatchObject({ predicted: 'pod default/b 50%, pod default/c 50%', real: 'pod default/b 5/8, pod default/c 3/8' });
  });

  it('disagrees on a value the model gives no chance, and on a fact only one side has', () => {
    const rows = compareFlow(net([outcome({ verdict: 'failed', endpoint: 'pod:default/b' })]), { kind: 'net', attempts: [{ verdict: 'ok', endpoint: 'pod:default/b', source: '10.244.2.1', replyTtl: null, detail: '' }], ttls: [62], encaps: [] }, where);
    const bad = rows.filter((r) => !r.agree).map((r) => r.aspect);
    expect(bad).toEqual(['result', 'source', 'encap']);
    expect(rows.find((r) => r.aspect === 'encap')).toMatchObject({ predicted: 'vxlan 192.168.1.101->192.168.1.102 dport 8472 vni 1', real: 'none' });
  });

  it('dns: the query sequence must be equal, in order', () => {
    const p: Prediction = { kind: 'dns', libc: 'glibc', clientIp: '10.244.1.5', netns: 'pod:default/x', resolvConf: '', hosts: '', queries: ['a A', 'a AAAA'], result: 'OK 10.0.0.1' };
    expect(compareFlow(p, { kind: 'dns', queries: ['a A', 'a AAAA'], result: 'OK 10.0.0.1', raw: '' }, where).every((r) => r.agree)).toBe(true);
    expect(compareFlow(p, { kind: 'dns', queries: ['a AAAA', 'a A'], result: 'OK 10.0.0.1', raw: '' }, where)[0]?.agree).toBe(false);
  });
});

describe('reading captures', () => {
  const at = { netns: 'net:underlay', dev: 'p1-node2' };
  it('a VXLAN frame: outer header kept apart, the inner packet reported', () => {
    const p = parsePacketLine('1700000000.250000000\t192.168.1.101,10.244.1.2\t192.168.1.102,10.244.2.2\t64,63\t8472\t1\t8\t\t', at);
    expect(p).toMatchObject({ t: 1700000000250, src: '10.244.1.2', dst: '10.244.2.2', ttl: 63, icmpType: 8, vxlan: { src: '192.168.1.101', dst: '192.168.1.102', dport: 8472, vni: 1 } });
  });

  it('an ICMP error reports its own header, not the one it quotes', () => {
    const p = parsePacketLine('1.0\t10.244.2.1,10.244.1.2\t10.244.1.2,10.96.0.1\t64,63\t\t\t3\t\t', { netns: 'pod:default/a', dev: 'eth0' });
    expect(p).toMatchObject({ src: '10.244.2.1', dst: '10.244.1.2', ttl: 64, icmpType: 3, vxlan: null });
  });

  const pkt = (o: Partial<WirePacket>): WirePacket => ({ t: 10, netns: 'pod:default/b', dev: 'eth0', src: '10.244.1.2', dst: '10.244.2.2', ttl: 62, icmpType: null, tcpFlags: null, udpDport: null, udpPayload: null, vxlan: null, ...o });
  const ipOf = (id: string): string | null => ({ 'pod:default/b': '10.244.2.2', 'pod:default/a': '10.244.1.2' })[id] ?? null;

  it('arrivals: requests only (a SYN, not the SYN-ACK; a UDP datagram not from the target) at their own address', () => {
    const w = { from: 0, to: 100 };
    const syn = pkt({ tcpFlags: 0x002 });
    const synAck = pkt({ netns: 'pod:default/a', src: '10.96.0.20', dst: '10.244.1.2', tcpFlags: 0x012 });
    expect(arrivals([syn, synAck], w, 'tcp', '10.96.0.20', ipOf)).toEqual([syn]);
    const udpReq = pkt({ udpDport: 53 });
    const udpReply = pkt({ netns: 'pod:default/a', src: '10.96.0.20', dst: '10.244.1.2', udpDport: 40000 });
    expect(arrivals([udpReq, udpReply], w, 'udp', '10.96.0.20', ipOf)).toEqual([udpReq]);
    expect(arrivals([pkt({ icmpType: 8, t: 200 })], w, 'icmp', '10.244.2.2', ipOf)).toEqual([]);
    const vx = pkt({ netns: 'net:underlay', tcpFlags: 0x002, vxlan: { src: '192.168.1.101', dst: '192.168.1.102', dport: 8472, vni: 1 } });
    expect(requestEncaps([vx], w, 'tcp', '10.96.0.20', new Set(['10.244.2.2']))).toEqual(['vxlan 192.168.1.101->192.168.1.102 dport 8472 vni 1']);
  });

  it('a refused attempt gets its endpoint from the capture, or from the node conntrack for local delivery', () => {
    const w = { from: 0, to: 100 };
    const refused = [{ verdict: 'refused' as const, answer: null, detail: 'ECONNREFUSED', from: 5, to: 15 }];
    const seen = observeSocket('tcp', refused, [pkt({ tcpFlags: 0x002 })], w, '10.96.0.20', ipOf, 'net:underlay');
    expect(seen.kind === 'net' && seen.attempts[0]).toMatchObject({ endpoint: 'pod:default/b', source: '10.244.1.2' });
    const entering = pkt({ netns: 'node:n1', dst: '10.96.0.1', ttl: 64, tcpFlags: 0x002 });
    const local = observeSocket('tcp', refused, [entering], w, '10.96.0.1', ipOf, 'net:underlay', [{ netns: 'node:n1', source: '10.244.1.2' }]);
    expect(local).toMatchObject({ attempts: [{ endpoint: 'node:n1', source: '10.244.1.2' }], ttls: [64] });
  });

  it('DNS queries decoded from the client pod capture with podnet\'s codec, in wire order', () => {
    const hex = (name: string, type: 'A' | 'AAAA'): string => Buffer.from(encodeDnsMessage(dnsQuery(7, name, type))).toString('hex');
    const c = 'pod:default/a';
    const packets = [pkt({ netns: c, src: '10.244.1.2', dst: '10.96.0.10', udpDport: 53, udpPayload: hex('web.default.svc.cluster.local', 'A') }), pkt({ netns: c, src: '10.244.1.2', dst: '10.96.0.10', udpDport: 53, udpPayload: hex('web.default.svc.cluster.local', 'AAAA') })];
    expect(dnsQueriesSent(packets, { from: 0, to: 100 }, c, '10.244.1.2')).toEqual(['web.default.svc.cluster.local. A', 'web.default.svc.cluster.local. AAAA']);
  });
});

import { describe, expect, it } from 'vitest';
import { formatIpv4, ipv4 } from '../../../src/net/ipv4.js';
import { portsOf, type Ipv4Packet } from '../../../src/net/packet.js';
import { traceRuleset, type TraceOutcome } from '../../../src/kernel/netfilter/trace.js';
import { NODE_RULES } from './fixtures.js';
import { NODE_IP, rules } from './helpers.js';

const rs = rules(NODE_RULES);
const ep = (p: Ipv4Packet, side: 'src' | 'dst') => `${formatIpv4(side === 'src' ? p.header.src : p.header.dst)}:${side === 'src' ? portsOf(p)?.sport : portsOf(p)?.dport}`;
const total = (o: readonly TraceOutcome[]) => o.reduce((s, x) => s + x.probability, 0);

describe('traceRuleset', () => {
  it('pod -> ClusterIP, forwarded to another node: one outcome per endpoint, not masqueraded', () => {
    const out = traceRuleset({
      ruleset: rs,
      packet: { src: ipv4('10.244.1.2'), dst: ipv4('172.30.0.43'), proto: 'tcp', sport: 40000, dport: 80 },
      origin: { kind: 'in', inDev: 'cni0' },
      route: { kind: 'forward', outDev: 'flannel.1' },
      localAddrs: [NODE_IP],
      masqueradeAddr: ipv4('10.244.1.0'),
    });
    expect(out.map((o) => ep(o.packet, 'dst'))).toEqual(['10.244.1.5:8080', '10.244.2.6:8080', '10.244.3.7:8080']);
    expect(total(out)).toBeCloseTo(1, 15);
    const o = out[0] as TraceOutcome;
    expect(o.verdict).toEqual({ kind: 'accept' });
    expect(o.masqueraded).toBe(false);
    expect(o.stages.map((s) => s.hook)).toEqual(['PREROUTING', 'FORWARD', 'POSTROUTING']);
    expect(o.stages[1]?.hits.at(-1)?.rule.text).toBe('-A FLANNEL-FWD -s 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT');
    expect(o.stages[2]?.hits.filter((h) => h.rule.table === 'nat').map((h) => `${h.rule.chain} ${h.effect.kind}`)).toEqual([
      'POSTROUTING jump',
      'KUBE-POSTROUTING return',
      'POSTROUTING jump',
      'FLANNEL-POSTRTG return',
      'POSTROUTING policy',
    ]);
    expect(o.conntrackLine).toBe(
      'tcp      6 120 SYN_SENT src=10.244.1.2 dst=172.30.0.43 sport=40000 dport=80 [UNREPLIED] src=10.244.1.5 dst=10.244.1.2 sport=8080 dport=40000 mark=0 use=1',
    );
  });

  it('external client -> NodePort: marked 0x4000 in PREROUTING, accepted by the mark in FORWARD, masqueraded in POSTROUTING', () => {
    const out = traceRuleset({
      ruleset: rs,
      packet: { src: ipv4('192.168.1.50'), dst: NODE_IP, proto: 'tcp', sport: 50000, dport: 3003 },
      origin: { kind: 'in', inDev: 'eth0' },
      route: (p) => (formatIpv4(p.header.dst).startsWith('10.244.1.') ? { kind: 'forward', outDev: 'cni0' } : { kind: 'forward', outDev: 'flannel.1' }),
      localAddrs: [NODE_IP],
      masqueradeAddr: ipv4('10.244.1.0'),
    });
    expect(out).toHaveLength(3);
    expect(total(out)).toBeCloseTo(1, 15);
    for (const o of out) {
      expect(o.verdict.kind).toBe('accept');
      expect(o.stages[0]?.markAfter).toBe(0x4000);
      expect(o.stages[1]?.hits.some((h) => h.rule.text === '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT')).toBe(true);
      expect(o.snat).toMatchObject({ kind: 'masquerade', randomFully: true, rule: { chain: 'KUBE-POSTROUTING' } });
      expect(o.masqueraded).toBe(true);
      expect(formatIpv4(o.packet.header.src)).toBe('10.244.1.0');
      expect(o.mark).toBe(0);
    }
    expect(out[0]?.route).toEqual({ kind: 'forward', outDev: 'cni0' });
    expect(out[0]?.conntrackLine).toMatch(/^tcp {6}6 120 SYN_SENT src=192\.168\.1\.50 dst=192\.168\.1\.101 sport=50000 dport=3003 \[UNREPLIED\] src=10\.244\.1\.5 dst=10\.244\.1\.0 sport=8080 dport=\d+ mark=0 use=1$/);
  });

  it('pod -> the internet is masqueraded by flanneld, not kube-proxy', () => {
    const [o, ...rest] = traceRuleset({
      ruleset: rs,
      packet: { src: ipv4('10.244.1.2'), dst: ipv4('8.8.8.8'), proto: 'udp', sport: 33000, dport: 53 },
      origin: { kind: 'in', inDev: 'cni0' },
      route: { kind: 'forward', outDev: 'eth0' },
      masqueradeAddr: NODE_IP,
    });
    expect(rest).toEqual([]);
    expect(o?.snat).toMatchObject({ kind: 'masquerade', rule: { chain: 'FLANNEL-POSTRTG', num: 5 } });
    expect(o && formatIpv4(o.packet.header.src)).toBe('192.168.1.101');
  });

  it('the host itself -> ClusterIP goes through OUTPUT and is masqueraded (source outside the pod CIDR)', () => {
    const out = traceRuleset({
      ruleset: rs,
      packet: { src: NODE_IP, dst: ipv4('172.30.0.43'), proto: 'tcp', sport: 41000, dport: 80 },
      origin: { kind: 'local', outDev: 'flannel.1' },
      localAddrs: [NODE_IP],
      masqueradeAddr: ipv4('10.244.1.0'),
    });
    expect(out.map((o) => o.stages.map((s) => s.hook).join(','))).toEqual(['OUTPUT,POSTROUTING', 'OUTPUT,POSTROUTING', 'OUTPUT,POSTROUTING']);
    expect(out.every((o) => o.masqueraded && o.dnat?.kind === 'dnat')).toBe(true);
  });

  it('a service without endpoints is rejected in filter FORWARD', () => {
    const [o] = traceRuleset({
      ruleset: rs,
      packet: { src: ipv4('10.244.1.2'), dst: ipv4('172.30.0.46'), proto: 'tcp', dport: 80 },
      origin: { kind: 'in', inDev: 'cni0' },
      route: { kind: 'forward', outDev: 'eth0' },
    });
    expect(o?.verdict).toMatchObject({ kind: 'reject', with: 'icmp-port-unreachable', rule: { table: 'filter', chain: 'KUBE-SERVICES', num: 1 } });
    expect(o?.stages.map((s) => s.hook)).toEqual(['PREROUTING', 'FORWARD']);
    // Not confirmed: the entry stays unreplied and unconfirmed.
    expect(o?.conntrack?.status).not.toContain('CONFIRMED');
  });

  it('local delivery runs INPUT after PREROUTING', () => {
    const [o] = traceRuleset({
      ruleset: rs,
      packet: { src: ipv4('192.168.1.50'), dst: NODE_IP, proto: 'tcp', dport: 30000 },
      origin: { kind: 'in', inDev: 'eth0' },
      localAddrs: [NODE_IP],
    });
    expect(o?.route).toEqual({ kind: 'local' });
    expect(o?.stages.map((s) => s.hook)).toEqual(['PREROUTING', 'INPUT']);
    expect(o?.stages[1]?.hits.find((h) => h.effect.kind === 'accept')?.rule.chain).toBe('KUBE-NODEPORTS');
  });
});

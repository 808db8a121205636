import { describe, expect, it } from 'vitest';
import { formatIpv4, ipv4 } from '../../src/net/ipv4.js';
import { podNetns } from '../../src/controllers/names.js';
import { flannelVtepMac } from '../../src/controllers/cni/flannel/program.js';
import { traceFlow } from '../../src/trace/flow.js';
import { summarize } from '../../src/trace/summary.js';
import { envFor, twoNodeFlannel } from './walk-fixture.js';

const ping = { proto: 'icmp', size: 56 } as const;

describe('walk: flannel vxlan, two nodes', () => {
  const world = twoNodeFlannel();
  const env = envFor(world);
  const flows = traceFlow(env, { srcNetns: podNetns('default', 'pod-a'), src: ipv4('10.244.1.2'), dst: ipv4('10.244.2.2'), kind: ping }, new Map(), 1450);

  it('delivers the echo and its reply', () => {
    expect(flows).toHaveLength(1);
    const f = flows[0]!;
    expect(f.request.disposition).toMatchObject({ kind: 'DELIVERED', netns: podNetns('default', 'pod-b') });
    expect(f.verdict.kind).toBe('ok');
  });

  it('arrives with TTL 62 (two routed hops), no NAT', () => {
    const s = summarize(flows[0]!.request, (x) => x);
    expect(s.ttlOnArrival).toBe(62);
    expect(s.nat).toEqual([]);
    expect(s.sourcePreserved).toBe(true);
  });

  it('crosses the underlay in VXLAN: 192.168.1.101 -> 192.168.1.102, UDP 8472, VNI 1, flannel.1 MACs, +50 bytes', () => {
    const s = summarize(flows[0]!.request, (x) => x);
    expect(s.encapsulations).toHaveLength(1);
    const e = s.encapsulations[0]!;
    expect(formatIpv4(e.outerSrc)).toBe('192.168.1.101');
    expect(formatIpv4(e.outerDst)).toBe('192.168.1.102');
    expect(e.udpDstPort).toBe(8472);
    expect(e.vni).toBe(1);
    expect(e.innerSrcMac).toBe(flannelVtepMac('node1'));
    expect(e.innerDstMac).toBe(flannelVtepMac('node2'));
    expect(e.outerTtl).toBe(64);
    expect(e.outerDf).toBe(false);
    expect(e.overhead).toBe(50);
    expect(e.udpSrcPort).toBeGreaterThanOrEqual(32768);
    expect(e.udpSrcPort).toBeLessThanOrEqual(60999);
    expect(s.largestFrame).toBe(148);
  });

  it('ARPs for the remote node first on the underlay', () => {
    const underlayFrames = flows[0]!.request.frames.filter((f) => f.dev === 'eth0' && f.netns === 'node:node1');
    expect(underlayFrames[0]!.frame.payload.kind).toBe('arp');
  });

  it('bridges same-node pods without routing: TTL 64', () => {
    const same = traceFlow(env, { srcNetns: podNetns('default', 'pod-a'), src: ipv4('10.244.1.2'), dst: ipv4('10.244.1.3'), kind: ping }, new Map(), 1450);
    expect(same[0]!.request.disposition).toMatchObject({ kind: 'DELIVERED', netns: podNetns('default', 'pod-c') });
    expect(summarize(same[0]!.request, (x) => x).ttlOnArrival).toBe(64);
  });

  it('fails a DF ping of 1451 bytes locally with mtu 1450 and passes 1450', () => {
    const big = (size: number) => traceFlow(env, { srcNetns: podNetns('default', 'pod-a'), src: ipv4('10.244.1.2'), dst: ipv4('10.244.2.2'), kind: { proto: 'icmp', size } }, new Map(), 1450);
    expect(big(1450 - 28)[0]!.request.disposition.kind).toBe('DELIVERED');
    expect(big(1451 - 28)[0]!.request.disposition).toMatchObject({ kind: 'MTU_EXCEEDED', mtu: 1450, size: 1451, netns: podNetns('default', 'pod-a') });
  });
});

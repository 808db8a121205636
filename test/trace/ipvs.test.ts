import { beforeAll, describe, expect, it } from 'vitest';
import { formatIpv4 } from '../../src/net/ipv4.js';
import { unwrap } from '../../src/lib/result.js';
import { loadTopology } from '../../src/topology/load.js';
import { buildSystem } from '../../src/topology/build.js';
import type { System } from '../../src/topology/system.js';
import { parseEndpointSpec } from '../../src/trace/endpoint.js';
import { runTrace } from '../../src/trace/run.js';
import { summarize } from '../../src/trace/summary.js';
import type { FlowOutcome } from '../../src/trace/flow.js';

// topologies/services-ipvs.yaml: node1 (client 10.244.1.2, web-1 10.244.1.3), node2 (web-2), node3 (web-3).
let system: System;

beforeAll(async () => {
  system = unwrap(buildSystem(unwrap(await loadTopology('topologies/services-ipvs.yaml'))));
});

function trace(from: string, to: string, port: number, seed?: number): readonly FlowOutcome[] {
  const run = runTrace(system, { from: unwrap(parseEndpointSpec(from)), to: unwrap(parseEndpointSpec(to)), kind: { proto: 'tcp', dport: port }, ...(seed === undefined ? {} : { seed }) });
  if (!run.ok) throw new Error(run.error);
  return run.value.outcomes;
}

function view(outs: readonly FlowOutcome[]) {
  return outs
    .map((o) => {
      const s = summarize(o.request, (id) => system.netns.get(id)?.where ?? id);
      const d = o.request.disposition;
      return {
        p: Number(o.probability.toFixed(6)),
        end: d.kind === 'DELIVERED' ? (system.netns.get(d.netns)?.where ?? d.netns) : d.kind,
        seen: s.sourceSeen === null ? null : formatIpv4(s.sourceSeen),
        verdict: o.verdict.kind,
      };
    })
    .sort((a, b) => a.end.localeCompare(b.end));
}

const steps = (o: FlowOutcome, which: 'request' | 'reply' = 'request') => (which === 'request' ? o.request : o.reply)?.steps ?? [];

describe('kube-proxy IPVS mode in the packet walk', () => {
  it('pod -> ClusterIP: every real server at 1/3 (rr), client IP kept, reply from the VIP', () => {
    const outs = trace('default/client', 'svc/default/web', 80);
    expect(view(outs)).toEqual([
      { p: 0.333333, end: 'pod default/web-1', seen: '10.244.1.2', verdict: 'ok' },
      { p: 0.333333, end: 'pod default/web-2', seen: '10.244.1.2', verdict: 'ok' },
      { p: 0.333333, end: 'pod default/web-3', seen: '10.244.1.2', verdict: 'ok' },
    ]);
    for (const o of outs) {
      const ipvs = steps(o).find((s) => s.summary.startsWith('ip_vs_in:'));
      expect(ipvs?.stage).toBe('input');
      expect(ipvs?.lines[0]).toBe('TCP  10.96.0.20:80 rr');
      expect(ipvs?.lines[1]).toMatch(/^ {2}-> 10\.244\.\d\.\d:8080 +Masq {4}1 {6}0 {10}0$/);
      // The reply leaves the client's node with the VIP as source again.
      expect(formatIpv4(o.reply?.packet?.header.src ?? (0 as never))).toBe('10.96.0.20');
    }
  });

  it('runs IPVS after the filter table in LOCAL_IN and re-sends the DNATed packet through LOCAL_OUT', () => {
    const o = trace('default/client', 'svc/default/web', 80).find((x) => x.request.disposition.kind === 'DELIVERED' && x.request.disposition.netns === 'pod:default/web-2');
    const node1 = steps(o as FlowOutcome).filter((s) => s.netns === 'node:node1').map((s) => s.summary);
    const idx = (re: RegExp) => node1.findIndex((s) => re.test(s));
    expect(idx(/^netfilter INPUT \(before IPVS\)/)).toBeLessThan(idx(/^ip_vs_in:/));
    expect(idx(/^ip_vs_in:/)).toBeLessThan(idx(/^IPVS xmit to 10\.244\.2\.2:8080 via flannel\.1, ttl 64 -> 63/));
    expect(idx(/^IPVS xmit/)).toBeLessThan(idx(/^netfilter OUTPUT \(IPVS re-send\)/));
    // nat INPUT never runs for the stolen packet; conntrack confirms it in POSTROUTING with the real server as reply source.
    expect(node1.some((s) => /INPUT \(after IPVS\)/.test(s))).toBe(false);
    const confirmed = steps(o as FlowOutcome).find((s) => s.netns === 'node:node1' && s.stage === 'postrouting')?.conntrack.join(' ') ?? '';
    expect(confirmed).toMatch(/src=10\.244\.1\.2 dst=10\.96\.0\.20 sport=\d+ dport=80 \[UNREPLIED\] src=10\.244\.2\.2 dst=10\.244\.1\.2 sport=8080/);
    // The reply is put back to the VIP by ip_vs_out in FORWARD.
    expect(steps(o as FlowOutcome, 'reply').some((s) => s.stage === 'forward' && /^ip_vs_out: .*src 10\.244\.2\.2:8080 -> 10\.96\.0\.20:80/.test(s.summary))).toBe(true);
    expect(o?.request.packet?.header.ttl).toBe(62);
  });

  it('NodePort from another node: masqueraded (KUBE-NODE-PORT-TCP), reply reverse-NATed', () => {
    const outs = view(trace('node/node2', '192.168.1.101', 30080));
    expect(outs.map((o) => o.verdict)).toEqual(['ok', 'ok', 'ok']);
    // The source the endpoint sees is an address of node1 on the way out (flannel.1 or cni0).
    expect(outs.map((o) => o.seen)).toEqual(['10.244.1.1', '10.244.1.0', '10.244.1.0']);
  });

  it('the node itself -> ClusterIP: source is the VIP, masqueraded by KUBE-CLUSTER-IP ! -s podCIDR', () => {
    const outs = trace('node/node1', '10.96.0.20', 80);
    expect(outs).toHaveLength(3);
    for (const o of outs) expect(o.verdict.kind).toBe('ok');
    const o = outs.find((x) => x.request.disposition.kind === 'DELIVERED' && x.request.disposition.netns === 'pod:default/web-2') as FlowOutcome;
    expect(steps(o)[0]?.summary).toMatch(/^send TCP 10\.96\.0\.20:\d+ > 10\.96\.0\.20:80/);
    expect(steps(o).find((s) => s.summary.startsWith('ip_vs_in:'))?.stage).toBe('output');
    expect(view([o])[0]?.seen).toBe('10.244.1.0');
    // Back on node1 the reply passes ip_vs_out in LOCAL_IN and reaches the socket from the VIP.
    expect(steps(o, 'reply').some((s) => s.stage === 'input' && /^ip_vs_out:/.test(s.summary))).toBe(true);
  });

  it('a pod reaching itself through the service is masqueraded by KUBE-LOOP-BACK (hairpin)', () => {
    const self = trace('default/web-1', 'svc/default/web', 80).find((x) => x.request.disposition.kind === 'DELIVERED' && x.request.disposition.netns === 'pod:default/web-1') as FlowOutcome;
    expect(view([self])[0]).toMatchObject({ seen: '10.244.1.1', verdict: 'ok' });
    expect(steps(self).some((s) => s.lines.some((l) => l.includes('--match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE')))).toBe(true);
  });

  it('a virtual server without real servers answers ICMP port unreachable (ip_vs_leave)', () => {
    const [o] = trace('default/client', 'svc/default/ghost', 80);
    expect(o?.request.disposition).toMatchObject({ kind: 'REJECTED', with: 'icmp-port-unreachable', rule: { table: 'ipvs', rule: 'TCP  10.96.0.24:80 rr' } });
  });

  it('a port of a VIP that is no service port is rejected by KUBE-IPVS-FILTER', () => {
    const [o] = trace('default/client', '10.96.0.20', 22);
    expect(o?.request.disposition.kind).toBe('REJECTED');
    expect(o?.request.disposition.kind === 'REJECTED' && o.request.disposition.rule.chain).toBe('KUBE-IPVS-FILTER');
  });

  it('--seed picks one real server, the same one every time', () => {
    const seen = new Set<string>();
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
      const a = trace('default/client', 'svc/default/web', 80, seed);
      const b = trace('default/client', 'svc/default/web', 80, seed);
      expect(a).toHaveLength(1);
      expect(view(a)).toEqual(view(b));
      seen.add(view(a)[0]?.end ?? '');
    }
    expect(seen.size).toBe(3);
  });
});

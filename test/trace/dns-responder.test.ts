import { describe, expect, it } from 'vitest';
import { podNetns } from '../../src/controllers/names.js';
import { formatIpv4, ipv4 } from '../../src/net/ipv4.js';
import type { UdpResponder } from '../../src/net/datagram.js';
import { traceFlowBranches } from '../../src/trace/flow.js';
import type { WalkEnv } from '../../src/trace/env.js';
import { envFor, twoNodeFlannel } from './walk-fixture.js';

/**
 * The application seam of the walk: a UDP listener that says what it answers. The walk hands it
 * the datagram as delivered (addresses after NAT, the payload), and sends back what it returns.
 */

const world = twoNodeFlannel();
const base = envFor(world);
const server = podNetns('default', 'pod-b');
const client = podNetns('default', 'pod-a');

function withApp(respond: UdpResponder): WalkEnv {
  return { ...base, sockets: (ns, proto, port) => (ns === server && proto === 'udp' && port === 7 ? { kind: 'listening', what: 'echo-upper', respond } : base.sockets(ns, proto, port)) };
}

const spec = { srcNetns: client, src: ipv4('10.244.1.2'), dst: ipv4('10.244.2.2'), kind: { proto: 'udp', dport: 7, size: 3 }, sport: 40000, udpPayload: { kind: 'raw', bytes: Uint8Array.of(1, 2, 3) } } as const;

describe('UDP applications answer through SocketLookup.respond', () => {
  it('the reply carries the application\'s payload back to the client socket, and the request records its note', () => {
    const seen: string[] = [];
    const env = withApp((req) => {
      seen.push(`${formatIpv4(req.src)}:${req.sport} -> ${formatIpv4(req.dst)}:${req.dport}`);
      return { kind: 'reply', payload: { kind: 'raw', bytes: Uint8Array.of(9, 9) }, note: 'two nines' };
    });
    const [b] = traceFlowBranches(env, spec, new Map(), 1450);
    expect(seen).toEqual(['10.244.1.2:40000 -> 10.244.2.2:7']);
    expect(b?.outcome.verdict.kind).toBe('ok');
    expect(b?.outcome.reply?.packet?.payload).toMatchObject({ kind: 'udp', sport: 7, dport: 40000, payload: { kind: 'raw', bytes: Uint8Array.of(9, 9) } });
    expect(b?.application).toEqual({ what: 'echo-upper', note: 'two nines' });
    expect(b?.outcome.request.steps.at(-1)?.summary).toBe('echo-upper answers: two nines');
    // The branch keeps the conntrack state of the exchange for the next packet.
    expect(b?.dyn.size).toBeGreaterThan(0);
  });

  it('a silent application: no reply walk, the client fails with the application\'s reason', () => {
    const env = withApp(() => ({ kind: 'silent', note: 'not for me' }));
    const [b] = traceFlowBranches(env, spec, new Map(), 1450);
    expect(b?.outcome.reply).toBeNull();
    expect(b?.outcome.verdict).toEqual({ kind: 'failed', detail: 'echo-upper sent no reply: not for me' });
  });

  it('without respond the UDP reply echoes the request payload, as before', () => {
    const [b] = traceFlowBranches(base, spec, new Map(), 1450);
    expect(b?.outcome.reply?.packet?.payload).toMatchObject({ kind: 'udp', payload: { kind: 'raw', bytes: Uint8Array.of(1, 2, 3) } });
    expect(b?.application).toBeNull();
  });
});

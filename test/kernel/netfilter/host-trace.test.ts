import { describe, expect, it } from 'vitest';
import { ipv4 } from '../../../src/net/ipv4.js';
import { traceOnHost } from '../../../src/kernel/netfilter/trace.js';
import { rules } from './helpers.js';

// A host with one address, a DNAT for 127.0.0.1:8080 and a filter rule in INPUT.
const RS = rules(`*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A OUTPUT -d 127.0.0.1/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.1.0.5:80
-A PREROUTING -p tcp -m tcp --dport 9090 -j DNAT --to-destination 10.1.0.6:80
-A POSTROUTING -d 10.1.0.0/16 -j MASQUERADE
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp -m conntrack --ctstate NEW -m tcp --dport 22 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 23 -j REJECT
COMMIT
`);
const HOST = ipv4('192.168.0.2');
const tcp = (src: string, dst: string, dport: number) => ({ src: ipv4(src), dst: ipv4(dst), proto: 'tcp' as const, dport });

describe('traceOnHost', () => {
  it('a packet from one of the host addresses is sent by the host (OUTPUT), anything else arrives (PREROUTING)', () => {
    expect(traceOnHost({ ruleset: RS, packet: tcp('192.168.0.2', '8.8.8.8', 53), localAddrs: [HOST] }).origin).toBe('sent');
    expect(traceOnHost({ ruleset: RS, packet: tcp('127.0.0.1', '127.0.0.1', 8080), localAddrs: [HOST] }).origin).toBe('sent');
    expect(traceOnHost({ ruleset: RS, packet: tcp('10.9.9.9', '192.168.0.2', 22), localAddrs: [HOST] }).origin).toBe('arrived');
    expect(traceOnHost({ ruleset: RS, packet: tcp('10.9.9.9', '192.168.0.2', 22), localAddrs: [HOST], fromHost: true }).origin).toBe('sent');
  });

  it('host -> its own address loops back through lo: POSTROUTING, PREROUTING and INPUT on lo, ctstate NEW, the nat table not run again', () => {
    const [o, ...rest] = traceOnHost({ ruleset: RS, packet: tcp('192.168.0.2', '192.168.0.2', 22), localAddrs: [HOST] }).outcomes;
    expect(rest).toEqual([]);
    expect(o?.stages.map((s) => `${s.hook} ${s.inDev ?? '-'}>${s.outDev ?? '-'} ${s.ctstate}`)).toEqual(['OUTPUT ->lo NEW', 'POSTROUTING ->lo NEW', 'PREROUTING lo>- NEW', 'INPUT lo>- NEW']);
    expect(o?.stages[3]?.hits.at(-1)?.rule.text).toBe('-A INPUT -p tcp -m conntrack --ctstate NEW -m tcp --dport 22 -j ACCEPT');
    // The PREROUTING DNAT for 9090 would apply to an arriving packet; a looped-back one has its binding already.
    const [l] = traceOnHost({ ruleset: RS, packet: tcp('192.168.0.2', '192.168.0.2', 9090), localAddrs: [HOST] }).outcomes;
    expect(l?.dnat).toBeNull();
    expect(l?.route).toEqual({ kind: 'local' });
  });

  it('a REJECT in INPUT ends a looped-back packet too', () => {
    const [o] = traceOnHost({ ruleset: RS, packet: tcp('192.168.0.2', '192.168.0.2', 23), localAddrs: [HOST] }).outcomes;
    expect(o?.verdict).toMatchObject({ kind: 'reject', rule: { chain: 'INPUT' } });
  });

  it('host -> 127.0.0.1:8080 is DNATed in OUTPUT (-o lo), re-routed out, and masqueraded to the host address', () => {
    const [o] = traceOnHost({ ruleset: RS, packet: tcp('127.0.0.1', '127.0.0.1', 8080), localAddrs: [HOST] }).outcomes;
    expect(o?.stages.map((s) => `${s.hook} ${s.outDev}`)).toEqual(['OUTPUT lo', 'POSTROUTING eth0']);
    expect(o?.route).toEqual({ kind: 'forward', outDev: 'eth0' });
    expect(o?.masqueraded).toBe(true);
    expect(o?.snat?.kind).toBe('masquerade');
    expect(o?.conntrackLine).toMatch(/src=127\.0\.0\.1 dst=127\.0\.0\.1 sport=40000 dport=8080 \[UNREPLIED\] src=10\.1\.0\.5 dst=192\.168\.0\.2 sport=80/);
  });

  it('MASQUERADE of a packet already from the out address is still the masquerade decision', () => {
    const [o] = traceOnHost({ ruleset: RS, packet: tcp('192.168.0.2', '10.1.0.7', 80), localAddrs: [HOST] }).outcomes;
    expect(o?.masqueraded).toBe(true);
    expect(o?.packet.header.src).toBe(HOST);
  });
});

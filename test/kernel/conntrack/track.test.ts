import { describe, expect, it } from 'vitest';
import { ipv4 } from '../../../src/net/ipv4.js';
import { formatConntrackTable } from '../../../src/kernel/conntrack/print.js';
import { EMPTY_CONNTRACK } from '../../../src/kernel/conntrack/table.js';
import { conntrackIn, ctInfoOf } from '../../../src/kernel/conntrack/track.js';
import { formatTuple, invertTuple, quotedTuple, tupleOfPacket } from '../../../src/kernel/conntrack/tuple.js';
import { dgram, dnat, echo, forward, init, seg } from './helpers.js';

const C = '10.244.1.2';
const S = '10.244.2.3';

describe('tuples', () => {
  it('inverts ports and ICMP query types', () => {
    const t = tupleOfPacket(echo(C, S, 7));
    expect(t && formatTuple(t)).toBe('src=10.244.1.2 dst=10.244.2.3 type=8 code=0 id=7');
    const r = t && invertTuple(t);
    expect(r && formatTuple(r)).toBe('src=10.244.2.3 dst=10.244.1.2 type=0 code=0 id=7');
    const u = tupleOfPacket(dgram(C, 5000, S, 53));
    expect(u && invertTuple(u) && formatTuple(invertTuple(u) as never)).toBe('src=10.244.2.3 dst=10.244.1.2 sport=53 dport=5000');
  });

  it('reads the tuple an ICMP error quotes', () => {
    const q = Uint8Array.from([0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 244, 1, 2, 10, 244, 2, 3, 0x9c, 0x40, 0, 80, 0, 0, 0, 0]);
    expect(formatTuple(quotedTuple(q) as never)).toBe('src=10.244.1.2 dst=10.244.2.3 sport=40000 dport=80');
  });
});

describe('SCTP (nf_conntrack_proto_sctp.c, first transition only)', () => {
  it('an INIT starts an entry in COOKIE_WAIT for 3 s, tracked and DNATed by ports', () => {
    const s = forward(EMPTY_CONNTRACK, init(C, 40000, '10.96.0.10', 53), { now: 0, dnat: dnat(S, 5353) });
    expect(s.pkt.kind).toBe('new');
    expect(s.packet.payload).toMatchObject({ kind: 'sctp', dport: 5353 });
    expect(formatConntrackTable(s.table, 0)).toEqual([
      'sctp     132 3 COOKIE_WAIT src=10.244.1.2 dst=10.96.0.10 sport=40000 dport=53 [UNREPLIED] src=10.244.2.3 dst=10.244.1.2 sport=5353 dport=40000 mark=0 use=1',
    ]);
    expect(formatConntrackTable(s.table, 3)).toEqual([]);
  });

  it('sctp_new: an INIT with a non-zero verification tag, or a first packet without INIT, is invalid', () => {
    expect(conntrackIn(EMPTY_CONNTRACK, init(C, 40000, S, 53, { vtag: 5 }), { now: 0 }).pkt).toEqual({ kind: 'invalid', reason: 'sctp_new: INIT with verification tag 5, expected 0' });
    expect(conntrackIn(EMPTY_CONNTRACK, init(C, 40000, S, 53, { vtag: 5, abort: true }), { now: 0 }).pkt.kind).toBe('invalid');
  });
});

describe('TCP state tracking (nf_conntrack_proto_tcp.c)', () => {
  it('SYN -> SYN_SENT [UNREPLIED], SYN-ACK -> SYN_RECV, ACK -> ESTABLISHED [ASSURED], then the close', () => {
    let s = forward(EMPTY_CONNTRACK, seg(C, 40000, S, 80, { syn: true }), { now: 0 });
    expect(formatConntrackTable(s.table, 0)).toEqual([`tcp      6 120 SYN_SENT src=${C} dst=${S} sport=40000 dport=80 [UNREPLIED] src=${S} dst=${C} sport=80 dport=40000 mark=0 use=1`]);
    expect(ctInfoOf(s.table, s.pkt).state).toBe('NEW');
    s = forward(s.table, seg(S, 80, C, 40000, { syn: true, ack: true }), { now: 1 });
    expect(ctInfoOf(s.table, s.pkt)).toMatchObject({ state: 'ESTABLISHED', dir: 'reply' });
    expect(formatConntrackTable(s.table, 1)).toEqual([`tcp      6 60 SYN_RECV src=${C} dst=${S} sport=40000 dport=80 src=${S} dst=${C} sport=80 dport=40000 mark=0 use=1`]);
    s = forward(s.table, seg(C, 40000, S, 80, { ack: true }), { now: 2 });
    expect(formatConntrackTable(s.table, 2)).toEqual([`tcp      6 432000 ESTABLISHED src=${C} dst=${S} sport=40000 dport=80 src=${S} dst=${C} sport=80 dport=40000 [ASSURED] mark=0 use=1`]);
    const states = [
      [seg(C, 40000, S, 80, { fin: true, ack: true }), 'FIN_WAIT', 120],
      [seg(S, 80, C, 40000, { ack: true }), 'CLOSE_WAIT', 60],
      [seg(S, 80, C, 40000, { fin: true, ack: true }), 'LAST_ACK', 30],
      [seg(C, 40000, S, 80, { ack: true }), 'TIME_WAIT', 120],
    ] as const;
    for (const [p, state, timeout] of states) {
      s = forward(s.table, p, { now: 3 });
      expect(formatConntrackTable(s.table, 3)[0]).toMatch(new RegExp(`^tcp {6}6 ${timeout} ${state} `));
    }
    // A new SYN on the TIME_WAIT tuple reopens the connection.
    s = forward(s.table, seg(C, 40000, S, 80, { syn: true }), { now: 4 });
    expect(formatConntrackTable(s.table, 4)).toHaveLength(1);
    expect(formatConntrackTable(s.table, 4)[0]).toContain('SYN_SENT');
  });

  it('a RST answering an unreplied SYN deletes the entry; a stray SYN-ACK is INVALID', () => {
    let s = forward(EMPTY_CONNTRACK, seg(C, 40000, S, 81, { syn: true }));
    s = forward(s.table, seg(S, 81, C, 40000, { rst: true, ack: true }));
    // nf_ct_kill: gone from conntrack -L and from lookups; a new SYN starts a new entry.
    expect(formatConntrackTable(s.table, 0)).toEqual([]);
    expect(conntrackIn(s.table, seg(C, 40000, S, 81, { syn: true }), { now: 0 }).pkt.kind).toBe('new');
    const stray = conntrackIn(EMPTY_CONNTRACK, seg(S, 80, C, 40001, { syn: true, ack: true }), { now: 0 });
    expect(stray.pkt).toMatchObject({ kind: 'invalid' });
    expect(ctInfoOf(stray.table, stray.pkt).state).toBe('INVALID');
  });

  it('picks up a connection from a bare ACK (nf_conntrack_tcp_loose) with the UNACK timeout', () => {
    const s = forward(EMPTY_CONNTRACK, seg(C, 40000, S, 80, { ack: true }));
    expect(formatConntrackTable(s.table, 0)[0]).toMatch(/^tcp {6}6 300 ESTABLISHED .* \[UNREPLIED\] /);
    expect(conntrackIn(EMPTY_CONNTRACK, seg(C, 40000, S, 80, { ack: true }), { now: 0, tcpLoose: false }).pkt.kind).toBe('invalid');
  });

  it('expires entries after their timeout', () => {
    const s = forward(EMPTY_CONNTRACK, seg(C, 40000, S, 80, { syn: true }), { now: 0 });
    expect(formatConntrackTable(s.table, 119)[0]).toContain(' 1 SYN_SENT ');
    expect(formatConntrackTable(s.table, 120)).toEqual([]);
    expect(conntrackIn(s.table, seg(C, 40000, S, 80, { syn: true }), { now: 121 }).pkt.kind).toBe('new');
  });
});

describe('UDP and ICMP', () => {
  it('UDP: unreplied 30 s; a reply sets SEEN_REPLY; traffic after 2 s makes it an ASSURED 120 s stream', () => {
    let s = forward(EMPTY_CONNTRACK, dgram(C, 5000, S, 53), { now: 0 });
    expect(formatConntrackTable(s.table, 0)).toEqual([`udp      17 30 src=${C} dst=${S} sport=5000 dport=53 [UNREPLIED] src=${S} dst=${C} sport=53 dport=5000 mark=0 use=1`]);
    s = forward(s.table, dgram(S, 53, C, 5000), { now: 1 });
    expect(formatConntrackTable(s.table, 1)).toEqual([`udp      17 30 src=${C} dst=${S} sport=5000 dport=53 src=${S} dst=${C} sport=53 dport=5000 mark=0 use=1`]);
    s = forward(s.table, dgram(C, 5000, S, 53), { now: 3 });
    expect(formatConntrackTable(s.table, 3)[0]).toBe(`udp      17 120 src=${C} dst=${S} sport=5000 dport=53 src=${S} dst=${C} sport=53 dport=5000 [ASSURED] mark=0 use=1`);
  });

  it('ICMP echo: request and reply share an entry; an unsolicited reply is INVALID; errors are RELATED', () => {
    let s = forward(EMPTY_CONNTRACK, echo(C, S, 9));
    s = forward(s.table, echo(S, C, 9, true));
    expect(formatConntrackTable(s.table, 0)).toEqual([`icmp     1 30 src=${C} dst=${S} type=8 code=0 id=9 src=${S} dst=${C} type=0 code=0 id=9 mark=0 use=1`]);
    expect(conntrackIn(EMPTY_CONNTRACK, echo(S, C, 10, true), { now: 0 }).pkt.kind).toBe('invalid');

    const syn = forward(EMPTY_CONNTRACK, seg(C, 40000, S, 80, { syn: true }));
    const quoted = Uint8Array.from([0x45, 0, 0, 60, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 244, 1, 2, 10, 244, 2, 3, 0x9c, 0x40, 0, 80, 0, 0, 0, 0]);
    const err = {
      header: { src: ipv4('10.244.2.1'), dst: ipv4(C), ttl: 64, protocol: 1, id: 0, df: false, tos: 0 },
      payload: { kind: 'icmp' as const, message: { type: 'dest-unreachable' as const, code: 3, mtu: 0, quoted } },
    };
    const r = conntrackIn(syn.table, err, { now: 0 });
    expect(r.pkt).toMatchObject({ kind: 'related', dir: 'reply' });
    expect(ctInfoOf(r.table, r.pkt).state).toBe('RELATED');
  });
});

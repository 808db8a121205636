import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIpv4, ipv4, ipv4FromNumber } from '../../../src/net/ipv4.js';
import { formatTuple, quotedTuple } from '../../../src/kernel/conntrack/tuple.js';
import { portsOf, type Ipv4Packet } from '../../../src/net/packet.js';
import { formatConntrackTable } from '../../../src/kernel/conntrack/print.js';
import { EMPTY_CONNTRACK } from '../../../src/kernel/conntrack/table.js';
import { ctInfoOf } from '../../../src/kernel/conntrack/track.js';
import { dgram, dnat, forward, masq, seg } from './helpers.js';

const show = (p: Ipv4Packet) => {
  const ports = portsOf(p);
  return `${formatIpv4(p.header.src)}:${ports?.sport} -> ${formatIpv4(p.header.dst)}:${ports?.dport}`;
};

/** The packet a peer sends back: addresses and ports swapped. */
function answer(p: Ipv4Packet, flags: { syn?: boolean; ack?: boolean } = { syn: true, ack: true }): Ipv4Packet {
  if (p.payload.kind === 'tcp') return seg(formatIpv4(p.header.dst), p.payload.dport, formatIpv4(p.header.src), p.payload.sport, flags);
  if (p.payload.kind === 'udp') return dgram(formatIpv4(p.header.dst), p.payload.dport, formatIpv4(p.header.src), p.payload.sport);
  throw new Error('tcp or udp only');
}

describe('DNAT and reverse NAT', () => {
  it('rewrites the destination at PREROUTING and the reply source at POSTROUTING', () => {
    const syn = forward(EMPTY_CONNTRACK, seg('10.244.1.2', 40000, '10.96.0.10', 80, { syn: true }), { dnat: dnat('10.244.2.3', 8080) });
    expect(show(syn.packet)).toBe('10.244.1.2:40000 -> 10.244.2.3:8080');
    expect(formatConntrackTable(syn.table, 0)).toEqual([
      'tcp      6 120 SYN_SENT src=10.244.1.2 dst=10.96.0.10 sport=40000 dport=80 [UNREPLIED] src=10.244.2.3 dst=10.244.1.2 sport=8080 dport=40000 mark=0 use=1',
    ]);
    const reply = forward(syn.table, answer(syn.packet));
    expect(show(reply.packet)).toBe('10.96.0.10:80 -> 10.244.1.2:40000');
    expect(ctInfoOf(reply.table, reply.pkt)).toMatchObject({ state: 'ESTABLISHED', dir: 'reply', status: expect.arrayContaining(['DST_NAT', 'SEEN_REPLY']) });
    // Later packets of the original direction are DNATed from the entry, without the nat table.
    const ack = forward(reply.table, seg('10.244.1.2', 40000, '10.96.0.10', 80, { ack: true }));
    expect(show(ack.packet)).toBe('10.244.1.2:40000 -> 10.244.2.3:8080');
    expect(formatConntrackTable(ack.table, 0)[0]).toContain('ESTABLISHED');
    expect(formatConntrackTable(ack.table, 0)[0]).toContain('[ASSURED]');
  });

  it('DNAT without a port keeps the destination port', () => {
    const s = forward(EMPTY_CONNTRACK, dgram('10.244.1.2', 5353, '10.96.0.10', 53), { dnat: dnat('10.244.2.3', null) });
    expect(show(s.packet)).toBe('10.244.1.2:5353 -> 10.244.2.3:53');
  });
});

describe('ICMP errors about a NATed connection (RELATED)', () => {
  it('are found through the NATed tuple they quote and translated back, outer and quoted header', () => {
    const syn = forward(EMPTY_CONNTRACK, seg('10.244.1.2', 40000, '10.96.0.10', 80, { syn: true }), { dnat: dnat('10.244.2.3', 8080) });
    // The endpoint's host answers "port unreachable", quoting the SYN as it received it.
    const quoted = Uint8Array.from([0x45, 0, 0, 60, 0, 0, 0x40, 0, 63, 6, 0, 0, 10, 244, 1, 2, 10, 244, 2, 3, 0x9c, 0x40, 0x1f, 0x90, 0, 0, 0, 0]);
    const err: Ipv4Packet = {
      header: { src: ipv4('10.244.2.3'), dst: ipv4('10.244.1.2'), ttl: 64, protocol: 1, id: 0, df: false, tos: 0 },
      payload: { kind: 'icmp', message: { type: 'dest-unreachable', code: 3, mtu: 0, quoted } },
    };
    const out = forward(syn.table, err);
    expect(out.pkt).toMatchObject({ kind: 'related', dir: 'reply' });
    expect(formatIpv4(out.packet.header.src)).toBe('10.96.0.10');
    const q = out.packet.payload.kind === 'icmp' && 'quoted' in out.packet.payload.message ? out.packet.payload.message.quoted : new Uint8Array();
    expect(formatTuple(quotedTuple(q) as never)).toBe('src=10.244.1.2 dst=10.96.0.10 sport=40000 dport=80');
    // The quoted IPv4 header checksum is valid again.
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += ((q[i] ?? 0) << 8) | (q[i + 1] ?? 0);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    expect(sum).toBe(0xffff);
  });
});

describe('SNAT / MASQUERADE source ports (get_unique_tuple)', () => {
  it('keeps the source port unless the reply tuple is taken, then moves it deterministically', () => {
    const a = forward(EMPTY_CONNTRACK, seg('10.244.1.2', 40000, '8.8.8.8', 443, { syn: true }), { snat: masq(), masqueradeAddr: '192.168.1.101' });
    expect(show(a.packet)).toBe('192.168.1.101:40000 -> 8.8.8.8:443');
    const b = forward(a.table, seg('10.244.1.3', 40000, '8.8.8.8', 443, { syn: true }), { snat: masq(), masqueradeAddr: '192.168.1.101' });
    const bPort = portsOf(b.packet)?.sport ?? 0;
    expect(bPort).not.toBe(40000);
    expect(bPort).toBeGreaterThanOrEqual(1024);
    const again = forward(a.table, seg('10.244.1.3', 40000, '8.8.8.8', 443, { syn: true }), { snat: masq(), masqueradeAddr: '192.168.1.101' });
    expect(portsOf(again.packet)?.sport).toBe(bPort);
    // Replies find their own connection.
    expect(show(forward(b.table, answer(b.packet)).packet)).toBe('8.8.8.8:443 -> 10.244.1.3:40000');
    expect(show(forward(b.table, answer(a.packet)).packet)).toBe('8.8.8.8:443 -> 10.244.1.2:40000');
  });

  it('MASQUERADE to the packet\'s own address and port changes nothing and sets no SRC_NAT bit', () => {
    const s = forward(EMPTY_CONNTRACK, seg('192.168.1.101', 40000, '192.168.1.102', 6443, { syn: true }), { snat: masq(), masqueradeAddr: '192.168.1.101' });
    expect(show(s.packet)).toBe('192.168.1.101:40000 -> 192.168.1.102:6443');
    expect(s.table.entries[0]?.status).toEqual(['CONFIRMED', 'SRC_NAT_DONE', 'DST_NAT_DONE']);
  });

  it('--random-fully always draws a port, from a hash of the tuple: same connection, same port', () => {
    const p = seg('10.244.1.2', 40000, '8.8.8.8', 443, { syn: true });
    const one = forward(EMPTY_CONNTRACK, p, { snat: masq(true), masqueradeAddr: '192.168.1.101' });
    const two = forward(EMPTY_CONNTRACK, p, { snat: masq(true), masqueradeAddr: '192.168.1.101' });
    const port = portsOf(one.packet)?.sport ?? 0;
    expect(port).toBe(portsOf(two.packet)?.sport);
    expect(port).toBeGreaterThanOrEqual(1024);
    expect(port).not.toBe(40000);
  });

  it('the null binding moves a clashing source port even without a NAT rule', () => {
    const a = forward(EMPTY_CONNTRACK, seg('10.244.1.2', 5000, '8.8.8.8', 80, { syn: true }), { snat: masq(), masqueradeAddr: '192.168.1.101' });
    const b = forward(a.table, seg('192.168.1.101', 5000, '8.8.8.8', 80, { syn: true }));
    expect(formatIpv4(b.packet.header.src)).toBe('192.168.1.101');
    expect(portsOf(b.packet)?.sport).not.toBe(5000);
    expect(b.table.entries[1]?.status).toContain('SRC_NAT');
  });
});

describe('NAT round trip (property)', () => {
  const addr = fc.integer({ min: 0x0a000001, max: 0x0affffff }).map((n) => formatIpv4(ipv4FromNumber(n)));
  const port = fc.integer({ min: 1, max: 65535 });
  it('a reply to the translated packet is translated back to the exact inverse of the original', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(addr, port, addr, port, fc.option(fc.tuple(addr, fc.option(port, { nil: null })), { nil: null }), fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 6 }),
        (conns) => {
          let table = EMPTY_CONNTRACK;
          const sent: { orig: Ipv4Packet; out: Ipv4Packet }[] = [];
          for (const [src, sport, dst, dport, d, doMasq, isTcp] of conns) {
            const orig = isTcp ? seg(src, sport, dst, dport, { syn: true }) : dgram(src, sport, dst, dport);
            let s;
            try {
              s = forward(table, orig, { dnat: d ? dnat(d[0], d[1]) : null, snat: doMasq ? masq() : null, masqueradeAddr: '192.168.1.101' });
            } catch {
              continue; // an identical tuple already tracked (clash at confirm)
            }
            table = s.table;
            sent.push({ orig, out: s.packet });
          }
          for (const { orig, out } of sent) {
            const back = forward(table, answer(out, { ack: true, syn: true }));
            expect(show(back.packet)).toBe(show(answer(orig)));
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

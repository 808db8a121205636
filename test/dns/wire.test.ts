import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dnsPayloadOf, dnsQuery as wireQuery, dnsResponse as wireResponse, dnsUdpPayload } from '../../src/net/dns.js';
import { encodeIpv4Packet } from '../../src/net/encode.js';
import { decodeIpv4Packet } from '../../src/net/decode.js';
import { ipv4 } from '../../src/net/ipv4.js';
import { answer } from '../../src/controllers/coredns/index.js';
import {
  addressFromReverse,
  decodeDnsMessage,
  dnsQuery,
  dnsResponse,
  encodeDnsMessage,
  overTheWire,
  reverseName,
  type DnsMessage,
  type DnsRecord,
} from '../../src/net/dns.js';
import { fixture, fixtureConfig } from './helpers.js';

/** DNS messages through dns-packet: byte layout, every modelled record type, flags, errors. */

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('DNS wire format (dns-packet)', () => {
  it('a glibc-style query: header, one question, RD set', () => {
    const b = encodeDnsMessage(dnsQuery(0x1234, 'web.default.svc.cluster.local', 'A'));
    // ID 1234, flags 0100 (RD), QDCOUNT 1, AN/NS/AR 0
    expect(hex(b.subarray(0, 12))).toBe('123401000001000000000000');
    expect(hex(b.subarray(12))).toBe(`03776562${'0764656661756c74'}03737663${'07636c7573746572'}056c6f63616c00${'0001'}0001`);
  });

  it('an NXDOMAIN from CoreDNS: QR AA RD, rcode 3, the SOA in AUTHORITY', () => {
    const q = dnsQuery(7, 'missing.default.svc.cluster.local', 'A');
    const r = dnsResponse(q, answer(fixture(), q.questions[0] ?? { name: '', type: 'A' }, fixtureConfig()));
    const b = encodeDnsMessage(r);
    expect(hex(b.subarray(2, 4))).toBe('8503'); // QR=1 opcode 0 AA=1 TC=0 RD=1 | RA=0 Z=0 rcode=3
    expect(new DataView(b.buffer, b.byteOffset, b.byteLength).getUint16(8)).toBe(1); // NSCOUNT
    const back = decodeDnsMessage(b);
    expect(back.ok && back.value).toEqual(r);
  });

  it('round-trips every modelled record type', () => {
    const records: DnsRecord[] = [
      { name: 'a.example.', ttl: 30, type: 'A', data: '192.0.2.1' },
      { name: 'a.example.', ttl: 30, type: 'AAAA', data: '2001:db8::1' },
      { name: 'alias.example.', ttl: 30, type: 'CNAME', data: 'a.example.' },
      { name: 'example.', ttl: 30, type: 'NS', data: 'ns.example.' },
      { name: '1.2.0.192.in-addr.arpa.', ttl: 30, type: 'PTR', data: 'a.example.' },
      { name: '_http._tcp.web.example.', ttl: 30, type: 'SRV', data: { priority: 0, weight: 50, port: 80, target: 'web-0.web.example.' } },
      { name: 'dns-version.cluster.local.', ttl: 28800, type: 'TXT', data: ['1.1.0'] },
      { name: 'example.', ttl: 30, type: 'MX', data: { preference: 10, exchange: 'mx.example.' } },
      { name: '.', ttl: 86400, type: 'SOA', data: { mname: 'a.root-servers.net.', rname: 'nstld.verisign-grs.com.', serial: 2026010100, refresh: 1800, retry: 900, expire: 604800, minimum: 86400 } },
    ];
    const m: DnsMessage = { ...dnsResponse(dnsQuery(9, 'a.example', 'A', { edns0: true }), { rcode: 'NOERROR', aa: true, ra: true, answers: records, authority: records.slice(8), additional: records.slice(0, 2) }) };
    const back = overTheWire(m);
    expect(back.ok && back.value).toEqual(m);
    expect(back.ok && back.value.edns).toEqual({ udpPayloadSize: 1200 });
  });

  it('every rcode and flag survives', () => {
    for (const rcode of ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'] as const) {
      const m = { ...dnsResponse(dnsQuery(1, 'x.example', 'TXT'), { rcode, aa: false, ra: true, tc: true, answers: [], authority: [], additional: [] }), ad: true, cd: true };
      expect(overTheWire(m)).toEqual({ ok: true, value: m });
    }
  });

  it('property: random names, IDs and A/AAAA/SRV answers round-trip', () => {
    const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
    const name = fc.array(label, { minLength: 1, maxLength: 6 }).map((ls) => `${ls.join('.')}.`);
    const rr = fc.oneof(
      fc.record({ name, ttl: fc.nat(86400), type: fc.constant('A' as const), data: fc.ipV4() }),
      fc.record({ name, ttl: fc.nat(86400), type: fc.constant('SRV' as const), data: fc.record({ priority: fc.nat(65535), weight: fc.nat(65535), port: fc.nat(65535), target: name }) }),
    );
    fc.assert(
      fc.property(fc.nat(65535), name, fc.array(rr, { maxLength: 8 }), (id, qname, answers) => {
        const m = dnsResponse(dnsQuery(id, qname, 'A'), { rcode: 'NOERROR', aa: true, ra: false, answers, authority: [], additional: [] });
        expect(overTheWire(m)).toEqual({ ok: true, value: m });
      }),
      { numRuns: 200 },
    );
  });

  it('malformed bytes are an error value', () => {
    expect(decodeDnsMessage(Uint8Array.of(1, 2, 3)).ok).toBe(false);
    const q = encodeDnsMessage(dnsQuery(1, 'web.example', 'A'));
    expect(decodeDnsMessage(q.subarray(0, q.length - 3)).ok).toBe(false);
  });

  it('reverse names, both ways', () => {
    expect(reverseName('10.96.1.20')).toBe('20.1.96.10.in-addr.arpa.');
    expect(addressFromReverse('20.1.96.10.in-addr.arpa.')).toBe('10.96.1.20');
    expect(addressFromReverse('1.96.10.in-addr.arpa.')).toBeNull();
    const v6 = reverseName('fd00:10:96::60');
    expect(v6).toBe('0.6.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa.');
    expect(addressFromReverse(v6 ?? '')).toBe('fd00:10:96::60');
  });
});

describe('DNS as a UDP payload variant (net/decode.ts, net/encode.ts)', () => {
  it('a datagram to or from port 53 decodes as DNS, and re-encodes to the same bytes', () => {
    const q = wireQuery(0x1234, 'web.default.svc.cluster.local', 'A');
    const r = wireResponse(q, { rcode: 'NXDOMAIN', aa: true, ra: false, answers: [], authority: [], additional: [] });
    for (const [sport, dport, m] of [[40000, 53, q], [53, 40000, r]] as const) {
      const p = { header: { src: ipv4('10.244.1.4'), dst: ipv4('10.96.0.10'), ttl: 64, protocol: 17, id: 0, df: true, tos: 0 }, payload: { kind: 'udp' as const, sport, dport, payload: dnsUdpPayload(m) } };
      const bytes = encodeIpv4Packet(p);
      const back = decodeIpv4Packet(bytes);
      expect(back.ok && back.value.payload).toMatchObject({ kind: 'udp', payload: { kind: 'dns', message: { id: 0x1234, qr: m.qr, rcode: m.rcode, questions: [{ name: 'web.default.svc.cluster.local.', type: 'A' }] } } });
      expect(back.ok && encodeIpv4Packet(back.value)).toEqual(bytes);
    }
  });

  it('bytes on port 53 that are not a DNS message podnet models exactly stay raw', () => {
    expect(dnsPayloadOf(new Uint8Array(5))).toBeNull();
    expect(dnsPayloadOf(Uint8Array.of(0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7))).toBeNull();
  });
});

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame, encodeIpv4Packet } from '../../src/net/encode.js';
import { ipv4 } from '../../src/net/ipv4.js';
import { BROADCAST_MAC, mac, ZERO_MAC } from '../../src/net/mac.js';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, TCP_NO_FLAGS, type Frame, type Ipv4Packet, type L4 } from '../../src/net/packet.js';
import { writePcap } from '../../src/net/pcap-write.js';
import { podPing, vxlanPodPing } from './frames.js';

/** Wireshark is the independent oracle for the wire formats: it must decode every field we wrote. */

const TSHARK = '/usr/bin/tshark';
const hasTshark = existsSync(TSHARK);
const needs = hasTshark ? '' : ` (SKIPPED: tshark not found at ${TSHARK}; apt-get install tshark)`;

const dir = mkdtempSync(join(tmpdir(), 'podnet-tshark-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FIELDS = [
  'frame.len',
  'ip.src',
  'ip.dst',
  'ip.ttl',
  'ip.checksum.status',
  'udp.srcport',
  'udp.dstport',
  'udp.checksum',
  'udp.checksum.status',
  'vxlan.vni',
  'icmp.type',
  'icmp.code',
  'icmp.checksum.status',
  'icmp.mtu',
  'tcp.checksum.status',
  'tcp.options.mss_val',
  'tcp.len',
  'arp.opcode',
  'arp.src.proto_ipv4',
  'arp.dst.proto_ipv4',
] as const;
type Row = Record<(typeof FIELDS)[number], string>;

function tshark(file: string, args: readonly string[]): string {
  const checks = ['-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE'];
  return execFileSync(TSHARK, ['-n', '-r', file, ...checks, '-d', 'udp.port==8472,vxlan', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** One row per frame; a field that occurs at several layers is joined with `|`, outer first. */
function rows(file: string): Row[] {
  const out = tshark(file, ['-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|', ...FIELDS.flatMap((f) => ['-e', f])]);
  return out
    .trimEnd()
    .split('\n')
    .map((line) => Object.fromEntries(line.split('\t').map((v, i) => [FIELDS[i], v])) as Row);
}

const eth = { src: mac('0a:58:0a:f4:01:02'), dst: mac('0a:58:0a:f4:01:01') };
const onVeth = (packet: Ipv4Packet): Frame => ({ eth, payload: { kind: 'ipv4', packet } });
const header = (protocol: number) => ({ src: ipv4('10.244.1.2'), dst: ipv4('10.244.2.2'), ttl: 64, protocol, id: 0x2a, df: true, tos: 0 });
const icmpFrom = (router: string, message: Extract<L4, { kind: 'icmp' }>['message']): Frame =>
  onVeth({ header: { ...header(IPPROTO_ICMP), src: ipv4(router), dst: ipv4('10.244.1.2'), df: false }, payload: { kind: 'icmp', message } });
// The kernel quotes the offending datagram's IP header and first 8 bytes.
const quoted = (() => {
  const p = podPing();
  return p.payload.kind === 'ipv4' ? encodeIpv4Packet(p.payload.packet).slice(0, 28) : new Uint8Array(28);
})();

const FRAMES: readonly Frame[] = [
  vxlanPodPing(),
  podPing(),
  onVeth({
    header: header(IPPROTO_TCP),
    payload: { kind: 'tcp', sport: 40000, dport: 80, seq: 0x01020304, ack: 0, flags: { ...TCP_NO_FLAGS, syn: true }, window: 64240, options: Uint8Array.of(2, 4, 0x05, 0xb4, 1, 3, 3, 7), data: new Uint8Array(0) },
  }),
  onVeth({
    header: header(IPPROTO_TCP),
    payload: { kind: 'tcp', sport: 40000, dport: 80, seq: 1, ack: 1, flags: { ...TCP_NO_FLAGS, psh: true, ack: true }, window: 502, options: new Uint8Array(0), data: new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n') },
  }),
  onVeth({ header: header(IPPROTO_UDP), payload: { kind: 'udp', sport: 40001, dport: 9999, payload: { kind: 'raw', bytes: Uint8Array.of(1, 2, 3) } } }),
  icmpFrom('10.244.1.1', { type: 'dest-unreachable', code: 4, mtu: 1450, quoted }),
  icmpFrom('10.244.1.1', { type: 'time-exceeded', code: 0, mtu: 0, quoted }),
  { eth: { src: eth.src, dst: BROADCAST_MAC }, payload: { kind: 'arp', arp: { op: 'request', senderMac: eth.src, senderIp: ipv4('10.244.1.2'), targetMac: ZERO_MAC, targetIp: ipv4('10.244.1.1') } } },
];

/** The frame numbers (1-based) tshark flags as malformed or with error-level expert info (bad checksums are errors). */
function problemFrames(file: string): string[] {
  return tshark(file, ['-Y', '_ws.malformed || _ws.expert.severity >= error', '-T', 'fields', '-e', 'frame.number']).split('\n').filter(Boolean);
}

describe(`tshark decodes what podnet encodes${needs}`, () => {
  // One capture and two tshark runs for all checks (tshark takes seconds to start).
  const damaged = encodeFrame(podPing());
  damaged[24] = (damaged[24] ?? 0) ^ 0xff; // IPv4 header checksum
  const all = [...FRAMES.map(encodeFrame), damaged];
  let r: Row[] = [];
  let flagged: string[] = [];
  beforeAll(() => {
    if (!hasTshark) return;
    const file = join(dir, 'all.pcap');
    writeFileSync(file, writePcap(all.map((bytes, i) => ({ timestampMicros: 1_700_000_000_000_000 + i, bytes }))));
    r = rows(file);
    flagged = problemFrames(file);
  });

  it.skipIf(!hasTshark)('VXLAN ping between nodes: outer and inner headers, VNI 1, TTL 63 inside, 148 bytes, good checksums', () => {
    expect(r[0]).toMatchObject({
      'frame.len': '148',
      'ip.src': '192.168.1.101|10.244.1.2',
      'ip.dst': '192.168.1.102|10.244.2.2',
      'ip.ttl': '64|63',
      'ip.checksum.status': '1|1', // 1 = Good (0 = Bad, 2 = Unverified)
      'udp.srcport': '40000',
      'udp.dstport': '8472',
      'udp.checksum': '0x0000', // Linux vxlan: no outer UDP checksum over IPv4
      'vxlan.vni': '1',
      'icmp.type': '8',
      'icmp.checksum.status': '1',
    });
  });

  it.skipIf(!hasTshark)('a plain ping on a veth is 98 bytes', () => {
    expect(r[1]).toMatchObject({ 'frame.len': '98', 'ip.ttl': '64', 'ip.checksum.status': '1', 'icmp.checksum.status': '1' });
  });

  it.skipIf(!hasTshark)('TCP with options and data, UDP, ICMP errors and ARP: fields as written, good checksums', () => {
    expect(r).toHaveLength(all.length);
    expect(r[2]).toMatchObject({ 'frame.len': '62', 'tcp.checksum.status': '1', 'tcp.options.mss_val': '1460', 'ip.checksum.status': '1' });
    expect(r[3]).toMatchObject({ 'tcp.len': '18', 'tcp.checksum.status': '1' });
    expect(r[4]).toMatchObject({ 'frame.len': '45', 'udp.dstport': '9999', 'udp.checksum.status': '1' });
    // ICMP errors quote the ping: tshark dissects the quoted headers as a second IP/ICMP layer,
    // whose checksum it cannot verify from 8 bytes (2 = Unverified).
    expect(r[5]).toMatchObject({ 'icmp.type': '3|8', 'icmp.code': '4|0', 'icmp.mtu': '1450', 'icmp.checksum.status': '1|2', 'ip.src': '10.244.1.1|10.244.1.2', 'ip.checksum.status': '1|1' });
    expect(r[6]).toMatchObject({ 'icmp.type': '11|8', 'icmp.code': '0|0', 'icmp.checksum.status': '1|2' });
    expect(r[7]).toMatchObject({ 'frame.len': '42', 'arp.opcode': '1', 'arp.src.proto_ipv4': '10.244.1.2', 'arp.dst.proto_ipv4': '10.244.1.1' });
  });

  it.skipIf(!hasTshark)('no malformed packets or error expert infos, except the deliberately damaged checksum (the filter works)', () => {
    expect(r[all.length - 1]?.['ip.checksum.status']).toBe('0');
    expect(flagged).toEqual([String(all.length)]);
  });
});

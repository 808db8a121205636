import fc from 'fast-check';
import { ipv4FromNumber, type Ipv4 } from '../../src/net/ipv4.js';
import { macFromBytes, type Mac } from '../../src/net/mac.js';
import type { ArpMessage, Frame, FramePayload, IcmpMessage, Ipv4Packet, L4, UdpPayload } from '../../src/net/packet.js';

/**
 * Random packets in canonical form: every value here encodes to bytes that decode back to the
 * same value (raw EtherTypes/protocols/ports are ones the decoder would not parse further).
 */

export const arbMac: fc.Arbitrary<Mac> = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => macFromBytes(b));
export const arbIp: fc.Arbitrary<Ipv4> = fc.integer({ min: 0, max: 0xffffffff }).map(ipv4FromNumber);
const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes = (maxLength: number, minLength = 0) => fc.uint8Array({ minLength, maxLength });
const VXLAN_PORTS = [8472, 4789];

export const arbIcmp: fc.Arbitrary<IcmpMessage> = fc.oneof(
  fc.record({ type: fc.constantFrom('echo-request' as const, 'echo-reply' as const), id: u16, seq: u16, data: bytes(64) }),
  // Only code 4 ("fragmentation needed") carries an MTU (RFC 1191).
  fc
    .record({ type: fc.constant('dest-unreachable' as const), code: fc.integer({ min: 0, max: 15 }), mtu: u16, quoted: bytes(48) })
    .map((m) => (m.code === 4 ? m : { ...m, mtu: 0 })),
  fc.record({ type: fc.constant('time-exceeded' as const), code: fc.integer({ min: 0, max: 1 }), mtu: fc.constant(0), quoted: bytes(48) }),
  fc.record({ type: fc.constant('other' as const), icmpType: u8.filter((t) => ![0, 3, 8, 11].includes(t)), code: u8, rest: bytes(40, 4) }),
);

const arbTcp: fc.Arbitrary<L4> = fc.record({
  kind: fc.constant('tcp' as const),
  sport: u16,
  dport: u16,
  seq: u32,
  ack: u32,
  flags: fc.record({ fin: fc.boolean(), syn: fc.boolean(), rst: fc.boolean(), psh: fc.boolean(), ack: fc.boolean() }),
  window: u16,
  options: bytes(40).map((b) => b.slice(0, b.length - (b.length % 4))),
  data: bytes(64),
});

const nonZero16 = fc.integer({ min: 1, max: 0xffff });
const arbSctp: fc.Arbitrary<L4> = fc.record({
  kind: fc.constant('sctp' as const),
  sport: u16,
  dport: u16,
  vtag: u32,
  chunks: fc.oneof(
    fc.record({ kind: fc.constant('init' as const), initiateTag: fc.integer({ min: 1, max: 0xffffffff }), arwnd: u32, outboundStreams: nonZero16, inboundStreams: nonZero16, initialTsn: u32 }),
    // Raw chunk bytes are 4-byte padded and never a lone 20-byte INIT chunk (that decodes as `init`).
    fc.record({ kind: fc.constant('raw' as const), bytes: bytes(64).map((b) => b.slice(0, b.length - (b.length % 4))).filter((b) => !(b.length === 20 && b[0] === 1)) }),
  ),
});

const arbUdp = (inner: fc.Arbitrary<Frame> | null): fc.Arbitrary<L4> => {
  const raw: fc.Arbitrary<UdpPayload> = fc.record({ kind: fc.constant('raw' as const), bytes: bytes(64) });
  const plain = fc.record({ kind: fc.constant('udp' as const), sport: u16, dport: u16.filter((p) => !VXLAN_PORTS.includes(p)), payload: raw });
  if (inner === null) return plain;
  const vxlan: fc.Arbitrary<UdpPayload> = fc.record({ kind: fc.constant('vxlan' as const), vni: fc.integer({ min: 0, max: 0xffffff }), frame: inner });
  return fc.oneof({ arbitrary: plain, weight: 1 }, { arbitrary: fc.record({ kind: fc.constant('udp' as const), sport: u16, dport: fc.constantFrom(...VXLAN_PORTS), payload: vxlan }), weight: 2 });
};

const PROTOCOL: Record<L4['kind'], number | null> = { icmp: 1, udp: 17, tcp: 6, sctp: 132, ipip: 4, raw: null };

export const arbPacket = (inner: fc.Arbitrary<Frame> | null): fc.Arbitrary<Ipv4Packet> => {
  const l4: fc.Arbitrary<L4> = fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant('icmp' as const), message: arbIcmp }), weight: 2 },
    { arbitrary: arbUdp(inner), weight: 2 },
    { arbitrary: arbTcp, weight: 2 },
    { arbitrary: arbSctp, weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant('raw' as const), bytes: bytes(64) }), weight: 1 },
    // IP in IP nests one level where VXLAN may nest (the inner datagram carries no tunnel).
    ...(inner !== null ? [{ arbitrary: fc.record({ kind: fc.constant('ipip' as const), packet: arbPacket(null) }), weight: 1 }] : []),
  );
  const rawProtocol = u8.filter((n) => ![1, 4, 6, 17, 132].includes(n));
  const header = fc.record({ src: arbIp, dst: arbIp, ttl: u8, id: u16, df: fc.boolean(), tos: u8 });
  return fc.tuple(l4, header, rawProtocol).map(([payload, h, raw]) => ({ header: { ...h, protocol: PROTOCOL[payload.kind] ?? raw }, payload }));
};

export const arbArp: fc.Arbitrary<ArpMessage> = fc.record({ op: fc.constantFrom('request' as const, 'reply' as const), senderMac: arbMac, senderIp: arbIp, targetMac: arbMac, targetIp: arbIp });

/** Frames nested up to `depth` VXLAN levels deep. */
export const arbFrame = (depth: number): fc.Arbitrary<Frame> => {
  const inner = depth > 0 ? arbFrame(depth - 1) : null;
  const payload: fc.Arbitrary<FramePayload> = fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant('ipv4' as const), packet: arbPacket(inner) }), weight: 4 },
    { arbitrary: fc.record({ kind: fc.constant('arp' as const), arp: arbArp }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant('raw' as const), ethertype: u16.filter((t) => t !== 0x0800 && t !== 0x0806), bytes: bytes(64) }), weight: 1 },
  );
  return fc.record({ eth: fc.record({ dst: arbMac, src: arbMac }), payload });
};

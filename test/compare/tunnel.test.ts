import { describe, expect, it } from 'vitest';
import { ipv4 } from '../../src/net/ipv4.js';
import { mac } from '../../src/net/mac.js';
import { encodeIpv4Packet } from '../../src/net/encode.js';
import { IPPROTO_ICMP, IPPROTO_IPIP, IPPROTO_UDP, type Frame, type Ipv4Packet } from '../../src/net/packet.js';
import { decapsulate, tunnelsOf } from '../../src/compare/tunnel.js';
import type { Outcome } from '../../src/trace/types.js';

const inner: Ipv4Packet = {
  header: { src: ipv4('10.244.1.2'), dst: ipv4('10.244.2.2'), ttl: 63, protocol: IPPROTO_ICMP, id: 0, df: true, tos: 0 },
  payload: { kind: 'icmp', message: { type: 'echo-request', id: 1, seq: 1, data: new Uint8Array(56) } },
};
const outerHeader = { src: ipv4('192.168.1.101'), dst: ipv4('192.168.1.102'), ttl: 63, id: 0, df: true, tos: 0 };
const eth = { src: mac('02:00:00:00:00:01'), dst: mac('02:00:00:00:00:02') };
const ipipPacket: Ipv4Packet = { header: { ...outerHeader, protocol: IPPROTO_IPIP }, payload: { kind: 'raw', bytes: encodeIpv4Packet(inner) } };
const vxlanPacket: Ipv4Packet = {
  header: { ...outerHeader, ttl: 64, df: false, protocol: IPPROTO_UDP },
  payload: { kind: 'udp', sport: 40000, dport: 4789, payload: { kind: 'vxlan', vni: 4096, frame: { eth, payload: { kind: 'ipv4', packet: inner } } } },
};

const outcomeWith = (packets: Ipv4Packet[]): Outcome => ({
  probability: 1,
  steps: [],
  disposition: { kind: 'DELIVERED', netns: 'x', dev: 'eth0', to: 'app' },
  frames: packets.map((p, i): { netns: string; dev: string; frame: Frame } => ({ netns: `node:n${i}`, dev: 'eth0', frame: { eth, payload: { kind: 'ipv4', packet: p } } })),
  packet: inner,
});

describe('tunnels read off the wire', () => {
  it('IPIP (protocol 4): the inner datagram follows the outer header; 20 bytes measured', () => {
    expect(decapsulate(ipipPacket)?.header).toEqual({ kind: 'ipip' });
    const [t, ...more] = tunnelsOf(outcomeWith([ipipPacket]));
    expect(more).toEqual([]);
    expect([t?.innerBytes, t?.wireBytes, t?.overhead, t?.outerTtl]).toEqual([98, 118, 20, 63]);
  });

  it('VXLAN on any port and VNI: 50 bytes; the same tunnel seen on two links counts once', () => {
    const ts = tunnelsOf(outcomeWith([inner, vxlanPacket, vxlanPacket, inner]));
    expect(ts.map((t) => [t.header, t.overhead, t.netns, t.dev])).toEqual([[{ kind: 'vxlan', udpSrcPort: 40000, udpDstPort: 4789, vni: 4096 }, 50, 'node:n1', null]]);
  });

  it('plain packets and non-IPIP raw payloads are not tunnels', () => {
    expect(decapsulate(inner)).toBeNull();
    expect(decapsulate({ ...ipipPacket, header: { ...ipipPacket.header, protocol: 47 } })).toBeNull();
    expect(tunnelsOf(outcomeWith([inner]))).toEqual([]);
  });
});

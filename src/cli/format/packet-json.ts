import { match } from 'ts-pattern';
import { formatIpv4 } from '../../net/ipv4.js';
import type { Frame, Ipv4Packet } from '../../net/packet.js';
import { tcpFlagsText } from '../../trace/describe.js';

/** JSON views of packets: addresses as dotted strings, payload bytes as lengths. */
export type PacketJson = Record<string, unknown>;

export function packetJson(p: Ipv4Packet): PacketJson {
  const ip = { src: formatIpv4(p.header.src), dst: formatIpv4(p.header.dst), ttl: p.header.ttl, protocol: p.header.protocol, df: p.header.df, id: p.header.id, tos: p.header.tos };
  const l4 = match(p.payload)
    .with({ kind: 'icmp' }, (i) =>
      match(i.message)
        .with({ type: 'echo-request' }, { type: 'echo-reply' }, (m) => ({ icmp: { type: m.type, id: m.id, seq: m.seq, dataBytes: m.data.length } }))
        .with({ type: 'dest-unreachable' }, { type: 'time-exceeded' }, (m) => ({ icmp: { type: m.type, code: m.code, mtu: m.mtu } }))
        .with({ type: 'other' }, (m) => ({ icmp: { type: m.icmpType, code: m.code } }))
        .exhaustive(),
    )
    .with({ kind: 'tcp' }, (t) => ({ tcp: { sport: t.sport, dport: t.dport, flags: tcpFlagsText(t.flags), seq: t.seq, ack: t.ack, window: t.window } }))
    .with({ kind: 'udp' }, (u) =>
      u.payload.kind === 'vxlan'
        ? { udp: { sport: u.sport, dport: u.dport }, vxlan: { vni: u.payload.vni, inner: frameJson(u.payload.frame) } }
        : { udp: { sport: u.sport, dport: u.dport, payloadBytes: u.payload.bytes.length } },
    )
    .with({ kind: 'sctp' }, (s) => ({
      sctp: { sport: s.sport, dport: s.dport, vtag: s.vtag, ...(s.chunks.kind === 'init' ? { chunk: 'INIT', initiateTag: s.chunks.initiateTag } : { chunkBytes: s.chunks.bytes.length }) },
    }))
    .with({ kind: 'ipip' }, (x): object => ({ ipip: { inner: packetJson(x.packet) } }))
    .with({ kind: 'raw' }, (r) => ({ payloadBytes: r.bytes.length }))
    .exhaustive();
  return { ip, ...l4 };
}

export function frameJson(f: Frame): PacketJson {
  const eth = { src: f.eth.src, dst: f.eth.dst };
  return match(f.payload)
    .with({ kind: 'ipv4' }, (x) => ({ eth, ...packetJson(x.packet) }))
    .with({ kind: 'arp' }, (x) => ({
      eth,
      arp: { op: x.arp.op, senderMac: x.arp.senderMac, senderIp: formatIpv4(x.arp.senderIp), targetMac: x.arp.targetMac, targetIp: formatIpv4(x.arp.targetIp) },
    }))
    .with({ kind: 'raw' }, (x) => ({ eth, ethertype: x.ethertype, bytes: x.bytes.length }))
    .exhaustive();
}

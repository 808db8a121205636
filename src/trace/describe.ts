import { match } from 'ts-pattern';
import { formatIpv4 } from '../net/ipv4.js';
import type { Frame, Ipv4Packet, TcpFlags } from '../net/packet.js';
import { describeDnsMessage } from '../net/dns.js';

/** tcpdump-style flag letters: S SYN, . ACK, F FIN, R RST, P PSH. */
export function tcpFlagsText(f: TcpFlags): string {
  const s = `${f.syn ? 'S' : ''}${f.fin ? 'F' : ''}${f.rst ? 'R' : ''}${f.psh ? 'P' : ''}${f.ack ? '.' : ''}`;
  return s || 'none';
}

/** A one-line, tcpdump-like summary of a packet. */
export function describePacket(p: Ipv4Packet): string {
  const src = formatIpv4(p.header.src);
  const dst = formatIpv4(p.header.dst);
  return match(p.payload)
    .with({ kind: 'icmp' }, (i) =>
      i.message.type === 'echo-request' || i.message.type === 'echo-reply'
        ? `ICMP ${i.message.type} ${src} > ${dst} id ${i.message.id} seq ${i.message.seq}`
        : `ICMP ${i.message.type} ${src} > ${dst}`,
    )
    .with({ kind: 'tcp' }, (t) => `TCP ${src}:${t.sport} > ${dst}:${t.dport} [${tcpFlagsText(t.flags)}]`)
    .with({ kind: 'udp' }, (u) =>
      u.payload.kind === 'vxlan'
        ? `UDP ${src}:${u.sport} > ${dst}:${u.dport} VXLAN vni ${u.payload.vni} [${describeFrame(u.payload.frame)}]`
        : u.payload.kind === 'dns'
          ? `UDP ${src}:${u.sport} > ${dst}:${u.dport} ${describeDnsMessage(u.payload.message)}`
          : `UDP ${src}:${u.sport} > ${dst}:${u.dport}`,
    )
    // tcpdump: "sctp (1) [INIT] [init tag: ...]"
    .with({ kind: 'sctp' }, (s) => `SCTP ${src}:${s.sport} > ${dst}:${s.dport} ${s.chunks.kind === 'init' ? `[INIT] [init tag: ${s.chunks.initiateTag}]` : `${s.chunks.bytes.length} chunk bytes`}`)
    .with({ kind: 'ipip' }, (x) => `IPIP ${src} > ${dst} [${describePacket(x.packet)} ttl ${x.packet.header.ttl}]`)
    .with({ kind: 'raw' }, () => `IP proto ${p.header.protocol} ${src} > ${dst}`)
    .exhaustive();
}

export function describeFrame(f: Frame): string {
  const l2 = `${f.eth.src} > ${f.eth.dst}`;
  return match(f.payload)
    .with({ kind: 'ipv4' }, (x) => `${l2}, ${describePacket(x.packet)}`)
    .with({ kind: 'arp' }, (x) =>
      x.arp.op === 'request'
        ? `${l2}, ARP who-has ${formatIpv4(x.arp.targetIp)} tell ${formatIpv4(x.arp.senderIp)}`
        : `${l2}, ARP ${formatIpv4(x.arp.senderIp)} is-at ${x.arp.senderMac}`,
    )
    .with({ kind: 'raw' }, (x) => `${l2}, ethertype 0x${x.ethertype.toString(16).padStart(4, '0')}`)
    .exhaustive();
}

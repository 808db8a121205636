import { match } from 'ts-pattern';
import type { Frame, IcmpMessage, Ipv4Packet, L4 } from './packet.js';

/** Header sizes on the wire: Ethernet II (no FCS, as captured), IPv4 without options, UDP, VXLAN. */
export const ETH_HEADER_LEN = 14;
export const IPV4_HEADER_LEN = 20;
export const UDP_HEADER_LEN = 8;
export const VXLAN_HEADER_LEN = 8;
export const TCP_HEADER_LEN = 20;
export const ICMP_HEADER_LEN = 8;
/** RFC 9260 §3.1 common header; §3.3.2 INIT chunk without optional parameters. */
export const SCTP_COMMON_HEADER_LEN = 12;
export const SCTP_INIT_CHUNK_LEN = 20;
const ARP_LEN = 28;

function icmpLength(m: IcmpMessage): number {
  return match(m)
    .with({ type: 'echo-request' }, { type: 'echo-reply' }, (x) => ICMP_HEADER_LEN + x.data.length)
    .with({ type: 'dest-unreachable' }, { type: 'time-exceeded' }, (x) => ICMP_HEADER_LEN + x.quoted.length)
    .with({ type: 'other' }, (x) => 4 + x.rest.length)
    .exhaustive();
}

function l4Length(l4: L4): number {
  return match(l4)
    .with({ kind: 'icmp' }, (x) => icmpLength(x.message))
    .with({ kind: 'udp' }, (x) => UDP_HEADER_LEN + (x.payload.kind === 'vxlan' ? VXLAN_HEADER_LEN + frameLength(x.payload.frame) : x.payload.bytes.length))
    .with({ kind: 'tcp' }, (x) => TCP_HEADER_LEN + x.options.length + x.data.length)
    .with({ kind: 'sctp' }, (x) => SCTP_COMMON_HEADER_LEN + (x.chunks.kind === 'init' ? SCTP_INIT_CHUNK_LEN : x.chunks.bytes.length))
    .with({ kind: 'ipip' }, (x) => ipv4Length(x.packet))
    .with({ kind: 'raw' }, (x) => x.bytes.length)
    .exhaustive();
}

/** IPv4 total length: what the MTU is compared with. */
export function ipv4Length(p: Ipv4Packet): number {
  return IPV4_HEADER_LEN + l4Length(p.payload);
}

/** Bytes of a frame as a capture on a Linux device records it (not padded to 60). */
export function frameLength(f: Frame): number {
  return (
    ETH_HEADER_LEN +
    match(f.payload)
      .with({ kind: 'ipv4' }, (x) => ipv4Length(x.packet))
      .with({ kind: 'arp' }, () => ARP_LEN)
      .with({ kind: 'raw' }, (x) => x.bytes.length)
      .exhaustive()
  );
}

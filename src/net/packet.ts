import type { Ipv4 } from './ipv4.js';
import type { Mac } from './mac.js';
import type { DnsMessage } from './dns.js';

/**
 * Packets as readonly, typed header stacks. Encapsulation nests: a VXLAN UDP payload carries a
 * whole inner Ethernet frame. Lengths and checksums are not stored; they are computed when a
 * packet is encoded (net/encode.ts), so a rewrite can never leave them stale.
 */

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;

export const IPPROTO_ICMP = 1;
export const IPPROTO_IPIP = 4;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_SCTP = 132;

export interface EthHeader {
  readonly dst: Mac;
  readonly src: Mac;
}

export interface Frame {
  readonly eth: EthHeader;
  readonly payload: FramePayload;
}

export type FramePayload =
  | { readonly kind: 'ipv4'; readonly packet: Ipv4Packet }
  | { readonly kind: 'arp'; readonly arp: ArpMessage }
  | { readonly kind: 'raw'; readonly ethertype: number; readonly bytes: Uint8Array };

/** RFC 826 ARP for IPv4 over Ethernet. */
export interface ArpMessage {
  readonly op: 'request' | 'reply';
  readonly senderMac: Mac;
  readonly senderIp: Ipv4;
  readonly targetMac: Mac;
  readonly targetIp: Ipv4;
}

/** RFC 791. Options are not modelled (Linux sends none on these paths). */
export interface Ipv4Header {
  readonly src: Ipv4;
  readonly dst: Ipv4;
  readonly ttl: number;
  readonly protocol: number;
  readonly id: number;
  /** Don't Fragment. */
  readonly df: boolean;
  /** DSCP + ECN byte. */
  readonly tos: number;
}

export interface Ipv4Packet {
  readonly header: Ipv4Header;
  readonly payload: L4;
}

export type L4 =
  | { readonly kind: 'icmp'; readonly message: IcmpMessage }
  | { readonly kind: 'udp'; readonly sport: number; readonly dport: number; readonly payload: UdpPayload }
  | TcpSegment
  | SctpPacket
  /** IP in IP (RFC 2003, IPv4 protocol 4): a whole inner IPv4 datagram is the payload. */
  | { readonly kind: 'ipip'; readonly packet: Ipv4Packet }
  | { readonly kind: 'raw'; readonly bytes: Uint8Array };

export interface TcpFlags {
  readonly fin: boolean;
  readonly syn: boolean;
  readonly rst: boolean;
  readonly psh: boolean;
  readonly ack: boolean;
}

export interface TcpSegment {
  readonly kind: 'tcp';
  readonly sport: number;
  readonly dport: number;
  readonly seq: number;
  readonly ack: number;
  readonly flags: TcpFlags;
  readonly window: number;
  /** Raw option bytes (a multiple of 4), e.g. MSS on a SYN. */
  readonly options: Uint8Array;
  readonly data: Uint8Array;
}

/**
 * RFC 9260 §3.1 SCTP common header (source port, destination port, verification tag; the CRC32c
 * checksum is computed by encode.ts) followed by its chunks. Only what a connection attempt needs
 * is modelled: a single INIT chunk; any other chunk sequence is kept as raw chunk bytes.
 */
export interface SctpPacket {
  readonly kind: 'sctp';
  readonly sport: number;
  readonly dport: number;
  /** RFC 9260 §8.5.1: 0 in a packet carrying INIT, else the peer's Initiate Tag. */
  readonly vtag: number;
  readonly chunks: SctpChunks;
}

export type SctpChunks =
  /**
   * RFC 9260 §3.3.2 INIT (chunk type 1, flags 0) with its fixed fields and no optional
   * parameters. `initiateTag` "MUST NOT take the value 0"; streams "MUST NOT be 0".
   */
  | {
      readonly kind: 'init';
      readonly initiateTag: number;
      /** Advertised Receiver Window Credit (a_rwnd). */
      readonly arwnd: number;
      readonly outboundStreams: number;
      readonly inboundStreams: number;
      readonly initialTsn: number;
    }
  /** Chunks the model does not represent, as they appear after the common header (4-byte padded). */
  | { readonly kind: 'raw'; readonly bytes: Uint8Array };

/** RFC 792 messages the walk produces or forwards. */
export type IcmpMessage =
  | { readonly type: 'echo-request' | 'echo-reply'; readonly id: number; readonly seq: number; readonly data: Uint8Array }
  | {
      readonly type: 'dest-unreachable' | 'time-exceeded';
      readonly code: number;
      /** Next-hop MTU for "fragmentation needed" (RFC 1191), else 0. */
      readonly mtu: number;
      /** The offending datagram's IP header + first 8 bytes, as the kernel quotes it. */
      readonly quoted: Uint8Array;
    }
  | { readonly type: 'other'; readonly icmpType: number; readonly code: number; readonly rest: Uint8Array };

export type UdpPayload =
  | { readonly kind: 'vxlan'; readonly vni: number; readonly frame: Frame }
  /**
   * A DNS message (RFC 1035 §4.2.1). `bytes` are what goes on the wire; `message` is their
   * decoding. Built only by dns.ts (`dnsUdpPayload`, `dnsPayloadOf`), which guarantees that
   * encoding `message` gives exactly `bytes`.
   */
  | { readonly kind: 'dns'; readonly message: DnsMessage; readonly bytes: Uint8Array }
  | { readonly kind: 'raw'; readonly bytes: Uint8Array };

export const TCP_NO_FLAGS: TcpFlags = { fin: false, syn: false, rst: false, psh: false, ack: false };

/** Transport ports of a packet, when it has any. */
export function portsOf(p: Ipv4Packet): { sport: number; dport: number } | null {
  const l4 = p.payload;
  return l4.kind === 'udp' || l4.kind === 'tcp' || l4.kind === 'sctp' ? { sport: l4.sport, dport: l4.dport } : null;
}

import type { Ipv4 } from './ipv4.js';
import type { UdpPayload } from './packet.js';

/**
 * The application side of a UDP socket: what a server process reads with recvfrom() and what it
 * writes back with sendto(). Kept here, below every layer that uses it, so the packet walk can
 * hand a delivered datagram to "whatever listens on this socket" without knowing what that is
 * (CoreDNS, an upstream resolver, ...).
 */

/** A datagram as the receiving application sees it: addresses after any NAT on the way in. */
export interface ReceivedDatagram {
  readonly src: Ipv4;
  readonly sport: number;
  readonly dst: Ipv4;
  readonly dport: number;
  readonly payload: UdpPayload;
}

/** What the application does with it: answer with a payload (sent back to the source), or not. */
export type DatagramAnswer =
  | { readonly kind: 'reply'; readonly payload: UdpPayload; readonly note: string }
  | { readonly kind: 'silent'; readonly note: string };

export type UdpResponder = (request: ReceivedDatagram) => DatagramAnswer;

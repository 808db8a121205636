import type { Ipv4 } from '../../net/ipv4.js';
import type { Ipv4Packet, L4 } from '../../net/packet.js';

/**
 * The packet manipulation of NAT (nf_nat_ipv4_manip_pkt + the l4 manip_pkt functions): rewrite
 * the source or destination address and port (the ICMP query id stands in for the port).
 * Checksums are not stored in the packet model, so nothing else changes.
 */
export interface Endpoint {
  readonly addr: Ipv4;
  /** Port, or ICMP id; null leaves it unchanged. */
  readonly port: number | null;
}

function setL4(l4: L4, which: 'src' | 'dst', port: number | null): L4 {
  if (port === null) return l4;
  // sctp_manip_pkt rewrites SCTP ports like tcp/udp_manip_pkt (and recomputes the CRC32c, which encode.ts does).
  if (l4.kind === 'tcp' || l4.kind === 'udp' || l4.kind === 'sctp') return which === 'src' ? { ...l4, sport: port } : { ...l4, dport: port };
  if (l4.kind === 'icmp') {
    const m = l4.message;
    // ICMP queries carry their "port" in the id (nf_nat_proto.c icmp_manip_pkt), in both directions.
    if (m.type === 'echo-request' || m.type === 'echo-reply') return { kind: 'icmp', message: { ...m, id: port } };
  }
  return l4;
}

export function rewriteSrc(p: Ipv4Packet, to: Endpoint): Ipv4Packet {
  return { header: { ...p.header, src: to.addr }, payload: setL4(p.payload, 'src', to.port) };
}

export function rewriteDst(p: Ipv4Packet, to: Endpoint): Ipv4Packet {
  return { header: { ...p.header, dst: to.addr }, payload: setL4(p.payload, 'dst', to.port) };
}

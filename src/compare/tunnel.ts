import { match } from 'ts-pattern';
import type { Ipv4 } from '../net/ipv4.js';
import { IPPROTO_IPIP, type Ipv4Packet } from '../net/packet.js';
import { decodeIpv4Packet } from '../net/decode.js';
import { ETH_HEADER_LEN, frameLength, ipv4Length } from '../net/length.js';
import type { Outcome } from '../trace/types.js';

/** The outer header that makes a packet a tunnel packet, as read off the wire. */
export type TunnelHeader =
  /** RFC 7348: UDP to the VTEP's port (Linux default 8472, IANA 4789), an 8-byte VXLAN header, an inner Ethernet frame. */
  | { readonly kind: 'vxlan'; readonly udpSrcPort: number; readonly udpDstPort: number; readonly vni: number }
  /** RFC 2003: IP protocol 4, the inner IPv4 datagram right after the outer header. */
  | { readonly kind: 'ipip' };

/** One tunnel the flow crossed, from the first frame seen carrying it. */
export interface Tunnel {
  readonly header: TunnelHeader;
  /** Where the frame was first captured, and the tunnel device that encapsulated it (null when no encap step names one). */
  readonly netns: string;
  readonly dev: string | null;
  readonly outerSrc: Ipv4;
  readonly outerDst: Ipv4;
  readonly outerTtl: number;
  readonly outerDf: boolean;
  /** The wire frame's length, and what the same inner packet takes on Ethernet without the tunnel. */
  readonly wireBytes: number;
  readonly innerBytes: number;
  /** wireBytes - innerBytes: what the tunnel costs per packet. */
  readonly overhead: number;
}

/** The tunnel header and inner packet of an encapsulated packet; null for a plain one. */
export function decapsulate(p: Ipv4Packet): { readonly header: TunnelHeader; readonly inner: Ipv4Packet } | null {
  return match(p.payload)
    .with({ kind: 'udp' }, (u) =>
      u.payload.kind === 'vxlan' && u.payload.frame.payload.kind === 'ipv4'
        ? { header: { kind: 'vxlan' as const, udpSrcPort: u.sport, udpDstPort: u.dport, vni: u.payload.vni }, inner: u.payload.frame.payload.packet }
        : null,
    )
    .with({ kind: 'ipip' }, (x) => ({ header: { kind: 'ipip' as const }, inner: x.packet }))
    .with({ kind: 'raw' }, (r) => {
      if (p.header.protocol !== IPPROTO_IPIP) return null;
      const inner = decodeIpv4Packet(r.bytes);
      return inner.ok ? { header: { kind: 'ipip' as const }, inner: inner.value } : null;
    })
    .with({ kind: 'icmp' }, { kind: 'tcp' }, { kind: 'sctp' }, () => null)
    .exhaustive();
}

function sameTunnel(a: Tunnel, b: Omit<Tunnel, 'netns' | 'dev'>): boolean {
  return a.outerSrc === b.outerSrc && a.outerDst === b.outerDst && JSON.stringify(a.header) === JSON.stringify(b.header);
}

/**
 * The tunnels an outcome crossed, read from the frames it put on links (not from any CNI's
 * configuration): each distinct outer header once, in path order. The overhead is measured:
 * the wire frame minus the inner packet in a plain Ethernet frame.
 */
export function tunnelsOf(o: Outcome): Tunnel[] {
  const out: Tunnel[] = [];
  const encaps = o.steps.filter((s) => s.stage === 'encap');
  for (const f of o.frames) {
    if (f.frame.payload.kind !== 'ipv4') continue;
    const outer = f.frame.payload.packet;
    const d = decapsulate(outer);
    if (!d) continue;
    const wireBytes = frameLength(f.frame);
    const innerBytes = ETH_HEADER_LEN + ipv4Length(d.inner);
    const t = {
      header: d.header,
      outerSrc: outer.header.src,
      outerDst: outer.header.dst,
      outerTtl: outer.header.ttl,
      outerDf: outer.header.df,
      wireBytes,
      innerBytes,
      overhead: wireBytes - innerBytes,
    };
    if (out.some((x) => sameTunnel(x, t))) continue;
    // The encap step that built it names the tunnel device (its source may still be unset).
    const step = encaps.find((s) => s.packet?.header.dst === t.outerDst && s.packet.header.protocol === outer.header.protocol);
    out.push({ ...t, netns: step?.netns ?? f.netns, dev: step?.dev ?? null });
  }
  return out;
}

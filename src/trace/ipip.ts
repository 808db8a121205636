import { formatIpv4, type Ipv4 } from '../net/ipv4.js';
import { IPPROTO_IPIP, type Ipv4Packet } from '../net/packet.js';
import { ipv4Length } from '../net/length.js';
import type { LinkKind } from '../kernel/link.js';
import type { Netns } from '../kernel/netns.js';
import { step, type Cursor } from './cursor.js';
import type { WalkEnv } from './env.js';
import type { EncapResult, DecapResult } from './vxlan.js';
import { describePacket } from './describe.js';

type IpipKind = Extract<LinkKind, { type: 'ipip' }>;

/** IP in IP (RFC 2003) adds one outer IPv4 header: 20 bytes. */
export const IPIP_OVERHEAD = 20;

/**
 * ipip_tunnel_xmit -> ip_tunnel_xmit (net/ipv4/ip_tunnel.c): an ipip device transmits no frame,
 * it wraps the packet in an outer IPv4 header and hands it to ip_local_out.
 * - destination: the tunnel's remote, or for `remote any` the route's next hop
 *   (`rt_nexthop(rt, inner_iph->daddr)`: the gateway, else the inner destination);
 * - source: the tunnel's local, or 0 so the outer route lookup selects it;
 * - TTL: the tunnel's, or with `ttl inherit` (0) the inner TTL (`ttl = inner_iph->ttl`);
 * - DF: copied from the inner header (`df |= inner_iph->frag_off & IP_DF`);
 * - TOS 0 plus the inner ECN bits (ip_tunnel_ecn_encap).
 */
export function ipipEncap(env: WalkEnv, cur: Cursor, ns: Netns, dev: string, k: IpipKind, nexthop: Ipv4, inner: Ipv4Packet): EncapResult {
  const dst = k.remote ?? nexthop;
  const outer: Ipv4Packet = {
    header: { src: k.local ?? (0 as Ipv4), dst, ttl: k.ttl !== 0 ? k.ttl : inner.header.ttl, protocol: IPPROTO_IPIP, id: 0, df: inner.header.df, tos: inner.header.tos & 0x3 },
    payload: { kind: 'ipip', packet: inner },
  };
  const size = ipv4Length(inner);
  const c = step(env, cur, {
    netns: ns.id,
    dev,
    stage: 'encap',
    summary:
      `ipip encap on ${dev}: outer ${k.local === null ? 'any' : formatIpv4(k.local)} > ${formatIpv4(dst)}${k.remote === null ? ' (remote any: the route\'s next hop)' : ''}, ` +
      `protocol 4, ttl ${outer.header.ttl}${k.ttl === 0 ? ' (inherit)' : ''}${outer.header.df ? ', DF copied' : ''} (+${IPIP_OVERHEAD} bytes: ${size} -> ${size + IPIP_OVERHEAD})`,
    packet: outer,
    rewrite: { what: 'encapsulated in IPIP', before: inner, after: outer },
  });
  return { kind: 'ok', cur: c, outer };
}

/**
 * ipip_rcv -> ip_tunnel_lookup: a tunnel whose remote/local match the outer addresses, else the
 * fallback device (tunl0: remote any, local any) if it is up. ip_tunnel_rcv then strips the
 * outer header and the inner packet enters the stack again on that device.
 */
export function ipipDecap(env: WalkEnv, cur: Cursor, ns: Netns, outer: Ipv4Packet, inner: Ipv4Packet): DecapResult {
  const { src, dst } = outer.header;
  const tunnels = ns.links.filter((l) => l.kind.type === 'ipip' && l.up);
  const ipipOf = (l: (typeof tunnels)[number]) => l.kind as IpipKind;
  const exact = tunnels.find((l) => ipipOf(l).remote === src && (ipipOf(l).local === null || ipipOf(l).local === dst));
  const link = exact ?? tunnels.find((l) => ipipOf(l).remote === null && ipipOf(l).local === null);
  if (!link) {
    const c = step(env, cur, { netns: ns.id, dev: null, stage: 'decap', summary: `IPIP from ${formatIpv4(src)}: no ipip tunnel device is up to take it; dropped`, packet: outer });
    return { kind: 'dropped', cur: c, disposition: { kind: 'DROPPED', reason: { kind: 'no-ipip-tunnel', netns: ns.id, from: src } } };
  }
  const c = step(env, cur, {
    netns: ns.id,
    dev: link.name,
    stage: 'decap',
    summary: `ipip decap on ${link.name}${exact ? '' : ' (fallback device: remote any)'}: outer ${formatIpv4(src)} > ${formatIpv4(dst)}, inner ${describePacket(inner)} ttl ${inner.header.ttl}`,
    packet: inner,
    rewrite: { what: 'decapsulated from IPIP', before: outer, after: inner },
  });
  return { kind: 'ok', cur: c, dev: link.name };
}

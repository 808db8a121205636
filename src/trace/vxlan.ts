import { formatIpv4, type Ipv4 } from '../net/ipv4.js';
import { ZERO_MAC } from '../net/mac.js';
import { IPPROTO_UDP, portsOf, type Frame, type Ipv4Packet } from '../net/packet.js';
import { frameLength } from '../net/length.js';
import { fnv32 } from '../lib/hash.js';
import type { LinkKind } from '../kernel/link.js';
import type { Netns } from '../kernel/netns.js';
import { sysctlValue } from '../kernel/sysctl.js';
import { step, type Cursor } from './cursor.js';
import type { WalkEnv } from './env.js';
import type { Disposition } from './types.js';

type VxlanKind = Extract<LinkKind, { type: 'vxlan' }>;

/** VXLAN (RFC 7348) wraps a whole frame: outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8 bytes. */
export const VXLAN_IPV4_OVERHEAD = 50;

/**
 * udp_flow_src_port(): the kernel hashes the inner flow into the local port range so ECMP can
 * spread tunnels. Its jhash seed is random per boot, so the exact value cannot be reproduced; a
 * deterministic FNV-1a over the same flow keys keeps podnet's output stable and in range.
 */
export function vxlanSourcePort(inner: Frame, range: readonly [number, number]): number {
  let key = `${inner.eth.src}${inner.eth.dst}`;
  if (inner.payload.kind === 'ipv4') {
    const p = inner.payload.packet;
    const ports = portsOf(p);
    key = `${p.header.src}|${p.header.dst}|${p.header.protocol}|${ports?.sport ?? 0}|${ports?.dport ?? 0}`;
  }
  const [min, max] = range;
  return Math.floor((fnv32(key) / 2 ** 32) * (max - min)) + min;
}

export type EncapResult =
  | { readonly kind: 'ok'; readonly cur: Cursor; readonly outer: Ipv4Packet }
  | { readonly kind: 'dropped'; readonly cur: Cursor; readonly disposition: Disposition };

/** vxlan_xmit: find the remote VTEP for the inner destination MAC in the device's fdb. */
export function vxlanEncap(env: WalkEnv, cur: Cursor, ns: Netns, dev: string, k: VxlanKind, inner: Frame): EncapResult {
  const entry =
    ns.fdb.find((f) => f.dev === dev && f.self && f.mac === inner.eth.dst && f.dst !== null) ??
    // An all-zeros entry is the default destination for unknown MACs (flooding by replication).
    ns.fdb.find((f) => f.dev === dev && f.self && f.mac === ZERO_MAC && f.dst !== null);
  const innerPkt = inner.payload.kind === 'ipv4' ? inner.payload.packet : null;
  if (!entry || entry.dst === null) {
    const c = step(env, cur, {
      netns: ns.id,
      dev,
      stage: 'encap',
      summary: `vxlan ${dev}: no fdb entry for ${inner.eth.dst} and no default (00:00:00:00:00:00) entry; frame dropped (tx_dropped)`,
      packet: innerPkt,
    });
    return { kind: 'dropped', cur: c, disposition: { kind: 'DROPPED', reason: { kind: 'vxlan-no-fdb', netns: ns.id, dev } } };
  }
  const remote: Ipv4 = entry.dst;
  // ttl 0 ("ttl auto") means ip4_dst_hoplimit(): the route's hop limit, i.e. ip_default_ttl.
  const ttl = k.ttl !== 0 ? k.ttl : Number(sysctlValue(ns.sysctls, 'net.ipv4.ip_default_ttl'));
  const outer: Ipv4Packet = {
    // The vxlan `df` option defaults to unset: the outer header never carries DF.
    header: { src: k.local ?? (0 as Ipv4), dst: remote, ttl, protocol: IPPROTO_UDP, id: 0, df: false, tos: 0 },
    payload: { kind: 'udp', sport: vxlanSourcePort(inner, k.srcPortRange), dport: k.dstport, payload: { kind: 'vxlan', vni: k.vni, frame: inner } },
  };
  const fdbLine = `${entry.mac} dev ${dev} dst ${formatIpv4(remote)} self${entry.permanent ? ' permanent' : ''}`;
  const c = step(env, cur, {
    netns: ns.id,
    dev,
    stage: 'encap',
    summary: `vxlan encap on ${dev}: VNI ${k.vni}, ${inner.eth.dst} -> VTEP ${formatIpv4(remote)}, UDP dport ${k.dstport} (+${VXLAN_IPV4_OVERHEAD} bytes: frame ${frameLength(inner)} -> ${frameLength(inner) + VXLAN_IPV4_OVERHEAD})`,
    lines: [fdbLine],
    packet: outer,
    ...(innerPkt ? { rewrite: { what: `encapsulated in VXLAN VNI ${k.vni}`, before: innerPkt, after: outer } } : {}),
  });
  return { kind: 'ok', cur: c, outer };
}

export type DecapResult =
  | { readonly kind: 'ok'; readonly cur: Cursor; readonly dev: string }
  | { readonly kind: 'dropped'; readonly cur: Cursor; readonly disposition: Disposition };

/** vxlan_rcv: the socket on the UDP port hands the inner frame to the device with that VNI. */
export function vxlanDecap(env: WalkEnv, cur: Cursor, ns: Netns, outer: Ipv4Packet, port: number, vni: number, inner: Frame): DecapResult {
  const link = ns.links.find((l) => l.kind.type === 'vxlan' && l.kind.dstport === port && l.kind.vni === vni && l.up);
  if (!link) {
    const c = step(env, cur, { netns: ns.id, dev: null, stage: 'decap', summary: `UDP ${port}: no vxlan device with VNI ${vni}; dropped`, packet: outer });
    return { kind: 'dropped', cur: c, disposition: { kind: 'DROPPED', reason: { kind: 'no-vxlan-device', netns: ns.id, port, vni } } };
  }
  const innerPkt = inner.payload.kind === 'ipv4' ? inner.payload.packet : null;
  const c = step(env, cur, {
    netns: ns.id,
    dev: link.name,
    stage: 'decap',
    summary: `vxlan decap on ${link.name}: VNI ${vni} from ${formatIpv4(outer.header.src)}, inner ${inner.eth.src} > ${inner.eth.dst}`,
    packet: innerPkt,
    ...(innerPkt ? { rewrite: { what: `decapsulated from VXLAN VNI ${vni}`, before: outer, after: innerPkt } } : {}),
  });
  return { kind: 'ok', cur: c, dev: link.name };
}

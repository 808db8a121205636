import { match } from 'ts-pattern';
import { formatIpv4, type Ipv4 } from '../../net/ipv4.js';
import { isMulticastMac, ZERO_MAC, type Mac } from '../../net/mac.js';
import { type Frame, type Ipv4Packet } from '../../net/packet.js';
import { getNetns, type Netns } from '../../kernel/netns.js';
import type { Link } from '../../kernel/link.js';
import { learnedNeigh } from '../dynamic-state.js';
import type { WalkEnv } from '../env.js';
import { capture, finish, step, type Cursor } from '../cursor.js';
import { describePacket } from '../describe.js';
import { vxlanEncap } from '../vxlan.js';
import { ipipEncap } from '../ipip.js';
import { arpResolve, arpRcv } from './arp.js';
import { bridgeInput, bridgeForward } from './bridge.js';
import { type Outcomes, linkOf, staticNeigh } from './common.js';
import { ipRcv } from './ip-input.js';
import { localOutEncapsulated } from './output.js';

/** Neighbour output, dev_queue_xmit to each driver, and __netif_receive_skb (net/core/dev.c). */

export function neighOutput(env: WalkEnv, cur: Cursor, ns: Netns, dev: string, nexthop: Ipv4, packet: Ipv4Packet): Outcomes {
  const link = linkOf(ns, dev);
  // An ipip device has no neighbours (NOARP): it encapsulates toward the next hop instead.
  if (link.kind.type === 'ipip') return ipipXmit(env, cur, ns, dev, link.kind, nexthop, packet);
  // A dummy device is NOARP too (dummy_setup sets IFF_NOARP) and its driver discards the frame.
  if (link.kind.type === 'dummy') return devXmit(env, cur, ns, dev, { eth: { src: link.mac ?? ZERO_MAC, dst: link.mac ?? ZERO_MAC }, payload: { kind: 'ipv4', packet } });
  const srcMac = link.mac ?? ZERO_MAC;
  const permanent = staticNeigh(ns, dev, nexthop);
  let c = cur;
  let dstMac: Mac | null = permanent ?? learnedNeigh(cur.dyn, ns.id, dev, nexthop) ?? null;
  if (permanent) {
    c = step(env, c, { netns: ns.id, dev, stage: 'neigh', summary: `neigh ${formatIpv4(nexthop)} dev ${dev} lladdr ${permanent} PERMANENT`, lines: [`${formatIpv4(nexthop)} dev ${dev} lladdr ${permanent} PERMANENT`] });
  } else if (dstMac) {
    c = step(env, c, { netns: ns.id, dev, stage: 'neigh', summary: `neigh ${formatIpv4(nexthop)} dev ${dev} lladdr ${dstMac} REACHABLE (cached)` });
  } else {
    const resolved = arpResolve(env, c, ns, dev, nexthop, packet.header.src);
    c = resolved.cur;
    dstMac = resolved.mac;
    if (!dstMac) return [finish(c, { kind: 'NEIGH_FAILED', netns: ns.id, dev, nexthop }, packet)];
  }
  if (!dstMac) throw new Error('unreachable: neighbour resolved without a MAC');
  const frame: Frame = { eth: { src: srcMac, dst: dstMac }, payload: { kind: 'ipv4', packet } };
  return devXmit(env, c, ns, dev, frame);
}

/** ipip_tunnel_xmit: wrap in an outer IPv4 header, then ip_local_out of the outer packet. */
function ipipXmit(env: WalkEnv, cur: Cursor, ns: Netns, dev: string, k: Extract<Link['kind'], { type: 'ipip' }>, nexthop: Ipv4, packet: Ipv4Packet): Outcomes {
  if (cur.hops > env.maxHops) return [finish(cur, { kind: 'LOOP', netns: ns.id }, packet)];
  const r = ipipEncap(env, { ...cur, hops: cur.hops + 1 }, ns, dev, k, nexthop, packet);
  if (r.kind === 'dropped') return [finish(r.cur, r.disposition, packet)];
  return localOutEncapsulated(env, r.cur, ns, r.outer);
}

/** dev_queue_xmit: hand a frame to a device driver. */
export function devXmit(env: WalkEnv, cur: Cursor, ns: Netns, dev: string, frame: Frame, bridgedUnchanged = false): Outcomes {
  const link = linkOf(ns, dev);
  const packet = frame.payload.kind === 'ipv4' ? frame.payload.packet : null;
  if (cur.hops > env.maxHops) return [finish(cur, { kind: 'LOOP', netns: ns.id }, packet)];
  return match(link.kind)
    .with({ type: 'veth' }, (k) => {
      // A frame a bridge forwards unchanged is the same bytes on the same segment: one capture.
      let c = bridgedUnchanged ? { ...cur, hops: cur.hops + 1 } : capture(cur, ns.id, dev, frame);
      c = step(env, c, { netns: ns.id, dev, stage: 'xmit', summary: `xmit on ${dev} (veth) -> peer ${k.peer.ifname} in ${env.label(k.peer.netns).where}`, frame, packet });
      // veth_xmit -> the peer's netif_rx; crossing netns scrubs the mark and conntrack reference.
      return netifReceive(env, c, getNetns(env.world, k.peer.netns), k.peer.ifname, frame);
    })
    .with({ type: 'bridge' }, () => {
      // br_dev_xmit: the host sends into its bridge; no br_netfilter hooks for local frames.
      return bridgeForward(env, cur, ns, dev, null, frame, false);
    })
    .with({ type: 'vxlan' }, (k) => {
      const r = vxlanEncap(env, cur, ns, dev, k, frame);
      if (r.kind === 'dropped') return [finish(r.cur, r.disposition, packet)];
      return localOutEncapsulated(env, r.cur, ns, r.outer);
    })
    .with({ type: 'loopback' }, () => (packet ? ipRcv(env, cur, ns, 'lo', packet, false) : [finish(cur, { kind: 'DROPPED', reason: { kind: 'otherhost', netns: ns.id, dev } }, null)]))
    .with({ type: 'dummy' }, () => {
      // dummy_xmit counts the frame and frees it: nothing is sent anywhere.
      const c = step(env, cur, { netns: ns.id, dev, stage: 'xmit', summary: `xmit on ${dev} (dummy): the driver discards every frame`, frame, packet });
      return [finish(c, { kind: 'DROPPED', reason: { kind: 'dummy-xmit', netns: ns.id, dev } }, packet)];
    })
    .with({ type: 'ipip' }, () => {
      // neighOutput hands IPIP to ipipXmit; a frame never reaches an ipip device's driver here.
      throw new Error(`a frame was handed to the ipip device ${dev}; IPIP goes through ipipXmit`);
    })
    .exhaustive();
}

export function netifReceive(env: WalkEnv, cur: Cursor, ns: Netns, dev: string, frame: Frame): Outcomes {
  const link = linkOf(ns, dev);
  const packet = frame.payload.kind === 'ipv4' ? frame.payload.packet : null;
  if (!link.up) return [finish(cur, { kind: 'DROPPED', reason: { kind: 'link-down', netns: ns.id, dev } }, packet)];
  if (link.master !== null) return bridgeInput(env, cur, ns, link.master, dev, frame);
  // eth_type_trans: a unicast frame for another MAC is PACKET_OTHERHOST and ip_rcv drops it.
  const forUs = frame.eth.dst === link.mac || isMulticastMac(frame.eth.dst);
  return match(frame.payload)
    .with({ kind: 'arp' }, (p) => arpRcv(env, cur, ns, dev, frame, p.arp))
    .with({ kind: 'ipv4' }, (p) => {
      if (!forUs) return [finish(cur, { kind: 'DROPPED', reason: { kind: 'otherhost', netns: ns.id, dev } }, p.packet)];
      const c = step(env, cur, { netns: ns.id, dev, stage: 'rx', summary: `rx on ${dev}: ${describePacket(p.packet)} ttl ${p.packet.header.ttl}`, packet: p.packet });
      return ipRcv(env, c, ns, dev, p.packet, false);
    })
    .with({ kind: 'raw' }, () => [finish(cur, { kind: 'DROPPED', reason: { kind: 'otherhost', netns: ns.id, dev } }, null)])
    .exhaustive();
}

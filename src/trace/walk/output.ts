import { type Ipv4Packet } from '../../net/packet.js';
import { formatIpv4 } from '../../net/ipv4.js';
import { devConfOn } from '../../kernel/sysctl.js';
import { ipv4Length } from '../../net/length.js';
import { fibLookup, selectSourceAddress, type FibResult } from '../../kernel/fib.js';
import { getNetns, type Netns } from '../../kernel/netns.js';
import type { WalkEnv } from '../env.js';
import { finish, step, type Cursor } from '../cursor.js';
import { describePacket } from '../describe.js';
import { type Outcomes, linkOf } from './common.js';
import { neighOutput } from './device.js';
import { hook } from './hook.js';
import { ipRcv } from './ip-input.js';
import { routeStep, routeFailure } from './route.js';

/**
 * Locally generated packets (net/ipv4/ip_output.c): ip_route_output -> OUTPUT -> POSTROUTING ->
 * neighbour -> device; also the outer packets of encapsulating drivers.
 */

/** An application in `nsId` sends `packet`; a source of 0.0.0.0 is chosen by the route. */
export function localOut(env: WalkEnv, cur: Cursor, nsId: string, packet: Ipv4Packet): Outcomes {
  const ns = getNetns(env.world, nsId);
  const res = fibLookup(ns, { dst: packet.header.dst, src: packet.header.src || null, iif: null, oif: null, mark: 0 });
  let pkt = packet;
  if (pkt.header.src === 0 && res.kind !== 'none' && res.kind !== 'blackhole' && res.kind !== 'unreachable' && res.kind !== 'prohibit') {
    const dev = res.kind === 'unicast' ? res.dev : 'lo';
    const src = res.kind === 'unicast' ? selectSourceAddress(ns, res.route, res.dev, res.nexthop) : packet.header.dst;
    if (src === null) return [finish(cur, { kind: 'NO_ROUTE', netns: ns.id, dst: packet.header.dst, detail: `no source address on ${dev}` }, pkt)];
    pkt = { ...pkt, header: { ...pkt.header, src } };
  }
  let c = step(env, cur, { netns: ns.id, dev: null, stage: 'send', summary: `send ${describePacket(pkt)}`, packet: pkt });
  c = routeStep(env, c, ns, null, res, pkt);
  const failed = routeFailure(ns, res, pkt, c, env, false);
  if (failed) return failed;
  const outDev = res.kind === 'unicast' ? res.dev : 'lo';
  return hook(env, c, ns, 'OUTPUT', pkt, { in: null, out: outDev, physIn: null, physOut: null, bridged: false }, 0, (c2, p2, mark) => {
    // A DNAT in OUTPUT re-routes the packet (ip_route_me_harder).
    let res2 = res;
    if (p2.header.dst !== pkt.header.dst) {
      res2 = fibLookup(ns, { dst: p2.header.dst, src: p2.header.src, iif: null, oif: null, mark });
      c2 = routeStep(env, c2, ns, null, res2, p2);
      const failed2 = routeFailure(ns, res2, p2, c2, env, false);
      if (failed2) return failed2;
      // __mkroute_output: a 127/8 source may leave by a non-loopback device only with
      // route_localnet (conf.all or the device); else -EINVAL and ip_route_me_harder drops it.
      if (res2.kind === 'unicast' && (p2.header.src >>> 24) === 127 && linkOf(ns, res2.dev).kind.type !== 'loopback' && !devConfOn(ns.sysctls, res2.dev, 'route_localnet')) {
        const detail = `source ${formatIpv4(p2.header.src)} cannot leave by ${res2.dev} after DNAT to ${formatIpv4(p2.header.dst)}: net.ipv4.conf.all.route_localnet is 0`;
        return [finish(step(env, c2, { netns: ns.id, dev: res2.dev, stage: 'routing', summary: `re-route after DNAT fails: ${detail}`, packet: p2 }), { kind: 'DROPPED', reason: { kind: 'martian', netns: ns.id, detail } }, p2)];
      }
    }
    return postrouting(env, c2, ns, res2, p2, mark, null, false);
  });
}

export function postrouting(env: WalkEnv, cur: Cursor, ns: Netns, res: FibResult, packet: Ipv4Packet, mark: number, inDev: string | null, forwarded: boolean): Outcomes {
  const outDev = res.kind === 'unicast' ? res.dev : 'lo';
  return hook(env, cur, ns, 'POSTROUTING', packet, { in: inDev, out: outDev, physIn: null, physOut: null, bridged: false }, mark, (c, p) => {
    if (res.kind !== 'unicast') return loopbackXmit(env, c, ns, p);
    const link = linkOf(ns, res.dev);
    const size = ipv4Length(p);
    // ip_finish_output: a DF packet larger than the device MTU is never fragmented.
    if (size > link.mtu && p.header.df) {
      const c2 = step(env, c, {
        netns: ns.id,
        dev: res.dev,
        stage: 'xmit',
        summary: forwarded
          ? `${size} bytes > mtu ${link.mtu} on ${res.dev} with DF: ICMP fragmentation needed (mtu ${link.mtu}) sent back`
          : `${size} bytes > mtu ${link.mtu} on ${res.dev} with DF: send fails ("message too long, mtu=${link.mtu}")`,
        packet: p,
      });
      return [finish(c2, { kind: 'MTU_EXCEEDED', netns: ns.id, dev: res.dev, mtu: link.mtu, size }, p)];
    }
    return neighOutput(env, c, ns, res.dev, res.nexthop, p);
  });
}

/** Packets to a local address loop back through `lo` and come in again (ip_rcv on lo). */
export function loopbackXmit(env: WalkEnv, cur: Cursor, ns: Netns, packet: Ipv4Packet): Outcomes {
  const c = step(env, cur, { netns: ns.id, dev: 'lo', stage: 'xmit', summary: 'loopback: packet re-enters this netns on lo', packet });
  return ipRcv(env, { ...c, hops: c.hops + 1 }, ns, 'lo', packet, false);
}

/** An encapsulating driver sends its outer packet through the IP stack (ip_local_out). */
export function localOutEncapsulated(env: WalkEnv, cur: Cursor, ns: Netns, outer: Ipv4Packet): Outcomes {
  const res = fibLookup(ns, { dst: outer.header.dst, src: outer.header.src, iif: null, oif: null, mark: 0 });
  let c = routeStep(env, cur, ns, null, res, outer);
  const failed = routeFailure(ns, res, outer, c, env, false);
  if (failed) return failed;
  let pkt = outer;
  if (pkt.header.src === 0 && res.kind === 'unicast') {
    const src = selectSourceAddress(ns, res.route, res.dev, res.nexthop);
    if (src !== null) pkt = { ...pkt, header: { ...pkt.header, src } };
  }
  const outDev = res.kind === 'unicast' ? res.dev : 'lo';
  return hook(env, c, ns, 'OUTPUT', pkt, { in: null, out: outDev, physIn: null, physOut: null, bridged: false }, 0, (c2, p2, mark) =>
    postrouting(env, c2, ns, res, p2, mark, null, false),
  );
}

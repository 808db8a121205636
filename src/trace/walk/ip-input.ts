import { match } from 'ts-pattern';
import { type Ipv4Packet } from '../../net/packet.js';
import { ipv4Length } from '../../net/length.js';
import { fibLookup, type FibResult } from '../../kernel/fib.js';
import { type Netns } from '../../kernel/netns.js';
import { devConfOn, sysctlOn } from '../../kernel/sysctl.js';
import type { WalkEnv } from '../env.js';
import { finish, step, type Cursor } from '../cursor.js';
import { vxlanDecap } from '../vxlan.js';
import { ipipDecap } from '../ipip.js';
import { type Outcomes, linkOf } from './common.js';
import { netifReceive } from './device.js';
import { hook } from './hook.js';
import { postrouting } from './output.js';
import { routeStep, routeFailure } from './route.js';

/** IP receive, forward and local delivery (net/ipv4/ip_input.c, ip_forward.c). */

/** `mark`: the skb mark PREROUTING already set when br_netfilter ran it (`preroutingDone`). */
export function ipRcv(env: WalkEnv, cur: Cursor, ns: Netns, dev: string, packet: Ipv4Packet, preroutingDone: boolean, mark = 0): Outcomes {
  const afterPrerouting = (c: Cursor, p: Ipv4Packet, mark: number): Outcomes => {
    const res = fibLookup(ns, { dst: p.header.dst, src: p.header.src, iif: dev, oif: null, mark });
    const c2 = routeStep(env, c, ns, dev, res, p);
    const failed = routeFailure(ns, res, p, c2, env, true);
    if (failed) return failed;
    if (res.kind === 'local' || res.kind === 'broadcast') return localDeliver(env, c2, ns, dev, p, mark);
    if (res.kind !== 'unicast') throw new Error('unreachable');
    return ipForward(env, c2, ns, dev, res, p, mark);
  };
  if (preroutingDone) return afterPrerouting(cur, packet, mark);
  return hook(env, cur, ns, 'PREROUTING', packet, { in: dev, out: null, physIn: null, physOut: null, bridged: false }, 0, afterPrerouting);
}

export function ipForward(env: WalkEnv, cur: Cursor, ns: Netns, inDev: string, res: Extract<FibResult, { kind: 'unicast' }>, packet: Ipv4Packet, mark: number): Outcomes {
  // ip_route_input_slow: a device without forwarding gets -EHOSTUNREACH.
  if (!devConfOn(ns.sysctls, inDev, 'forwarding') && !sysctlOn(ns.sysctls, 'net.ipv4.ip_forward')) {
    const c = step(env, cur, { netns: ns.id, dev: inDev, stage: 'forward', summary: `not forwarded: net.ipv4.conf.${inDev}.forwarding=0 (ICMP host unreachable)` });
    return [finish(c, { kind: 'NO_ROUTE', netns: ns.id, dst: packet.header.dst, detail: 'IP forwarding is disabled' }, packet)];
  }
  // ip_forward(): TTL check, then decrement before the FORWARD hook.
  if (packet.header.ttl <= 1) {
    const c = step(env, cur, { netns: ns.id, dev: inDev, stage: 'forward', summary: `ttl ${packet.header.ttl} expires here: ICMP time exceeded sent back` });
    return [finish(c, { kind: 'TTL_EXCEEDED', netns: ns.id }, packet)];
  }
  const out = linkOf(ns, res.dev);
  const size = ipv4Length(packet);
  if (size > out.mtu && packet.header.df) {
    const c = step(env, cur, { netns: ns.id, dev: res.dev, stage: 'forward', summary: `${size} bytes > mtu ${out.mtu} of ${res.dev} with DF: ICMP fragmentation needed sent back` });
    return [finish(c, { kind: 'MTU_EXCEEDED', netns: ns.id, dev: res.dev, mtu: out.mtu, size }, packet)];
  }
  const fwd: Ipv4Packet = { ...packet, header: { ...packet.header, ttl: packet.header.ttl - 1 } };
  const c = step(env, cur, { netns: ns.id, dev: inDev, stage: 'forward', summary: `forward ${inDev} -> ${res.dev}, ttl ${packet.header.ttl} -> ${fwd.header.ttl}`, packet: fwd, rewrite: { what: 'ttl decremented', before: packet, after: fwd } });
  return hook(env, c, ns, 'FORWARD', fwd, { in: inDev, out: res.dev, physIn: null, physOut: null, bridged: false }, mark, (c2, p2, mark2) =>
    postrouting(env, c2, ns, res, p2, mark2, inDev, true),
  );
}

export function localDeliver(env: WalkEnv, cur: Cursor, ns: Netns, dev: string, packet: Ipv4Packet, mark: number): Outcomes {
  return hook(env, cur, ns, 'INPUT', packet, { in: dev, out: null, physIn: null, physOut: null, bridged: false }, mark, (c, p) => {
    const l4 = p.payload;
    return match(l4)
      .with({ kind: 'udp' }, (u) => {
        // udp_rcv: a VXLAN device's socket owns its port (vxlan_rcv).
        const vx = ns.links.find((l) => l.kind.type === 'vxlan' && l.kind.dstport === u.dport && l.up);
        if (vx && u.payload.kind === 'vxlan') {
          const d = vxlanDecap(env, c, ns, p, u.dport, u.payload.vni, u.payload.frame);
          if (d.kind === 'dropped') return [finish(d.cur, d.disposition, p)];
          return netifReceive(env, d.cur, ns, d.dev, u.payload.frame);
        }
        return socketDeliver(env, c, ns, dev, p, 'udp', u.dport);
      })
      .with({ kind: 'tcp' }, (t) => socketDeliver(env, c, ns, dev, p, 'tcp', t.dport))
      .with({ kind: 'sctp' }, (s) => {
        // sctp_rcv: no endpoint or association owns the packet (podnet models no SCTP sockets), so it
        // is "out of the blue" and the kernel answers with an ABORT (RFC 9260 §8.4).
        const detail = `no SCTP socket on port ${s.dport} (SCTP sockets are not modelled): the kernel answers ABORT`;
        const c2 = step(env, c, { netns: ns.id, dev, stage: 'deliver', summary: `no socket on sctp/${s.dport} in ${env.label(ns.id).where}: kernel answers SCTP ABORT`, packet: p });
        return [finish(c2, { kind: 'REFUSED', netns: ns.id, port: s.dport, detail }, p)];
      })
      .with({ kind: 'icmp' }, (i) => {
        const c2 = step(env, c, { netns: ns.id, dev, stage: 'deliver', summary: `delivered to ${env.label(ns.id).where}: ICMP ${i.message.type}, ttl ${p.header.ttl}`, packet: p });
        return [finish(c2, { kind: 'DELIVERED', netns: ns.id, dev, to: `icmp ${i.message.type}` }, p)];
      })
      .with({ kind: 'ipip' }, (x) => {
        // ipip_rcv: the tunnel device takes the inner packet, which runs ip_rcv again on it.
        const d = ipipDecap(env, c, ns, p, x.packet);
        if (d.kind === 'dropped') return [finish(d.cur, d.disposition, p)];
        return ipRcv(env, { ...d.cur, hops: d.cur.hops + 1 }, ns, d.dev, x.packet, false);
      })
      .with({ kind: 'raw' }, () => [finish(c, { kind: 'DELIVERED', netns: ns.id, dev, to: `protocol ${p.header.protocol}` }, p)])
      .exhaustive();
  });
}

export function socketDeliver(env: WalkEnv, cur: Cursor, ns: Netns, dev: string, p: Ipv4Packet, proto: 'tcp' | 'udp', port: number): Outcomes {
  const sock = env.sockets(ns.id, proto, port);
  if (sock.kind === 'closed') {
    const reply = proto === 'tcp' ? 'TCP RST' : 'ICMP port unreachable';
    const c = step(env, cur, { netns: ns.id, dev, stage: 'deliver', summary: `no socket on ${proto}/${port} in ${env.label(ns.id).where}: kernel answers ${reply}`, packet: p, lines: [sock.detail] });
    return [finish(c, { kind: 'REFUSED', netns: ns.id, port, detail: sock.detail }, p)];
  }
  const c = step(env, cur, { netns: ns.id, dev, stage: 'deliver', summary: `delivered to ${sock.what} (${proto}/${port}), ttl ${p.header.ttl}`, packet: p });
  return [finish(c, { kind: 'DELIVERED', netns: ns.id, dev, to: `${sock.what} ${proto}/${port}` }, p)];
}

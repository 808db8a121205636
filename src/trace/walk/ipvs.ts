import { formatIpv4 } from '../../net/ipv4.js';
import { type Ipv4Packet } from '../../net/packet.js';
import { fibLookup } from '../../kernel/fib.js';
import type { Netns } from '../../kernel/netns.js';
import { rewriteDst, rewriteSrc } from '../../kernel/conntrack/rewrite.js';
import { addConn, connIn, connOut, type IpvsConn } from '../../kernel/ipvs/conn.js';
import { IPVS_LOCAL_IN_IN, IPVS_LOCAL_IN_OUT, IPVS_LOCAL_OUT_IN, IPVS_LOCAL_OUT_OUT } from '../../kernel/ipvs/hooks.js';
import { schedule } from '../../kernel/ipvs/schedule.js';
import { findService, protocolOfNumber, type IpvsDest, type IpvsService } from '../../kernel/ipvs/table.js';
import { formatIpvsDest, formatIpvsService } from '../../kernel/print/ipvsadm.js';
import { dynOf, withDyn } from '../dynamic-state.js';
import type { WalkEnv } from '../env.js';
import type { HookDevices } from '../hooks.js';
import { alterInflightReply } from '../netfilter-hook.js';
import { finish, step, type Cursor } from '../cursor.js';
import { type Outcomes } from './common.js';
import { hookPart, type HookNext } from './hook.js';
import { postrouting } from './output.js';
import { routeFailure, routeStep } from './route.js';

/**
 * IPVS in the packet walk (net/netfilter/ipvs/ip_vs_core.c, ip_vs_xmit.c), for VS/NAT (Masq):
 *
 * - LOCAL_IN, after the filter table: ip_vs_out (priority 98) puts the virtual address back on
 *   a real server's reply to a local client; ip_vs_in (99) schedules a new connection to a local
 *   virtual address (kube-ipvs0 makes every VIP local), DNATs it to the real server, updates
 *   conntrack's reply tuple (net.ipv4.vs.conntrack=1), routes it, decrements the TTL and sends it
 *   again through LOCAL_OUT and POSTROUTING (ip_vs_nat_send_or_cont), where the nat table's
 *   masquerade applies. The rest of LOCAL_IN (nat INPUT, conntrack confirm) never sees it.
 * - LOCAL_OUT, after the nat table: the same two functions (-99, -98) for locally sent packets.
 * - FORWARD, after filter (100): ip_vs_out for replies routed through to a remote client.
 *
 * Each server the scheduler may pick is a branch with its probability. Not modelled: VS/DR and
 * tunnelling, persistence templates (the first connection of a client is scheduled as shown;
 * later ones stick to its server), ICMP errors for IPVS connections (ip_vs_forward_icmp), and the
 * MTU check of the NAT xmit.
 */

type Hooked = 'INPUT' | 'OUTPUT' | 'FORWARD';

interface L4 {
  readonly protocol: 'TCP' | 'UDP';
  readonly sport: number;
  readonly dport: number;
  /** A TCP segment that may start a connection (tcp_conn_schedule: SYN without RST). */
  readonly starts: boolean;
}

function l4Of(p: Ipv4Packet): L4 | null {
  const l = p.payload;
  if (l.kind === 'tcp') return { protocol: 'TCP', sport: l.sport, dport: l.dport, starts: l.flags.syn && !l.flags.rst };
  if (l.kind === 'udp') return { protocol: 'UDP', sport: l.sport, dport: l.dport, starts: true };
  return null;
}

const ipPort = (ip: number, port: number) => `${formatIpv4(ip as Ipv4Packet['header']['dst'])}:${port}`;

export function ipvsHook(env: WalkEnv, cur: Cursor, ns: Netns, name: Hooked, packet: Ipv4Packet, devices: HookDevices, mark: number, next: HookNext): Outcomes {
  if (name === 'FORWARD') {
    return hookPart(env, cur, ns, 'FORWARD', packet, devices, mark, (c, p, m) => {
      const out = ipvsOut(env, c, ns, p, devices);
      return next(out.cur, out.packet, m);
    });
  }
  const [outPri, inPri] = name === 'INPUT' ? [IPVS_LOCAL_IN_OUT, IPVS_LOCAL_IN_IN] : [IPVS_LOCAL_OUT_OUT, IPVS_LOCAL_OUT_IN];
  return hookPart(
    env,
    cur,
    ns,
    name,
    packet,
    devices,
    mark,
    (c1, p1, m1) => {
      const rest: HookNext = (c, p, m) => hookPart(env, c, ns, name, p, devices, m, next, { priorities: { from: inPri + 1, to: Infinity }, label: 'after IPVS' });
      const out = ipvsOut(env, c1, ns, p1, devices);
      // A reply handled by ip_vs_out carries ipvs_property: ip_vs_in leaves it alone.
      if (out.packet !== p1) return rest(out.cur, out.packet, m1);
      return ipvsIn(env, c1, ns, name, p1, devices, m1, rest);
    },
    { priorities: { from: -Infinity, to: outPri - 1 }, label: 'before IPVS' },
  );
}

/** ip_vs_out (VS/NAT handle_response): a real server's reply gets the virtual address as source. */
function ipvsOut(env: WalkEnv, cur: Cursor, ns: Netns, packet: Ipv4Packet, devices: HookDevices): { cur: Cursor; packet: Ipv4Packet } {
  const l4 = l4Of(packet);
  const conns = dynOf(cur.dyn, ns.id).ipvs ?? [];
  if (!l4 || conns.length === 0) return { cur, packet };
  const conn = connOut(conns, l4.protocol, { ip: packet.header.src, port: l4.sport }, { ip: packet.header.dst, port: l4.dport });
  if (!conn) return { cur, packet };
  const after = rewriteSrc(packet, { addr: conn.vip.ip, port: conn.vip.port });
  const what = `IPVS reverse NAT: src ${ipPort(conn.dest.ip, conn.dest.port)} -> ${ipPort(conn.vip.ip, conn.vip.port)}`;
  const c = step(env, cur, {
    netns: ns.id,
    dev: devices.out ?? devices.in,
    stage: devices.out !== null && devices.in !== null ? 'forward' : devices.in !== null ? 'input' : 'output',
    summary: `ip_vs_out: reply of an IPVS connection, ${what}`,
    lines: [`${conn.protocol} ${ipPort(conn.client.ip, conn.client.port)} -> ${ipPort(conn.vip.ip, conn.vip.port)} -> ${ipPort(conn.dest.ip, conn.dest.port)} (Masq)`],
    packet: after,
    rewrite: { what, before: packet, after },
  });
  return { cur: c, packet: after };
}

/** ip_vs_in: schedule a connection to a virtual service and send it to the real server. */
function ipvsIn(env: WalkEnv, cur: Cursor, ns: Netns, name: 'INPUT' | 'OUTPUT', packet: Ipv4Packet, devices: HookDevices, mark: number, rest: HookNext): Outcomes {
  const l4 = l4Of(packet);
  const proto = protocolOfNumber(packet.header.protocol);
  const svc = l4 && proto && ns.ipvs ? findService(ns.ipvs, proto, packet.header.dst, l4.dport) : null;
  // Not for a virtual service, or not IPVS's (ICMP to a VIP is answered by the local stack).
  if (!l4 || !svc) return rest(cur, packet, mark);
  const src = { ip: packet.header.src, port: l4.sport };
  const vip = { ip: packet.header.dst, port: l4.dport };
  const dev = devices.in ?? devices.out;
  const stage = name === 'INPUT' ? 'input' : 'output';
  const known = connIn(dynOf(cur.dyn, ns.id).ipvs ?? [], l4.protocol, src, vip);
  if (known) {
    const dest = svc.dests.find((d) => d.ip === known.dest.ip && d.port === known.dest.port);
    if (dest) return masqXmit(env, cur, ns, name, svc, dest, known, packet, devices, mark, rest, 'existing IPVS connection');
  }
  // tcp_conn_schedule: only a SYN opens a connection; anything else goes on to the local stack.
  if (!l4.starts) return rest(cur, packet, mark);
  const sched = schedule(svc, { src: packet.header.src, dst: packet.header.dst, sport: l4.sport });
  if (sched.picks.length === 0) {
    // ip_vs_leave: "Notify the client that the destination is unreachable" (even for TCP).
    const c = step(env, cur, { netns: ns.id, dev, stage, summary: `IPVS: ${formatIpvsService(svc)} has no real server available (${sched.basis}): ICMP port unreachable`, lines: [formatIpvsService(svc)], packet });
    return [finish(c, { kind: 'REJECTED', rule: { netns: ns.id, table: 'ipvs', chain: 'ip_vs_leave', rule: formatIpvsService(svc) }, with: 'icmp-port-unreachable' }, packet)];
  }
  return sched.picks.flatMap((pick) => {
    const conn: IpvsConn = { protocol: l4.protocol, client: src, vip, dest: { ip: pick.dest.ip, port: pick.dest.port } };
    const branch = sched.picks.length > 1 ? ` (branch p=${pick.probability.toFixed(4)})` : '';
    const c: Cursor = { ...cur, probability: cur.probability * pick.probability };
    return masqXmit(env, c, ns, name, svc, pick.dest, conn, packet, devices, mark, rest, `${sched.basis}${branch}`);
  });
}

/** ip_vs_nat_xmit: DNAT to the real server, conntrack update, route, TTL, and on through LOCAL_OUT. */
function masqXmit(
  env: WalkEnv,
  cur: Cursor,
  ns: Netns,
  name: 'INPUT' | 'OUTPUT',
  svc: IpvsService,
  dest: IpvsDest,
  conn: IpvsConn,
  packet: Ipv4Packet,
  devices: HookDevices,
  mark: number,
  rest: HookNext,
  why: string,
): Outcomes {
  const dnat = rewriteDst(packet, { addr: dest.ip, port: dest.port });
  const what = `IPVS Masq: dst ${ipPort(conn.vip.ip, conn.vip.port)} -> ${ipPort(dest.ip, dest.port)}`;
  let c = step(env, cur, {
    netns: ns.id,
    dev: devices.in ?? devices.out,
    stage: name === 'INPUT' ? 'input' : 'output',
    summary: `ip_vs_in: ${formatIpvsService(svc)}: ${why.startsWith(`${svc.scheduler}: `) ? why.slice(svc.scheduler.length + 2) : why}; ${what}`,
    lines: [formatIpvsService(svc), formatIpvsDest(dest).trimEnd()],
    packet: dnat,
    rewrite: { what, before: packet, after: dnat },
    conntrack: [`IPVS updates the reply tuple (net.ipv4.vs.conntrack=1): replies come from ${ipPort(dest.ip, dest.port)}`],
  });
  c = { ...c, dyn: withDyn(c.dyn, ns.id, (d) => ({ ...alterInflightReply(d, { addr: dest.ip, port: dest.port }), ipvs: addConn(d.ipvs ?? [], conn) })) };
  // __ip_vs_get_out_rt: an output route to the real server.
  const res = fibLookup(ns, { dst: dest.ip, src: null, iif: null, oif: null, mark });
  c = routeStep(env, c, ns, null, res, dnat);
  const failed = routeFailure(ns, res, dnat, c, env, name === 'INPUT');
  if (failed) return failed;
  // A local real server: ip_vs_nat_send_or_cont returns NF_ACCEPT and the hook goes on.
  if (res.kind === 'local' || res.kind === 'broadcast') return rest(c, dnat, mark);
  if (res.kind !== 'unicast') throw new Error('unreachable');
  // crosses_local_route_boundary: a loopback source may not leave the host.
  if (packet.header.src >>> 24 === 127) {
    return [finish(c, { kind: 'NO_ROUTE', netns: ns.id, dst: dest.ip, detail: 'IPVS: a 127.0.0.0/8 source cannot be sent to a non-local real server ("crossing local and non-local addresses")' }, dnat)];
  }
  // decrement_ttl: IPVS forwards, so it decrements the TTL itself.
  if (dnat.header.ttl <= 1) return [finish(step(env, c, { netns: ns.id, dev: res.dev, stage: 'forward', summary: `IPVS: ttl ${dnat.header.ttl} expires here: ICMP time exceeded sent back` }), { kind: 'TTL_EXCEEDED', netns: ns.id }, dnat)];
  const sent: Ipv4Packet = { ...dnat, header: { ...dnat.header, ttl: dnat.header.ttl - 1 } };
  c = step(env, c, { netns: ns.id, dev: res.dev, stage: 'forward', summary: `IPVS xmit to ${ipPort(dest.ip, dest.port)} via ${res.dev}, ttl ${dnat.header.ttl} -> ${sent.header.ttl}; re-sent through LOCAL_OUT`, packet: sent, rewrite: { what: 'ttl decremented', before: dnat, after: sent } });
  const outDevices: HookDevices = { in: null, out: res.dev, physIn: null, physOut: null, bridged: false };
  return hookPart(env, c, ns, 'OUTPUT', sent, outDevices, mark, (c2, p2, m2) => postrouting(env, c2, ns, res, p2, m2, devices.in, name === 'INPUT'), {
    priorities: { from: -Infinity, to: Infinity },
    label: 'IPVS re-send',
    ctAttached: true,
  });
}

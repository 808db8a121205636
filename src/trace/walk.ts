import { match } from 'ts-pattern';
import { formatIpv4, type Ipv4 } from '../net/ipv4.js';
import { BROADCAST_MAC, isMulticastMac, ZERO_MAC, type Mac } from '../net/mac.js';
import { type ArpMessage, type Frame, type Ipv4Packet } from '../net/packet.js';
import { ipv4Length } from '../net/length.js';
import { fibLookup, selectSourceAddress, type FibResult } from '../kernel/fib.js';
import { findLink, getNetns, type Netns } from '../kernel/netns.js';
import type { Link } from '../kernel/link.js';
import { devConfOn, sysctlOn } from '../kernel/sysctl.js';
import type { BuiltinChain } from '../kernel/netfilter/ruleset.js';
import { dynOf, learnedFdb, learnedNeigh, learnFdb, learnNeigh, withDyn } from './dynamic-state.js';
import type { WalkEnv } from './env.js';
import type { HookDevices } from './hooks.js';
import { capture, finish, step, type BranchOutcome, type Cursor } from './cursor.js';
import { describePacket } from './describe.js';
import { vxlanDecap, vxlanEncap } from './vxlan.js';

/**
 * The packet walk, in the order Linux processes a packet (net/core/dev.c, net/bridge/br_input.c,
 * net/ipv4/ip_input.c, ip_forward.c, ip_output.c, net/ipv4/arp.c, drivers/net/vxlan). Each
 * function takes a cursor and returns every outcome reachable from it; netfilter's random
 * matches and bridge floods make the walk branch.
 */

type Outcomes = BranchOutcome[];

function linkOf(ns: Netns, dev: string): Link {
  const l = findLink(ns, dev);
  if (!l) throw new Error(`netns ${ns.id} has no link ${dev}`);
  return l;
}

/** Run one netfilter hook and continue each surviving branch with `next`. */
function hook(
  env: WalkEnv,
  cur: Cursor,
  ns: Netns,
  name: BuiltinChain,
  packet: Ipv4Packet,
  devices: HookDevices,
  mark: number,
  next: (cur: Cursor, packet: Ipv4Packet, mark: number) => Outcomes,
): Outcomes {
  const runs = env.runHook({ ns, dyn: dynOf(cur.dyn, ns.id), hook: name, packet, devices, mark });
  const dev = devices.out ?? devices.in;
  return runs.flatMap((run) => {
    const rewrite = run.rewrite ? { what: run.rewrite, before: packet, after: run.packet } : null;
    const branch = runs.length > 1 ? ` (branch p=${run.probability.toFixed(4)})` : '';
    const verdictText = match(run.verdict)
      .with({ kind: 'accept' }, () => 'ACCEPT')
      .with({ kind: 'drop' }, () => 'DROP')
      .with({ kind: 'reject' }, (v) => `REJECT ${v.with}`)
      .exhaustive();
    let c: Cursor = { ...cur, probability: cur.probability * run.probability, dyn: withDyn(cur.dyn, ns.id, () => run.dyn) };
    c = step(env, c, {
      netns: ns.id,
      dev,
      stage: name === 'PREROUTING' ? 'prerouting' : name === 'INPUT' ? 'input' : name === 'FORWARD' ? 'forward' : name === 'OUTPUT' ? 'output' : 'postrouting',
      summary: `netfilter ${name}${devices.bridged ? ' (br_netfilter)' : ''}: ${verdictText}${run.rewrite ? `, ${run.rewrite}` : ''}${branch}`,
      lines: run.lines,
      packet: run.packet,
      rewrite,
      conntrack: run.conntrack,
    });
    return match(run.verdict)
      .with({ kind: 'accept' }, () => next(c, run.packet, run.mark))
      .with({ kind: 'drop' }, (v) => [finish(c, { kind: 'DROPPED', reason: { kind: 'netfilter', rule: v.rule } }, run.packet)])
      .with({ kind: 'reject' }, (v) => [finish(c, { kind: 'REJECTED', rule: v.rule, with: v.with }, run.packet)])
      .exhaustive();
  });
}

function routeStep(env: WalkEnv, cur: Cursor, ns: Netns, dev: string | null, res: FibResult, packet: Ipv4Packet): Cursor {
  const lines = res.kind === 'none' ? [] : [env.formatRoute(ns.id, res.route)];
  const summary = match(res)
    .with({ kind: 'local' }, () => `route: ${formatIpv4(packet.header.dst)} is local`)
    .with({ kind: 'broadcast' }, () => `route: broadcast`)
    .with({ kind: 'unicast' }, (r) => `route: ${formatIpv4(packet.header.dst)} ${r.gateway !== null ? `via ${formatIpv4(r.gateway)} ` : ''}dev ${r.dev}`)
    .with({ kind: 'blackhole' }, () => `route: blackhole`)
    .with({ kind: 'unreachable' }, () => `route: unreachable`)
    .with({ kind: 'prohibit' }, () => `route: prohibit`)
    .with({ kind: 'none' }, () => `route: no route to ${formatIpv4(packet.header.dst)} (ENETUNREACH)`)
    .exhaustive();
  return step(env, cur, { netns: ns.id, dev, stage: 'routing', summary, lines, packet });
}

/** A route lookup that ended without a device: the disposition it implies. */
function routeFailure(ns: Netns, res: FibResult, packet: Ipv4Packet, cur: Cursor, env: WalkEnv, forwarding: boolean): Outcomes | null {
  return match(res)
    .with({ kind: 'blackhole' }, (r) => [finish(cur, { kind: 'BLACKHOLE', netns: ns.id, route: env.formatRoute(ns.id, r.route) }, packet)])
    .with({ kind: 'unreachable' }, { kind: 'prohibit' }, (r) => [
      finish(cur, { kind: 'NO_ROUTE', netns: ns.id, dst: packet.header.dst, detail: `${env.formatRoute(ns.id, r.route)} (ICMP ${r.kind === 'prohibit' ? 'admin prohibited' : 'host unreachable'})` }, packet),
    ])
    .with({ kind: 'none' }, () => [
      finish(cur, { kind: 'NO_ROUTE', netns: ns.id, dst: packet.header.dst, detail: forwarding ? 'no route (ICMP net unreachable sent back)' : 'no route (connect fails with ENETUNREACH)' }, packet),
    ])
    .with({ kind: 'local' }, { kind: 'broadcast' }, { kind: 'unicast' }, () => null)
    .exhaustive();
}

// ---------------------------------------------------------------------------------------------
// Locally generated packets: ip_route_output -> OUTPUT -> POSTROUTING -> neighbour -> device.
// ---------------------------------------------------------------------------------------------

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
    }
    return postrouting(env, c2, ns, res2, p2, mark, null, false);
  });
}

function postrouting(env: WalkEnv, cur: Cursor, ns: Netns, res: FibResult, packet: Ipv4Packet, mark: number, inDev: string | null, forwarded: boolean): Outcomes {
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
function loopbackXmit(env: WalkEnv, cur: Cursor, ns: Netns, packet: Ipv4Packet): Outcomes {
  const c = step(env, cur, { netns: ns.id, dev: 'lo', stage: 'xmit', summary: 'loopback: packet re-enters this netns on lo', packet });
  return ipRcv(env, { ...c, hops: c.hops + 1 }, ns, 'lo', packet, false);
}

// ---------------------------------------------------------------------------------------------
// Neighbour output (ARP) and device transmit.
// ---------------------------------------------------------------------------------------------

function staticNeigh(ns: Netns, dev: string, ip: Ipv4): Mac | null {
  const e = ns.neigh.find((n) => n.dev === dev && n.dst === ip && !n.proxy && n.lladdr !== null && (n.state === 'PERMANENT' || n.state === 'NOARP' || n.state === 'REACHABLE'));
  return e?.lladdr ?? null;
}

function neighOutput(env: WalkEnv, cur: Cursor, ns: Netns, dev: string, nexthop: Ipv4, packet: Ipv4Packet): Outcomes {
  const link = linkOf(ns, dev);
  if (link.kind.type === 'ipip') throw new Error('IPIP transmit is not modelled yet');
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
    .with({ type: 'ipip' }, { type: 'dummy' }, (k) => {
      throw new Error(`transmit on ${k.type} is not modelled yet`);
    })
    .exhaustive();
}

/** An encapsulating driver sends its outer packet through the IP stack (ip_local_out). */
function localOutEncapsulated(env: WalkEnv, cur: Cursor, ns: Netns, outer: Ipv4Packet): Outcomes {
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

// ---------------------------------------------------------------------------------------------
// Receive: __netif_receive_skb -> bridge rx_handler or ip_rcv / arp_rcv.
// ---------------------------------------------------------------------------------------------

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

function bridgeHookDevices(bridge: string, physIn: string | null, physOut: string | null): HookDevices {
  return { in: physIn !== null ? bridge : null, out: physOut !== null ? bridge : null, physIn, physOut, bridged: physIn !== null && physOut !== null };
}

/**
 * br_handle_frame: learn the source, run br_netfilter's PREROUTING (when
 * bridge-nf-call-iptables=1), then deliver up to the bridge device or forward to a port.
 */
function bridgeInput(env: WalkEnv, cur: Cursor, ns: Netns, bridge: string, port: string, frame: Frame): Outcomes {
  const portLink = linkOf(ns, port);
  let c: Cursor = cur;
  if (portLink.bridgePort?.learning ?? true) c = { ...c, dyn: learnFdb(c.dyn, ns.id, bridge, frame.eth.src, port) };
  const callIptables = sysctlOn(ns.sysctls, 'net.bridge.bridge-nf-call-iptables');
  if (frame.payload.kind !== 'ipv4' || !callIptables) return bridgeDecide(env, c, ns, bridge, port, frame, false);
  const original = frame.payload.packet;
  c = step(env, c, { netns: ns.id, dev: port, stage: 'rx', summary: `rx on ${port} (port of bridge ${bridge}): ${describePacket(original)} ttl ${original.header.ttl}`, packet: original });
  return hook(env, c, ns, 'PREROUTING', original, { in: bridge, out: null, physIn: port, physOut: null, bridged: false }, 0, (c2, p2) => {
    const f2: Frame = { ...frame, payload: { kind: 'ipv4', packet: p2 } };
    if (p2.header.dst === original.header.dst) return bridgeDecide(env, c2, ns, bridge, port, f2, true);
    // br_nf_pre_routing_finish: DNAT changed the destination, so route again. If the new route
    // points back into this bridge the frame is bridged (with the new MAC from the neighbour
    // table); otherwise it goes up to the IP stack as if addressed to the bridge.
    const res = fibLookup(ns, { dst: p2.header.dst, src: p2.header.src, iif: bridge, oif: null, mark: 0 });
    let c3 = routeStep(env, c2, ns, bridge, res, p2);
    if (res.kind === 'unicast' && res.dev === bridge) {
      const mac = staticNeigh(ns, bridge, res.nexthop) ?? learnedNeigh(c3.dyn, ns.id, bridge, res.nexthop) ?? null;
      let dstMac = mac;
      if (!dstMac) {
        const r = arpResolve(env, c3, ns, bridge, res.nexthop, selectSourceAddress(ns, res.route, bridge, res.nexthop) ?? p2.header.src);
        c3 = r.cur;
        dstMac = r.mac;
      }
      if (!dstMac) return [finish(c3, { kind: 'NEIGH_FAILED', netns: ns.id, dev: bridge, nexthop: res.nexthop }, p2)];
      c3 = step(env, c3, { netns: ns.id, dev: bridge, stage: 'bridge', summary: `br_netfilter: DNAT target is on this bridge; frame re-addressed to ${dstMac} and bridged (no routing, TTL unchanged)` });
      return bridgeDecide(env, c3, ns, bridge, port, { eth: { src: frame.eth.src, dst: dstMac }, payload: f2.payload }, true, true);
    }
    const br = linkOf(ns, bridge);
    return bridgeDecide(env, c3, ns, bridge, port, { eth: { src: frame.eth.src, dst: br.mac ?? ZERO_MAC }, payload: f2.payload }, true);
  });
}

/** The fdb decision of br_handle_frame_finish: local delivery, forward, or flood. */
function bridgeDecide(env: WalkEnv, cur: Cursor, ns: Netns, bridge: string, inPort: string, frame: Frame, preroutingDone: boolean, rewritten = false): Outcomes {
  const br = linkOf(ns, bridge);
  const dst = frame.eth.dst;
  const isLocal = dst === br.mac || ns.links.some((l) => l.master === bridge && l.mac === dst);
  const passUp = (c: Cursor): Outcomes =>
    match(frame.payload)
      .with({ kind: 'ipv4' }, (p) => ipRcv(env, c, ns, bridge, p.packet, preroutingDone))
      .with({ kind: 'arp' }, (p) => arpRcv(env, c, ns, bridge, frame, p.arp))
      .with({ kind: 'raw' }, () => [finish(c, { kind: 'DROPPED', reason: { kind: 'otherhost', netns: ns.id, dev: bridge } }, null)])
      .exhaustive();
  if (isLocal) {
    return passUp(step(env, cur, { netns: ns.id, dev: bridge, stage: 'bridge', summary: `bridge ${bridge}: ${dst} is the bridge's own address; deliver up to ${bridge}` }));
  }
  // br_handle_frame_finish: broadcast and multicast go to every port and up to the bridge itself.
  if (isMulticastMac(dst)) return [...passUp(cur), ...bridgeForward(env, cur, ns, bridge, inPort, frame, preroutingDone, rewritten)];
  return bridgeForward(env, cur, ns, bridge, inPort, frame, preroutingDone, rewritten);
}

/** br_forward / br_flood, with br_netfilter FORWARD and POSTROUTING for bridged IPv4. */
function bridgeForward(env: WalkEnv, cur: Cursor, ns: Netns, bridge: string, inPort: string | null, frame: Frame, viaBrNetfilter: boolean, rewritten = false): Outcomes {
  const dst = frame.eth.dst;
  const ports = ns.links.filter((l) => l.master === bridge && l.up).map((l) => l.name);
  const staticPort = ns.fdb.find((f) => f.master === bridge && f.mac === dst)?.dev;
  const known = isMulticastMac(dst) ? undefined : (staticPort ?? learnedFdb(cur.dyn, ns.id, bridge, dst));
  const packet = frame.payload.kind === 'ipv4' ? frame.payload.packet : null;
  let outs: string[];
  let c = cur;
  if (known !== undefined) {
    if (known === inPort && !linkOf(ns, known).bridgePort?.hairpin) {
      const c2 = step(env, c, { netns: ns.id, dev: bridge, stage: 'bridge', summary: `bridge ${bridge}: ${dst} is behind the ingress port ${known} and hairpin is off; dropped` });
      return [finish(c2, { kind: 'DROPPED', reason: { kind: 'hairpin-off', netns: ns.id, port: known } }, packet)];
    }
    outs = [known];
    c = step(env, c, { netns: ns.id, dev: bridge, stage: 'bridge', summary: `bridge ${bridge}: fdb ${dst} -> port ${known}${known === inPort ? ' (hairpin)' : ''}`, lines: [`${dst} dev ${known} master ${bridge}`] });
  } else {
    outs = ports.filter((p) => p !== inPort || (linkOf(ns, p).bridgePort?.hairpin ?? false));
    c = step(env, c, { netns: ns.id, dev: bridge, stage: 'bridge', summary: `bridge ${bridge}: ${dst === BROADCAST_MAC ? 'broadcast' : `${dst} unknown`}, flood to ${outs.join(', ') || 'no port'}` });
  }
  const fromPort = inPort !== null && !rewritten;
  const results: Outcomes = outs.flatMap((out) => {
    if (!packet || !viaBrNetfilter || inPort === null) return devXmit(env, c, ns, out, frame, fromPort);
    const devs = bridgeHookDevices(bridge, inPort, out);
    return hook(env, c, ns, 'FORWARD', packet, devs, 0, (c2, p2, mark) =>
      hook(env, c2, ns, 'POSTROUTING', p2, devs, mark, (c3, p3) => devXmit(env, c3, ns, out, { ...frame, payload: { kind: 'ipv4', packet: p3 } }, fromPort && p3 === packet)),
    );
  });
  // A flooded unicast frame reaches hosts that discard it; keep the copy that mattered.
  const useful = results.filter((o) => !(o.disposition.kind === 'DROPPED' && o.disposition.reason.kind === 'otherhost'));
  return known === undefined && useful.length > 0 ? useful : results;
}

// ---------------------------------------------------------------------------------------------
// ARP (net/ipv4/arp.c).
// ---------------------------------------------------------------------------------------------

/** An ARP exchange, walked for real through the L2 path; the reply teaches bridges and caches. */
function arpResolve(env: WalkEnv, cur: Cursor, ns: Netns, dev: string, target: Ipv4, senderIp: Ipv4): { cur: Cursor; mac: Mac | null } {
  const link = linkOf(ns, dev);
  const mac = link.mac ?? ZERO_MAC;
  // arp_solicit picks the packet's source if it is local on the device, else a device address.
  const src = ns.addrs.some((a) => a.local === senderIp) ? senderIp : (ns.addrs.find((a) => a.dev === dev)?.local ?? senderIp);
  const request: Frame = {
    eth: { src: mac, dst: BROADCAST_MAC },
    payload: { kind: 'arp', arp: { op: 'request', senderMac: mac, senderIp: src, targetMac: ZERO_MAC, targetIp: target } },
  };
  const sub: Cursor = { ...cur, steps: [] };
  const outcomes = devXmit(env, sub, ns, dev, request);
  // arpRcv on the requester ends its branch with a synthetic DELIVERED marker; find it.
  const answered = outcomes.find((o) => learnedNeigh(o.dyn, ns.id, dev, target) !== undefined);
  const base = answered ?? outcomes[0];
  const learned = answered ? learnedNeigh(answered.dyn, ns.id, dev, target) ?? null : null;
  const who = answered?.steps.find((s) => s.stage === 'neigh' && s.summary.startsWith('ARP reply'));
  let c: Cursor = {
    ...cur,
    dyn: base ? base.dyn : cur.dyn,
    frames: base ? base.frames : cur.frames,
    hops: cur.hops,
  };
  c = step(env, c, {
    netns: ns.id,
    dev,
    stage: 'neigh',
    summary: learned
      ? `ARP who-has ${formatIpv4(target)} tell ${formatIpv4(src)} on ${dev}: is-at ${learned}${who ? ` (${who.summary.replace(/^ARP reply /, 'from ')})` : ''}`
      : `ARP who-has ${formatIpv4(target)} tell ${formatIpv4(src)} on ${dev}: no answer (neighbour FAILED)`,
    lines: learned ? [`${formatIpv4(target)} dev ${dev} lladdr ${learned} REACHABLE`] : [`${formatIpv4(target)} dev ${dev} FAILED`],
  });
  return { cur: c, mac: learned };
}

/** Which local address answers an ARP request (arp_ignore=0: any local address, any device). */
function arpAnswers(ns: Netns, dev: string, targetIp: Ipv4): 'local' | 'proxy' | null {
  if (ns.addrs.some((a) => a.local === targetIp && a.dev !== 'lo')) return 'local';
  if (ns.neigh.some((n) => n.proxy && n.dst === targetIp && n.dev === dev)) return 'proxy';
  if (devConfOn(ns.sysctls, dev, 'proxy_arp')) {
    // arp_fwd_proxy: answer when the route to the target leaves through another device.
    const r = fibLookup(ns, { dst: targetIp, src: null, iif: dev, oif: null, mark: 0 });
    if (r.kind === 'unicast' && r.dev !== dev) return 'proxy';
  }
  return null;
}

function arpRcv(env: WalkEnv, cur: Cursor, ns: Netns, dev: string, frame: Frame, arp: ArpMessage): Outcomes {
  const link = linkOf(ns, dev);
  if (arp.op === 'reply') {
    if (frame.eth.dst !== link.mac) return [finish(cur, { kind: 'DROPPED', reason: { kind: 'otherhost', netns: ns.id, dev } }, null)];
    const c: Cursor = { ...cur, dyn: learnNeigh(cur.dyn, ns.id, dev, arp.senderIp, arp.senderMac) };
    return [finish(c, { kind: 'DELIVERED', netns: ns.id, dev, to: 'arp reply' }, null)];
  }
  const answer = arpAnswers(ns, dev, arp.targetIp);
  if (!answer) return [finish(cur, { kind: 'DROPPED', reason: { kind: 'otherhost', netns: ns.id, dev } }, null)];
  const mac = link.mac ?? ZERO_MAC;
  // The kernel creates a neighbour entry for the requester when it answers.
  let c: Cursor = { ...cur, dyn: learnNeigh(cur.dyn, ns.id, dev, arp.senderIp, arp.senderMac) };
  c = step(env, c, { netns: ns.id, dev, stage: 'neigh', summary: `ARP reply ${env.label(ns.id).where} ${dev}${answer === 'proxy' ? ' (proxy ARP)' : ''}` });
  const reply: Frame = {
    eth: { src: mac, dst: arp.senderMac },
    payload: { kind: 'arp', arp: { op: 'reply', senderMac: mac, senderIp: arp.targetIp, targetMac: arp.senderMac, targetIp: arp.senderIp } },
  };
  return devXmit(env, c, ns, dev, reply);
}

// ---------------------------------------------------------------------------------------------
// IP receive, forward and local delivery.
// ---------------------------------------------------------------------------------------------

export function ipRcv(env: WalkEnv, cur: Cursor, ns: Netns, dev: string, packet: Ipv4Packet, preroutingDone: boolean): Outcomes {
  const afterPrerouting = (c: Cursor, p: Ipv4Packet, mark: number): Outcomes => {
    const res = fibLookup(ns, { dst: p.header.dst, src: p.header.src, iif: dev, oif: null, mark });
    const c2 = routeStep(env, c, ns, dev, res, p);
    const failed = routeFailure(ns, res, p, c2, env, true);
    if (failed) return failed;
    if (res.kind === 'local' || res.kind === 'broadcast') return localDeliver(env, c2, ns, dev, p, mark);
    if (res.kind !== 'unicast') throw new Error('unreachable');
    return ipForward(env, c2, ns, dev, res, p, mark);
  };
  if (preroutingDone) return afterPrerouting(cur, packet, 0);
  return hook(env, cur, ns, 'PREROUTING', packet, { in: dev, out: null, physIn: null, physOut: null, bridged: false }, 0, afterPrerouting);
}

function ipForward(env: WalkEnv, cur: Cursor, ns: Netns, inDev: string, res: Extract<FibResult, { kind: 'unicast' }>, packet: Ipv4Packet, mark: number): Outcomes {
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

function localDeliver(env: WalkEnv, cur: Cursor, ns: Netns, dev: string, packet: Ipv4Packet, mark: number): Outcomes {
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
      .with({ kind: 'icmp' }, (i) => {
        const c2 = step(env, c, { netns: ns.id, dev, stage: 'deliver', summary: `delivered to ${env.label(ns.id).where}: ICMP ${i.message.type}, ttl ${p.header.ttl}`, packet: p });
        return [finish(c2, { kind: 'DELIVERED', netns: ns.id, dev, to: `icmp ${i.message.type}` }, p)];
      })
      .with({ kind: 'raw' }, () => [finish(c, { kind: 'DELIVERED', netns: ns.id, dev, to: `protocol ${p.header.protocol}` }, p)])
      .exhaustive();
  });
}

function socketDeliver(env: WalkEnv, cur: Cursor, ns: Netns, dev: string, p: Ipv4Packet, proto: 'tcp' | 'udp', port: number): Outcomes {
  const sock = env.sockets(ns.id, proto, port);
  if (sock.kind === 'closed') {
    const reply = proto === 'tcp' ? 'TCP RST' : 'ICMP port unreachable';
    const c = step(env, cur, { netns: ns.id, dev, stage: 'deliver', summary: `no socket on ${proto}/${port} in ${env.label(ns.id).where}: kernel answers ${reply}`, packet: p, lines: [sock.detail] });
    return [finish(c, { kind: 'REFUSED', netns: ns.id, port, detail: sock.detail }, p)];
  }
  const c = step(env, cur, { netns: ns.id, dev, stage: 'deliver', summary: `delivered to ${sock.what} (${proto}/${port}), ttl ${p.header.ttl}`, packet: p });
  return [finish(c, { kind: 'DELIVERED', netns: ns.id, dev, to: `${sock.what} ${proto}/${port}` }, p)];
}


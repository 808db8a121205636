import { match } from 'ts-pattern';
import { BROADCAST_MAC, isMulticastMac, ZERO_MAC } from '../../net/mac.js';
import { type Frame } from '../../net/packet.js';
import { fibLookup, selectSourceAddress } from '../../kernel/fib.js';
import { type Netns } from '../../kernel/netns.js';
import { sysctlOn } from '../../kernel/sysctl.js';
import { learnedFdb, learnedNeigh, learnFdb } from '../dynamic-state.js';
import type { WalkEnv } from '../env.js';
import type { HookDevices } from '../hooks.js';
import { finish, step, type Cursor } from '../cursor.js';
import { describePacket } from '../describe.js';
import { arpResolve, arpRcv } from './arp.js';
import { type Outcomes, linkOf, staticNeigh } from './common.js';
import { devXmit } from './device.js';
import { hook } from './hook.js';
import { ipRcv } from './ip-input.js';
import { routeStep } from './route.js';

/** The bridge (net/bridge/br_input.c, br_forward.c) with br_netfilter's hooks. */

export function bridgeHookDevices(bridge: string, physIn: string | null, physOut: string | null): HookDevices {
  return { in: physIn !== null ? bridge : null, out: physOut !== null ? bridge : null, physIn, physOut, bridged: physIn !== null && physOut !== null };
}

/**
 * br_handle_frame: learn the source, run br_netfilter's PREROUTING (when
 * bridge-nf-call-iptables=1), then deliver up to the bridge device or forward to a port.
 */
export function bridgeInput(env: WalkEnv, cur: Cursor, ns: Netns, bridge: string, port: string, frame: Frame): Outcomes {
  const portLink = linkOf(ns, port);
  let c: Cursor = cur;
  if (portLink.bridgePort?.learning ?? true) c = { ...c, dyn: learnFdb(c.dyn, ns.id, bridge, frame.eth.src, port) };
  const callIptables = sysctlOn(ns.sysctls, 'net.bridge.bridge-nf-call-iptables');
  if (frame.payload.kind !== 'ipv4' || !callIptables) return bridgeDecide(env, c, ns, bridge, port, frame, false);
  const original = frame.payload.packet;
  c = step(env, c, { netns: ns.id, dev: port, stage: 'rx', summary: `rx on ${port} (port of bridge ${bridge}): ${describePacket(original)} ttl ${original.header.ttl}`, packet: original });
  // The skb mark PREROUTING sets (kube-proxy's KUBE-MARK-MASQ 0x4000) stays on the skb through
  // FORWARD and POSTROUTING, where KUBE-POSTROUTING masquerades what carries it.
  return hook(env, c, ns, 'PREROUTING', original, { in: bridge, out: null, physIn: port, physOut: null, bridged: false }, 0, (c2, p2, mark) => {
    const f2: Frame = { ...frame, payload: { kind: 'ipv4', packet: p2 } };
    if (p2.header.dst === original.header.dst) return bridgeDecide(env, c2, ns, bridge, port, f2, true, false, mark);
    // br_nf_pre_routing_finish: DNAT changed the destination, so route again. If the new route
    // points back into this bridge the frame is bridged (with the new MAC from the neighbour
    // table); otherwise it goes up to the IP stack as if addressed to the bridge.
    const res = fibLookup(ns, { dst: p2.header.dst, src: p2.header.src, iif: bridge, oif: null, mark });
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
      return bridgeDecide(env, c3, ns, bridge, port, { eth: { src: frame.eth.src, dst: dstMac }, payload: f2.payload }, true, true, mark);
    }
    const br = linkOf(ns, bridge);
    return bridgeDecide(env, c3, ns, bridge, port, { eth: { src: frame.eth.src, dst: br.mac ?? ZERO_MAC }, payload: f2.payload }, true, false, mark);
  });
}

/** The fdb decision of br_handle_frame_finish: local delivery, forward, or flood. */
export function bridgeDecide(env: WalkEnv, cur: Cursor, ns: Netns, bridge: string, inPort: string, frame: Frame, preroutingDone: boolean, rewritten = false, mark = 0): Outcomes {
  const br = linkOf(ns, bridge);
  const dst = frame.eth.dst;
  const isLocal = dst === br.mac || ns.links.some((l) => l.master === bridge && l.mac === dst);
  const passUp = (c: Cursor): Outcomes =>
    match(frame.payload)
      .with({ kind: 'ipv4' }, (p) => ipRcv(env, c, ns, bridge, p.packet, preroutingDone, mark))
      .with({ kind: 'arp' }, (p) => arpRcv(env, c, ns, bridge, frame, p.arp))
      .with({ kind: 'raw' }, () => [finish(c, { kind: 'DROPPED', reason: { kind: 'otherhost', netns: ns.id, dev: bridge } }, null)])
      .exhaustive();
  if (isLocal) {
    return passUp(step(env, cur, { netns: ns.id, dev: bridge, stage: 'bridge', summary: `bridge ${bridge}: ${dst} is the bridge's own address; deliver up to ${bridge}` }));
  }
  // br_handle_frame_finish: broadcast and multicast go to every port and up to the bridge itself.
  if (isMulticastMac(dst)) return [...passUp(cur), ...bridgeForward(env, cur, ns, bridge, inPort, frame, preroutingDone, rewritten, mark)];
  return bridgeForward(env, cur, ns, bridge, inPort, frame, preroutingDone, rewritten, mark);
}

/** br_forward / br_flood, with br_netfilter FORWARD and POSTROUTING for bridged IPv4. */
export function bridgeForward(env: WalkEnv, cur: Cursor, ns: Netns, bridge: string, inPort: string | null, frame: Frame, viaBrNetfilter: boolean, rewritten = false, mark = 0): Outcomes {
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
    return hook(env, c, ns, 'FORWARD', packet, devs, mark, (c2, p2, m2) =>
      hook(env, c2, ns, 'POSTROUTING', p2, devs, m2, (c3, p3) => devXmit(env, c3, ns, out, { ...frame, payload: { kind: 'ipv4', packet: p3 } }, fromPort && p3 === packet)),
    );
  });
  // A flooded unicast frame reaches hosts that discard it; keep the copy that mattered.
  const useful = results.filter((o) => !(o.disposition.kind === 'DROPPED' && o.disposition.reason.kind === 'otherhost'));
  return known === undefined && useful.length > 0 ? useful : results;
}

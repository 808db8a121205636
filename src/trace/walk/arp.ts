import { formatIpv4, type Ipv4 } from '../../net/ipv4.js';
import { BROADCAST_MAC, ZERO_MAC, type Mac } from '../../net/mac.js';
import { type ArpMessage, type Frame } from '../../net/packet.js';
import { fibLookup } from '../../kernel/fib.js';
import { type Netns } from '../../kernel/netns.js';
import { devConfOn } from '../../kernel/sysctl.js';
import { learnedNeigh, learnNeigh } from '../dynamic-state.js';
import type { WalkEnv } from '../env.js';
import { finish, step, type Cursor } from '../cursor.js';
import { type Outcomes, linkOf } from './common.js';
import { devXmit } from './device.js';

/** ARP (net/ipv4/arp.c): requests walked as real frames, replies, proxy ARP. */

/** An ARP exchange, walked for real through the L2 path; the reply teaches bridges and caches. */
export function arpResolve(env: WalkEnv, cur: Cursor, ns: Netns, dev: string, target: Ipv4, senderIp: Ipv4): { cur: Cursor; mac: Mac | null } {
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
export function arpAnswers(ns: Netns, dev: string, targetIp: Ipv4): 'local' | 'proxy' | null {
  if (ns.addrs.some((a) => a.local === targetIp && a.dev !== 'lo')) return 'local';
  if (ns.neigh.some((n) => n.proxy && n.dst === targetIp && n.dev === dev)) return 'proxy';
  if (devConfOn(ns.sysctls, dev, 'proxy_arp')) {
    // arp_fwd_proxy: answer when the route to the target leaves through another device.
    const r = fibLookup(ns, { dst: targetIp, src: null, iif: dev, oif: null, mark: 0 });
    if (r.kind === 'unicast' && r.dev !== dev) return 'proxy';
  }
  return null;
}

export function arpRcv(env: WalkEnv, cur: Cursor, ns: Netns, dev: string, frame: Frame, arp: ArpMessage): Outcomes {
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

import { match } from 'ts-pattern';
import { formatIpv4 } from '../../net/ipv4.js';
import { type Ipv4Packet } from '../../net/packet.js';
import { type FibResult } from '../../kernel/fib.js';
import { type Netns } from '../../kernel/netns.js';
import type { WalkEnv } from '../env.js';
import { finish, step, type Cursor } from '../cursor.js';
import { type Outcomes } from './common.js';

/** The fib lookup as a walk step, and what a lookup without a device means for the packet. */

export function routeStep(env: WalkEnv, cur: Cursor, ns: Netns, dev: string | null, res: FibResult, packet: Ipv4Packet): Cursor {
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
export function routeFailure(ns: Netns, res: FibResult, packet: Ipv4Packet, cur: Cursor, env: WalkEnv, forwarding: boolean): Outcomes | null {
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

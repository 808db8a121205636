import { match } from 'ts-pattern';
import type { Link } from '../link.js';
import { vethPeer, type PrintContext } from './context.js';

/**
 * Carrier (IFF_LOWER_UP) and operational state (`state UP|DOWN|UNKNOWN`), derived the way the
 * drivers set them: a veth has carrier when both ends are up; a bridge when one of its ports
 * forwards (STP off: an up port with carrier); lo, vxlan, dummy and ipip whenever they are up,
 * and they report operstate UNKNOWN because their drivers never set one.
 *
 * Bridges are assumed to have their MAC set explicitly, as the CNI bridge plugin does and the lab
 * does (`address` at creation): that runs the port state selection, which turns carrier off
 * while no port forwards. (A bridge left with its random MAC and never given a port keeps the
 * carrier it was born with: `UP,LOWER_UP`, `state UNKNOWN`, bridge_id 8000.0:0:0:0:0:0.)
 */
export function hasCarrier(ctx: PrintContext, link: Link): boolean {
  if (!link.up) return false;
  return match(link.kind)
    .with({ type: 'veth' }, () => vethPeer(ctx.world, link).link.up)
    .with({ type: 'bridge' }, () => ctx.links.some((p) => p.master === link.name && portForwarding(ctx, p)))
    .with({ type: 'loopback' }, { type: 'vxlan' }, { type: 'dummy' }, { type: 'ipip' }, () => true)
    .exhaustive();
}

/** A bridge port forwards (STP off) when it is up with carrier and its bridge is up. */
export function portForwarding(ctx: PrintContext, port: Link): boolean {
  if (port.master === null || !port.up) return false;
  const br = ctx.links.find((l) => l.name === port.master);
  return (br?.up ?? false) && hasCarrier(ctx, port);
}

export type OperState = 'UP' | 'DOWN' | 'LOWERLAYERDOWN' | 'UNKNOWN';

/**
 * The kernel's default_operstate(). An up veth without carrier is LOWERLAYERDOWN when the device
 * with its peer's ifindex *in its own netns* (the kernel looks the iflink up there, even when the
 * peer lives elsewhere) exists, is not the veth itself, and has no carrier; otherwise DOWN.
 */
export function operState(ctx: PrintContext, link: Link): OperState {
  if (!link.up) return 'DOWN';
  return match(link.kind.type)
    .with('bridge', () => (hasCarrier(ctx, link) ? ('UP' as const) : ('DOWN' as const)))
    .with('veth', (): OperState => {
      if (hasCarrier(ctx, link)) return 'UP';
      const iflink = vethPeer(ctx.world, link).link.ifindex;
      if (iflink === link.ifindex) return 'DOWN';
      const lower = ctx.links.find((l) => l.ifindex === iflink);
      return lower && !hasCarrier(ctx, lower) ? 'LOWERLAYERDOWN' : 'DOWN';
    })
    .with('loopback', 'vxlan', 'dummy', 'ipip', () => 'UNKNOWN' as const)
    .exhaustive();
}

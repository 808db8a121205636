import type { Ipv4 } from '../net/ipv4.js';
import { formatIpv4 } from '../net/ipv4.js';
import { err, ok, type Result } from '../lib/result.js';
import type { System } from './system.js';
import { addExternalClient, EXTERNAL_CLIENT_NETNS } from './underlay.js';

/**
 * The system with a client outside the cluster plugged into the underlay router
 * (`addExternalClient`), for a trace that starts or ends there. Added per trace rather than to
 * every system, so `show`, the lab and the UI see the cluster as it is.
 */
export function withExternalClient(system: System, ip: Ipv4): Result<System, string> {
  // Already there (a lab built from this very system, a second trace): nothing to add.
  if (system.netns.get(EXTERNAL_CLIENT_NETNS)?.ip === ip) return ok(system);
  const w = addExternalClient(system.world, ip);
  if (!w.ok) return err(`external client ${formatIpv4(ip)}: ${w.error}`);
  const netns = new Map(system.netns);
  netns.set(EXTERNAL_CLIENT_NETNS, { id: EXTERNAL_CLIENT_NETNS, where: `external ${formatIpv4(ip)}`, role: { kind: 'underlay' }, ip });
  return ok({ ...system, world: w.value, netns });
}

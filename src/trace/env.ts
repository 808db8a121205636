import type { Route } from '../kernel/route.js';
import type { World } from '../kernel/netns.js';
import type { HookRequest, HookRun } from './hooks.js';
import type { RuleRef } from './types.js';
import type { SocketLookup } from '../topology/system.js';


/** Everything the walk reads. The walk itself is pure: same env + packet, same outcomes. */
export interface WalkEnv {
  readonly world: World;
  /** Human label and owning node of a netns. */
  readonly label: (netns: string) => { readonly where: string; readonly node: string | null };
  readonly runHook: (req: HookRequest) => readonly HookRun[];
  /** Sockets bound in a netns (TCP/UDP listeners of the modelled applications). */
  readonly sockets: (netns: string, protocol: 'tcp' | 'udp', port: number) => SocketLookup;
  /** `ip route` text of a route in a netns, for the step record. */
  readonly formatRoute: (netns: string, route: Route) => string;
  /**
   * What a controller says a netfilter rule it wrote stands for (e.g. the NetworkPolicy behind a
   * DROP in a policy chain), or null. The walk itself knows no controller.
   */
  readonly explainRule?: (rule: RuleRef) => string | null;
  /** Upper bound on device transmissions before the walk declares a loop. */
  readonly maxHops: number;
}

import type { Ipv4 } from '../net/ipv4.js';
import type { Mac } from '../net/mac.js';

/** NUD states `ip neigh` prints. */
export type NeighState = 'PERMANENT' | 'NOARP' | 'REACHABLE' | 'STALE' | 'DELAY' | 'PROBE' | 'INCOMPLETE' | 'FAILED';

/** One line of `ip neigh`: `10.244.2.0 dev flannel.1 lladdr 5e:b0:... PERMANENT`. */
export interface NeighEntry {
  readonly dev: string;
  readonly dst: Ipv4;
  readonly lladdr: Mac | null;
  readonly state: NeighState;
  /** `ip neigh add proxy`: answer ARP for dst on dev (per-address proxy ARP). */
  readonly proxy: boolean;
}

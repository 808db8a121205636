import type { Ipv4 } from '../net/ipv4.js';
import type { Mac } from '../net/mac.js';

/**
 * One line of `bridge fdb`. Bridge entries have `master` (the bridge), VXLAN entries are `self`
 * entries on the vxlan device with a remote VTEP `dst`.
 */
export interface FdbEntry {
  readonly mac: Mac;
  readonly dev: string;
  readonly master: string | null;
  readonly self: boolean;
  readonly dst: Ipv4 | null;
  readonly permanent: boolean;
  /** Learned entries age out; static ones (`permanent`, `static`) do not. */
  readonly learned: boolean;
}

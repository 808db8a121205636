import type { Ipv4 } from '../net/ipv4.js';

export type AddrScope = 'global' | 'link' | 'host';

/** One line of `ip -4 addr`: `inet 10.244.1.1/24 brd 10.244.1.255 scope global cni0`. */
export interface IfAddr {
  readonly dev: string;
  readonly local: Ipv4;
  readonly prefix: number;
  readonly broadcast: Ipv4 | null;
  readonly scope: AddrScope;
}

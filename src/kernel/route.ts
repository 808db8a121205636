import type { Cidr } from '../net/cidr.js';
import type { Ipv4 } from '../net/ipv4.js';

export const RT_TABLE_LOCAL = 255;
export const RT_TABLE_MAIN = 254;
export const RT_TABLE_DEFAULT = 253;

/** rtm_type values `ip route` can show. */
export type RouteType = 'unicast' | 'local' | 'broadcast' | 'blackhole' | 'unreachable' | 'prohibit';

/** rtm_scope: universe routes go via a gateway, link routes are directly attached, host = local. */
export type RouteScope = 'universe' | 'link' | 'host';

/** rtm_protocol: who installed the route. `boot` is netlink's default and `ip route` omits it. */
export type RouteProto = 'kernel' | 'boot' | 'static' | 'bird' | number;

export interface Nexthop {
  readonly gateway: Ipv4 | null;
  readonly dev: string;
  readonly onlink: boolean;
  readonly weight: number;
}

export interface Route {
  readonly table: number;
  readonly type: RouteType;
  readonly dst: Cidr;
  readonly gateway: Ipv4 | null;
  readonly dev: string | null;
  readonly onlink: boolean;
  readonly scope: RouteScope;
  readonly proto: RouteProto;
  /** Preferred source address (`src`). */
  readonly prefsrc: Ipv4 | null;
  readonly metric: number;
  /** ECMP: when present, `gateway`/`dev` are unused and each nexthop is a possible outcome. */
  readonly multipath: readonly Nexthop[] | null;
}

/** `ip rule`: priority, selector, then the table to look up. */
export interface FibRule {
  readonly priority: number;
  readonly from: Cidr | null;
  readonly to: Cidr | null;
  readonly iif: string | null;
  readonly oif: string | null;
  readonly fwmark: { readonly value: number; readonly mask: number } | null;
  readonly table: number;
}

import { RT_TABLE_DEFAULT, RT_TABLE_LOCAL, RT_TABLE_MAIN, type RouteProto, type RouteScope } from '../route.js';

/**
 * The names iproute2 prints for numeric kernel values, from its default /etc/iproute2 files
 * (rt_tables, rt_protos) and its built-in scope names. Anything without a name prints as a number.
 */

const TABLES: ReadonlyMap<number, string> = new Map([
  [0, 'unspec'],
  [RT_TABLE_DEFAULT, 'default'],
  [RT_TABLE_MAIN, 'main'],
  [RT_TABLE_LOCAL, 'local'],
]);

/** /etc/iproute2/rt_protos of iproute2 6.1. */
const PROTOS: ReadonlyMap<number, string> = new Map([
  [0, 'unspec'],
  [1, 'redirect'],
  [2, 'kernel'],
  [3, 'boot'],
  [4, 'static'],
  [8, 'gated'],
  [9, 'ra'],
  [10, 'mrt'],
  [11, 'zebra'],
  [12, 'bird'],
  [13, 'dnrouted'],
  [14, 'xorp'],
  [15, 'ntk'],
  [16, 'dhcp'],
  [18, 'keepalived'],
  [42, 'babel'],
  [99, 'openr'],
  [186, 'bgp'],
  [187, 'isis'],
  [188, 'ospf'],
  [189, 'rip'],
  [192, 'eigrp'],
]);

export function tableName(id: number): string {
  return TABLES.get(id) ?? String(id);
}

export function protoName(p: RouteProto): string {
  return typeof p === 'number' ? (PROTOS.get(p) ?? String(p)) : p;
}

/** `ip route` says `scope global` for RT_SCOPE_UNIVERSE (it never prints it: it is the default). */
export function scopeName(s: RouteScope): string {
  return s === 'universe' ? 'global' : s;
}

/** The `%#x` format iproute2 uses for marks and masks: `0` for zero, else `0x` and lower-case hex. */
export function hexAlt(n: number): string {
  return n === 0 ? '0' : `0x${(n >>> 0).toString(16)}`;
}

import type { Ipv4 } from '../../net/ipv4.js';

/**
 * The IPVS table of one netns (net/netfilter/ipvs/ip_vs_ctl.c): virtual services and their
 * destinations (real servers), as `ipvsadm -Ln` lists them. Readonly; the functions below
 * return new values, one per `ipvsadm -A/-a` a daemon issues.
 */

export type IpvsProtocol = 'TCP' | 'UDP' | 'SCTP';

/** The schedulers the kernel ships (ip_vs_<name>.c). */
export type IpvsSchedulerName = 'rr' | 'wrr' | 'lc' | 'wlc' | 'lblc' | 'lblcr' | 'sh' | 'dh' | 'sed' | 'nq' | 'mh';

/**
 * The scheduler flags (IP_VS_SVC_F_SCHED1/2): for sh and mh, flag-1 is "fallback" (skip an
 * unavailable server) and flag-2 is "port" (hash the source port too).
 */
export interface IpvsSchedFlags {
  readonly fallback: boolean;
  readonly port: boolean;
}

/**
 * A real server. The forwarding method is always Masq (IPVS NAT, IP_VS_CONN_F_MASQ = 0): the
 * only one kube-proxy uses; DR and tunnelling are not modelled.
 */
export interface IpvsDest {
  readonly ip: Ipv4;
  readonly port: number;
  readonly forward: 'Masq';
  readonly weight: number;
  /** ActiveConn / InActConn as ipvsadm shows them (the lc-family schedulers read these). */
  readonly activeConns: number;
  readonly inactConns: number;
}

export interface IpvsService {
  readonly protocol: IpvsProtocol;
  readonly vip: Ipv4;
  readonly port: number;
  readonly scheduler: IpvsSchedulerName;
  readonly schedFlags: IpvsSchedFlags;
  /** IP_VS_SVC_F_PERSISTENT with its timeout in seconds (`persistent 10800`), or null. */
  readonly persistentTimeout: number | null;
  /**
   * svc->destinations in list order. __ip_vs_update_dest adds with list_add_rcu, i.e. at the
   * head, so the newest destination comes first; the rr/sh/dh tables walk this order.
   */
  readonly dests: readonly IpvsDest[];
}

export interface IpvsTable {
  /** In the order they were added (ipvsadm sorts them for printing). */
  readonly services: readonly IpvsService[];
}

export const EMPTY_IPVS: IpvsTable = { services: [] };

export const NO_SCHED_FLAGS: IpvsSchedFlags = { fallback: false, port: false };

export const PROTO_NUMBER: Readonly<Record<IpvsProtocol, number>> = { TCP: 6, UDP: 17, SCTP: 132 };

export function protocolOfNumber(n: number): IpvsProtocol | null {
  return n === 6 ? 'TCP' : n === 17 ? 'UDP' : n === 132 ? 'SCTP' : null;
}

const sameService = (s: IpvsService, protocol: IpvsProtocol, vip: Ipv4, port: number) => s.protocol === protocol && s.vip === vip && s.port === port;

/** __ip_vs_service_find: the virtual service for (protocol, address, port). */
export function findService(t: IpvsTable, protocol: IpvsProtocol, vip: Ipv4, port: number): IpvsService | null {
  return t.services.find((s) => sameService(s, protocol, vip, port)) ?? null;
}

export type NewService = Omit<IpvsService, 'dests'>;

/** `ipvsadm -A -t|-u VIP:PORT -s SCHED [-p TIMEOUT]`; an existing service is an error (EEXIST). */
export function addService(t: IpvsTable, svc: NewService): IpvsTable {
  if (findService(t, svc.protocol, svc.vip, svc.port)) throw new Error(`IPVS service ${svc.protocol} ${svc.vip}:${svc.port} exists`);
  return { services: [...t.services, { ...svc, dests: [] }] };
}

/** `ipvsadm -a -t|-u VIP:PORT -r RIP:RPORT -m -w WEIGHT`: the new destination goes first (list_add). */
export function addDest(t: IpvsTable, protocol: IpvsProtocol, vip: Ipv4, port: number, dest: { ip: Ipv4; port: number; weight: number }): IpvsTable {
  const svc = findService(t, protocol, vip, port);
  if (!svc) throw new Error(`no IPVS service ${protocol} ${vip}:${port}`);
  if (svc.dests.some((d) => d.ip === dest.ip && d.port === dest.port)) throw new Error(`IPVS destination ${dest.ip}:${dest.port} exists`);
  const d: IpvsDest = { ...dest, forward: 'Masq', activeConns: 0, inactConns: 0 };
  return { services: t.services.map((s) => (s === svc ? { ...s, dests: [d, ...s.dests] } : s)) };
}

/** Does the table hold any service? The kernel registers its netfilter hooks only then (ip_vs_register_hooks). */
export function ipvsActive(t: IpvsTable | undefined): t is IpvsTable {
  return t !== undefined && t.services.length > 0;
}

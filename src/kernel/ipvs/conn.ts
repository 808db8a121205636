import type { Ipv4 } from '../../net/ipv4.js';
import type { IpvsProtocol } from './table.js';

/**
 * IPVS's own connection table (struct ip_vs_conn, ip_vs_conn.c): client, virtual and real server
 * address of every scheduled connection. ip_vs_in finds later packets of the client by
 * (client, vip); ip_vs_out finds the real server's replies by (real server, client) and puts the
 * virtual address back as their source (VS/NAT "handle_response").
 */
export interface IpPort {
  readonly ip: Ipv4;
  readonly port: number;
}

export interface IpvsConn {
  readonly protocol: IpvsProtocol;
  readonly client: IpPort;
  readonly vip: IpPort;
  readonly dest: IpPort;
}

export type IpvsConnTable = readonly IpvsConn[];

const same = (a: IpPort, b: IpPort) => a.ip === b.ip && a.port === b.port;

/** ip_vs_conn_in_get: a packet from the client to the virtual service. */
export function connIn(t: IpvsConnTable, protocol: IpvsProtocol, src: IpPort, dst: IpPort): IpvsConn | null {
  return t.find((c) => c.protocol === protocol && same(c.client, src) && same(c.vip, dst)) ?? null;
}

/** ip_vs_conn_out_get: a packet from the real server back to the client. */
export function connOut(t: IpvsConnTable, protocol: IpvsProtocol, src: IpPort, dst: IpPort): IpvsConn | null {
  return t.find((c) => c.protocol === protocol && same(c.dest, src) && same(c.client, dst)) ?? null;
}

export function addConn(t: IpvsConnTable, c: IpvsConn): IpvsConnTable {
  return [...t.filter((x) => !(x.protocol === c.protocol && same(x.client, c.client) && same(x.vip, c.vip))), c];
}

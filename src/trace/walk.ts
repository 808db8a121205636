/**
 * The packet walk, in the order Linux processes a packet (net/core/dev.c, net/bridge/br_input.c,
 * net/ipv4/ip_input.c, ip_forward.c, ip_output.c, net/ipv4/arp.c, drivers/net/vxlan). Each
 * function takes a cursor and returns every outcome reachable from it; netfilter's random
 * matches and bridge floods make the walk branch. One file per stage under ./walk/.
 */
export { localOut } from './walk/output.js';
export { devXmit, netifReceive } from './walk/device.js';
export { ipRcv } from './walk/ip-input.js';

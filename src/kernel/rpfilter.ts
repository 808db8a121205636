import { cidr, cidrContains } from '../net/cidr.js';
import type { Ipv4 } from '../net/ipv4.js';
import { fibLookup } from './fib.js';
import type { RpfilterOracle } from './netfilter/match-eval.js';
import type { Netns } from './netns.js';

/**
 * `-m rpfilter` against a netns's routing (net/ipv4/netfilter/ipt_rpfilter.c rpfilter_mt):
 * loopback packets pass; a 0.0.0.0 source passes when sent to broadcast or link-local multicast
 * (DHCP); otherwise look up the route to the packet's source as if it came from lo, with the
 * packet's destination as source (0 for multicast/broadcast/zeronet) and, with --validmark, its
 * mark. The check passes when that route is unicast (or local with --accept-local) and its
 * nexthop uses the interface the packet came in on, or, with --loose, when such a route exists.
 */

const ZERONET = cidr('0.0.0.0/8');
const MULTICAST = cidr('224.0.0.0/4');
const LOCAL_MULTICAST = cidr('224.0.0.0/24');
const LBCAST = 0xffffffff;

function rpfilterSaddr(dst: Ipv4): Ipv4 | null {
  return cidrContains(MULTICAST, dst) || dst >>> 0 === LBCAST || cidrContains(ZERONET, dst) ? null : dst;
}

export function rpfilterOracle(ns: Netns): RpfilterOracle {
  return ({ src, dst, inDev, mark, loose, acceptLocal }) => {
    // rpfilter_is_loopback: PACKET_LOOPBACK or an IFF_LOOPBACK input device.
    if (inDev === null || ns.links.find((l) => l.name === inDev)?.kind.type === 'loopback') return true;
    if (cidrContains(ZERONET, src) && (dst >>> 0 === LBCAST || cidrContains(LOCAL_MULTICAST, dst))) return true;
    const res = fibLookup(ns, { dst: src, src: rpfilterSaddr(dst), iif: 'lo', oif: null, mark });
    if (res.kind === 'none') return false;
    if (res.kind !== 'unicast' && !(res.kind === 'local' && acceptLocal)) return false;
    // fib_info_nh_uses_dev: any nexthop of the route (all of an ECMP route's) on the in device.
    const devs = res.route.multipath ? res.route.multipath.map((n) => n.dev) : [res.route.dev];
    return devs.includes(inDev) || loose;
  };
}

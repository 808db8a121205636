import { match } from 'ts-pattern';
import { formatIpv4 } from '../../net/ipv4.js';
import type { Link } from '../link.js';
import { portForwarding } from './carrier.js';
import type { PrintContext } from './context.js';

/** Linux's udp_flow_src_port() range when a vxlan has no `srcport` (ip_local_port_range). */
const DEFAULT_VXLAN_SRC_PORTS: readonly [number, number] = [32768, 60999];
/** vxlan FDB ageing (VXLAN_AGEING_TIME), seconds. */
const VXLAN_AGEING = 300;
const BRIDGE_PRIORITY = 32768;
const PORT_PRIORITY = 32;

/**
 * The per-kind lines of `ip -d link` (iproute2 print_linktype): `    KIND attrs ` and, for a
 * bridge port, `    bridge_slave attrs `. Each ends in a space, as iproute2 prints them, because
 * the generic attributes (left out here, see printIpLink) would follow on the same line.
 */
export function detailLines(ctx: PrintContext, link: Link): string[] {
  const lines = kindLine(ctx, link);
  if (link.master !== null) lines.push(bridgeSlaveLine(ctx, link));
  return lines;
}

function kindLine(ctx: PrintContext, link: Link): string[] {
  return match(link.kind)
    .with({ type: 'loopback' }, () => [])
    .with({ type: 'veth' }, () => ['    veth '])
    .with({ type: 'dummy' }, () => ['    dummy '])
    .with({ type: 'vxlan' }, (k) => {
      const [lo, hi] = k.srcPortRange[0] === DEFAULT_VXLAN_SRC_PORTS[0] && k.srcPortRange[1] === DEFAULT_VXLAN_SRC_PORTS[1] ? [0, 0] : k.srcPortRange;
      const a = [`vxlan id ${k.vni}`];
      if (k.local !== null) a.push(`local ${formatIpv4(k.local)}`);
      if (k.dev !== null) a.push(`dev ${k.dev}`);
      a.push(`srcport ${lo} ${hi}`, `dstport ${k.dstport}`);
      if (!k.learning) a.push('nolearning');
      a.push(`ttl ${k.ttl === 0 ? 'auto' : k.ttl}`, `ageing ${VXLAN_AGEING}`, 'udpcsum noudp6zerocsumtx noudp6zerocsumrx');
      return [`    ${a.join(' ')} `];
    })
    // Not verified against a kernel (no IPIP module where podnet was developed).
    .with({ type: 'ipip' }, (k) => {
      const remote = k.remote === null ? 'any' : formatIpv4(k.remote);
      const local = k.local === null ? 'any' : formatIpv4(k.local);
      const fallback = k.remote === null && k.local === null;
      return [`    ipip ipip remote ${remote} local ${local} ttl ${k.ttl === 0 ? 'inherit' : k.ttl} ${fallback ? 'nopmtudisc' : 'pmtudisc'} `];
    })
    .with({ type: 'bridge' }, (k) => {
      const id = bridgeId(link);
      return [
        `    bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time ${k.ageingTime * 100} stp_state ${k.stp ? 1 : 0} priority ${BRIDGE_PRIORITY} ` +
          `vlan_filtering 0 bridge_id ${id} designated_root ${id} root_port 0 root_path_cost 0 topology_change 0 topology_change_detected 0 ` +
          'group_fwd_mask 0 group_address 01:80:c2:00:00:00 mcast_snooping 1 no_linklocal_learn 0 mcast_vlan_snooping 0 mcast_router 1 ' +
          'mcast_query_use_ifaddr 0 mcast_querier 0 mcast_hash_elasticity 16 mcast_hash_max 4096 mcast_last_member_count 2 ' +
          'mcast_startup_query_count 2 mcast_last_member_interval 100 mcast_membership_interval 26000 mcast_querier_interval 25500 ' +
          'mcast_query_interval 12500 mcast_query_response_interval 1000 mcast_startup_query_interval 3124 mcast_stats_enabled 0 ' +
          'mcast_igmp_version 2 mcast_mld_version 1 nf_call_iptables 0 nf_call_ip6tables 0 nf_call_arptables 0 ',
      ];
    })
    .exhaustive();
}

/**
 * Port numbers are handed out in the order ports join the bridge; the model keeps no such order,
 * so ports are numbered in ifindex order (what joining them in creation order gives).
 */
function bridgeSlaveLine(ctx: PrintContext, port: Link): string {
  const br = ctx.links.find((l) => l.name === port.master);
  if (!br) throw new Error(`${port.name}: master ${port.master ?? ''} does not exist`);
  const portNo = ctx.links.filter((l) => l.master === br.name).findIndex((l) => l.name === port.name) + 1;
  const portId = (PORT_PRIORITY << 10) | portNo;
  const s = port.bridgePort;
  const onOff = (b: boolean): string => (b ? 'on' : 'off');
  const id = bridgeId(br);
  // br_port_cost(): 2 for 10 Gb/s (veth's ethtool speed), 100 when the driver reports none.
  const cost = port.kind.type === 'veth' ? 2 : 100;
  return (
    `    bridge_slave state ${portForwarding(ctx, port) ? 'forwarding' : 'disabled'} priority ${PORT_PRIORITY} cost ${cost} ` +
    `hairpin ${onOff(s?.hairpin ?? false)} guard off root_block off fastleave off learning ${onOff(s?.learning ?? true)} flood on ` +
    `port_id 0x${portId.toString(16)} port_no 0x${portNo.toString(16)} designated_port ${portId} designated_cost 0 ` +
    `designated_bridge ${id} designated_root ${id} topology_change_ack 0 config_pending 0 proxy_arp off proxy_arp_wifi off ` +
    'mcast_router 1 mcast_fast_leave off mcast_flood on bcast_flood on mcast_to_unicast off neigh_suppress off group_fwd_mask 0 ' +
    `group_fwd_mask_str 0x0 vlan_tunnel off isolated ${onOff(s?.isolated ?? false)} locked off `
  );
}

/** `8000.a6:b:57:c:87:92`: priority as 4 hex digits, then the MAC as glibc's ether_ntoa (no zero padding). */
function bridgeId(br: Link): string {
  const mac = (br.mac ?? '00:00:00:00:00:00').split(':').map((h) => parseInt(h, 16).toString(16)).join(':');
  return `${BRIDGE_PRIORITY.toString(16).padStart(4, '0')}.${mac}`;
}

import { formatCidr, type Cidr } from '../../../net/cidr.js';

/**
 * flanneld's rules (pkg/trafficmngr/iptables), as it feeds them to iptables-restore with
 * --ip-masq and the default --iptables-forward-rules. 0x4000/0x4000 is kube-proxy's masquerade
 * mark: traffic kube-proxy will masquerade is left alone ("avoid double NAT").
 */
export function flannelRules(network: Cidr, podSubnet: Cidr): { readonly nat: readonly string[]; readonly filter: readonly string[] } {
  const cluster = formatCidr(network);
  const local = formatCidr(podSubnet);
  const masq = '-m comment --comment "flanneld masq"';
  const fwd = '-m comment --comment "flanneld forward"';
  return {
    nat: [
      ':FLANNEL-POSTRTG - [0:0]',
      `-A POSTROUTING ${masq} -j FLANNEL-POSTRTG`,
      `-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 ${masq} -j RETURN`,
      `-A FLANNEL-POSTRTG -s ${local} -d ${cluster} ${masq} -j RETURN`,
      `-A FLANNEL-POSTRTG -s ${cluster} -d ${local} ${masq} -j RETURN`,
      `-A FLANNEL-POSTRTG ! -s ${cluster} -d ${local} ${masq} -j RETURN`,
      `-A FLANNEL-POSTRTG -s ${cluster} ! -d 224.0.0.0/4 ${masq} -j MASQUERADE --random-fully`,
      `-A FLANNEL-POSTRTG ! -s ${cluster} -d ${cluster} ${masq} -j MASQUERADE --random-fully`,
    ],
    filter: [':FLANNEL-FWD - [0:0]', `-A FORWARD ${fwd} -j FLANNEL-FWD`, `-A FLANNEL-FWD -s ${cluster} ${fwd} -j ACCEPT`, `-A FLANNEL-FWD -d ${cluster} ${fwd} -j ACCEPT`],
  };
}

/**
 * Sysctls of one netns, keyed as `sysctl -a` names them (net.ipv4.ip_forward,
 * net.ipv4.conf.cali1234.proxy_arp, net.bridge.bridge-nf-call-iptables). Only values that differ
 * from a fresh netns are stored; `sysctlValue` supplies the kernel's defaults for a new netns.
 */
export type Sysctls = ReadonlyMap<string, string>;

/** Defaults in a newly created network namespace (kernel 6.x, br_netfilter built in). */
const NETNS_DEFAULTS: Readonly<Record<string, string>> = {
  'net.ipv4.ip_forward': '0',
  // br_netfilter initialises these to 1 in every new netns (kernel-facts.md: "bridge-nf-call-iptables=1
  // by default in a new namespace").
  'net.bridge.bridge-nf-call-iptables': '1',
  'net.bridge.bridge-nf-call-arptables': '1',
  'net.ipv4.ip_local_port_range': '32768\t60999',
  'net.ipv4.ip_default_ttl': '64',
};

/** Per-interface defaults (net.ipv4.conf.<dev>.<key>), inherited from conf.default in a new netns. */
const CONF_DEFAULTS: Readonly<Record<string, string>> = {
  forwarding: '0',
  proxy_arp: '0',
  rp_filter: '0',
  arp_ignore: '0',
  arp_announce: '0',
  route_localnet: '0',
  accept_local: '0',
  arp_notify: '0',
};

export function sysctlValue(sysctls: Sysctls, key: string): string {
  const set = sysctls.get(key);
  if (set !== undefined) return set;
  // Device names may contain dots (flannel.1, vxlan.calico); the leaf never does.
  const m = /^net\.ipv4\.conf\.(.+)\.([a-z_]+)$/.exec(key);
  if (m) {
    const dev = m[1] ?? '';
    const leaf = m[2] ?? '';
    if (dev !== 'default' && dev !== 'all') {
      const fromDefault = sysctls.get(`net.ipv4.conf.default.${leaf}`);
      if (fromDefault !== undefined) return fromDefault;
    }
    // ip_forward and conf.all.forwarding are the same switch in Linux.
    if (leaf === 'forwarding') return sysctlValue(sysctls, 'net.ipv4.ip_forward');
    const d = CONF_DEFAULTS[leaf];
    if (d !== undefined) return d;
  }
  const d = NETNS_DEFAULTS[key];
  if (d === undefined) throw new Error(`no modelled default for sysctl ${key}`);
  return d;
}

export function sysctlOn(sysctls: Sysctls, key: string): boolean {
  return sysctlValue(sysctls, key) !== '0';
}

/** The per-device value combined with conf.all, the way the kernel combines each key. */
export function devConfOn(sysctls: Sysctls, dev: string, leaf: 'proxy_arp' | 'forwarding' | 'route_localnet' | 'accept_local'): boolean {
  const devOn = sysctlOn(sysctls, `net.ipv4.conf.${dev}.${leaf}`);
  const allOn = sysctlOn(sysctls, `net.ipv4.conf.all.${leaf}`);
  // IN_DEV_PROXY_ARP / IN_DEV_ROUTE_LOCALNET / IN_DEV_ACCEPT_LOCAL are "all OR dev";
  // forwarding is per device, and conf.all.forwarding writes every device's value.
  return leaf === 'forwarding' ? devOn : devOn || allOn;
}

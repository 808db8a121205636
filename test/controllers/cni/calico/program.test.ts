import { describe, expect, it } from 'vitest';
import { getNetns, findLink } from '../../../../src/kernel/netns.js';
import { sysctlValue } from '../../../../src/kernel/sysctl.js';
import { printIpRoute } from '../../../../src/kernel/print/ip-route.js';
import { printIpLink } from '../../../../src/kernel/print/ip-link.js';
import { printIpNeigh } from '../../../../src/kernel/print/ip-neigh.js';
import { printIpAddr } from '../../../../src/kernel/print/ip-addr.js';
import { printBridgeFdb } from '../../../../src/kernel/print/bridge-fdb.js';
import { nodeNetns, podNetns } from '../../../../src/controllers/names.js';
import { podEth0Mac } from '../../../../src/controllers/cni/calico/workload.js';
import { calicoSystem } from './fixture.js';

const routes = (s: ReturnType<typeof calicoSystem>, ns: string) => printIpRoute(s.world, ns).split('\n').map((l) => l.trimEnd()).filter(Boolean);

describe('Calico BGP mode (no encapsulation), three nodes', () => {
  const s = calicoSystem('{mode: bgp}', { oneSubnet: true });

  it("node routes are what BIRD programs on the real kernel: blackhole for the local /26, 'via <node IP> dev eth0 proto bird' for the others", () => {
    // kernel-facts.md "Calico BGP": blackhole 10.244.1.0/26 proto bird, the pod's /32 on its
    // cali interface, 10.244.2.0/26 via 192.168.1.102 dev eth0 proto bird.
    expect(routes(s, nodeNetns('node1'))).toEqual([
      'default via 192.168.1.1 dev eth0',
      '10.244.29.0 dev cali5e1c4d6c68c scope link',
      'blackhole 10.244.29.0/26 proto bird',
      '10.244.29.1 dev cali643cc6c9c49 scope link',
      '10.244.75.64/26 via 192.168.1.102 dev eth0 proto bird',
      '10.244.230.128/26 via 192.168.1.103 dev eth0 proto bird',
      '192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.101',
    ]);
    expect(routes(s, nodeNetns('node3'))).toContain('10.244.29.0/26 via 192.168.1.101 dev eth0 proto bird');
    expect(s.events.filter((e) => e.level !== 'info')).toEqual([]);
  });

  it('wires the pod side: /32 address, 169.254.1.1 scope link then default via it, MTU 1500', () => {
    const pod = podNetns('default', 'pod-a');
    expect(routes(s, pod)).toEqual(['default via 169.254.1.1 dev eth0', '169.254.1.1 dev eth0 scope link']);
    expect(printIpAddr(s.world, pod)).toContain('inet 10.244.29.0/32 scope global eth0');
    expect(findLink(getNetns(s.world, pod), 'eth0')?.mtu).toBe(1500);
    expect(sysctlValue(getNetns(s.world, pod).sysctls, 'net.ipv4.ip_forward')).toBe('0');
  });

  it('wires the host side: cali<hash> with ee:ee:ee:ee:ee:ee, no address, up, proxy_arp/route_localnet/forwarding, PERMANENT neigh', () => {
    const ns = getNetns(s.world, nodeNetns('node1'));
    const cali = findLink(ns, 'cali5e1c4d6c68c');
    expect(cali).toMatchObject({ mac: 'ee:ee:ee:ee:ee:ee', up: true, mtu: 1500 });
    expect(ns.addrs.filter((a) => a.dev === 'cali5e1c4d6c68c')).toEqual([]);
    for (const leaf of ['proxy_arp', 'route_localnet', 'forwarding']) expect(sysctlValue(ns.sysctls, `net.ipv4.conf.cali5e1c4d6c68c.${leaf}`)).toBe('1');
    expect(ns.sysctls.get('net.ipv4.neigh.cali5e1c4d6c68c.proxy_delay')).toBe('0');
    expect(sysctlValue(ns.sysctls, 'net.ipv4.ip_forward')).toBe('1');
    expect(printIpNeigh(getNetns(s.world, nodeNetns('node1')))).toContain(`10.244.29.0 dev cali5e1c4d6c68c lladdr ${podEth0Mac(podNetns('default', 'pod-a'))} PERMANENT`);
    expect(printIpLink(s.world, nodeNetns('node1'))).toMatch(/cali5e1c4d6c68c@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500/);
  });
});

describe('Calico BGP mode across subnets (gateway recursive)', () => {
  const s = calicoSystem('{mode: bgp}');

  it('resolves the off-link next hop through the default route and says why', () => {
    expect(routes(s, nodeNetns('node1'))).toContain('10.244.230.128/26 via 192.168.1.1 dev eth0 proto bird');
    expect(routes(s, nodeNetns('node3'))).toContain('10.244.29.0/26 via 192.168.2.1 dev eth0 proto bird');
    const warn = s.events.find((e) => e.node === 'node1' && e.level === 'warning');
    expect(warn?.message).toMatch(/next hop 192\.168\.2\.103 .*gateway recursive.*via 192\.168\.1\.1/);
  });
});

describe('Calico IPIP mode', () => {
  const s = calicoSystem('{mode: ipip}');

  it('configures tunl0 as cni.md §3.1 shows: NOARP, mtu 1480, remote any local any ttl inherit nopmtudisc, tunnel /32', () => {
    const link = printIpLink(s.world, nodeNetns('node1'), { details: true });
    expect(link).toContain('tunl0@NONE: <NOARP,UP,LOWER_UP> mtu 1480');
    expect(link).toContain('link/ipip 0.0.0.0 brd 0.0.0.0');
    expect(link).toContain('ipip ipip remote any local any ttl inherit nopmtudisc');
    expect(printIpAddr(s.world, nodeNetns('node1'))).toContain('inet 10.244.29.0/32 scope global tunl0');
  });

  it('routes every remote block via tunl0 onlink proto bird; pods get the second address and MTU 1480', () => {
    expect(routes(s, nodeNetns('node1'))).toEqual([
      'default via 192.168.1.1 dev eth0',
      'blackhole 10.244.29.0/26 proto bird',
      '10.244.29.1 dev cali5e1c4d6c68c scope link',
      '10.244.29.2 dev cali643cc6c9c49 scope link',
      '10.244.75.64/26 via 192.168.1.102 dev tunl0 proto bird onlink',
      '10.244.230.128/26 via 192.168.2.103 dev tunl0 proto bird onlink',
      '192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.101',
    ]);
    expect(findLink(getNetns(s.world, podNetns('default', 'pod-a')), 'eth0')?.mtu).toBe(1480);
    expect(findLink(getNetns(s.world, nodeNetns('node1')), 'cali5e1c4d6c68c')?.mtu).toBe(1480);
  });

  it('CrossSubnet: same-subnet peers unencapsulated via eth0, the others via tunl0', () => {
    const cs = calicoSystem('{mode: ipip, crossSubnet: true}');
    const r = routes(cs, nodeNetns('node1'));
    expect(r).toContain('10.244.75.64/26 via 192.168.1.102 dev eth0 proto bird');
    expect(r).toContain('10.244.230.128/26 via 192.168.2.103 dev tunl0 proto bird onlink');
    // MTU still leaves room for the tunnel.
    expect(findLink(getNetns(cs.world, podNetns('default', 'pod-a')), 'eth0')?.mtu).toBe(1480);
  });
});

describe('Calico VXLAN mode (Felix programs routes, no BIRD)', () => {
  const s = calicoSystem('{mode: vxlan}');

  it('creates vxlan.calico: VNI 4096, dstport 4789, local node IP, dev eth0, nolearning, MTU 1450, derived MAC, tunnel /32', () => {
    const link = printIpLink(s.world, nodeNetns('node1'), { details: true });
    expect(link).toMatch(/vxlan\.calico: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450/);
    expect(link).toContain('link/ether 66:f9:37:c3:7e:94');
    expect(link).toMatch(/vxlan id 4096 local 192\.168\.1\.101 dev eth0 srcport 0 0 dstport 4789 nolearning/);
    expect(printIpAddr(s.world, nodeNetns('node1'))).toContain('inet 10.244.29.0/32 scope global vxlan.calico');
  });

  it('routes, ARP and FDB per remote node as cni.md §3.2 shows; blackhole proto 80', () => {
    expect(routes(s, nodeNetns('node1'))).toEqual([
      'default via 192.168.1.1 dev eth0',
      'blackhole 10.244.29.0/26 proto 80',
      '10.244.29.1 dev cali5e1c4d6c68c scope link',
      '10.244.29.2 dev cali643cc6c9c49 scope link',
      '10.244.75.64/26 via 10.244.75.64 dev vxlan.calico onlink',
      '10.244.230.128/26 via 10.244.230.128 dev vxlan.calico onlink',
      '192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.101',
    ]);
    expect(printIpNeigh(getNetns(s.world, nodeNetns('node1')))).toContain('10.244.75.64 dev vxlan.calico lladdr 66:2d:bf:44:a6:8b PERMANENT');
    expect(printBridgeFdb(s.world, nodeNetns('node1'))).toContain('66:2d:bf:44:a6:8b dev vxlan.calico dst 192.168.1.102 self permanent');
    expect(findLink(getNetns(s.world, podNetns('default', 'pod-a')), 'eth0')?.mtu).toBe(1450);
  });

  it('CrossSubnet: same-subnet peers get "via <node IP> dev eth0 proto 80 onlink" and no VTEP state', () => {
    const cs = calicoSystem('{mode: vxlan, crossSubnet: true}');
    const r = routes(cs, nodeNetns('node1'));
    expect(r).toContain('10.244.75.64/26 via 192.168.1.102 dev eth0 proto 80 onlink');
    expect(r).toContain('10.244.230.128/26 via 10.244.230.128 dev vxlan.calico onlink');
    expect(printIpNeigh(getNetns(cs.world, nodeNetns('node1')))).not.toContain('10.244.75.64 dev vxlan.calico');
    expect(printBridgeFdb(cs.world, nodeNetns('node1'))).not.toContain('dst 192.168.1.102');
  });
});

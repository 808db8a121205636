import { beforeAll, describe, expect, it } from 'vitest';
import { unwrap } from '../../../../src/lib/result.js';
import { getNetns } from '../../../../src/kernel/netns.js';
import { fibLookup } from '../../../../src/kernel/fib.js';
import { ipv4 } from '../../../../src/net/ipv4.js';
import { formatIpsetSave } from '../../../../src/kernel/netfilter/ipset.js';
import { printRuleset } from '../../../../src/kernel/netfilter/print.js';
import { printIpAddr, printIpRoute } from '../../../../src/kernel/print/index.js';
import { printIpvsadm } from '../../../../src/kernel/print/ipvsadm.js';
import { RT_TABLE_LOCAL } from '../../../../src/kernel/route.js';
import { nodeNetns } from '../../../../src/controllers/names.js';
import { loadTopology } from '../../../../src/topology/load.js';
import { buildSystem } from '../../../../src/topology/build.js';
import type { System } from '../../../../src/topology/system.js';

// topologies/services-ipvs.yaml: web-1 on node1 (10.244.1.3), web-2 node2, web-3 node3.
let system: System;
const node1 = () => getNetns(system.world, nodeNetns('node1'));

beforeAll(async () => {
  system = unwrap(buildSystem(unwrap(await loadTopology('topologies/services-ipvs.yaml'))));
});

describe('kube-proxy IPVS mode on node1', () => {
  it('binds every ClusterIP and LB IP to the dummy kube-ipvs0 (down) as /32 with a local route', () => {
    const addrs = printIpAddr(system.world, nodeNetns('node1'));
    expect(addrs).toMatch(/kube-ipvs0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN/);
    for (const ip of ['10.96.0.1', '10.96.0.20', '10.96.0.24', '198.51.100.10']) expect(addrs).toContain(`inet ${ip}/32 scope global kube-ipvs0`);
    const local = printIpRoute(system.world, nodeNetns('node1'), { table: RT_TABLE_LOCAL });
    expect(local).toContain('local 10.96.0.20 dev kube-ipvs0 proto kernel scope host src 10.96.0.20');
    // The link is down, yet the address is local (as the real kernel answers `ip route get`).
    expect(fibLookup(node1(), { dst: ipv4('10.96.0.20'), src: null, iif: null, oif: null, mark: 0 }).kind).toBe('local');
  });

  it('programs one virtual server per ClusterIP, LB IP and node address x nodePort, with Masq real servers', () => {
    const out = printIpvsadm(node1().ipvs ?? { services: [] });
    expect(out).toContain('TCP  10.96.0.20:80 rr\n  -> 10.244.1.3:8080              Masq    1      0          0         \n  -> 10.244.2.2:8080');
    expect(out).toContain('TCP  10.96.0.23:80 rr persistent 10800\n');
    expect(out).toContain('TCP  10.96.0.24:80 rr\nTCP  10.244.1.0:30080 rr\n');
    // NodePorts on every node address: eth0, cni0 and flannel.1, never kube-ipvs0 or lo.
    for (const a of ['192.168.1.101', '10.244.1.1', '10.244.1.0']) expect(out).toContain(`TCP  ${a}:30080 rr`);
    expect(out).not.toMatch(/127\.0\.0\.1:30080|10\.96\.0\.20:30080/);
    expect(out).toContain('TCP  198.51.100.10:80 rr');
    // The API server endpoint is the control-plane node's address.
    expect(out).toMatch(/TCP {2}10\.96\.0\.1:443 rr\n {2}-> 192\.168\.1\.101:6443/);
  });

  it('fills the ipsets of section 4.2', () => {
    const save = formatIpsetSave(node1().ipsets.values());
    expect(save).toContain('create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536\n');
    expect(save).toContain('add KUBE-CLUSTER-IP 10.96.0.20,tcp:80\n');
    expect(save).toContain('add KUBE-LOOP-BACK 10.244.1.3,tcp:8080,10.244.1.3\n');
    // Only node1's endpoint is local to node1.
    expect(save).not.toContain('add KUBE-LOOP-BACK 10.244.2.2');
    expect(save).toContain('add KUBE-NODE-PORT-TCP 30080\nadd KUBE-NODE-PORT-TCP 30082\n');
    expect(save).toContain('add KUBE-LOAD-BALANCER 198.51.100.10,tcp:80\n');
    expect(save).toContain('create KUBE-NODE-PORT-UDP bitmap:port range 0-65535\n');
    expect(save).toContain('add KUBE-IPVS-IPS 198.51.100.10\n');
  });

  it('writes the IPVS-mode iptables rules: masquerade by set, KUBE-IPVS-FILTER, jumps', () => {
    const save = printRuleset(node1().netfilter);
    const lines = [
      '-A INPUT -m comment --comment "kubernetes ipvs access filter" -j KUBE-IPVS-FILTER',
      '-A OUTPUT -m comment --comment "kubernetes ipvs access filter" -j KUBE-IPVS-OUT-FILTER',
      '-A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set KUBE-IPVS-IPS dst -j REJECT --reject-with icmp-port-unreachable',
      '-A KUBE-SERVICES ! -s 10.244.0.0/16 -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ',
      '-A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port for masquerade purpose" -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ',
      '-A KUBE-POSTROUTING -m comment --comment "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose" -m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE',
      '-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT',
      '-A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ',
    ];
    for (const l of lines) expect(save).toContain(`${l}\n`);
    // The KUBE-LOOP-BACK masquerade comes before the mark check.
    expect(save.indexOf('KUBE-LOOP-BACK dst,dst,src')).toBeLessThan(save.indexOf('-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN'));
    // No iptables-mode chains.
    expect(save).not.toMatch(/KUBE-SVC-|KUBE-SEP-|KUBE-NODEPORTS/);
  });

  it('sets the IPVS sysctls', () => {
    const s = node1().sysctls;
    expect(s.get('net.ipv4.vs.conntrack')).toBe('1');
    expect(s.get('net.ipv4.vs.expire_nodest_conn')).toBe('1');
    expect(s.get('net.ipv4.ip_forward')).toBe('1');
  });
});

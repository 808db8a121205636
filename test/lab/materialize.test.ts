import { describe, expect, it } from 'vitest';
import { EMPTY_RULESET, emptyTable, type Ruleset } from '../../src/kernel/netfilter/ruleset.js';
import { formatCommand } from '../../src/lab/command.js';
import { materialize } from '../../src/lab/materialize.js';
import { flannelNodeWorld, twoNetnsWorld } from './worlds.js';

const name = (id: string): string => `pn0000-${id}`;
const lines = (w = flannelNodeWorld()): string[] => materialize(w, { netnsName: name }).map(formatCommand);

describe('materialize', () => {
  it('creates every netns first, with IPv6 off', () => {
    const l = lines(twoNetnsWorld());
    expect(l.slice(0, 4)).toEqual([
      'ip netns add pn0000-a',
      'ip netns exec pn0000-a sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1',
      'ip netns add pn0000-b',
      'ip netns exec pn0000-b sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1',
    ]);
  });

  it('makes each veth pair once, both ends with the model’s ifindex, MAC and MTU', () => {
    const l = lines();
    expect(l).toContain(
      'ip -n pn0000-node link add name veth3a1f9c2e index 5 address 02:00:01:00:00:02 mtu 1450 type veth peer name eth0 index 2 address 0a:58:0a:f4:01:02 mtu 1450 netns pn0000-pod',
    );
    expect(l.filter((x) => x.includes('type veth'))).toHaveLength(2);
  });

  it('vxlan with exact attributes, after the device it rides on', () => {
    const l = lines();
    const vx = l.findIndex((x) => x.includes('type vxlan'));
    expect(l[vx]).toBe('ip -n pn0000-node link add name flannel.1 index 3 address a2:4f:2e:91:3b:07 mtu 1450 type vxlan id 1 local 192.168.1.101 dev eth0 dstport 8472 nolearning ttl auto');
    expect(vx).toBeGreaterThan(l.findIndex((x) => x.includes('link add name eth0')));
  });

  it('bridge ports, hairpin, addresses with brd, only the non-kernel routes, rules, neighbours, FDB, sysctls', () => {
    const l = lines();
    expect(l).toContain('ip -n pn0000-node link set veth3a1f9c2e master cni0');
    expect(l).toContain('bridge -n pn0000-node link set dev veth3a1f9c2e hairpin on');
    expect(l).toContain('ip -n pn0000-node addr add 10.244.1.1/24 brd 10.244.1.255 scope global dev cni0');
    expect(l).toContain('ip -n pn0000-node addr add 10.244.1.0/32 scope global dev flannel.1');
    expect(l.filter((x) => x.includes('route add'))).toEqual([
      'ip -n pn0000-node route add default via 192.168.1.1 dev eth0 scope global',
      'ip -n pn0000-node route add 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink scope global',
      'ip -n pn0000-node route add blackhole 10.99.0.0/16 scope global',
      'ip -n pn0000-node route add 10.98.0.0/16 dev cni0 table 100 proto static scope link metric 10',
      'ip -n pn0000-pod route add default via 10.244.1.1 dev eth0 scope global',
      'ip -n pn0000-pod route add 10.244.0.0/16 via 10.244.1.1 dev eth0 scope global',
    ]);
    expect(l).toContain('ip -n pn0000-node rule add fwmark 0x10/0xff pref 100 lookup 100');
    expect(l).toContain('ip -n pn0000-node neigh replace 10.244.2.0 dev flannel.1 lladdr 5e:b0:11:7c:d2:4a nud permanent');
    expect(l).toContain('bridge -n pn0000-node fdb append 5e:b0:11:7c:d2:4a dev flannel.1 self permanent dst 192.168.1.102');
    expect(l).toContain('ip netns exec pn0000-pod sysctl -q -w net.ipv4.conf.eth0.arp_notify=1');
    // lo's 127.0.0.1/8 comes with `ip link set lo up`.
    expect(l.some((x) => x.includes('127.0.0.1'))).toBe(false);
  });

  it('feeds iptables-restore the given printer’s text, by default iptables-save’s', () => {
    const w = twoNetnsWorld();
    const a = w.netns.get('a');
    if (!a) throw new Error('a');
    const ruleset: Ruleset = { tables: new Map([['filter', emptyTable('filter')]]) };
    const withRules = { netns: new Map(w.netns).set('a', { ...a, netfilter: ruleset }) };
    const cmds = materialize(withRules, { netnsName: name, iptablesText: () => '*filter\nCOMMIT\n' });
    expect(cmds.at(-1)).toEqual({ argv: ['ip', 'netns', 'exec', 'pn0000-a', 'iptables-restore'], stdin: '*filter\nCOMMIT\n' });
    expect(materialize(withRules, { netnsName: name }).at(-1)?.stdin).toBe('*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n');
    expect(materialize(w, { netnsName: name }).some((c) => c.argv.includes('iptables-restore'))).toBe(false);
    expect(EMPTY_RULESET.tables.size).toBe(0);
  });
});

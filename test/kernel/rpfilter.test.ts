import { describe, expect, it } from 'vitest';
import { cidr } from '../../src/net/cidr.js';
import { ipv4 } from '../../src/net/ipv4.js';
import { addAddr, addLink, addNetns, addRoute, setLinkUp } from '../../src/kernel/ops.js';
import { getNetns, type Netns, type World } from '../../src/kernel/netns.js';
import { unwrap } from '../../src/lib/result.js';
import { rpfilterOracle } from '../../src/kernel/rpfilter.js';
import { evaluateHook } from '../../src/kernel/netfilter/evaluate.js';
import { INVALID } from '../../src/kernel/netfilter/ct-info.js';
import { localAddrOracle, packetFromSpec } from '../../src/kernel/netfilter/trace.js';
import { parseIptablesSave } from '../../src/kernel/netfilter/parse.js';
import { printRuleset } from '../../src/kernel/netfilter/print.js';

/** A Calico-like node: eth0 192.168.1.101/24 with a default route, one workload behind cali1. */
function node(withDefault = true): Netns {
  let w: World = addNetns({ netns: new Map() }, 'n');
  for (const dev of ['eth0', 'cali1']) {
    w = addLink(w, 'n', { name: dev, kind: { type: 'dummy' }, mtu: 1500, mac: null });
    w = setLinkUp(w, 'n', dev);
  }
  w = addAddr(w, 'n', 'eth0', ipv4('192.168.1.101'), 24, { scope: 'global', broadcast: ipv4('192.168.1.255') });
  w = unwrap(addRoute(w, 'n', { dst: cidr('10.244.1.2/32'), dev: 'cali1', scope: 'link' }));
  if (withDefault) w = unwrap(addRoute(w, 'n', { dst: cidr('0.0.0.0/0'), gateway: ipv4('192.168.1.1'), dev: 'eth0' }));
  return getNetns(w, 'n');
}

const q = (src: string, dst: string, inDev: string, o: { loose?: boolean; acceptLocal?: boolean } = {}) => ({
  src: ipv4(src),
  dst: ipv4(dst),
  inDev,
  mark: 0,
  loose: o.loose ?? false,
  acceptLocal: o.acceptLocal ?? false,
});

describe('-m rpfilter text', () => {
  it('prints its flags in rpfilter_save order whatever the input order (as iptables-save 1.8.9 does)', () => {
    const rs = parseIptablesSave('*raw\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -m rpfilter --accept-local --invert --loose --validmark -j DROP\n-A PREROUTING -m rpfilter\nCOMMIT\n');
    if (!rs.ok) throw new Error(rs.error.message);
    expect(printRuleset(rs.value)).toContain('-A PREROUTING -m rpfilter --loose --validmark --accept-local --invert -j DROP\n-A PREROUTING -m rpfilter\n');
  });
});

describe('-m rpfilter (ipt_rpfilter.c) against the netns FIB', () => {
  const rpf = rpfilterOracle(node());
  it('passes a source whose route leaves through the in device, strictly', () => {
    expect(rpf(q('10.244.1.2', '8.8.8.8', 'cali1'))).toBe(true);
    expect(rpf(q('8.8.8.8', '10.244.1.2', 'eth0'))).toBe(true);
  });
  it('fails a spoofed source (its route leaves elsewhere) unless --loose', () => {
    expect(rpf(q('8.8.8.8', '192.168.1.101', 'cali1'))).toBe(false);
    expect(rpf(q('10.244.1.2', '192.168.1.101', 'eth0'))).toBe(false);
    expect(rpf(q('8.8.8.8', '192.168.1.101', 'cali1', { loose: true }))).toBe(true);
  });
  it('a local source fails unless --accept-local', () => {
    expect(rpf(q('192.168.1.101', '192.168.1.101', 'eth0'))).toBe(false);
    expect(rpf(q('192.168.1.101', '192.168.1.101', 'eth0', { acceptLocal: true }))).toBe(true);
  });
  it('loopback and DHCP-style 0.0.0.0 -> broadcast always pass; no route at all fails even --loose', () => {
    expect(rpf(q('8.8.8.8', '10.244.1.2', 'lo'))).toBe(true);
    expect(rpf(q('0.0.0.0', '255.255.255.255', 'cali1'))).toBe(true);
    expect(rpfilterOracle(node(false))(q('8.8.8.8', '10.244.1.2', 'eth0', { loose: true }))).toBe(false);
  });
  it('drives the rule Felix writes: a workload spoofing its source is dropped in raw PREROUTING', () => {
    const rs = parseIptablesSave(
      '*raw\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -i cali+ -j MARK --set-xmark 0x80000/0x80000\n-A PREROUTING -m mark --mark 0x80000/0x80000 -m rpfilter --invert --validmark -j DROP\nCOMMIT\n',
    );
    if (!rs.ok) throw new Error(rs.error.message);
    const hook = (src: string) =>
      evaluateHook(rs.value, {
        hook: 'PREROUTING',
        packet: packetFromSpec({ src: ipv4(src), dst: ipv4('8.8.8.8'), proto: 'icmp' }),
        inDev: 'cali1',
        outDev: null,
        physdev: null,
        mark: 0,
        ct: INVALID,
        addrType: localAddrOracle([ipv4('192.168.1.101')]),
        rpfilter: rpf,
      })[0]?.verdict.kind;
    expect(hook('10.244.1.2')).toBe('accept');
    expect(hook('10.244.1.9')).toBe('drop');
    expect(() =>
      evaluateHook(rs.value, { hook: 'PREROUTING', packet: packetFromSpec({ src: ipv4('10.244.1.2'), dst: ipv4('8.8.8.8'), proto: 'icmp' }), inDev: 'cali1', outDev: null, physdev: null, mark: 0, ct: INVALID, addrType: localAddrOracle([]) }),
    ).toThrow(/rpfilter needs the netns FIB/);
  });
});

import { describe, expect, it } from 'vitest';
import { addAddr, addNetns, addVethPair, EMPTY_WORLD, setLinkUp } from '../../../src/kernel/ops.js';
import { printIpRoute } from '../../../src/kernel/print/ip-route.js';
import { ipv4 } from '../../../src/net/ipv4.js';
import { mac } from '../../../src/net/mac.js';

/**
 * The kernel's automatic routes for primary and secondary addresses. Expected text measured on
 * this machine's kernel (6.18): `ip addr add 10.9.0.1/24`, `10.9.0.7/24`, `10.9.1.1/32` on an
 * up veth d0 whose peer is down, then `ip route show table all`.
 */
describe('addAddr: kernel routes (fib_add_ifaddr)', () => {
  const build = (upFirst: boolean) => {
    let w = addNetns(EMPTY_WORLD, 'n');
    w = addVethPair(w, { netns: 'n', name: 'd0', mac: mac('02:00:00:00:00:01') }, { netns: 'n', name: 'd1', mac: mac('02:00:00:00:00:02') }, 1500);
    if (upFirst) w = setLinkUp(w, 'n', 'd0');
    w = addAddr(w, 'n', 'd0', ipv4('10.9.0.1'), 24, { broadcast: ipv4('10.9.0.255') });
    w = addAddr(w, 'n', 'd0', ipv4('10.9.0.7'), 24, { broadcast: ipv4('10.9.0.255') });
    w = addAddr(w, 'n', 'd0', ipv4('10.9.1.1'), 32);
    if (!upFirst) w = setLinkUp(w, 'n', 'd0');
    return printIpRoute(w, 'n', { table: 'all' })
      .split('\n')
      .filter((l) => l.includes('d0'));
  };
  const expected = [
    '10.9.0.0/24 dev d0 proto kernel scope link src 10.9.0.1 linkdown ',
    'local 10.9.0.1 dev d0 table local proto kernel scope host src 10.9.0.1 ',
    'local 10.9.0.7 dev d0 table local proto kernel scope host src 10.9.0.1 ',
    'broadcast 10.9.0.255 dev d0 table local proto kernel scope link src 10.9.0.1 linkdown ',
    'local 10.9.1.1 dev d0 table local proto kernel scope host src 10.9.1.1 ',
  ];

  it('a secondary address gets a local route with the primary as src, and no prefix route of its own', () => {
    expect(build(true)).toEqual(expected);
  });

  it('the same when the addresses were added while the link was down', () => {
    expect(build(false)).toEqual(expected);
  });
});

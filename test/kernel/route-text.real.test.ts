import { afterAll, describe, expect, it } from 'vitest';
import { cidr } from '../../src/net/cidr.js';
import { ipv4 } from '../../src/net/ipv4.js';
import { mac } from '../../src/net/mac.js';
import { unwrap } from '../../src/lib/result.js';
import { addAddr, addLink, addNetns, addRoute, EMPTY_WORLD, setLinkUp } from '../../src/kernel/ops.js';
import { getNetns } from '../../src/kernel/netns.js';
import { formatRouteLine, formatRuleLine } from '../../src/kernel/route-text.js';
import { canUseNetns, deleteNetnsWithPrefix, NETNS_SKIP_REASON, sh, uniquePrefix } from '../support/netns.js';

const prefix = uniquePrefix('rt');
const ns = `${prefix}-a`;

afterAll(() => {
  if (canUseNetns()) expect(deleteNetnsWithPrefix(prefix)).toEqual([]);
});

describe.skipIf(!canUseNetns())(`ip route text matches the real kernel (${NETNS_SKIP_REASON})`, () => {
  it('prints kernel-made local/broadcast/prefix routes and an onlink route exactly like ip route show table all', () => {
    const ip = (...a: string[]) => sh('ip', ['-n', ns, ...a]);
    sh('ip', ['netns', 'add', ns]);
    ip('link', 'set', 'lo', 'up');
    ip('link', 'add', 'cni0', 'type', 'bridge');
    ip('link', 'set', 'cni0', 'up');
    ip('addr', 'add', '10.244.1.1/24', 'brd', '10.244.1.255', 'dev', 'cni0');
    ip('link', 'add', 'flannel.1', 'type', 'vxlan', 'id', '1', 'dstport', '8472', 'nolearning');
    ip('addr', 'add', '10.244.1.0/32', 'dev', 'flannel.1');
    ip('link', 'set', 'flannel.1', 'up');
    ip('route', 'add', '10.244.2.0/24', 'via', '10.244.2.0', 'dev', 'flannel.1', 'onlink');
    ip('route', 'add', 'blackhole', '10.244.9.0/26', 'proto', 'bird');
    const real = ip('-4', 'route', 'show', 'table', 'all')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .sort();

    let w = addNetns(EMPTY_WORLD, 'a');
    w = addLink(w, 'a', { name: 'cni0', kind: { type: 'bridge', ageingTime: 300, stp: false }, mtu: 1500, mac: mac('02:00:00:00:00:01') });
    w = setLinkUp(w, 'a', 'cni0');
    w = addAddr(w, 'a', 'cni0', ipv4('10.244.1.1'), 24, { broadcast: ipv4('10.244.1.255') });
    w = addLink(w, 'a', {
      name: 'flannel.1',
      kind: { type: 'vxlan', vni: 1, dstport: 8472, local: null, dev: null, learning: false, ttl: 0, srcPortRange: [32768, 60999] },
      mtu: 1450,
      mac: mac('02:00:00:00:00:02'),
    });
    w = addAddr(w, 'a', 'flannel.1', ipv4('10.244.1.0'), 32);
    w = setLinkUp(w, 'a', 'flannel.1');
    w = unwrap(addRoute(w, 'a', { dst: cidr('10.244.2.0/24'), gateway: ipv4('10.244.2.0'), dev: 'flannel.1', onlink: true }));
    w = unwrap(addRoute(w, 'a', { type: 'blackhole', dst: cidr('10.244.9.0/26'), proto: 'bird' }));
    const model = getNetns(w, 'a').routes.map((r) => formatRouteLine(r)).sort();
    expect(model).toEqual(real);
    expect(getNetns(w, 'a').rules.map(formatRuleLine)).toEqual(ip('rule').split('\n').filter(Boolean));
  });
});

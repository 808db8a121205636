import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { cidr } from '../../src/net/cidr.js';
import { ipv4 } from '../../src/net/ipv4.js';
import { addAddr, addLink, addNetns, addRoute, setLinkUp } from '../../src/kernel/ops.js';
import { getNetns, type World } from '../../src/kernel/netns.js';
import { unwrap } from '../../src/lib/result.js';
import { rpfilterOracle } from '../../src/kernel/rpfilter.js';
import { canUseNetns, deleteNetnsWithPrefix, NETNS_SKIP_REASON, uniquePrefix } from '../support/netns.js';

/**
 * The real kernel judges `-m rpfilter`: a node netns with a workload veth (cali1, route to
 * 10.244.1.2/32) and eth0 with the default route; the workload sends one packet from its own
 * address and one from a spoofed one. Per source, the real raw-table counter of `-m rpfilter`
 * (and of `--loose`) must say what podnet's oracle says on the same routes.
 */

const prefix = uniquePrefix('rpf');
const N = `${prefix}n`;
const P = `${prefix}p`;
const haveIptables = spawnSync('sh', ['-c', 'command -v iptables-save'], { stdio: 'ignore' }).status === 0;

const run = (args: string[]) => {
  const r = spawnSync(args[0] as string, args.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const inN = (...a: string[]) => run(['ip', 'netns', 'exec', N, ...a]);

afterAll(() => {
  if (canUseNetns()) expect(deleteNetnsWithPrefix(prefix)).toEqual([]);
});

function model(): ReturnType<typeof rpfilterOracle> {
  let w: World = addNetns({ netns: new Map() }, 'n');
  for (const dev of ['eth0', 'cali1']) {
    w = addLink(w, 'n', { name: dev, kind: { type: 'dummy' }, mtu: 1500, mac: null });
    w = setLinkUp(w, 'n', dev);
  }
  w = addAddr(w, 'n', 'eth0', ipv4('192.168.1.101'), 24, { scope: 'global', broadcast: ipv4('192.168.1.255') });
  w = unwrap(addRoute(w, 'n', { dst: cidr('10.244.1.2/32'), dev: 'cali1', scope: 'link' }));
  w = unwrap(addRoute(w, 'n', { dst: cidr('0.0.0.0/0'), gateway: ipv4('192.168.1.1'), dev: 'eth0' }));
  return rpfilterOracle(getNetns(w, 'n'));
}

describe.skipIf(!canUseNetns() || !haveIptables)(`rpfilter verdicts match the real kernel (${NETNS_SKIP_REASON}, iptables)`, () => {
  it('own source passes strict and loose; a spoofed source passes only loose', () => {
    run(['ip', 'netns', 'add', N]);
    run(['ip', 'netns', 'add', P]);
    run(['ip', '-n', N, 'link', 'add', 'cali1', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', P]);
    // No dummy module here: eth0 is one end of a veth pair whose peer stays in the node.
    run(['ip', '-n', N, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0p']);
    for (const dev of ['lo', 'eth0', 'eth0p', 'cali1']) run(['ip', '-n', N, 'link', 'set', dev, 'up']);
    for (const dev of ['lo', 'eth0']) run(['ip', '-n', P, 'link', 'set', dev, 'up']);
    run(['ip', '-n', N, 'addr', 'add', '192.168.1.101/24', 'dev', 'eth0']);
    run(['ip', '-n', N, 'route', 'add', 'default', 'via', '192.168.1.1', 'dev', 'eth0']);
    run(['ip', '-n', N, 'route', 'add', '10.244.1.2/32', 'dev', 'cali1', 'scope', 'link']);
    for (const a of ['10.244.1.2/32', '10.244.1.9/32']) run(['ip', '-n', P, 'addr', 'add', a, 'dev', 'eth0']);
    run(['ip', '-n', P, 'route', 'add', 'default', 'dev', 'eth0', 'scope', 'link']);
    const mac = inN('cat', '/sys/class/net/cali1/address').trim();
    run(['ip', '-n', P, 'neigh', 'add', '8.8.8.8', 'lladdr', mac, 'dev', 'eth0']);
    const rules = [
      '*raw',
      ':PREROUTING ACCEPT [0:0]',
      '-A PREROUTING -s 10.244.1.2/32 -i cali1 -m rpfilter',
      '-A PREROUTING -s 10.244.1.9/32 -i cali1 -m rpfilter',
      '-A PREROUTING -s 10.244.1.2/32 -i cali1 -m rpfilter --loose',
      '-A PREROUTING -s 10.244.1.9/32 -i cali1 -m rpfilter --loose',
      '-A PREROUTING -i cali1 -j DROP',
      'COMMIT',
      '',
    ].join('\n');
    const r = spawnSync('ip', ['netns', 'exec', N, 'iptables-restore'], { input: rules, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    for (const src of ['10.244.1.2', '10.244.1.9']) spawnSync('ip', ['netns', 'exec', P, 'ping', '-c', '1', '-W', '0.2', '-I', src, '8.8.8.8'], { stdio: 'ignore' });
    const counters = inN('iptables-save', '-c', '-t', 'raw')
      .split('\n')
      .filter((l) => l.includes('-m rpfilter'))
      .map((l) => Number(/^\[(\d+):/.exec(l)?.[1] ?? -1) > 0);
    const rpf = model();
    const q = (src: string, loose: boolean) => rpf({ src: ipv4(src), dst: ipv4('8.8.8.8'), inDev: 'cali1', mark: 0, loose, acceptLocal: false });
    expect(counters).toEqual([q('10.244.1.2', false), q('10.244.1.9', false), q('10.244.1.2', true), q('10.244.1.9', true)]);
    expect(counters).toEqual([true, false, true, true]);
  });
});

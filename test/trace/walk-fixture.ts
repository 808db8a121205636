import { cidr, formatRouteDst } from '../../src/net/cidr.js';
import { formatIpv4, ipv4 } from '../../src/net/ipv4.js';
import { EMPTY_WORLD } from '../../src/kernel/ops.js';
import type { World } from '../../src/kernel/netns.js';
import type { Route } from '../../src/kernel/route.js';
import { programFlannel } from '../../src/controllers/cni/flannel/program.js';
import type { FlannelBackend } from '../../src/controllers/cni/flannel/config.js';
import { nodeNetns, podNetns } from '../../src/controllers/names.js';
import { buildUnderlay } from '../../src/topology/underlay.js';
import type { WalkEnv } from '../../src/trace/env.js';
import { netfilterHook } from '../../src/trace/netfilter-hook.js';

/** The seed case: node1 192.168.1.101 (10.244.1.0/24), node2 192.168.1.102 (10.244.2.0/24). */
export function twoNodeFlannel(backend: FlannelBackend = { type: 'vxlan', vni: 1, port: 0, directRouting: false, mtu: null }, node2Ip = '192.168.1.102'): World {
  const n2 = ipv4(node2Ip);
  const gw2 = ipv4(node2Ip.replace(/\.\d+$/, '.1'));
  let w = buildUnderlay(EMPTY_WORLD, [
    { name: 'node1', ip: ipv4('192.168.1.101'), prefix: 24, gateway: ipv4('192.168.1.1'), mtu: 1500 },
    { name: 'node2', ip: n2, prefix: 24, gateway: gw2, mtu: 1500 },
  ]);
  const r = programFlannel(w, {
    network: cidr('10.244.0.0/16'),
    backend,
    nodes: [
      { name: 'node1', netns: nodeNetns('node1'), ip: ipv4('192.168.1.101'), extIface: 'eth0', extMtu: 1500, subnet: cidr('10.244.1.0/24') },
      { name: 'node2', netns: nodeNetns('node2'), ip: n2, extIface: 'eth0', extMtu: 1500, subnet: cidr('10.244.2.0/24') },
    ],
    pods: [
      { namespace: 'default', name: 'pod-a', netns: podNetns('default', 'pod-a'), node: 'node1', ip: ipv4('10.244.1.2') },
      { namespace: 'default', name: 'pod-c', netns: podNetns('default', 'pod-c'), node: 'node1', ip: ipv4('10.244.1.3') },
      { namespace: 'default', name: 'pod-b', netns: podNetns('default', 'pod-b'), node: 'node2', ip: ipv4('10.244.2.2') },
    ],
  });
  w = r.world;
  return w;
}

function simpleRoute(r: Route): string {
  return `${r.type === 'unicast' ? '' : `${r.type} `}${formatRouteDst(r.dst)}${r.gateway !== null ? ` via ${formatIpv4(r.gateway)}` : ''}${r.dev ? ` dev ${r.dev}` : ''}`;
}

export function envFor(world: World): WalkEnv {
  return {
    world,
    label: (id) => ({ where: id, node: id.startsWith('node:') ? id.slice(5) : null }),
    runHook: netfilterHook,
    sockets: () => ({ kind: 'listening', what: 'test server' }),
    formatRoute: (_netns, r) => simpleRoute(r),
    maxHops: 256,
  };
}

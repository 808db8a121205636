import { formatCidr } from '../net/cidr.js';
import { formatIpv4 } from '../net/ipv4.js';
import type { Cluster } from '../cluster/cluster.js';
import { blocksOf } from '../cluster/calico-ipam.js';
import type { World } from '../kernel/netns.js';

/**
 * BIRD 2 for a Calico BGP lab: per node, a config shaped like calico-node's (confd's bird.cfg
 * templates, written here from their documented behaviour, not copied): router id and source
 * address = the node IP, AS from the header (default 64512), the node's IPAM blocks as static
 * blackhole routes (bird_aggr.cfg), exported to every peer; peers = the other nodes (full mesh)
 * or the route reflectors; `connect delay time 2` so a restart does not race the peer; learned
 * routes exported to the kernel table, where they appear as `proto bird`.
 */
export function birdConfig(cluster: Cluster, nodeName: string): string | null {
  const cni = cluster.header.cni;
  if (cni.kind !== 'calico' || cni.bgp === null) return null;
  const node = cluster.nodes.find((n) => n.name === nodeName);
  if (!node) throw new Error(`no node ${nodeName}`);
  const me = formatIpv4(node.ip);
  const blocks = cluster.calicoIpam ? blocksOf(cluster.calicoIpam, node.name) : [];
  const pool = formatCidr(cluster.header.podCIDR);
  const topo = cni.bgp.topology;
  const reflectors = topo.kind === 'route-reflectors' ? new Set(topo.reflectors) : null;
  const iAmReflector = reflectors?.has(node.name) ?? false;
  const peers = cluster.nodes.filter((n) => n.name !== node.name && (reflectors === null || iAmReflector || reflectors.has(n.name)));
  const lines = [
    `# BIRD 2 for node ${node.name}, as podnet's Calico model runs it (AS ${cni.bgp.asNumber}).`,
    `router id ${me};`,
    '',
    'protocol device { scan time 2; }',
    '',
    '# Connected networks, so BGP next hops on the node subnet resolve (`gateway recursive`).',
    'protocol direct { ipv4; interface -"cali*", "*"; }',
    '',
    '# The node\'s IPAM blocks, blackholed locally; more specific routes to its pods win.',
    'protocol static {',
    '  ipv4;',
    ...blocks.map((b) => `  route ${formatCidr(b)} blackhole;`),
    '}',
    '',
    '# Learn the kernel\'s routes (the default route resolves next hops behind a router); export',
    '# only what is static (own blocks) or learned over BGP, with no metric, as `proto bird`.',
    'protocol kernel {',
    '  ipv4 { import all; export filter { if source ~ [ RTS_STATIC, RTS_BGP ] then accept; reject; }; };',
    '  learn;',
    '  scan time 2;',
    '  metric 0;',
    '  merge paths on;',
    '}',
    '',
    `filter export_blocks { if net ~ [ ${pool}+ ] && source = RTS_STATIC then accept; reject; }`,
    '',
    'template bgp calico_peer {',
    `  local ${me} as ${cni.bgp.asNumber};`,
    '  ipv4 { import all; export filter export_blocks; gateway recursive; next hop self; };',
    '  connect delay time 2;',
    '  connect retry time 5;',
    '  error wait time 5, 30;',
    '}',
    '',
    ...peers.flatMap((p) => {
      const ip = formatIpv4(p.ip);
      const rr = iAmReflector && !(reflectors?.has(p.name) ?? false) ? ['  rr client;', ...(topo.kind === 'route-reflectors' ? [`  rr cluster id ${formatIpv4(topo.clusterId)};`] : [])] : [];
      return [`protocol bgp Node_${ip.replace(/\./g, '_')} from calico_peer {`, `  neighbor ${ip} as ${cni.bgp?.asNumber ?? 64512};`, ...rr, '}'];
    }),
  ];
  return `${lines.join('\n')}\n`;
}

/** The World without the routes BIRD installs (`proto bird`): in a lab with BIRD, BIRD puts them there. */
export function withoutBirdRoutes(world: World): World {
  return { netns: new Map([...world.netns].map(([id, ns]) => [id, { ...ns, routes: ns.routes.filter((r) => r.proto !== 'bird' && r.proto !== 12) }])) };
}

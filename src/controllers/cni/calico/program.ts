import { match } from 'ts-pattern';
import { cidrOf, formatCidr } from '../../../net/cidr.js';
import type { Cluster } from '../../../cluster/cluster.js';
import type { CalicoConfig } from '../../../cluster/header.js';
import type { Node } from '../../../cluster/node.js';
import { blocksOf, type CalicoIpam } from '../../../cluster/calico-ipam.js';
import { err, ok, type Result } from '../../../lib/result.js';
import type { World } from '../../../kernel/netns.js';
import { addRoute, setSysctl } from '../../../kernel/ops.js';
import { calicoBgpInput } from '../../bgp/calico-input.js';
import { simulateBgp } from '../../bgp/simulate.js';
import type { BgpBestRoute } from '../../bgp/types.js';
import type { ControllerEvent } from '../../events.js';
import { nodeNetns, podNetns } from '../../names.js';
import { birdKernelRoute, type BirdNode } from './bird-routes.js';
import { calicoPodMtu } from './mtu.js';
import { ensureIpipTunnel, ensureVxlanTunnel } from './tunnel.js';
import { programFelixVxlanRoutes, type VxlanNode } from './vxlan-routes.js';
import { attachCalicoWorkload } from './workload.js';
import { felixNodeInputs } from './felix-nodes.js';
import { programFelix } from './felix/program.js';
import { explainFelixDrop } from './felix/explain.js';
import { policyWorldFromCluster } from '../../../policy/cluster-input.js';

/** What running calico-node (Felix, BIRD, confd) and the Calico CNI plugin leaves behind. */
export interface CalicoResult {
  readonly world: World;
  readonly events: readonly ControllerEvent[];
}

/** Felix's rules, and what a DROP in one of its cali-* chains means (for traces). */
export interface FelixResult extends CalicoResult {
  /** The rule as iptables-save prints it, in a node's netns: null when it is not Felix's drop. */
  readonly explainRule: (netns: string, table: string, chain: string, ruleText: string) => string | null;
}

const BIRD = 'calico-node (bird)';

function nodeSubnet(n: Node) {
  return cidrOf(n.ip, n.subnetPrefix);
}

/** Felix's tunnel device per node: the address Calico IPAM allocated for it (ordinal 0 of the block). */
function programTunnels(world: World, c: Cluster, cni: CalicoConfig, ipam: CalicoIpam): Result<World, string> {
  let w = world;
  for (const n of c.nodes) {
    const tunnelAddress = ipam.tunnelAddresses.get(n.name);
    if (cni.mode === 'bgp') continue;
    if (tunnelAddress === undefined) return err(`node ${n.name} has no Calico tunnel address (it holds no IPAM block)`);
    const t = { name: n.name, netns: nodeNetns(n.name), ip: n.ip, tunnelAddress, mtu: calicoPodMtu(cni.mode, n.mtu) };
    w = cni.mode === 'ipip' ? ensureIpipTunnel(w, t) : ensureVxlanTunnel(w, t);
  }
  return ok(w);
}

/** BIRD on every node: simulate the BGP mesh to convergence, then install each node's best routes. */
function programBirdRoutes(world: World, c: Cluster, cni: CalicoConfig & { mode: 'bgp' | 'ipip' }, events: ControllerEvent[]): World {
  const input = calicoBgpInput(c);
  if (input === null) return world;
  const sim = simulateBgp(input, [], { recordTimeline: false });
  let w = world;
  for (const n of c.nodes) {
    const bird: BirdNode = { netns: nodeNetns(n.name), mode: cni.mode, crossSubnet: cni.crossSubnet, nodeSubnet: nodeSubnet(n), pools: [c.header.podCIDR], uplink: 'eth0' };
    const best: readonly BgpBestRoute[] = sim.finalRib.get(n.name) ?? [];
    for (const route of best) {
      const k = birdKernelRoute(w, bird, route);
      if (k.kind === 'unresolved') {
        events.push({ node: n.name, component: BIRD, level: 'warning', message: k.note });
        continue;
      }
      if (k.note !== null) events.push({ node: n.name, component: BIRD, level: 'warning', message: k.note });
      const r = addRoute(w, bird.netns, k.spec, 'replace');
      if (r.ok) w = r.value;
      else events.push({ node: n.name, component: BIRD, level: 'error', message: `Netlink: ${r.error.message} (${formatCidr(route.prefix)})`, request: r.error.request });
    }
  }
  return w;
}

function programVxlan(world: World, c: Cluster, cni: CalicoConfig, ipam: CalicoIpam, events: ControllerEvent[]): World {
  const nodes: VxlanNode[] = c.nodes.flatMap((n) => {
    const tunnelAddress = ipam.tunnelAddresses.get(n.name);
    return tunnelAddress === undefined ? [] : [{ name: n.name, netns: nodeNetns(n.name), ip: n.ip, subnet: nodeSubnet(n), tunnelAddress, blocks: blocksOf(ipam, n.name) }];
  });
  return nodes.reduce((w, n) => programFelixVxlanRoutes(w, n, nodes, cni.crossSubnet, events), world);
}

/**
 * Program every node of a Calico cluster: tunnel devices (Felix), pods (CNI plugin + Felix's
 * endpoint manager), then routes to other nodes' blocks: BIRD's in bgp and ipip modes, Felix's
 * in vxlan mode.
 */
export function programCalico(world: World, c: Cluster): Result<CalicoResult, string> {
  const cni = c.header.cni;
  if (cni.kind !== 'calico') throw new Error('programCalico needs a Calico cluster');
  const ipam = c.calicoIpam;
  if (ipam === null) throw new Error('a Calico cluster without Calico IPAM state');
  const events: ControllerEvent[] = [];
  // Felix: net.ipv4.ip_forward=1 on every host.
  let w = c.nodes.reduce((acc, n) => setSysctl(acc, nodeNetns(n.name), 'net.ipv4.ip_forward', '1'), world);
  const tunnels = programTunnels(w, c, cni, ipam);
  if (!tunnels.ok) return tunnels;
  w = tunnels.value;
  for (const p of c.pods) {
    if (p.hostNetwork) continue;
    const node = c.nodes.find((n) => n.name === p.nodeName);
    if (!node) throw new Error(`pod ${p.namespace}/${p.name} is on unknown node ${p.nodeName}`);
    w = attachCalicoWorkload(w, { namespace: p.namespace, name: p.name, podNetns: podNetns(p.namespace, p.name), nodeNetns: nodeNetns(node.name), ip: p.ip, mtu: calicoPodMtu(cni.mode, node.mtu) });
  }
  w = match(cni.mode)
    .with('bgp', 'ipip', (mode) => programBirdRoutes(w, c, { ...cni, mode }, events))
    .with('vxlan', () => programVxlan(w, c, cni, ipam, events))
    .exhaustive();
  return ok({ world: w, events });
}

/**
 * Felix's iptables and ip sets on every node (policy, natOutgoing, tunnel accept rules, raw
 * NOTRACK). Run after kube-proxy: Felix keeps its jumps at the top of the built-in chains.
 */
export function programCalicoFelix(world: World, c: Cluster): Result<FelixResult, string> {
  const cni = c.header.cni;
  if (cni.kind !== 'calico') throw new Error('programCalicoFelix needs a Calico cluster');
  const policy = policyWorldFromCluster(c);
  const events: ControllerEvent[] = [];
  let w = world;
  const inputs = felixNodeInputs(c, cni, policy);
  for (const input of inputs) {
    const r = programFelix(w, input);
    if (!r.ok) return err(`Felix on ${input.node}: ${r.error}`);
    w = r.value.world;
    events.push(...r.value.events);
  }
  const byNetns = new Map(inputs.map((i) => [i.netns, i]));
  const explainRule = (netns: string, table: string, chain: string, ruleText: string): string | null => {
    const input = byNetns.get(netns);
    if (!input || table !== 'filter' || !chain.startsWith('cali-')) return null;
    return explainFelixDrop({ chain, text: ruleText }, input)?.text ?? null;
  };
  return ok({ world: w, events, explainRule });
}

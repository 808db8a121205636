import { createHash } from 'node:crypto';
import { parseAllDocuments } from 'yaml';
import type { CalicoMode } from '../../../../../src/cluster/header.js';
import type { NetworkPolicy } from '../../../../../src/cluster/network-policy.js';
import { cidr } from '../../../../../src/net/cidr.js';
import { addAddr, addLink, addNetns } from '../../../../../src/kernel/ops.js';
import type { World } from '../../../../../src/kernel/netns.js';
import { networkPolicyFromManifest } from '../../../../../src/policy/manifest.js';
import type { PolicyPod, PolicyWorld } from '../../../../../src/policy/model.js';
import type { FelixNodeInput } from '../../../../../src/controllers/cni/calico/felix/input.js';
import { programFelix } from '../../../../../src/controllers/cni/calico/felix/program.js';
import { unwrap } from '../../../../../src/lib/result.js';

/** The host-side interface name Calico's CNI gives a pod: `cali` + sha1("<ns>.<pod>")[:11]. */
export function caliIface(ns: string, pod: string): string {
  return `cali${createHash('sha1').update(`${ns}.${pod}`).digest('hex').slice(0, 11)}`;
}

export function policiesFromYaml(text: string): NetworkPolicy[] {
  return parseAllDocuments(text)
    .map((d) => d.toJSON() as unknown)
    .filter((o) => o !== null)
    .map((o) => unwrap(networkPolicyFromManifest(o, { file: 'test.yaml', line: 1, col: 1 })));
}

export const POOL = cidr('10.244.0.0/16');

/** What the Calico controller would hand Felix for one node of a PolicyWorld. */
export function nodeInput(world: PolicyWorld, node: string, mode: CalicoMode = 'ipip'): FelixNodeInput {
  const n = world.nodes.find((x) => x.name === node);
  if (!n) throw new Error(`no node ${node}`);
  const local = world.pods.filter((p: PolicyPod) => p.nodeName === node && !p.hostNetwork);
  return {
    node,
    netns: `node:${node}`,
    nodeIp: n.ip,
    workloads: local.map((p) => ({ namespace: p.namespace, name: p.name, ip: p.ip, iface: caliIface(p.namespace, p.name), serviceAccount: 'default' })),
    allHostIps: world.nodes.map((x) => x.ip),
    pools: [POOL],
    natOutgoing: true,
    mode,
    crossSubnet: false,
    policy: world,
  };
}

/** A World with one netns per node (eth0 with the node IP) and Felix programmed on each. */
export function felixWorld(world: PolicyWorld, mode: CalicoMode = 'ipip'): World {
  let w: World = { netns: new Map() };
  for (const n of world.nodes) {
    w = addNetns(w, `node:${n.name}`);
    w = addLink(w, `node:${n.name}`, { name: 'eth0', kind: { type: 'dummy' }, mtu: 1500, mac: null });
    w = addAddr(w, `node:${n.name}`, 'eth0', n.ip, 24, { scope: 'global', broadcast: null });
  }
  for (const n of world.nodes) w = unwrap(programFelix(w, nodeInput(world, n.name, mode))).world;
  return w;
}

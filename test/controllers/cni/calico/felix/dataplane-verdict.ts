import type { CalicoMode } from '../../../../../src/cluster/header.js';
import { tupleOfPacket } from '../../../../../src/kernel/conntrack/tuple.js';
import { newConnection } from '../../../../../src/kernel/netfilter/ct-info.js';
import { evaluateHook, type HookOutcome } from '../../../../../src/kernel/netfilter/evaluate.js';
import { localAddrOracle, packetFromSpec } from '../../../../../src/kernel/netfilter/trace.js';
import { getNetns, type World } from '../../../../../src/kernel/netns.js';
import type { PolicyPod, PolicyWorld, Traffic } from '../../../../../src/policy/model.js';
import { explainFelixDrop } from '../../../../../src/controllers/cni/calico/felix/explain.js';
import { caliIface, nodeInput } from './helpers.js';

/**
 * The verdict of the rendered data plane on a connection's first packet: FORWARD on the source
 * node (in from the source pod's cali interface) and FORWARD on the destination node (out to the
 * destination's cali interface); on one node both interfaces are on the same FORWARD pass.
 */

const TUNNEL: Record<CalicoMode, string> = { ipip: 'tunl0', vxlan: 'vxlan.calico', bgp: 'eth0' };

export interface DataplaneVerdict {
  readonly allowed: boolean;
  /** The node and rule that dropped the packet; explain it with {@link whyDropped}. */
  readonly drop: { readonly node: string; readonly chain: string; readonly text: string } | null;
}

function forward(w: World, world: PolicyWorld, node: string, packet: ReturnType<typeof packetFromSpec>, inDev: string, outDev: string): HookOutcome {
  const ns = getNetns(w, `node:${node}`);
  const nodeIp = world.nodes.find((n) => n.name === node)?.ip;
  const outcomes = evaluateHook(ns.netfilter, {
    hook: 'FORWARD',
    packet,
    inDev,
    outDev,
    physdev: null,
    mark: 0,
    ct: newConnection(tupleOfPacket(packet)),
    addrType: localAddrOracle(nodeIp === undefined ? [] : [nodeIp]),
    ipsets: ns.ipsets,
  });
  if (outcomes.length !== 1 || !outcomes[0]) throw new Error(`expected one outcome, got ${outcomes.length}`);
  return outcomes[0];
}

export function dataplaneVerdict(w: World, world: PolicyWorld, mode: CalicoMode, src: PolicyPod, dst: PolicyPod, traffic: Traffic): DataplaneVerdict {
  const packet = packetFromSpec(
    traffic.kind === 'icmp'
      ? { src: src.ip, dst: dst.ip, proto: 'icmp' }
      : { src: src.ip, dst: dst.ip, proto: traffic.protocol === 'UDP' ? 'udp' : 'tcp', sport: 40000, dport: traffic.port },
  );
  const srcIf = caliIface(src.namespace, src.name);
  const dstIf = caliIface(dst.namespace, dst.name);
  const hops: [string, string, string][] = src.nodeName === dst.nodeName ? [[src.nodeName, srcIf, dstIf]] : [[src.nodeName, srcIf, TUNNEL[mode]], [dst.nodeName, TUNNEL[mode], dstIf]];
  for (const [node, inDev, outDev] of hops) {
    const o = forward(w, world, node, packet, inDev, outDev);
    if (o.verdict.kind !== 'accept') {
      return { allowed: false, drop: { node, chain: o.verdict.rule.chain, text: o.verdict.rule.text } };
    }
  }
  return { allowed: true, drop: null };
}

/** Felix's explanation of a drop (or the rule itself when it is not Felix's). */
export function whyDropped(v: DataplaneVerdict, world: PolicyWorld, mode: CalicoMode): string {
  if (!v.drop) return 'accepted';
  const e = explainFelixDrop(v.drop, nodeInput(world, v.drop.node, mode));
  return `${v.drop.node}: ${e?.text ?? v.drop.text}`;
}

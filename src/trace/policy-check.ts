import { match } from 'ts-pattern';
import type { Cluster } from '../cluster/cluster.js';
import { policyEnforcement } from '../policy/enforcement.js';
import { evaluateAddresses } from '../policy/evaluate.js';
import { indexWorld, type Traffic } from '../policy/model.js';
import { policyWorldFromCluster } from '../policy/cluster-input.js';
import { verdictSummary } from '../policy/describe.js';
import type { FlowKind, FlowOutcome } from './flow.js';

/** What NetworkPolicy says of a traced flow, judged on the pod IP and port after DNAT. */
export interface PolicyCheck {
  readonly enforced: boolean;
  /** Why (not) enforced, e.g. "Flannel does not enforce NetworkPolicy: ...". */
  readonly note: string;
  readonly allowed: boolean;
  readonly summary: string;
}

function trafficOf(kind: FlowKind): Traffic {
  return match(kind)
    .with({ proto: 'icmp' }, (): Traffic => ({ kind: 'icmp' }))
    .with({ proto: 'tcp' }, (k): Traffic => ({ kind: 'l4', protocol: 'TCP', port: k.dport }))
    .with({ proto: 'udp' }, (k): Traffic => ({ kind: 'l4', protocol: 'UDP', port: k.dport }))
    .exhaustive();
}

/**
 * The policy verdict for a flow that reached its destination. Services are judged after DNAT, on
 * the endpoint the packet arrived at (its address and port as delivered), as kube-proxy and every
 * policy implementation do. Null when the request never arrived or the cluster has no policies.
 */
export function checkPolicy(cluster: Cluster, kind: FlowKind, o: FlowOutcome): PolicyCheck | null {
  if (cluster.networkPolicies.length === 0) return null;
  const sent = o.request.steps.find((s) => s.stage === 'send')?.packet;
  const arrived = o.request.packet;
  if (o.request.disposition.kind !== 'DELIVERED' || !sent || !arrived) return null;
  const world = policyWorldFromCluster(cluster);
  const dport = arrived.payload.kind === 'tcp' || arrived.payload.kind === 'udp' ? arrived.payload.dport : null;
  const traffic = dport === null ? trafficOf(kind) : match(trafficOf(kind)).with({ kind: 'l4' }, (t): Traffic => ({ ...t, port: dport })).otherwise((t) => t);
  const v = evaluateAddresses(indexWorld(world), sent.header.src, arrived.header.dst, traffic);
  const e = policyEnforcement(cluster.header.cni);
  return { enforced: e.enforced, note: e.note, allowed: v.allowed, summary: verdictSummary(v) };
}

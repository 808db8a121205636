import { match } from 'ts-pattern';
import type { CniConfig } from '../cluster/header.js';

/**
 * Whether the cluster's CNI enforces NetworkPolicy at all. Flannel has no policy engine: its
 * own docs point at Calico (Canal) or kube-router for that, so on a Flannel cluster every
 * NetworkPolicy is stored by the API server and ignored by the data path.
 */
export interface PolicyEnforcement {
  readonly enforced: boolean;
  /** A sentence for trace/explain output. */
  readonly note: string;
}

export function policyEnforcement(cni: CniConfig): PolicyEnforcement {
  return match(cni)
    .with({ kind: 'flannel' }, () => ({
      enforced: false,
      note: 'Flannel does not enforce NetworkPolicy: the policies are stored but nothing in the data path applies them (use Calico, or Canal = Flannel + Calico policy)',
    }))
    .with({ kind: 'calico' }, () => ({ enforced: true, note: 'Calico (Felix) enforces NetworkPolicy in iptables on every node' }))
    .exhaustive();
}

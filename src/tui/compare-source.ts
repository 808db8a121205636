import { err, ok, type Result } from '../lib/result.js';
import type { Cluster } from '../cluster/cluster.js';
import type { CniConfig, CniKind } from '../cluster/header.js';
import type { System } from '../topology/system.js';
import type { TraceRequest, TraceRun } from '../trace/run.js';
import type { Loaded, TraceQuery, TuiDeps } from './model.js';

/**
 * The compare view's input: the same flow traced on several systems. Anything that can produce
 * (label, TraceRun) pairs can feed the view; when `podnet compare` lands, wire its result in
 * through `TuiDeps.compare` and this file's builder becomes one such source.
 */
export interface CompareColumn {
  /** e.g. "flannel vxlan, kube-proxy iptables". */
  readonly label: string;
  readonly run: Result<TraceRun, string>;
  /** Labels netns ids of this column's system. */
  readonly where: (netns: string) => string;
}

export interface CniVariant {
  readonly label: string;
  /** The cluster run with this CNI, or why it cannot be. */
  readonly cluster: Result<Cluster, string>;
}

function cniLabel(c: CniConfig): string {
  return c.kind === 'flannel' ? `flannel ${c.backend.type}` : `calico ${c.mode}${c.crossSubnet ? ' crossSubnet' : ''}`;
}

const withCni = (c: Cluster, cni: CniConfig): Cluster => ({ ...c, header: { ...c.header, cni } });

/**
 * The CNIs worth comparing against the topology's own: flannel's backends and calico's modes.
 * `forCni` re-reads the topology for another CNI (its IPAM differs: Calico allocates pod
 * addresses from blocks); without it the header's CNI block is swapped, with that CNI's defaults.
 */
export function cniVariants(cluster: Cluster, forCni?: (cni: CniKind) => Result<Cluster, string>): CniVariant[] {
  const own = cluster.header.cni;
  const bgp = { asNumber: 64512, topology: { kind: 'full-mesh' as const } };
  const base = (kind: CniKind, fallback: CniConfig): Result<Cluster, string> =>
    own.kind === kind ? ok(cluster) : forCni ? forCni(kind) : ok(withCni(cluster, fallback));
  const flannel = base('flannel', { kind: 'flannel', backend: { type: 'vxlan', vni: 1, port: 0, directRouting: false, mtu: null } });
  const calico = base('calico', { kind: 'calico', mode: 'bgp', crossSubnet: false, bgp, blockSize: 26, natOutgoing: true });
  const flannelWith = (backend: 'vxlan' | 'host-gw'): CniVariant => {
    const label = `flannel ${backend}`;
    if (!flannel.ok) return { label, cluster: flannel };
    const cur = flannel.value.header.cni;
    if (cur.kind === 'flannel' && cur.backend.type === backend) return { label, cluster: flannel };
    const b = backend === 'host-gw' ? { type: 'host-gw' as const } : { type: 'vxlan' as const, vni: 1, port: 0, directRouting: false, mtu: null };
    return { label, cluster: ok(withCni(flannel.value, { kind: 'flannel', backend: b })) };
  };
  const calicoWith = (mode: 'bgp' | 'ipip' | 'vxlan'): CniVariant => {
    const label = `calico ${mode}`;
    if (!calico.ok) return { label, cluster: calico };
    const cur = calico.value.header.cni;
    const c = cur.kind === 'calico' ? cur : { kind: 'calico' as const, mode: 'bgp' as const, crossSubnet: false, bgp, blockSize: 26, natOutgoing: true };
    if (c.mode === mode) return { label: cniLabel(c), cluster: ok(withCni(calico.value, c)) };
    return { label, cluster: ok(withCni(calico.value, { ...c, mode, crossSubnet: mode === 'bgp' ? false : c.crossSubnet, bgp: mode === 'vxlan' ? null : (c.bgp ?? bgp) })) };
  };
  const all: CniVariant[] = [{ label: cniLabel(own), cluster: ok(cluster) }, flannelWith('vxlan'), flannelWith('host-gw'), calicoWith('bgp'), calicoWith('ipip'), calicoWith('vxlan')];
  const seen = new Set<string>();
  return all.filter((v) => (seen.has(v.label) ? false : (seen.add(v.label), true)));
}

/**
 * A compare source that builds the topology once per CNI and traces the same request in each.
 * Variants that cannot be built (a CNI not modelled yet) come back as error columns, last.
 */
export function compareByCni(build: (c: Cluster) => Result<System, string>, trace: TuiDeps['trace']): NonNullable<TuiDeps['compare']> {
  return (loaded: Loaded, _query: TraceQuery, request: TraceRequest) => {
    const cluster = loaded.cluster;
    if (!cluster) return err('comparing CNIs needs the topology\'s Kubernetes objects; this view was given a System only');
    const good: CompareColumn[] = [];
    const bad: CompareColumn[] = [];
    for (const v of cniVariants(cluster, loaded.reparse)) {
      const built = v.cluster.ok ? build(v.cluster.value) : v.cluster;
      if (!built.ok) {
        bad.push({ label: v.label, run: err(built.error), where: (id) => id });
        continue;
      }
      const sys = built.value;
      good.push({ label: v.label, run: trace(sys, request), where: (id) => sys.netns.get(id)?.where ?? id });
    }
    return ok([...good, ...bad]);
  };
}

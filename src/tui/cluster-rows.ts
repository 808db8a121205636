import { formatCidr } from '../net/cidr.js';
import { formatIpv4 } from '../net/ipv4.js';
import type { Loaded, Target } from './model.js';

/**
 * The cluster view as rows: headings and entries. Entries that can be traced to or from carry a
 * target, and the view's cursor moves over those.
 */
export type ClusterRow =
  | { readonly kind: 'heading'; readonly text: string }
  | { readonly kind: 'sub'; readonly text: string }
  | { readonly kind: 'entry'; readonly cells: readonly string[]; readonly style: 'node' | 'pod' | 'svc' | 'plain'; readonly target: Target | null; readonly source: boolean };

export function clusterRows(loaded: Loaded): ClusterRow[] {
  const { system, cluster } = loaded;
  const rows: ClusterRow[] = [];
  const infos = [...system.netns.values()];
  rows.push({ kind: 'heading', text: 'Nodes' });
  const nodeInfos = infos.filter((i) => i.role.kind === 'node');
  for (const i of nodeInfos) {
    if (i.role.kind !== 'node') continue;
    const name = i.role.node;
    const n = cluster?.nodes.find((x) => x.name === name);
    const cells = n
      ? [name, `${formatIpv4(n.ip)}/${n.subnetPrefix}`, `podCIDR ${n.podCIDR ? formatCidr(n.podCIDR) : '-'}`, `gw ${formatIpv4(n.gateway)}`, `mtu ${n.mtu}`]
      : [name, i.ip ? formatIpv4(i.ip) : '-'];
    rows.push({ kind: 'entry', cells, style: 'node', target: { kind: 'node', text: `node/${name}`, group: 'nodes', detail: i.ip ? formatIpv4(i.ip) : '', suggest: null }, source: true });
  }
  rows.push({ kind: 'heading', text: 'Pods (by node and namespace)' });
  const byNode = new Map<string, Map<string, { name: string; ip: string; host: boolean }[]>>();
  const add = (node: string, ns: string, name: string, ip: string, host: boolean): void => {
    const m = byNode.get(node) ?? new Map<string, { name: string; ip: string; host: boolean }[]>();
    m.set(ns, [...(m.get(ns) ?? []), { name, ip, host }]);
    byNode.set(node, m);
  };
  if (cluster) {
    for (const p of cluster.pods) add(p.nodeName, p.namespace, p.name, formatIpv4(p.ip), p.hostNetwork);
  } else {
    for (const i of infos) if (i.role.kind === 'pod') add(i.role.node, i.role.namespace, i.role.name, i.ip ? formatIpv4(i.ip) : '-', false);
  }
  const nodeOrder = [...nodeInfos.map((i) => (i.role.kind === 'node' ? i.role.node : '')), ...[...byNode.keys()].sort()].filter((v, k, a) => a.indexOf(v) === k);
  for (const node of nodeOrder) {
    const nss = byNode.get(node);
    if (!nss) continue;
    rows.push({ kind: 'sub', text: node });
    for (const ns of [...nss.keys()].sort()) {
      for (const p of (nss.get(ns) ?? []).sort((a, b) => a.name.localeCompare(b.name))) {
        rows.push({
          kind: 'entry',
          cells: [ns, p.name, p.ip, p.host ? 'hostNetwork' : ''],
          style: 'pod',
          // hostNetwork pods share the node's netns; the trace runner resolves them to it.
          target: { kind: 'pod', text: `${ns}/${p.name}`, group: `pods on ${node}`, detail: p.ip, suggest: null },
          source: true,
        });
      }
    }
  }
  rows.push({ kind: 'heading', text: 'Services' });
  if (!cluster) rows.push({ kind: 'sub', text: '(not known: the view was given a System without its Kubernetes objects)' });
  for (const s of cluster?.services ?? []) {
    if (!cluster) break;
    const ip = s.clusterIP === 'None' ? 'None' : formatIpv4(s.clusterIP);
    const ports = s.ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol}${String(p.targetPort) !== String(p.port) ? `->${p.targetPort}` : ''}`).join(',');
    const eps = cluster.endpointSlices.filter((e) => e.namespace === s.namespace && e.serviceName === s.name).reduce((n, e) => n + e.endpoints.filter((x) => x.conditions.ready).length, 0);
    const first = s.ports.find((p) => p.protocol !== 'SCTP');
    const usable = s.clusterIP !== 'None' && s.type !== 'ExternalName';
    rows.push({
      kind: 'entry',
      cells: [`${s.namespace}/${s.name}`, s.type, ip, ports || '-', `${eps} endpoint${eps === 1 ? '' : 's'}`],
      style: 'svc',
      target: usable
        ? { kind: 'service', text: `svc/${s.namespace}/${s.name}`, group: 'services', detail: ip, suggest: first ? { proto: first.protocol === 'UDP' ? 'udp' : 'tcp', port: first.port } : null }
        : null,
      source: false,
    });
  }
  return rows;
}

/** Indexes of the rows the cursor can sit on. */
export function selectableRows(rows: readonly ClusterRow[]): number[] {
  return rows.flatMap((r, i) => (r.kind === 'entry' && r.target ? [i] : []));
}

import { Command } from 'commander';
import { match } from 'ts-pattern';
import type { Cluster } from '../../cluster/cluster.js';
import { describeSelectorFailures, formatSelector } from '../../cluster/label-selector.js';
import { PROTOCOLS, type Protocol } from '../../cluster/meta.js';
import type { PolicyType } from '../../cluster/network-policy.js';
import { err, ok, type Result } from '../../lib/result.js';
import { cidrContains, formatCidr } from '../../net/cidr.js';
import { formatIpv4, parseIpv4 } from '../../net/ipv4.js';
import { policyWorldFromCluster } from '../../policy/cluster-input.js';
import {
  describeDecision,
  describePeer,
  describePeerResult,
  describePolicyTypes,
  describePort,
  describePortResult,
  policyAt,
  policyName,
  policyWarnings,
} from '../../policy/describe.js';
import { policyEnforcement } from '../../policy/enforcement.js';
import { evaluate, type DirectionVerdict, type PolicyReport, type RuleReport, type Verdict } from '../../policy/evaluate.js';
import { cellOf, computeMatrix, type MatrixCell, type PolicyMatrix } from '../../policy/matrix.js';
import {
  endpointForIp,
  endpointName,
  indexWorld,
  podKey,
  trafficText,
  UPSTREAM_SEMANTICS,
  type PolicyEndpoint,
  type PolicyIndex,
  type PolicyPod,
  type PolicySemantics,
  type Traffic,
} from '../../policy/model.js';
import { serviceTargets, type ServiceTargets } from '../../policy/service.js';
import { loadTopology } from '../../topology/load.js';
import { inputErrorToUsage, UsageError } from '../exit.js';

/**
 * `podnet policy explain` and `podnet policy matrix`: what NetworkPolicy means for a
 * connection, and for every pod pair. The formatting functions are pure (lines in, lines out);
 * only the command actions write to stdout.
 */

// ---------------------------------------------------------------------------------------------
// Options

export interface SemanticsFlags {
  readonly ipblockIgnoresPods?: boolean;
  readonly nodeLocalEgress?: boolean;
  readonly hostNetworkSelectable?: boolean;
  readonly cyclonusNotin?: boolean;
  readonly loopbackAllowed?: boolean;
}

export interface ExplainOptions extends SemanticsFlags {
  readonly from: string;
  readonly to: string;
  readonly json?: boolean;
}

export interface MatrixOptions extends SemanticsFlags {
  readonly port?: string;
  readonly namespace?: string;
  readonly json?: boolean;
  readonly csv?: boolean;
}

export function semanticsFrom(f: SemanticsFlags): PolicySemantics {
  return {
    ipBlockMatchesPodIPs: !(f.ipblockIgnoresPods ?? false),
    nodeLocalEgressAllowed: f.nodeLocalEgress ?? UPSTREAM_SEMANTICS.nodeLocalEgressAllowed,
    hostNetworkPodsSelectable: f.hostNetworkSelectable ?? UPSTREAM_SEMANTICS.hostNetworkPodsSelectable,
    notInMatchesMissingKey: !(f.cyclonusNotin ?? false),
    loopback: f.loopbackAllowed ? 'allowed' : UPSTREAM_SEMANTICS.loopback,
  };
}

/** The switches that differ from the upstream e2e semantics, in words (empty when none). */
export function semanticsNotes(s: PolicySemantics): string[] {
  const out: string[] = [];
  if (!s.ipBlockMatchesPodIPs) out.push('ipBlock does not match pod IPs (Cilium, netpol-analyzer)');
  if (s.nodeLocalEgressAllowed) out.push("egress to the pod's own node is always allowed");
  if (s.hostNetworkPodsSelectable) out.push('hostNetwork pods are selected like other pods');
  if (!s.notInMatchesMissingKey) out.push('NotIn requires the key (cyclonus engine)');
  if (s.loopback === 'allowed') out.push('a pod talking to itself is never policed');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing endpoints and traffic

const PROTO_NAMES: Readonly<Record<string, Protocol>> = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' };

/** `80`, `80/tcp`, `53/UDP`. */
export function parsePortSpec(text: string): Result<Traffic, string> {
  const m = /^(\d+)(?:\/([A-Za-z]+))?$/.exec(text.trim());
  if (!m || m[1] === undefined) return err(`"${text}" is not a port; expected PORT or PORT/PROTO, e.g. 80/tcp or 53/udp`);
  const port = Number(m[1]);
  if (port < 1 || port > 65535) return err(`port ${port} in "${text}": expected 1 to 65535`);
  const protocol = m[2] === undefined ? 'TCP' : PROTO_NAMES[m[2].toLowerCase()];
  if (protocol === undefined) return err(`protocol "${m[2] ?? ''}" in "${text}": expected tcp, udp or sctp`);
  return ok({ kind: 'l4', protocol, port });
}

/** `--to DST:PORT[/PROTO]`; a DST without a port means ICMP. */
export function splitTarget(text: string): Result<{ endpoint: string; traffic: Traffic }, string> {
  const m = /^(.*):(\d+(?:\/[A-Za-z]+)?)$/.exec(text);
  if (!m || m[1] === undefined || m[2] === undefined) return ok({ endpoint: text, traffic: { kind: 'icmp' } });
  const t = parsePortSpec(m[2]);
  return t.ok ? ok({ endpoint: m[1], traffic: t.value }) : t;
}

export type TargetSpec =
  | { readonly kind: 'endpoint'; readonly endpoint: PolicyEndpoint }
  | { readonly kind: 'service'; readonly namespace: string; readonly name: string };

function knownPods(index: PolicyIndex): string {
  const names = index.world.pods.map(podKey);
  return names.length > 12 ? `${names.slice(0, 12).join(', ')}, ... (${names.length} pods)` : names.join(', ') || 'none';
}

/** `NS/POD`, `POD` (namespace default), `node/NAME`, an IPv4 address, or (as a destination) `svc/NS/NAME`. */
export function parseTarget(index: PolicyIndex, text: string, allowService: boolean): Result<TargetSpec, string> {
  if (text.startsWith('svc/')) {
    if (!allowService) return err(`"${text}": a Service cannot be a source; name a pod, node/NAME or an IP`);
    const parts = text.slice(4).split('/');
    if (parts.length === 2 && parts[0] && parts[1]) return ok({ kind: 'service', namespace: parts[0], name: parts[1] });
    if (parts.length === 1 && parts[0]) return ok({ kind: 'service', namespace: 'default', name: parts[0] });
    return err(`"${text}": expected svc/NS/NAME`);
  }
  if (text.startsWith('node/')) {
    const name = text.slice(5);
    const node = index.nodesByName.get(name);
    if (!node) return err(`no node ${name}; nodes: ${index.world.nodes.map((n) => n.name).join(', ') || 'none'}`);
    return ok({ kind: 'endpoint', endpoint: { kind: 'node', node } });
  }
  const ip = parseIpv4(text);
  if (ip.ok) return ok({ kind: 'endpoint', endpoint: endpointForIp(index, ip.value) });
  const parts = text.split('/');
  const [ns, name] = parts.length === 2 ? parts : ['default', parts[0]];
  if (parts.length > 2 || !ns || !name) return err(`"${text}" is not an endpoint; expected NS/POD, node/NAME, an IPv4 address${allowService ? ' or svc/NS/NAME' : ''}`);
  const pod = index.podsByKey.get(`${ns}/${name}`);
  if (!pod) return err(`no pod ${ns}/${name}; pods: ${knownPods(index)}`);
  return ok({ kind: 'endpoint', endpoint: { kind: 'pod', pod } });
}

// ---------------------------------------------------------------------------------------------
// explain: the model of the answer

export interface ExplainResult {
  readonly from: PolicyEndpoint;
  readonly to: string;
  readonly traffic: Traffic;
  /** Set when the destination is a Service: what kube-proxy DNATs it to. */
  readonly service: ServiceTargets | null;
  /** One per destination (per backend for a Service). */
  readonly verdicts: readonly Verdict[];
  readonly semantics: PolicySemantics;
  /** Whether the cluster's CNI enforces policy; null when the file had no header (no CNI chosen). */
  readonly enforcement: { readonly enforced: boolean; readonly note: string } | null;
  /** Remarks about the endpoints (e.g. a ClusterIP nobody owns). */
  readonly notes: readonly string[];
}

export function explain(cluster: Cluster, index: PolicyIndex, fromText: string, toText: string): Result<ExplainResult, string> {
  const from = parseTarget(index, fromText, false);
  if (!from.ok) return err(`--from: ${from.error}`);
  const target = splitTarget(toText);
  if (!target.ok) return err(`--to: ${target.error}`);
  const parsed = parseTarget(index, target.value.endpoint, true);
  if (!parsed.ok) return err(`--to: ${parsed.error}`);
  // A ClusterIP is a Service: NetworkPolicy sees its backends after DNAT.
  const to = match(parsed.value)
    .with({ kind: 'endpoint', endpoint: { kind: 'external' } }, (t): Result<TargetSpec, string> => {
      const ip = t.endpoint.ip;
      const svc = cluster.services.find((s) => s.clusterIP !== 'None' && s.clusterIP === ip);
      return ok(svc ? { kind: 'service', namespace: svc.namespace, name: svc.name } : t);
    })
    .otherwise((t): Result<TargetSpec, string> => ok(t));
  if (!to.ok) return err(`--to: ${to.error}`);
  const src = from.value.kind === 'endpoint' ? from.value.endpoint : null;
  if (src === null) return err('--from: a Service cannot be a source');
  const traffic = target.value.traffic;
  const enforcement = cluster.header.source === null ? null : policyEnforcement(cluster.header.cni);
  const notes = to.value.kind === 'endpoint' ? [serviceCidrNote(cluster, to.value.endpoint)].filter((x): x is string => x !== null) : [];
  const base = { from: src, to: toText, traffic, semantics: index.semantics, enforcement, notes };
  return match(to.value)
    .with({ kind: 'endpoint' }, (t): Result<ExplainResult, string> => ok({ ...base, service: null, verdicts: [evaluate(index, { src, dst: t.endpoint, traffic })] }))
    .with({ kind: 'service' }, (t): Result<ExplainResult, string> => {
      if (traffic.kind !== 'l4') return err(`--to ${toText}: a Service needs a port: svc/${t.namespace}/${t.name}:PORT[/PROTO]`);
      const targets = serviceTargets(cluster, index.world.pods, t.namespace, t.name, traffic.port, traffic.protocol);
      if (!targets.ok) return err(`--to: ${targets.error}`);
      const verdicts = targets.value.backends.map((b) => evaluate(index, { src, dst: { kind: 'pod', pod: b.pod }, traffic: { kind: 'l4', protocol: traffic.protocol, port: b.port } }));
      return ok({ ...base, service: targets.value, verdicts });
    })
    .exhaustive();
}

// ---------------------------------------------------------------------------------------------
// explain: text

function endpointLabel(ep: PolicyEndpoint): string {
  return match(ep)
    .with({ kind: 'pod' }, ({ pod }) => `${podKey(pod)} (${formatIpv4(pod.ip)}${pod.hostNetwork ? ', hostNetwork' : ''} on ${pod.nodeName})`)
    .with({ kind: 'node' }, ({ node }) => `node ${node.name} (${formatIpv4(node.ip)})`)
    .with({ kind: 'external' }, ({ ip }) => `${formatIpv4(ip)} (outside the cluster)`)
    .exhaustive();
}

/** An address in the service CIDR that no Service has: nothing DNATs it, nothing answers. */
function serviceCidrNote(cluster: Cluster, ep: PolicyEndpoint): string | null {
  if (ep.kind !== 'external' || !cidrContains(cluster.header.serviceCIDR, ep.ip)) return null;
  return `note: ${formatIpv4(ep.ip)} is in the service CIDR ${formatCidr(cluster.header.serviceCIDR)} but no Service has it; NetworkPolicy would judge the backend pod a ClusterIP is DNATed to, never the ClusterIP itself`;
}

const dirWord = (d: PolicyType): string => (d === 'Egress' ? 'egress' : 'ingress');
const peersWord = (d: PolicyType): string => (d === 'Egress' ? 'to' : 'from');

function ruleStatus(r: RuleReport): string {
  if (r.matched) return 'MATCH';
  if (!r.peerMatched && !r.portMatched) return 'no match: neither a peer nor a port matches';
  return r.peerMatched ? 'no match: the peer matches but no port does' : 'no match: no peer matches';
}

function ruleLines(r: RuleReport, v: DirectionVerdict, indent: string): string[] {
  const pw = peersWord(v.direction);
  const out = [`${indent}${dirWord(v.direction)}[${r.index}] (${r.rule.source.file}:${r.rule.source.line}): ${ruleStatus(r)}`];
  const inner = `${indent}  `;
  if (r.peers.length === 0) out.push(`${inner}${pw}: any ${v.direction === 'Egress' ? 'destination' : 'source'} (no "${pw}": every pod and every IP)`);
  for (const p of r.peers) out.push(`${inner}${pw}[${p.index}] ${describePeer(p.peer)}: ${p.matched ? 'yes' : 'no'} - ${describePeerResult(p.result, v.remote)}`);
  if (r.ports.length === 0) out.push(`${inner}ports: any (no "ports": every port and protocol)`);
  for (const p of r.ports) out.push(`${inner}ports[${p.index}] ${describePort(p.port)}: ${p.matched ? 'yes' : 'no'} - ${describePortResult(p.result)}`);
  return out;
}

function policyLines(p: PolicyReport, v: DirectionVerdict, indent: string): string[] {
  const subject = endpointName(v.subject);
  const head = `${indent}${policyName(p.policy)} (${policyAt(p.policy)})`;
  if (!p.selection.matched) {
    return [`${head} does not select ${subject}: podSelector ${formatSelector(p.policy.podSelector)}: ${describeSelectorFailures(p.selection.failures)}`];
  }
  const sel = `selects ${subject} (podSelector ${formatSelector(p.policy.podSelector)})`;
  if (!p.hasType) return [`${head} ${sel}, but its ${describePolicyTypes(p.policy)} lack ${v.direction}: it does not affect ${dirWord(v.direction)}`];
  const rules = v.direction === 'Egress' ? p.policy.egress : p.policy.ingress;
  const out = [`${head} ${sel}; ${describePolicyTypes(p.policy)}`];
  if (rules.length === 0) out.push(`${indent}  no ${dirWord(v.direction)} rules: it only isolates (default deny), it allows nothing`);
  for (const w of policyWarnings(p.policy)) out.push(`${indent}  warning: ${w}`);
  for (const r of p.rules) out.push(...ruleLines(r, v, `${indent}  `));
  return out;
}

export function directionLines(v: DirectionVerdict): string[] {
  const out = [`${dirWord(v.direction)} of ${endpointName(v.subject)}: ${v.allowed ? 'allowed' : 'DENIED'}`, `  ${describeDecision(v)}`];
  if (v.subject.kind === 'pod') {
    const ns = v.subject.pod.namespace;
    if (v.policies.length === 0) out.push(`  no NetworkPolicy in namespace ${ns}`);
    else {
      out.push(`  policies in namespace ${ns}:`);
      // Policies that apply first: they decide.
      const ordered = [...v.policies.filter((p) => p.applies), ...v.policies.filter((p) => !p.applies)];
      for (const p of ordered) out.push(...policyLines(p, v, '    '));
    }
    for (const p of v.elsewhere) {
      out.push(`  note: ${policyName(p)} (${policyAt(p)}) has a podSelector matching these labels, but a NetworkPolicy only selects pods of its own namespace (${p.namespace})`);
    }
  }
  return out;
}

export function verdictLines(v: Verdict): string[] {
  const head = v.allowed
    ? 'verdict: ALLOWED'
    : `verdict: DENIED by the ${[v.egress, v.ingress]
        .filter((d) => !d.allowed)
        .map((d) => `${dirWord(d.direction)} of ${endpointName(d.subject)}`)
        .join(' and by the ')}`;
  const out = [head];
  if (v.loopback) out.push('  note: the source and destination are the same pod; whether policy applies to a pod reaching itself (e.g. through its own Service) is implementation-defined (kubernetes#95879)');
  if (v.connection.traffic.kind === 'icmp') out.push('  note: NetworkPolicy defines TCP, UDP and SCTP only; for ICMP podnet matches rules without ports (as Calico does) - other plugins differ');
  out.push('', ...directionLines(v.egress), '', ...directionLines(v.ingress));
  return out;
}

export function explainText(r: ExplainResult): string[] {
  const t = trafficText(r.traffic);
  const out = [`policy explain: ${endpointLabel(r.from)} -> ${r.to} (${t})`];
  if (r.enforcement && !r.enforcement.enforced) out.push(`note: ${r.enforcement.note}. Below is what the policies mean, not what this cluster's data path does.`);
  const notes = semanticsNotes(r.semantics);
  if (notes.length > 0) out.push(`semantics: ${notes.join('; ')}`);
  out.push(...r.notes);
  out.push('a connection is allowed when the egress of its source and the ingress of its destination both allow it; replies then pass by connection state');
  if (r.service) {
    const s = r.service;
    const sp = s.servicePort;
    out.push(
      `svc/${s.service.namespace}/${s.service.name} port ${sp.port}/${sp.protocol} (targetPort ${String(sp.targetPort)}) is DNATed by kube-proxy to ${s.backends.length} backend${s.backends.length === 1 ? '' : 's'}; NetworkPolicy judges each backend pod and port, never the Service IP or port`,
    );
    if (s.backends.length === 0) out.push('no ready backends: the connection fails before policy matters');
  }
  r.verdicts.forEach((v, i) => {
    out.push('');
    if (r.service) out.push(`== backend ${i + 1} of ${r.verdicts.length}: ${endpointLabel(v.connection.dst)} port ${trafficText(v.connection.traffic)} ==`);
    else out.push(`to: ${endpointLabel(v.connection.dst)}`);
    out.push(...verdictLines(v));
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// explain: JSON

function endpointJson(ep: PolicyEndpoint): object {
  return match(ep)
    .with({ kind: 'pod' }, ({ pod }) => ({ kind: 'pod', namespace: pod.namespace, name: pod.name, ip: formatIpv4(pod.ip), node: pod.nodeName, hostNetwork: pod.hostNetwork }))
    .with({ kind: 'node' }, ({ node }) => ({ kind: 'node', name: node.name, ip: formatIpv4(node.ip) }))
    .with({ kind: 'external' }, ({ ip }) => ({ kind: 'external', ip: formatIpv4(ip) }))
    .exhaustive();
}

function trafficJson(t: Traffic): object {
  return match(t)
    .with({ kind: 'l4' }, (l4) => ({ protocol: l4.protocol, port: l4.port }))
    .with({ kind: 'icmp' }, () => ({ protocol: 'ICMP', port: null }))
    .exhaustive();
}

function directionJson(v: DirectionVerdict): object {
  return {
    allowed: v.allowed,
    subject: endpointJson(v.subject),
    isolated: v.policies.some((p) => p.applies),
    decision: v.decision.kind,
    reason: describeDecision(v),
    allowedBy: v.decision.kind === 'allowed-by-rules' ? v.decision.rules.map((r) => ({ policy: policyName(r.policy), rule: r.ruleIndex })) : [],
    policies: v.policies.map((p) => ({
      namespace: p.policy.namespace,
      name: p.policy.name,
      source: policyAt(p.policy),
      podSelector: formatSelector(p.policy.podSelector),
      selects: p.selection.matched,
      ...(p.selection.matched ? {} : { notSelectedBecause: describeSelectorFailures(p.selection.failures) }),
      policyTypes: p.policy.policyTypes,
      policyTypesDefaulted: p.policy.policyTypesDefaulted,
      applies: p.applies,
      warnings: policyWarnings(p.policy),
      rules: p.rules.map((r) => ({
        index: r.index,
        source: `${r.rule.source.file}:${r.rule.source.line}`,
        matched: r.matched,
        peerMatched: r.peerMatched,
        portMatched: r.portMatched,
        peers: r.peers.map((x) => ({ index: x.index, peer: describePeer(x.peer), matched: x.matched, reason: describePeerResult(x.result, v.remote) })),
        ports: r.ports.map((x) => ({ index: x.index, port: describePort(x.port), matched: x.matched, reason: describePortResult(x.result) })),
      })),
    })),
    elsewhere: v.elsewhere.map((p) => ({ policy: policyName(p), source: policyAt(p) })),
  };
}

export function verdictJson(v: Verdict): object {
  return {
    from: endpointJson(v.connection.src),
    to: endpointJson(v.connection.dst),
    traffic: trafficJson(v.connection.traffic),
    allowed: v.allowed,
    loopback: v.loopback,
    egress: directionJson(v.egress),
    ingress: directionJson(v.ingress),
  };
}

export function explainJson(r: ExplainResult): object {
  return {
    from: endpointJson(r.from),
    to: r.to,
    traffic: trafficJson(r.traffic),
    allowed: r.verdicts.length > 0 && r.verdicts.every((v) => v.allowed),
    enforcement: r.enforcement,
    semantics: r.semantics,
    notes: r.notes,
    service: r.service
      ? {
          namespace: r.service.service.namespace,
          name: r.service.service.name,
          port: r.service.servicePort.port,
          protocol: r.service.servicePort.protocol,
          targetPort: r.service.servicePort.targetPort,
          backends: r.service.backends.map((b) => ({ pod: podKey(b.pod), ip: formatIpv4(b.pod.ip), port: b.port })),
        }
      : null,
    verdicts: r.verdicts.map(verdictJson),
  };
}

// ---------------------------------------------------------------------------------------------
// matrix

/** Pods sorted for display: by namespace, then name. */
export function matrixPods(index: PolicyIndex, namespaces: readonly string[] | null): Result<PolicyPod[], string> {
  if (namespaces) {
    const known = new Set(index.world.pods.map((p) => p.namespace));
    const missing = namespaces.filter((n) => !known.has(n));
    if (missing.length > 0) return err(`--namespace: no pods in ${missing.join(', ')}; namespaces with pods: ${[...known].sort().join(', ') || 'none'}`);
  }
  const pods = index.world.pods.filter((p) => namespaces === null || namespaces.includes(p.namespace));
  return ok([...pods].sort((a, b) => (a.namespace === b.namespace ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.namespace < b.namespace ? -1 : 1)));
}

/** The traffic to tabulate: `--port` (comma-separated), or every container port the pods declare, or 80/TCP. */
export function matrixTraffic(pods: readonly PolicyPod[], portOption: string | undefined): Result<Traffic[], string> {
  if (portOption !== undefined) {
    const out: Traffic[] = [];
    for (const part of portOption.split(',')) {
      const t = part.trim().toLowerCase() === 'icmp' ? ok<Traffic>({ kind: 'icmp' }) : parsePortSpec(part);
      if (!t.ok) return err(`--port: ${t.error}`);
      out.push(t.value);
    }
    return ok(out);
  }
  const seen = new Map<string, Traffic>();
  for (const p of pods) for (const c of p.containers) for (const cp of c.ports) seen.set(`${PROTOCOLS.indexOf(cp.protocol)}:${String(cp.containerPort).padStart(5, '0')}`, { kind: 'l4', protocol: cp.protocol, port: cp.containerPort });
  const list = [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, t]) => t);
  return ok(list.length > 0 ? list : [{ kind: 'l4', protocol: 'TCP', port: 80 }]);
}

const CELL_CHAR: Readonly<Record<MatrixCell, string>> = { allow: '.', 'deny-ingress': 'I', 'deny-egress': 'E', 'deny-both': 'X' };

export interface MatrixCounts {
  readonly allow: number;
  readonly denyIngress: number;
  readonly denyEgress: number;
  readonly denyBoth: number;
}

export function matrixCounts(m: PolicyMatrix): MatrixCounts {
  const c = { allow: 0, denyIngress: 0, denyEgress: 0, denyBoth: 0 };
  for (let s = 0; s < m.pods.length; s++) {
    for (let d = 0; d < m.pods.length; d++) {
      match(cellOf(m, s, d))
        .with('allow', () => c.allow++)
        .with('deny-ingress', () => c.denyIngress++)
        .with('deny-egress', () => c.denyEgress++)
        .with('deny-both', () => c.denyBoth++)
        .exhaustive();
    }
  }
  return c;
}

/**
 * The truth table for a terminal: rows are sources, columns destinations, grouped by
 * namespace. `.` allowed, `I` denied by the destination's ingress, `E` denied by the source's
 * egress, `X` both. Short pod names head the columns; longer ones are numbered.
 */
export function matrixText(m: PolicyMatrix): string[] {
  const pods = m.pods;
  const n = pods.length;
  const counts = matrixCounts(m);
  const out = [
    `${trafficText(m.traffic)}: ${counts.allow} of ${n * n} allowed; denied by ingress ${counts.denyIngress}, by egress ${counts.denyEgress}, by both ${counts.denyBoth}`,
  ];
  if (n === 0) return [...out, '(no pods)'];
  const byName = pods.every((p) => p.name.length <= 4);
  const colLabel = (i: number): string => (byName ? (pods[i]?.name ?? '') : String(i + 1));
  const cellW = Math.max(1, ...pods.map((_, i) => colLabel(i).length)) + 1;
  const rowLabel = (i: number): string => (byName ? podKey(pods[i] as PolicyPod) : `${String(i + 1).padStart(String(n).length)} ${podKey(pods[i] as PolicyPod)}`);
  const labelW = Math.max(...pods.map((_, i) => rowLabel(i).length)) + 2;
  // Column groups by namespace (pods are sorted by namespace).
  const groups: { ns: string; from: number; to: number }[] = [];
  pods.forEach((p, i) => {
    const last = groups[groups.length - 1];
    if (last && last.ns === p.namespace) last.to = i;
    else groups.push({ ns: p.namespace, from: i, to: i });
  });
  const gap = ' ';
  // A group is wide enough for its namespace's name (up to 20 characters).
  const nsLabel = (g: { ns: string }): string => (g.ns.length > 20 ? `${g.ns.slice(0, 19)}~` : g.ns);
  const groupWidth = (g: { ns: string; from: number; to: number }): number => Math.max((g.to - g.from + 1) * cellW, nsLabel(g).length + 1);
  out.push(`${' '.repeat(labelW)}${groups.map((g) => nsLabel(g).padEnd(groupWidth(g))).join(gap)}`.trimEnd());
  out.push(`${' '.repeat(labelW)}${groups.map((g) => Array.from({ length: g.to - g.from + 1 }, (_, k) => colLabel(g.from + k).padEnd(cellW)).join('').padEnd(groupWidth(g))).join(gap)}`.trimEnd());
  groups.forEach((rg, gi) => {
    if (gi > 0) out.push('');
    for (let s = rg.from; s <= rg.to; s++) {
      const cells = groups.map((g) => Array.from({ length: g.to - g.from + 1 }, (_, k) => CELL_CHAR[cellOf(m, s, g.from + k)].padEnd(cellW)).join('').padEnd(groupWidth(g))).join(gap);
      out.push(`${rowLabel(s).padEnd(labelW)}${cells}`.trimEnd());
    }
  });
  return out;
}

export function matrixLegend(): string {
  return 'rows: from, columns: to; . allowed, I denied by the destination\'s ingress, E denied by the source\'s egress, X denied by both';
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV for all ports: `port,from\to,<pod>...` then one row per (port, source). */
export function matrixCsv(ms: readonly PolicyMatrix[]): string[] {
  const first = ms[0];
  if (!first) return [];
  const names = first.pods.map(podKey);
  const out = [['port', 'from\\to', ...names].map(csvField).join(',')];
  for (const m of ms) {
    const port = trafficText(m.traffic);
    m.pods.forEach((p, s) => out.push([port, podKey(p), ...m.pods.map((_, d) => cellOf(m, s, d))].map(csvField).join(',')));
  }
  return out;
}

export function matrixJson(ms: readonly PolicyMatrix[], semantics: PolicySemantics): object {
  const pods = ms[0]?.pods ?? [];
  return {
    semantics,
    legend: { allow: 'allowed', 'deny-ingress': "denied by the destination's ingress", 'deny-egress': "denied by the source's egress", 'deny-both': 'denied by both' },
    pods: pods.map((p) => ({ namespace: p.namespace, name: p.name, ip: formatIpv4(p.ip), node: p.nodeName, hostNetwork: p.hostNetwork })),
    matrices: ms.map((m) => ({
      traffic: trafficJson(m.traffic),
      counts: matrixCounts(m),
      cells: m.pods.map((_, s) => m.pods.map((__, d) => cellOf(m, s, d))),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Command actions (the only place that loads files and prints)

async function loadIndex(file: string, flags: SemanticsFlags): Promise<{ cluster: Cluster; index: PolicyIndex }> {
  const loaded = await loadTopology(file);
  if (!loaded.ok) throw inputErrorToUsage(loaded.error);
  return { cluster: loaded.value, index: indexWorld(policyWorldFromCluster(loaded.value), semanticsFrom(flags)) };
}

export async function explainAction(file: string, o: ExplainOptions): Promise<string> {
  const { cluster, index } = await loadIndex(file, o);
  const r = explain(cluster, index, o.from, o.to);
  if (!r.ok) throw new UsageError(r.error);
  return o.json ? JSON.stringify(explainJson(r.value), null, 2) : explainText(r.value).join('\n');
}

export async function matrixAction(file: string, o: MatrixOptions): Promise<string> {
  if (o.json && o.csv) throw new UsageError('--json and --csv: pick one');
  const { cluster, index } = await loadIndex(file, o);
  const namespaces = o.namespace === undefined ? null : o.namespace.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const pods = matrixPods(index, namespaces);
  if (!pods.ok) throw new UsageError(pods.error);
  const traffic = matrixTraffic(pods.value, o.port);
  if (!traffic.ok) throw new UsageError(traffic.error);
  const ms = traffic.value.map((t) => computeMatrix(index, t, pods.value));
  if (o.json) return JSON.stringify(matrixJson(ms, index.semantics), null, 2);
  if (o.csv) return matrixCsv(ms).join('\n');
  const out = [`NetworkPolicy matrix: ${pods.value.length} pods, ${index.world.policies.length} policies (${matrixLegend()})`];
  const enforcement = cluster.header.source === null ? null : policyEnforcement(cluster.header.cni);
  if (enforcement && !enforcement.enforced) out.push(`note: ${enforcement.note}. The tables show what the policies mean.`);
  const notes = semanticsNotes(index.semantics);
  if (notes.length > 0) out.push(`semantics: ${notes.join('; ')}`);
  if (o.port === undefined) out.push(`ports: every container port the pods declare (choose with --port, e.g. --port 80/tcp,53/udp)`);
  for (const m of ms) out.push('', ...matrixText(m));
  return out.join('\n');
}

function addSemanticsOptions(c: Command): Command {
  return c
    .option('--ipblock-ignores-pods', 'ipBlock never matches pod IPs (Cilium, netpol-analyzer); default: it does (upstream e2e, Calico, Antrea)')
    .option('--node-local-egress', "always allow egress from a pod to its own node; default: policed")
    .option('--host-network-selectable', 'let selectors match hostNetwork pods; default: they are invisible and count as their node')
    .option('--cyclonus-notin', 'NotIn requires the key (the cyclonus engine); default: NotIn matches a missing key (Kubernetes)')
    .option('--loopback-allowed', 'never police a pod talking to itself; default: policed like any other source');
}

export function policyCommand(): Command {
  const policy = new Command('policy').description('NetworkPolicy: why a connection is allowed or denied, and what can talk to what');
  policy.addCommand(
    addSemanticsOptions(
      new Command('explain')
        .description('the verdict per direction, the policies that select each pod, and which rule, peer and port matched or why none did')
        .argument('<file>', 'topology file or Kubernetes manifests (multi-document YAML or a kubectl List)')
        .requiredOption('--from <src>', 'source: NS/POD, node/NAME or an IP')
        .requiredOption('--to <dst>', 'destination: NS/POD:PORT[/PROTO], svc/NS/NAME:PORT[/PROTO], node/NAME:PORT or IP:PORT (no port: ICMP)')
        .option('--json', 'print JSON instead of text'),
    ).action(async (file: string, opts: ExplainOptions) => {
      process.stdout.write(`${await explainAction(file, opts)}\n`);
    }),
  );
  policy.addCommand(
    addSemanticsOptions(
      new Command('matrix')
        .description('the pod x pod truth table: which pods may open connections to which')
        .argument('<file>', 'topology file or Kubernetes manifests (multi-document YAML or a kubectl List)')
        .option('--port <ports>', 'PORT[/PROTO][,...] (default: every container port the pods declare)')
        .option('--namespace <ns>', 'only pods of these namespaces (comma-separated)')
        .option('--json', 'print JSON')
        .option('--csv', 'print CSV'),
    ).action(async (file: string, opts: MatrixOptions) => {
      process.stdout.write(`${await matrixAction(file, opts)}\n`);
    }),
  );
  return policy;
}


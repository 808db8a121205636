/**
 * An independent, deliberately naive reading of the NetworkPolicy spec (netpol.md §1, the
 * networking.k8s.io/v1 API docs), written without looking at src/policy/ and sharing no code
 * with it. It works on plain manifests (as `kubectl get -o json` gives them) and dotted-quad
 * strings, and answers one question: is a new connection from pod S to pod D allowed?
 * Upstream-e2e semantics: ipBlock matches pod IPs, hostNetwork pods are their node, traffic
 * from the destination's own node is always let in, a pod reaching itself is policed.
 */

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface BfContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol?: string;
}

export interface BfPod {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly ip: string;
  readonly nodeName: string;
  readonly hostNetwork: boolean;
  readonly ports: readonly BfContainerPort[];
}

export interface BfWorld {
  readonly namespaces: readonly { readonly name: string; readonly labels: Record<string, string> }[];
  readonly pods: readonly BfPod[];
  /** NetworkPolicy manifests, exactly as a user would write them. */
  readonly policies: readonly any[];
}

function ipToInt(ip: string): number {
  const parts = ip.split('.').map((x) => parseInt(x, 10));
  return (((parts[0] ?? 0) * 256 + (parts[1] ?? 0)) * 256 + (parts[2] ?? 0)) * 256 + (parts[3] ?? 0);
}

/** "cidr contains ip": compare the first `bits` bits, arithmetically (no bit tricks). */
function inCidr(cidr: string, ip: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = parseInt(bitsText ?? '32', 10);
  const size = Math.pow(2, 32 - bits);
  return Math.floor(ipToInt(base ?? '0.0.0.0') / size) === Math.floor(ipToInt(ip) / size);
}

/** A label selector: every matchLabels pair and every expression must hold. */
function selects(sel: any, labels: Record<string, string>): boolean {
  if (sel === undefined || sel === null) return true;
  const ml = sel.matchLabels ?? {};
  for (const k of Object.keys(ml)) {
    if (!(k in labels)) return false;
    if (labels[k] !== ml[k]) return false;
  }
  for (const e of sel.matchExpressions ?? []) {
    const present = e.key in labels;
    const values: string[] = e.values ?? [];
    if (e.operator === 'In' && !(present && values.includes(labels[e.key] as string))) return false;
    // NotIn: "all resources with key equal to K and value other than V, and all resources without a label with key K".
    if (e.operator === 'NotIn' && present && values.includes(labels[e.key] as string)) return false;
    if (e.operator === 'Exists' && !present) return false;
    if (e.operator === 'DoesNotExist' && present) return false;
  }
  return true;
}

function nsLabels(w: BfWorld, ns: string): Record<string, string> {
  const n = w.namespaces.find((x) => x.name === ns);
  return n ? n.labels : { 'kubernetes.io/metadata.name': ns };
}

/** "policyTypes: if not specified, Ingress is always set, and Egress is set if the policy has any egress rules". */
function typesOf(p: any): string[] {
  const given: string[] | undefined = p.spec.policyTypes;
  if (given && given.length > 0) return given;
  const egress = p.spec.egress ?? [];
  return egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

function nsOf(p: any): string {
  return p.metadata.namespace ?? 'default';
}

/** The selectors of NetworkPolicy see pod-network pods only; a hostNetwork pod is its node. */
function isPodNetwork(pod: BfPod): boolean {
  return !pod.hostNetwork;
}

function peerMatches(w: BfWorld, peer: any, policyNs: string, remote: BfPod): boolean {
  if (peer.ipBlock) {
    if (!inCidr(peer.ipBlock.cidr, remote.ip)) return false;
    for (const ex of peer.ipBlock.except ?? []) if (inCidr(ex, remote.ip)) return false;
    return true;
  }
  if (!isPodNetwork(remote)) return false;
  if (peer.namespaceSelector === undefined) {
    if (remote.namespace !== policyNs) return false;
  } else if (!selects(peer.namespaceSelector, nsLabels(w, remote.namespace))) {
    return false;
  }
  if (peer.podSelector !== undefined && !selects(peer.podSelector, remote.labels)) return false;
  return true;
}

/** "port: numerical or named port on a pod"; named ports are looked up on the destination pod by name and protocol. */
function portMatches(entry: any, proto: string, port: number, dst: BfPod): boolean {
  const entryProto = entry.protocol ?? 'TCP';
  if (entryProto !== proto) return false;
  if (entry.port === undefined) return true;
  if (typeof entry.port === 'number') {
    if (entry.endPort !== undefined) return entry.port <= port && port <= entry.endPort;
    return entry.port === port;
  }
  if (!isPodNetwork(dst)) return false;
  const found = dst.ports.find((c) => c.name === entry.port && (c.protocol ?? 'TCP') === proto);
  return found !== undefined && found.containerPort === port;
}

function ruleAllows(w: BfWorld, rule: any, peersKey: 'from' | 'to', policyNs: string, remote: BfPod, dst: BfPod, proto: string, port: number): boolean {
  const peers: any[] = rule?.[peersKey] ?? [];
  const ports: any[] = rule?.ports ?? [];
  const peerOk = peers.length === 0 || peers.some((p) => peerMatches(w, p, policyNs, remote));
  const portOk = ports.length === 0 || ports.some((e) => portMatches(e, proto, port, dst));
  return peerOk && portOk;
}

function directionAllows(w: BfWorld, dir: 'Ingress' | 'Egress', subject: BfPod, remote: BfPod, dst: BfPod, proto: string, port: number): boolean {
  if (!isPodNetwork(subject)) return true;
  const applying = w.policies.filter((p) => nsOf(p) === subject.namespace && selects(p.spec.podSelector ?? {}, subject.labels) && typesOf(p).includes(dir));
  if (applying.length === 0) return true;
  // "the only allowed connections into the pod are those from the pod's node and those allowed by the ingress list"
  if (dir === 'Ingress' && remote.hostNetwork && remote.nodeName === subject.nodeName) return true;
  for (const p of applying) {
    const rules: any[] = (dir === 'Ingress' ? p.spec.ingress : p.spec.egress) ?? [];
    for (const r of rules) if (ruleAllows(w, r, dir === 'Ingress' ? 'from' : 'to', nsOf(p), remote, dst, proto, port)) return true;
  }
  return false;
}

export function bruteForceAllowed(w: BfWorld, src: BfPod, dst: BfPod, proto: string, port: number): boolean {
  return directionAllows(w, 'Egress', src, dst, dst, proto, port) && directionAllows(w, 'Ingress', dst, src, dst, proto, port);
}

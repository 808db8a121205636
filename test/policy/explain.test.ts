import { describe, expect, it } from 'vitest';
import type { Protocol } from '../../src/cluster/meta.js';
import { ipv4 } from '../../src/net/ipv4.js';
import {
  denyingPolicies,
  describeDecision,
  describePeerResult,
  describePortResult,
  policyWarnings,
  verdictSummary,
} from '../../src/policy/describe.js';
import { evaluate, evaluateAddresses, type Verdict } from '../../src/policy/evaluate.js';
import { computeMatrix, isAllowedCell } from '../../src/policy/matrix.js';
import { indexWorld, UPSTREAM_SEMANTICS, type PolicyEndpoint, type PolicyPod, type PolicySemantics, type PolicyWorld, type Traffic } from '../../src/policy/model.js';
import { serviceTargets } from '../../src/policy/service.js';
import { e2eIp, e2eWorld, policies } from './helpers.js';

const NODE1 = { name: 'node1', ip: ipv4('192.168.1.101') };
const NODE2 = { name: 'node2', ip: ipv4('192.168.1.102') };

function pod(ns: string, name: string, labels: Record<string, string>, ip: string, opts: Partial<PolicyPod> = {}): PolicyPod {
  return { namespace: ns, name, labels, ip: ipv4(ip), nodeName: 'node1', hostNetwork: false, containers: [], ...opts };
}

function world(pods: PolicyPod[], yaml: string, nsLabels: Record<string, Record<string, string>> = {}): PolicyWorld {
  const names = [...new Set([...pods.map((p) => p.namespace), ...Object.keys(nsLabels)])];
  return {
    pods,
    namespaces: names.map((n) => ({ name: n, labels: { 'kubernetes.io/metadata.name': n, ...(nsLabels[n] ?? {}) } })),
    nodes: [NODE1, NODE2],
    policies: policies(yaml),
  };
}

const tcp = (port: number): Traffic => ({ kind: 'l4', protocol: 'TCP', port });
const P = (p: PolicyPod): PolicyEndpoint => ({ kind: 'pod', pod: p });

function run(w: PolicyWorld, src: PolicyEndpoint, dst: PolicyEndpoint, traffic: Traffic, sem: PolicySemantics = UPSTREAM_SEMANTICS): Verdict {
  return evaluate(indexWorld(w, sem), { src, dst, traffic });
}

/** Every peer reason of every rule in one direction, flattened. */
function peerReasons(v: Verdict, dir: 'egress' | 'ingress'): string[] {
  const d = v[dir];
  return d.policies.flatMap((p) => p.rules.flatMap((r) => r.peers.map((x) => describePeerResult(x.result, d.remote))));
}

describe('explanations', () => {
  const web = pod('shop', 'web', { app: 'web' }, '10.244.1.2');
  const api = pod('shop', 'api', { app: 'api' }, '10.244.1.3');
  const other = pod('other', 'api', { app: 'api' }, '10.244.2.2');

  it('AND peer: names the label that made podSelector fail although namespaceSelector matched', () => {
    const w = world(
      [web, api, other],
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: shop}}
      podSelector: {matchLabels: {app: api}}`,
      { shop: { team: 'shop' }, other: { team: 'other' } },
    );
    const v = run(w, P(web), P(web), tcp(80));
    expect(v.allowed).toBe(false);
    expect(peerReasons(v, 'ingress')).toEqual(['namespaceSelector matched but podSelector did not: label app=web != api']);
    expect(peerReasons(run(w, P(other), P(web), tcp(80)), 'ingress')).toEqual(['namespaceSelector did not match namespace other: label team=other != shop (podSelector would match)']);
    expect(run(w, P(api), P(web), tcp(80)).allowed).toBe(true);
  });

  it('OR peers (the one-dash difference): either list item is enough', () => {
    const w = world(
      [web, api, other],
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: other}}
    - podSelector: {matchLabels: {app: api}}`,
      { shop: { team: 'shop' }, other: { team: 'other' } },
    );
    const v = run(w, P(other), P(web), tcp(80));
    expect(v.allowed).toBe(true);
    expect(peerReasons(v, 'ingress')).toEqual([
      'matches other/api: namespaceSelector matched namespace other, any pod',
      "a peer without namespaceSelector selects pods of the policy's namespace shop only; other/api is in other (podSelector would match)",
    ]);
    expect(describeDecision(v.ingress)).toBe('allowed by shop/db ingress[0]');
  });

  it('named ports resolve on each destination pod, with name and protocol', () => {
    const p1 = pod('x', 'one', { app: 'srv' }, '10.244.1.10', { containers: [{ ports: [{ name: 'newport', containerPort: 8956, protocol: 'TCP' }] }] });
    const p2 = pod('x', 'two', { app: 'srv' }, '10.244.1.11', { containers: [{ ports: [{ name: 'newport', containerPort: 9090, protocol: 'TCP' }] }] });
    const p3 = pod('x', 'udp', { app: 'srv' }, '10.244.1.12', { containers: [{ ports: [{ name: 'newport', containerPort: 8956, protocol: 'UDP' }] }] });
    const client = pod('x', 'client', { app: 'client' }, '10.244.1.20');
    const w = world(
      [p1, p2, p3, client],
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-newport, namespace: x}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress:
  - ports: [{port: newport}]`,
    );
    expect(run(w, P(client), P(p1), tcp(8956)).allowed).toBe(true);
    const v2 = run(w, P(client), P(p2), tcp(8956));
    expect(v2.allowed).toBe(false);
    const port2 = v2.egress.policies[0]?.rules[0]?.ports[0];
    expect(port2 && describePortResult(port2.result)).toBe('"newport" is port 9090 on x/two, not 8956');
    expect(run(w, P(client), P(p2), tcp(9090)).allowed).toBe(true);
    const v3 = run(w, P(client), P(p3), tcp(8956));
    const port3 = v3.egress.policies[0]?.rules[0]?.ports[0];
    expect(port3 && describePortResult(port3.result)).toBe('x/udp has "newport" only as 8956/UDP, not TCP: a named port must match name and protocol');
    // To an external address a name cannot resolve.
    const v4 = run(w, P(client), { kind: 'external', ip: ipv4('203.0.113.1') }, tcp(8956));
    const port4 = v4.egress.policies[0]?.rules[0]?.ports[0];
    expect(port4 && describePortResult(port4.result)).toBe('the destination is not a pod, so the named port "newport" cannot resolve');
  });

  it("node-local ingress: the pod's own node (and hostNetwork pods on it) always get in; other nodes do not", () => {
    const target = pod('x', 'target', {}, '10.244.1.5', { nodeName: 'node1' });
    const hostSame = pod('kube-system', 'agent1', {}, '192.168.1.101', { nodeName: 'node1', hostNetwork: true });
    const hostOther = pod('kube-system', 'agent2', {}, '192.168.1.102', { nodeName: 'node2', hostNetwork: true });
    const w = world([target, hostSame, hostOther], `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: x}\nspec: {podSelector: {}, policyTypes: [Ingress]}`);
    const fromNode1 = run(w, { kind: 'node', node: NODE1 }, P(target), tcp(8080));
    expect(fromNode1.allowed).toBe(true);
    expect(fromNode1.ingress.decision.kind).toBe('node-local');
    expect(run(w, { kind: 'node', node: NODE2 }, P(target), tcp(8080)).allowed).toBe(false);
    expect(run(w, P(hostSame), P(target), tcp(8080)).allowed).toBe(true);
    expect(run(w, P(hostOther), P(target), tcp(8080)).allowed).toBe(false);
    // A hostNetwork pod is never isolated: nothing selects it.
    const toHost = run(w, P(target), P(hostOther), tcp(10250));
    expect(toHost.ingress.decision).toEqual({ kind: 'not-a-pod', what: 'host-network-pod' });
  });

  it('hostNetwork pods: selectors never match them, an ipBlock with the node IP does', () => {
    const target = pod('x', 'target', {}, '10.244.2.5', { nodeName: 'node2' });
    const agent = pod('x', 'agent', { app: 'agent' }, '192.168.1.101', { nodeName: 'node1', hostNetwork: true });
    const yaml = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: x}
spec:
  podSelector: {}
  ingress:
  - from:
    - podSelector: {matchLabels: {app: agent}}
  - from:
    - ipBlock: {cidr: 192.168.1.101/32}
    ports: [{port: 9100}]`;
    const w = world([target, agent], yaml);
    const v = run(w, P(agent), P(target), tcp(80));
    expect(v.allowed).toBe(false);
    expect(peerReasons(v, 'ingress')[0]).toBe("selectors never match hostNetwork pods; x/agent counts as its node's IP (only an ipBlock can match it)");
    expect(run(w, P(agent), P(target), tcp(9100)).allowed).toBe(true);
    // With selectable hostNetwork pods (plugin option a), the podSelector matches it.
    expect(run(w, P(agent), P(target), tcp(80), { ...UPSTREAM_SEMANTICS, hostNetworkPodsSelectable: true }).allowed).toBe(true);
  });

  it('judges a flow by addresses (for packet walks): pod IPs are pods, node IPs nodes, the rest external', () => {
    const target = pod('x', 'target', {}, '10.244.1.5', { nodeName: 'node1' });
    const w = world([target], `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: x}\nspec: {podSelector: {}, policyTypes: [Ingress]}`);
    const index = indexWorld(w);
    expect(evaluateAddresses(index, ipv4('192.168.1.101'), ipv4('10.244.1.5'), tcp(80)).ingress.decision.kind).toBe('node-local');
    expect(evaluateAddresses(index, ipv4('203.0.113.1'), ipv4('10.244.1.5'), tcp(80)).allowed).toBe(false);
    expect(evaluateAddresses(index, ipv4('10.244.1.5'), ipv4('203.0.113.1'), tcp(80)).allowed).toBe(true);
  });

  it('external clients: `from` missing allows them; namespaceSelector {} does not (pods only)', () => {
    const target = pod('x', 'target', {}, '10.244.1.5');
    const ext: PolicyEndpoint = { kind: 'external', ip: ipv4('203.0.113.9') };
    const any = world([target], `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec: {podSelector: {}, ingress: [{}]}`);
    expect(run(any, ext, P(target), tcp(443)).allowed).toBe(true);
    const pods = world([target], `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec: {podSelector: {}, ingress: [{from: [{namespaceSelector: {}}]}]}`);
    const v = run(pods, ext, P(target), tcp(443));
    expect(v.allowed).toBe(false);
    expect(v.egress.decision).toEqual({ kind: 'not-a-pod', what: 'external' });
    expect(peerReasons(v, 'ingress')).toEqual(['selectors match pods only; 203.0.113.9 is outside the cluster (only an ipBlock can match it)']);
  });

  it('ipBlock except narrows one peer only; another policy can still allow the address (union)', () => {
    const client = pod('x', 'client', { app: 'client' }, '10.244.1.5');
    const ext: PolicyEndpoint = { kind: 'external', ip: ipv4('10.1.2.3') };
    const one = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: internet, namespace: x}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]
`;
    const v = run(world([client], one), P(client), ext, tcp(443));
    expect(v.allowed).toBe(false);
    expect(peerReasons(v, 'egress')).toEqual(['10.1.2.3 is inside the block but excluded by except 10.1.0.0/16']);
    const two = `${one}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: exception, namespace: x}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 10.1.2.0/24}}]
`;
    const u = run(world([client], two), P(client), ext, tcp(443));
    expect(u.allowed).toBe(true);
    expect(describeDecision(u.egress)).toBe('allowed by x/exception egress[0]');
  });

  it('egress DNS allowance with no `to` reaches DNS anywhere, and nothing else', () => {
    const client = pod('x', 'client', {}, '10.244.1.5');
    const w = world([client], `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: dns, namespace: x}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]`);
    const dns: PolicyEndpoint = { kind: 'external', ip: ipv4('8.8.8.8') };
    expect(run(w, P(client), dns, { kind: 'l4', protocol: 'UDP', port: 53 }).allowed).toBe(true);
    expect(run(w, P(client), dns, tcp(53)).allowed).toBe(true);
    const v = run(w, P(client), dns, tcp(443));
    expect(v.allowed).toBe(false);
    expect(verdictSummary(v)).toBe('denied (443/TCP): by the egress of x/client: x/client is isolated for egress by x/dns and no egress rule of it allows 8.8.8.8 on 443/TCP');
    expect(denyingPolicies(v).map((d) => [d.direction, d.policies.map((p) => p.name)])).toEqual([['Egress', ['dns']]]);
  });

  it('ICMP: only rules without ports match it (implementation-defined, Calico-like)', () => {
    const a = pod('x', 'a', {}, '10.244.1.5');
    const b = pod('x', 'b', {}, '10.244.1.6');
    const all = world([a, b], `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec: {podSelector: {}, ingress: [{from: [{podSelector: {}}]}]}`);
    expect(run(all, P(a), P(b), { kind: 'icmp' }).allowed).toBe(true);
    const ported = world([a, b], `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec: {podSelector: {}, ingress: [{ports: [{protocol: TCP}]}]}`);
    expect(run(ported, P(a), P(b), { kind: 'icmp' }).allowed).toBe(false);
  });

  it('a policy in another namespace never applies, and the explanation points at it', () => {
    const a = pod('x', 'a', { app: 'a' }, '10.244.1.5');
    const w = world([a], `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-a, namespace: y}\nspec: {podSelector: {matchLabels: {app: a}}}`, { y: {} });
    const v = run(w, { kind: 'external', ip: ipv4('203.0.113.1') }, P(a), tcp(80));
    expect(v.allowed).toBe(true);
    expect(v.ingress.decision.kind).toBe('not-isolated');
    expect(v.ingress.elsewhere.map((p) => `${p.namespace}/${p.name}`)).toEqual(['y/deny-a']);
  });

  it('warns about policyTypes that silently change what a policy does', () => {
    const [egressOnlyMeant, ignoredIngress] = policies(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a, namespace: x}
spec: {podSelector: {}, egress: [{}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b, namespace: x}
spec: {podSelector: {}, policyTypes: [Egress], ingress: [{}]}`);
    expect(egressOnlyMeant && policyWarnings(egressOnlyMeant)[0]).toMatch(/defaults to \[Ingress, Egress\]: it also denies all ingress/);
    expect(ignoredIngress && policyWarnings(ignoredIngress)).toEqual(['has ingress rules but policyTypes [Egress] lacks Ingress: the ingress rules are ignored']);
  });
});

describe('implementation switches (netpol.md §1.9)', () => {
  const cidrCase = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: cidr, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 10.0.0.0/8}}]`;

  function cell(sem: PolicySemantics, yaml: string, from: string, to: string, proto: Protocol = 'TCP', port = 80): boolean {
    const index = indexWorld(e2eWorld(policies(yaml)), sem);
    const m = computeMatrix(index, { kind: 'l4', protocol: proto, port });
    const names = m.pods.map((p) => `${p.namespace}/${p.name}`);
    const fromPod = m.pods[names.indexOf(from)];
    const toPod = m.pods[names.indexOf(to)];
    if (!fromPod || !toPod) throw new Error('pod');
    const viaEvaluate = evaluate(index, { src: P(fromPod), dst: P(toPod), traffic: { kind: 'l4', protocol: proto, port } }).allowed;
    const viaMatrix = isAllowedCell(m, names.indexOf(from), names.indexOf(to));
    expect(viaEvaluate).toBe(viaMatrix);
    return viaMatrix;
  }

  it('(a) ipBlock and pod IPs: upstream matches them, Cilium-like semantics do not', () => {
    expect(cell(UPSTREAM_SEMANTICS, cidrCase, 'x/a', 'y/b')).toBe(true);
    expect(cell({ ...UPSTREAM_SEMANTICS, ipBlockMatchesPodIPs: false }, cidrCase, 'x/a', 'y/b')).toBe(false);
  });

  it('(d) loopback: policed by default, allowed with the switch', () => {
    const deny = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: x}\nspec: {podSelector: {}, policyTypes: [Ingress, Egress]}`;
    expect(cell(UPSTREAM_SEMANTICS, deny, 'x/a', 'x/a')).toBe(false);
    expect(cell({ ...UPSTREAM_SEMANTICS, loopback: 'allowed' }, deny, 'x/a', 'x/a')).toBe(true);
    expect(cell({ ...UPSTREAM_SEMANTICS, loopback: 'allowed' }, deny, 'x/a', 'x/b')).toBe(false);
  });

  it('(k) NotIn on a missing key: Kubernetes matches, cyclonus does not', () => {
    const y = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: notin, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{namespaceSelector: {}, podSelector: {matchExpressions: [{key: tier, operator: NotIn, values: [db]}]}}]`;
    expect(cell(UPSTREAM_SEMANTICS, y, 'y/b', 'x/a')).toBe(true);
    expect(cell({ ...UPSTREAM_SEMANTICS, notInMatchesMissingKey: false }, y, 'y/b', 'x/a')).toBe(false);
  });

  it('(g) egress to the own node: policed by default, allowed with the switch', () => {
    const client = pod('x', 'client', {}, '10.244.1.5', { nodeName: 'node1' });
    const w = world([client], `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: x}\nspec: {podSelector: {}, policyTypes: [Egress]}`);
    expect(run(w, P(client), { kind: 'node', node: NODE1 }, tcp(10250)).allowed).toBe(false);
    expect(run(w, P(client), { kind: 'node', node: NODE1 }, tcp(10250), { ...UPSTREAM_SEMANTICS, nodeLocalEgressAllowed: true }).allowed).toBe(true);
    expect(run(w, P(client), { kind: 'node', node: NODE2 }, tcp(10250), { ...UPSTREAM_SEMANTICS, nodeLocalEgressAllowed: true }).allowed).toBe(false);
  });
});

describe('Services are judged after DNAT', () => {
  it('resolves a Service port to backend pods and targetPorts; a rule naming the Service port does not match', () => {
    const w = e2eWorld(policies(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: svc-port, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - ports: [{port: 8080}]`));
    const xa = w.pods.find((p) => p.namespace === 'x' && p.name === 'a');
    if (!xa) throw new Error('x/a');
    const service = {
      namespace: 'x',
      name: 's-x-a',
      labels: {},
      type: 'ClusterIP' as const,
      clusterIP: ipv4('10.96.0.50'),
      ports: [{ name: 'http', protocol: 'TCP' as const, port: 8080, targetPort: 80, nodePort: null }],
      selector: { pod: 'a' },
      sessionAffinity: { kind: 'None' as const },
      externalTrafficPolicy: 'Cluster' as const,
      internalTrafficPolicy: 'Cluster' as const,
      loadBalancerIngress: [],
      loadBalancerSourceRanges: [],
      externalIPs: [],
      externalName: null,
      publishNotReadyAddresses: false,
      healthCheckNodePort: null,
      source: null,
    };
    const slice = {
      namespace: 'x',
      name: 's-x-a-abcde',
      serviceName: 's-x-a',
      labels: {},
      addressType: 'IPv4' as const,
      endpoints: [{ addresses: [e2eIp('x', 'a')], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node1', hostname: null, targetRef: { kind: 'Pod' as const, namespace: 'x', name: 'a' } }],
      ports: [{ name: 'http', protocol: 'TCP' as const, port: 80 }],
      derived: true,
      source: null,
    };
    const t = serviceTargets({ services: [service], endpointSlices: [slice] }, w.pods, 'x', 's-x-a', 8080, 'TCP');
    if (!t.ok) throw new Error(t.error);
    expect(t.value.backends.map((b) => [`${b.pod.namespace}/${b.pod.name}`, b.port])).toEqual([['x/a', 80]]);
    const index = indexWorld(w);
    const yb = w.pods.find((p) => p.namespace === 'y' && p.name === 'b');
    if (!yb) throw new Error('y/b');
    // Judged on x/a:80 (post-DNAT): the rule for 8080 (the Service port) does not match.
    const v = evaluate(index, { src: P(yb), dst: P(xa), traffic: tcp(t.value.backends[0]?.port ?? 0) });
    expect(v.allowed).toBe(false);
    expect(serviceTargets({ services: [service], endpointSlices: [slice] }, w.pods, 'x', 's-x-a', 80, 'TCP')).toEqual({ ok: false, error: 'service x/s-x-a has no port 80/TCP; its ports: 8080/TCP' });
  });
});

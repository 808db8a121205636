import { match } from 'ts-pattern';
import { compileSelector, type LabelSelector } from '../cluster/label-selector.js';
import { policyHasType, type NetworkPolicy, type PolicyPeer, type PolicyRule, type PolicyType } from '../cluster/network-policy.js';
import { cidrContains } from '../net/cidr.js';
import { resolveNamedPort } from './evaluate.js';
import { labelsOfNamespace, policiesIn, roleOf, type EndpointRole, type PolicyIndex, type PolicyPod, type Traffic } from './model.js';

/**
 * The pod x pod truth table for one kind of traffic, computed with bitsets: per policy the set
 * of pods it selects, per rule the set of remote pods its peers match and the set of
 * destinations its ports match; then each pod's allowed egress (a row) and allowed ingress (a
 * column) is an OR of rule sets. Same semantics as `evaluate` (the tests check every cell).
 */

export type Bitset = Uint32Array;

export interface PolicyMatrix {
  /** Rows (sources) and columns (destinations), in this order. */
  readonly pods: readonly PolicyPod[];
  readonly traffic: Traffic;
  /** egress[s] has bit d when the egress side of s allows s -> d. */
  readonly egress: readonly Bitset[];
  /** ingress[d] has bit s when the ingress side of d allows s -> d. */
  readonly ingress: readonly Bitset[];
}

const NONE: Bitset = new Uint32Array(0);

export type MatrixCell = 'allow' | 'deny-egress' | 'deny-ingress' | 'deny-both';

export const hasBit = (b: Bitset, i: number): boolean => (((b[i >>> 5] ?? 0) >>> (i & 31)) & 1) === 1;

function setBit(b: Bitset, i: number): void {
  b[i >>> 5] = ((b[i >>> 5] ?? 0) | (1 << (i & 31))) >>> 0;
}

function orInto(target: Bitset, src: Bitset): void {
  for (let w = 0; w < target.length; w++) target[w] = ((target[w] ?? 0) | (src[w] ?? 0)) >>> 0;
}

function andOrInto(target: Bitset, a: Bitset, b: Bitset): void {
  for (let w = 0; w < target.length; w++) target[w] = ((target[w] ?? 0) | ((a[w] ?? 0) & (b[w] ?? 0))) >>> 0;
}

export function cellOf(m: PolicyMatrix, s: number, d: number): MatrixCell {
  const e = hasBit(m.egress[s] ?? NONE, d);
  const i = hasBit(m.ingress[d] ?? NONE, s);
  return e && i ? 'allow' : !e && !i ? 'deny-both' : e ? 'deny-ingress' : 'deny-egress';
}

export function isAllowedCell(m: PolicyMatrix, s: number, d: number): boolean {
  return cellOf(m, s, d) === 'allow';
}

/** Number of allowed cells. */
export function countAllowed(m: PolicyMatrix): number {
  let n = 0;
  for (let s = 0; s < m.pods.length; s++) {
    const row = m.egress[s];
    if (!row) continue;
    for (let d = 0; d < m.pods.length; d++) if (hasBit(row, d) && hasBit(m.ingress[d] ?? NONE, s)) n++;
  }
  return n;
}

/** Compute the truth table over `pods` (default: every pod of the world). */
export function computeMatrix(index: PolicyIndex, traffic: Traffic, pods: readonly PolicyPod[] = index.world.pods): PolicyMatrix {
  const n = pods.length;
  const words = (n + 31) >>> 5;
  const empty = (): Bitset => new Uint32Array(words);
  const all = empty();
  for (let i = 0; i < n; i++) setBit(all, i);
  const sem = { notInMatchesMissingKey: index.semantics.notInMatchesMissingKey };

  const roles: EndpointRole[] = pods.map((pod) => roleOf(index, { kind: 'pod', pod }));
  const podBits = empty();
  const nodeRoleByNode = new Map<string, Bitset>();
  roles.forEach((r, i) => {
    if (r.kind === 'pod') setBit(podBits, i);
    else if (r.kind === 'node') {
      const b = nodeRoleByNode.get(r.node.name) ?? empty();
      setBit(b, i);
      nodeRoleByNode.set(r.node.name, b);
    }
  });
  const byNamespace = new Map<string, Bitset>();
  pods.forEach((p, i) => {
    if (roles[i]?.kind !== 'pod') return;
    const b = byNamespace.get(p.namespace) ?? empty();
    setBit(b, i);
    byNamespace.set(p.namespace, b);
  });

  // Selector results, cached by the selector's text: pod label sets and namespace sets.
  const podSelCache = new Map<string, Bitset>();
  const podSelectorBits = (s: LabelSelector): Bitset => {
    const key = JSON.stringify(s);
    let b = podSelCache.get(key);
    if (!b) {
      b = empty();
      const sel = compileSelector(s, sem);
      for (let i = 0; i < n; i++) if (roles[i]?.kind === 'pod' && sel(pods[i]?.labels ?? {})) setBit(b, i);
      podSelCache.set(key, b);
    }
    return b;
  };
  const nsSelCache = new Map<string, Bitset>();
  const namespaceSelectorBits = (s: LabelSelector): Bitset => {
    const key = JSON.stringify(s);
    let b = nsSelCache.get(key);
    if (!b) {
      b = empty();
      const sel = compileSelector(s, sem);
      for (const [ns, members] of byNamespace) if (sel(labelsOfNamespace(index, ns))) orInto(b, members);
      nsSelCache.set(key, b);
    }
    return b;
  };

  const peerBits = (peer: PolicyPeer, policyNamespace: string): Bitset =>
    match(peer)
      .with({ kind: 'selector' }, (p) => {
        const nsBits = p.namespaceSelector === null ? (byNamespace.get(policyNamespace) ?? empty()) : namespaceSelectorBits(p.namespaceSelector);
        if (p.podSelector === null) return nsBits;
        const out = empty();
        andOrInto(out, nsBits, podSelectorBits(p.podSelector));
        return out;
      })
      .with({ kind: 'ipBlock' }, (p) => {
        const out = empty();
        const block = p.ipBlock;
        if (block.family !== 'IPv4') return out;
        for (let i = 0; i < n; i++) {
          if (roles[i]?.kind === 'pod' && !index.semantics.ipBlockMatchesPodIPs) continue;
          const ip = pods[i]?.ip;
          if (ip === undefined || !cidrContains(block.cidr, ip) || block.except.some((e) => cidrContains(e, ip))) continue;
          setBit(out, i);
        }
        return out;
      })
      .exhaustive();

  interface CompiledRule {
    readonly remote: Bitset;
    /** Destinations whose ports match; null when the answer does not depend on the destination. */
    readonly portsAt: Bitset | null;
    readonly portsAlways: boolean;
  }

  const compileRule = (rule: PolicyRule, policyNamespace: string): CompiledRule => {
    let remote: Bitset;
    if (rule.peers.length === 0) remote = all;
    else {
      remote = empty();
      for (const peer of rule.peers) orInto(remote, peerBits(peer, policyNamespace));
    }
    if (rule.ports.length === 0) return { remote, portsAt: null, portsAlways: true };
    return match(traffic)
      .with({ kind: 'icmp' }, (): CompiledRule => ({ remote, portsAt: null, portsAlways: false }))
      .with({ kind: 'l4' }, (t): CompiledRule => {
        let always = false;
        const named: string[] = [];
        for (const e of rule.ports) {
          if (e.protocol !== t.protocol) continue;
          if (e.port === null) always = true;
          else if (typeof e.port === 'number') {
            if (e.endPort !== null ? t.port >= e.port && t.port <= e.endPort : t.port === e.port) always = true;
          } else named.push(e.port);
        }
        if (always || named.length === 0) return { remote, portsAt: null, portsAlways: always };
        const at = empty();
        for (let j = 0; j < n; j++) {
          const pod = pods[j];
          if (!pod || roles[j]?.kind !== 'pod') continue;
          if (named.some((name) => resolveNamedPort(pod, name, t.protocol) === t.port)) setBit(at, j);
        }
        return { remote, portsAt: at, portsAlways: false };
      })
      .exhaustive();
  };

  interface CompiledPolicy {
    readonly policy: NetworkPolicy;
    readonly selected: Bitset;
    readonly ingress: readonly CompiledRule[] | null;
    readonly egress: readonly CompiledRule[] | null;
  }
  const compiled = new Map<NetworkPolicy, CompiledPolicy>();
  const compile = (policy: NetworkPolicy): CompiledPolicy => {
    let c = compiled.get(policy);
    if (!c) {
      const selected = empty();
      andOrInto(selected, byNamespace.get(policy.namespace) ?? empty(), podSelectorBits(policy.podSelector));
      const rules = (t: PolicyType): readonly CompiledRule[] | null =>
        policyHasType(policy, t) ? (t === 'Ingress' ? policy.ingress : policy.egress).map((r) => compileRule(r, policy.namespace)) : null;
      c = { policy, selected, ingress: rules('Ingress'), egress: rules('Egress') };
      compiled.set(policy, c);
    }
    return c;
  };

  const egress: Bitset[] = [];
  const ingress: Bitset[] = [];
  for (let i = 0; i < n; i++) {
    const role = roles[i];
    const pod = pods[i];
    if (!role || !pod || role.kind !== 'pod') {
      egress.push(all);
      ingress.push(all);
      continue;
    }
    const applying = policiesIn(index, pod.namespace).map(compile).filter((c) => hasBit(c.selected, i));
    // Ingress of pod i: which sources may reach it.
    const ingRules = applying.flatMap((c) => (c.ingress === null ? [] : [c.ingress]));
    if (ingRules.length === 0) ingress.push(all);
    else {
      const b = empty();
      for (const rules of ingRules) {
        for (const r of rules) if (r.portsAlways || (r.portsAt !== null && hasBit(r.portsAt, i))) orInto(b, r.remote);
      }
      const local = nodeRoleByNode.get(pod.nodeName);
      if (local) orInto(b, local);
      if (index.semantics.loopback === 'allowed') setBit(b, i);
      ingress.push(b);
    }
    // Egress of pod i: which destinations it may reach.
    const egRules = applying.flatMap((c) => (c.egress === null ? [] : [c.egress]));
    if (egRules.length === 0) egress.push(all);
    else {
      const b = empty();
      for (const rules of egRules) {
        for (const r of rules) {
          if (r.portsAlways) orInto(b, r.remote);
          else if (r.portsAt !== null) andOrInto(b, r.remote, r.portsAt);
        }
      }
      if (index.semantics.nodeLocalEgressAllowed) {
        const local = nodeRoleByNode.get(pod.nodeName);
        if (local) orInto(b, local);
      }
      if (index.semantics.loopback === 'allowed') setBit(b, i);
      egress.push(b);
    }
  }
  return { pods, traffic, egress, ingress };
}

import type { Protocol } from '../../../../cluster/meta.js';
import { policyHasType, type NetworkPolicy, type PolicyPeer, type PolicyPort, type PolicyRule, type PolicyType } from '../../../../cluster/network-policy.js';
import { cidrOf, type Cidr } from '../../../../net/cidr.js';
import type { PolicyIndex } from '../../../../policy/model.js';
import type { PortRange } from '../../../../kernel/netfilter/match.js';
import { felixPolicyName } from './names.js';
import { peerSelector, policySelector, type FelixSelector } from './selector.js';

/**
 * A Kubernetes NetworkPolicy as Felix receives it: libcalico-go's K8sNetworkPolicyToCalico
 * (conversion.go) turns every k8s rule into one Calico rule per (protocol, peer), protocols
 * sorted ("" < SCTP < TCP < UDP), each with all that protocol's ports merged by SimplifyPorts;
 * an ipBlock becomes Nets [cidr] plus NotNets [except...]; a selector peer becomes one selector.
 */

export interface CalicoRule {
  /** The Kubernetes rule and peer it came from (peer null: the rule had no from/to). */
  readonly ruleIndex: number;
  readonly peerIndex: number | null;
  /** null: any protocol (the k8s rule had no ports). */
  readonly protocol: Protocol | null;
  /** The remote end: Source for ingress, Destination for egress. */
  readonly peer: FelixSelector | null;
  readonly nets: readonly Cidr[];
  readonly notNets: readonly Cidr[];
  /** Destination ports: numeric ranges (SimplifyPorts order) and named ports. */
  readonly ports: readonly PortRange[];
  readonly namedPorts: readonly string[];
}

export interface CalicoPolicy {
  readonly source: NetworkPolicy;
  /** `<ns>/knp.default.<name>`. */
  readonly felixName: string;
  readonly selector: FelixSelector;
  readonly types: readonly PolicyType[];
  readonly ingress: readonly CalicoRule[];
  readonly egress: readonly CalicoRule[];
}

type CalicoPort = { readonly kind: 'range'; readonly range: PortRange } | { readonly kind: 'named'; readonly name: string };

/** SimplifyPorts: named ports pass through first; two or more numeric ports merge into sorted ranges. */
export function simplifyPorts(ports: readonly CalicoPort[]): CalicoPort[] {
  if (ports.length <= 1) return [...ports];
  const numeric: number[] = [];
  const out: CalicoPort[] = [];
  for (const p of ports) {
    if (p.kind === 'named') out.push(p);
    else for (let i = p.range.min; i <= p.range.max; i++) numeric.push(i);
  }
  if (numeric.length <= 1) return [...ports];
  numeric.sort((a, b) => a - b);
  let i = 0;
  while (i < numeric.length) {
    const first = numeric[i] as number;
    let last = first;
    i++;
    while (i < numeric.length && (numeric[i] as number) <= last + 1) last = numeric[i++] as number;
    out.push({ kind: 'range', range: { min: first, max: last } });
  }
  return out;
}

function calicoPort(p: PolicyPort): CalicoPort | null {
  if (p.port === null) return null;
  if (typeof p.port === 'string') return { kind: 'named', name: p.port };
  return { kind: 'range', range: { min: p.port, max: p.endPort ?? p.port } };
}

/** k8sRuleToCalico's protocol -> ports map: null means every port of that protocol. */
function protocolPorts(ports: readonly PolicyPort[]): Map<Protocol | '', CalicoPort[] | null> {
  const m = new Map<Protocol | '', CalicoPort[] | null>();
  if (ports.length === 0) return new Map([['', null]]);
  for (const p of ports) {
    const cp = calicoPort(p);
    if (cp === null) m.set(p.protocol, null);
    else {
      const had = m.get(p.protocol);
      // "don't overwrite a nil (allow all ports) if present"
      if (had === undefined) m.set(p.protocol, [cp]);
      else if (had !== null) had.push(cp);
    }
  }
  return m;
}

function peerFields(index: PolicyIndex, peer: PolicyPeer, policyNs: string): Pick<CalicoRule, 'peer' | 'nets' | 'notNets'> {
  if (peer.kind === 'ipBlock') {
    const b = peer.ipBlock;
    // An IPv6 block cannot match IPv4 traffic: FilterRuleToIPVersion drops the rule for IPv4.
    if (b.family === 'IPv6') return { peer: null, nets: [], notNets: [] };
    // cnet.ParseCIDR masks host bits: 192.168.242.213/24 is 192.168.242.0/24.
    return { peer: null, nets: [cidrOf(b.cidr.network, b.cidr.prefix)], notNets: b.except.map((e) => cidrOf(e.network, e.prefix)) };
  }
  return { peer: peerSelector(index, peer.podSelector, peer.namespaceSelector, policyNs), nets: [], notNets: [] };
}

function convertRule(index: PolicyIndex, r: PolicyRule, ruleIndex: number, policyNs: string): CalicoRule[] {
  const byProto = protocolPorts(r.ports);
  const protocols = [...byProto.keys()].sort();
  const out: CalicoRule[] = [];
  for (const proto of protocols) {
    const simplified = simplifyPorts(byProto.get(proto) ?? []);
    const ports = simplified.flatMap((p) => (p.kind === 'range' ? [p.range] : []));
    const namedPorts = simplified.flatMap((p) => (p.kind === 'named' ? [p.name] : []));
    const peers: readonly (PolicyPeer | null)[] = r.peers.length === 0 ? [null] : r.peers;
    peers.forEach((peer, i) => {
      const fields = peer === null ? { peer: null, nets: [], notNets: [] } : peerFields(index, peer, policyNs);
      // An IPv6-only ipBlock peer yields no IPv4 rule at all.
      if (peer?.kind === 'ipBlock' && peer.ipBlock.family === 'IPv6') return;
      out.push({ ruleIndex, peerIndex: peer === null ? null : i, protocol: proto === '' ? null : proto, ...fields, ports, namedPorts });
    });
  }
  return out;
}

export function toCalicoPolicy(index: PolicyIndex, p: NetworkPolicy): CalicoPolicy {
  return {
    source: p,
    felixName: felixPolicyName(p.namespace, p.name),
    selector: policySelector(index, p),
    // Types come from policyTypes (already defaulted by the API as Kubernetes does).
    types: (['Ingress', 'Egress'] as const).filter((t) => policyHasType(p, t)),
    ingress: p.ingress.flatMap((r, i) => convertRule(index, r, i, p.namespace)),
    egress: p.egress.flatMap((r, i) => convertRule(index, r, i, p.namespace)),
  };
}

/**
 * Policies in Felix's order within tier default: all Kubernetes policies have order 1000, ties
 * are broken by name.
 */
export function calicoPolicies(index: PolicyIndex): CalicoPolicy[] {
  return index.world.policies.map((p) => toCalicoPolicy(index, p)).sort((a, b) => (a.felixName < b.felixName ? -1 : a.felixName > b.felixName ? 1 : 0));
}

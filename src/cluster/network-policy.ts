import type { Cidr } from '../net/cidr.js';
import type { LabelSelector } from './label-selector.js';
import type { Protocol, SourcePos } from './meta.js';

/**
 * networking.k8s.io/v1 NetworkPolicy as typed, readonly data, *after* API defaulting:
 * `policyTypes` is resolved and every port has a protocol. Build one from a manifest with
 * `networkPolicyFromManifest` (src/policy/manifest.ts), which also applies the API's validation.
 */

export type PolicyType = 'Ingress' | 'Egress';

export const POLICY_TYPES: readonly PolicyType[] = ['Ingress', 'Egress'];

/**
 * `ipBlock`. An IPv4 block keeps the CIDR as written (legacy parsing accepts host bits:
 * `192.168.242.213/24` means `192.168.242.0/24`) next to the network it means. podnet's
 * clusters are IPv4-only, so an IPv6 block is kept as text and never matches (rule 33).
 */
export type IpBlock =
  | {
      readonly family: 'IPv4';
      readonly cidr: Cidr;
      readonly except: readonly Cidr[];
      /** `cidr` as written. */
      readonly cidrText: string;
      readonly exceptText: readonly string[];
    }
  | {
      readonly family: 'IPv6';
      readonly cidrText: string;
      readonly exceptText: readonly string[];
    };

/**
 * One entry of `from` / `to`. A selector peer has `podSelector`, `namespaceSelector` or both
 * (both in one peer = AND). null means the field was omitted: an omitted namespaceSelector
 * means "the policy's namespace"; an omitted podSelector (with a namespaceSelector) means
 * "all pods". At least one of the two is non-null.
 */
export type PolicyPeer =
  | {
      readonly kind: 'selector';
      readonly podSelector: LabelSelector | null;
      readonly namespaceSelector: LabelSelector | null;
      readonly source: SourcePos;
    }
  | {
      readonly kind: 'ipBlock';
      readonly ipBlock: IpBlock;
      readonly source: SourcePos;
    };

/** One entry of `ports`. Ports are always destination ports. */
export interface PolicyPort {
  /** Defaulted to TCP when omitted. */
  readonly protocol: Protocol;
  /** True when `protocol` was omitted and TCP is the API default. */
  readonly protocolDefaulted: boolean;
  /** A number (1-65535), a container port name (resolved on the destination pod), or null: every port of `protocol`. */
  readonly port: number | string | null;
  /** Inclusive upper end of a range starting at the numeric `port`; null when not a range. */
  readonly endPort: number | null;
  readonly source: SourcePos;
}

/** An ingress or egress rule. Empty `peers` / `ports` (missing or `[]`) match everything. */
export interface PolicyRule {
  /** `from` (ingress) or `to` (egress). */
  readonly peers: readonly PolicyPeer[];
  readonly ports: readonly PolicyPort[];
  readonly source: SourcePos;
}

export interface NetworkPolicy {
  readonly namespace: string;
  readonly name: string;
  /** `spec.podSelector`; `{}` selects every pod of the namespace. */
  readonly podSelector: LabelSelector;
  /** Resolved: as written, or the default (Ingress, plus Egress when `egress` has rules). */
  readonly policyTypes: readonly PolicyType[];
  /** True when `policyTypes` was omitted (or empty) and the API default applied. */
  readonly policyTypesDefaulted: boolean;
  readonly ingress: readonly PolicyRule[];
  readonly egress: readonly PolicyRule[];
  /** Where the policy starts in the input. */
  readonly source: SourcePos;
}

/** `SetDefaults_NetworkPolicy`: `["Ingress"]`, plus `"Egress"` iff `len(spec.egress) != 0`. */
export function defaultPolicyTypes(egressRuleCount: number): readonly PolicyType[] {
  return egressRuleCount > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

export function policyHasType(p: NetworkPolicy, t: PolicyType): boolean {
  return p.policyTypes.includes(t);
}

/** The rules of a policy for one direction. */
export function rulesOf(p: NetworkPolicy, t: PolicyType): readonly PolicyRule[] {
  return t === 'Ingress' ? p.ingress : p.egress;
}

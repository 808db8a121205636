import { createHash } from 'node:crypto';

/**
 * Felix's names for chains and ip sets (felix/rules/rule_defs.go, felix/hashutils/id.go,
 * felix/ipsets/ipset_defs.go, libcalico-go/lib/hash/unique_id.go).
 */

/** iptables' chain name limit as Felix applies it (`MaxChainNameLength`). */
export const MAX_CHAIN_NAME = 28;
/** ipset's name limit (IPSET_MAXNAMELEN - 1). */
export const MAX_IPSET_NAME = 31;

export type PolicyDir = 'ingress' | 'egress';

/**
 * hashutils.GetLengthLimitedID: prefix + suffix when it fits; otherwise (or when it fits
 * exactly but the suffix starts with the `_` that marks a shortened name) prefix + `_` +
 * base64url(sha256(suffix)) cut to the space left.
 */
export function lengthLimitedId(prefix: string, suffix: string, maxLength = MAX_CHAIN_NAME): string {
  const total = prefix.length + suffix.length;
  if (total > maxLength || (total === maxLength && suffix.startsWith('_'))) {
    const hash = createHash('sha256').update(suffix).digest('base64url');
    return `${prefix}_${hash.slice(0, maxLength - 1 - prefix.length)}`;
  }
  return prefix + suffix;
}

/** The Felix policy name of a Kubernetes NetworkPolicy: `<ns>/knp.default.<name>` (tier default). */
export function felixPolicyName(namespace: string, name: string): string {
  return `${namespace}/knp.default.${name}`;
}

/** PolicyChainName (v3.29+): `cali-pi-`/`cali-po-` + length-limited `<tier>/<policy name>`. */
export function policyChainName(dir: PolicyDir, namespace: string, name: string): string {
  return lengthLimitedId(dir === 'ingress' ? 'cali-pi-' : 'cali-po-', `default/${felixPolicyName(namespace, name)}`);
}

/** Profiles: `kns.<namespace>` (NamespaceToProfile) and `ksa.<namespace>.<serviceaccount>`. */
export const namespaceProfile = (namespace: string): string => `kns.${namespace}`;
export const serviceAccountProfile = (namespace: string, sa: string): string => `ksa.${namespace}.${sa}`;

/** ProfileChainName: `cali-pri-`/`cali-pro-` + length-limited profile name. */
export function profileChainName(dir: PolicyDir, profile: string): string {
  return lengthLimitedId(dir === 'ingress' ? 'cali-pri-' : 'cali-pro-', profile);
}

/** EndpointChainName: traffic to the workload is `cali-tw-<iface>`, from it `cali-fw-<iface>`. */
export function endpointChainName(dir: PolicyDir, iface: string): string {
  return lengthLimitedId(dir === 'ingress' ? 'cali-tw-' : 'cali-fw-', iface);
}

/** Felix's IPv4 main-set prefix: `cali` + `4` (IP version) + `0` (main, not temporary). */
export const IPSET_PREFIX = 'cali40';
export const IPSET_ALL_POOLS = `${IPSET_PREFIX}all-ipam-pools`;
export const IPSET_MASQ_POOLS = `${IPSET_PREFIX}masq-ipam-pools`;
export const IPSET_ALL_HOSTS = `${IPSET_PREFIX}all-hosts-net`;
export const IPSET_ALL_VXLAN = `${IPSET_PREFIX}all-vxlan-net`;
export const IPSET_THIS_HOST = `${IPSET_PREFIX}this-host`;

/** hash.MakeUniqueID: `<prefix>:` + base64url(sha224(`<prefix>:<content>`)). */
export function makeUniqueId(prefix: string, content: string): string {
  return `${prefix}:${createHash('sha224').update(`${prefix}:${content}`).digest('base64url')}`;
}

/** NameForMainIPSet: prefix + set id, cut to 31 characters (combineAndTrunc). */
export function mainIpsetName(setId: string): string {
  return `${IPSET_PREFIX}${setId}`.slice(0, MAX_IPSET_NAME);
}

/**
 * A selector set: Felix hashes its normalised selector string (`s:` id). podnet hashes its own
 * rendering of the selector (see selector.ts), so the name has Felix's shape but not Felix's
 * exact hash.
 */
export function selectorSetName(selectorText: string): string {
  return mainIpsetName(makeUniqueId('s', selectorText));
}

/** A named-port set (calc/rule_scanner.go IPSetData.UniqueID): `n:` over `<selector id>,<proto>,<port name>`. */
export function namedPortSetName(selectorText: string, protocol: string, portName: string): string {
  return mainIpsetName(makeUniqueId('n', `${makeUniqueId('s', selectorText)},${protocol.toLowerCase()},${portName}`));
}

import { cidrBroadcast, cidrContains, cidrCovers, cidrOf, cidrsOverlap, formatCidr, type Cidr } from '../net/cidr.js';
import { formatIpv4, ipv4FromNumber, type Ipv4 } from '../net/ipv4.js';
import { inputError } from '../lib/input-error.js';
import type { SourcePos } from '../cluster/meta.js';
import type { Node } from '../cluster/node.js';
import { wellKnownNodeLabels } from '../cluster/node.js';
import type { RawHeader, RawNode } from './parse-header.js';
import type { RawPod } from './parse-manifests.js';
import { failAt, LoadFailure } from './parse-yaml.js';

/** Fail at a position, or at the file when there is none (objects podnet inferred). */
export function failNear(file: string, pos: SourcePos | null | undefined, message: string): never {
  if (pos) return failAt(pos, message);
  throw new LoadFailure(inputError(file, message));
}

/** "line 12" (same file) for pointing at the first of two conflicting objects. */
export function lineRef(pos: SourcePos | null | undefined): string {
  return pos ? `line ${pos.line}` : 'a default podnet added';
}

/** Where inferred nodes' addresses start (the example cluster's node1). */
export const FIRST_INFERRED_NODE_IP = 0xc0a80165; // 192.168.1.101

/**
 * Give addresses to nodes that have none, check the underlay, and turn the nodes into
 * {@link Node}s (podCIDR still unset: see {@link assignNodeCIDRs}).
 */
export function resolveNodes(file: string, raws: readonly RawNode[]): { node: Omit<Node, 'podCIDR'>; raw: RawNode }[] {
  const used = new Set<number>(raws.flatMap((n) => (n.ip === null ? [] : [n.ip])));
  let next = FIRST_INFERRED_NODE_IP;
  const byIp = new Map<number, RawNode>();
  const out: { node: Omit<Node, 'podCIDR'>; raw: RawNode }[] = [];
  for (const raw of raws) {
    let ip = raw.ip;
    if (ip === null) {
      while (used.has(next)) next++;
      ip = ipv4FromNumber(next);
      used.add(next);
    }
    const other = byIp.get(ip);
    if (other) {
      failNear(file, raw.at.ip ?? raw.source, `node ${raw.name} has IP ${formatIpv4(ip)}, which node ${other.name} (${lineRef(other.at.ip ?? other.source)}) already has`);
    }
    byIp.set(ip, raw);
    const subnet = cidrOf(ip, raw.subnetPrefix);
    const gateway = raw.gateway ?? ipv4FromNumber(subnet.network + 1);
    const gwPos = raw.at.gateway ?? raw.at.ip ?? raw.source;
    if (!cidrContains(subnet, gateway)) {
      failNear(file, gwPos, `node ${raw.name}'s gateway ${formatIpv4(gateway)} is outside its subnet ${formatCidr(subnet)}; the default gateway must be on the node's own subnet`);
    }
    if (gateway === subnet.network || gateway === cidrBroadcast(subnet)) {
      failNear(file, gwPos, `node ${raw.name}'s gateway ${formatIpv4(gateway)} is the network or broadcast address of ${formatCidr(subnet)}`);
    }
    if (gateway === ip) {
      failNear(file, gwPos, `node ${raw.name}'s gateway ${formatIpv4(gateway)} is the node's own address; the gateway is the router on ${formatCidr(subnet)}`);
    }
    out.push({
      raw,
      node: {
        name: raw.name,
        ip,
        subnetPrefix: raw.subnetPrefix,
        gateway,
        mtu: raw.mtu,
        labels: { ...wellKnownNodeLabels(raw.name), ...raw.labels },
        unschedulable: raw.unschedulable,
        source: raw.source,
      },
    });
  }
  // One router port per L2 segment: nodes on a subnet share its gateway, and no node is a router.
  for (const a of out) {
    for (const b of out) {
      if (a === b) continue;
      if (b.node.ip === a.node.gateway) {
        failNear(file, a.raw.at.gateway ?? a.raw.at.ip ?? a.raw.source, `node ${a.node.name}'s gateway ${formatIpv4(a.node.gateway)} is node ${b.node.name}'s address; the gateway is the router on the subnet`);
      }
      const sa = cidrOf(a.node.ip, a.node.subnetPrefix);
      const sb = cidrOf(b.node.ip, b.node.subnetPrefix);
      if (out.indexOf(b) < out.indexOf(a) && cidrsOverlap(sa, sb)) {
        if (sa.prefix !== sb.prefix || sa.network !== sb.network) {
          failNear(file, a.raw.at.ip ?? a.raw.source, `node ${a.node.name}'s subnet ${formatCidr(sa)} overlaps node ${b.node.name}'s ${formatCidr(sb)}; nodes on one L2 segment need the same prefix length`);
        }
        if (a.node.gateway !== b.node.gateway) {
          failNear(
            file,
            a.raw.at.gateway ?? a.raw.at.ip ?? a.raw.source,
            `node ${a.node.name}'s gateway ${formatIpv4(a.node.gateway)} differs from node ${b.node.name}'s ${formatIpv4(b.node.gateway)} on the same subnet ${formatCidr(sa)}; the underlay has one router per subnet`,
          );
        }
      }
    }
  }
  return out;
}

/** The cluster's pod and service ranges must not overlap each other or any node's subnet. */
export function checkClusterRanges(file: string, header: RawHeader, nodes: readonly { node: Omit<Node, 'podCIDR'>; raw: RawNode }[]): void {
  const { podCIDR, serviceCIDR } = header;
  if (cidrsOverlap(podCIDR, serviceCIDR)) {
    failNear(
      file,
      header.at.serviceCIDR ?? header.at.podCIDR ?? header.source,
      `the service CIDR ${formatCidr(serviceCIDR)} overlaps the pod CIDR ${formatCidr(podCIDR)}; pod and service addresses must be distinct`,
    );
  }
  for (const { node, raw } of nodes) {
    const subnet = cidrOf(node.ip, node.subnetPrefix);
    for (const [what, range] of [
      ['pod CIDR', podCIDR],
      ['service CIDR', serviceCIDR],
    ] as const) {
      if (cidrsOverlap(subnet, range)) {
        failNear(file, raw.at.ip ?? raw.source, `node ${node.name}'s subnet ${formatCidr(subnet)} overlaps the cluster's ${what} ${formatCidr(range)}; the underlay must be outside it`);
      }
    }
  }
}

/** Check a node's given podCIDR against the cluster pod CIDR and the other nodes'. */
export function checkNodeCIDR(file: string, raw: RawNode, c: Cidr, clusterCIDR: Cidr, taken: readonly { name: string; cidr: Cidr; pos: SourcePos | null }[]): void {
  const pos = raw.at.podCIDR ?? raw.source;
  if (!cidrCovers(clusterCIDR, c)) {
    failNear(file, pos, `node ${raw.name}'s podCIDR ${formatCidr(c)} is outside the cluster pod CIDR ${formatCidr(clusterCIDR)}`);
  }
  if (c.prefix > 30) failNear(file, pos, `node ${raw.name}'s podCIDR ${formatCidr(c)} is too small; expected /30 or larger (the bridge and pods need addresses)`);
  for (const t of taken) {
    if (cidrsOverlap(t.cidr, c)) {
      failNear(file, pos, `node ${raw.name}'s podCIDR ${formatCidr(c)} overlaps node ${t.name}'s ${formatCidr(t.cidr)} (${lineRef(t.pos)})`);
    }
  }
}


/** A hostNetwork pod's address is its node's. */
export function checkHostNetworkIp(file: string, p: RawPod, node: Node): void {
  if (p.ip !== null && p.ip.value !== node.ip) {
    failNear(file, p.ip.pos, `${p.what} status.podIP: ${formatIpv4(p.ip.value)} must be the node's address ${formatIpv4(node.ip)} (node ${node.name}); a hostNetwork pod shares its node's network namespace`);
  }
}


/** "Pod default/a", or "pod default/web-x-y of Deployment default/web" for expanded pods. */
export function podRef(p: RawPod): string {
  const own = `Pod ${p.namespace}/${p.name}`;
  return p.what === own ? own : `pod ${p.namespace}/${p.name} of ${p.what}`;
}


/**
 * The first IPAM pass, shared by host-local and Calico IPAM: hostNetwork pods get their node's
 * address, a `status.podIP` is rejected when another pod already has it, then `reserve` applies
 * the IPAM's own checks and marks the address used. Returns the addresses assigned so far.
 */
export function reserveGivenPodIps(
  file: string,
  pods: readonly RawPod[],
  placed: ReadonlyMap<RawPod, Node>,
  reserve: (p: RawPod, node: Node, ip: Ipv4, pos: SourcePos) => void,
): Map<RawPod, Ipv4> {
  const owners = new Map<number, RawPod>();
  const ips = new Map<RawPod, Ipv4>();
  for (const p of pods) {
    const node = placed.get(p);
    if (!node) continue;
    if (p.spec.hostNetwork) {
      checkHostNetworkIp(file, p, node);
      ips.set(p, node.ip);
      continue;
    }
    if (p.ip === null) continue;
    const ip = p.ip.value;
    const owner = owners.get(ip);
    if (owner) failNear(file, p.ip.pos, `${p.what} status.podIP: ${formatIpv4(ip)} is already pod ${owner.namespace}/${owner.name}'s address (${lineRef(owner.ip?.pos ?? owner.source)})`);
    reserve(p, node, ip, p.ip.pos);
    owners.set(ip, p);
    ips.set(p, ip);
  }
  return ips;
}

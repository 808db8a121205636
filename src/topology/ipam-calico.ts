import { cidrContains, formatCidr, type Cidr } from '../net/cidr.js';
import { formatIpv4, ipv4FromNumber, type Ipv4 } from '../net/ipv4.js';
import { fnv32 } from '../lib/hash.js';
import type { CalicoBlock, CalicoIpam } from '../cluster/calico-ipam.js';
import type { CalicoConfig } from '../cluster/header.js';
import type { Node } from '../cluster/node.js';
import type { RawPod } from './parse-manifests.js';
import { failNear, lineRef, podRef, reserveGivenPodIps } from './validate.js';

/**
 * Calico IPAM (calico-ipam plugin + libcalico-go `ipam`), made deterministic:
 *
 * - The pool (the cluster pod CIDR) is cut into blocks of `blockSize` (/26 = 64 addresses).
 * - A node claims a block when it first needs an address. Calico's `randomBlockGenerator`
 *   starts at a pseudo-random block index seeded with FNV-32 of the hostname and walks forward;
 *   podnet starts at FNV-32(hostname) mod the number of blocks and walks forward the same way
 *   (the exact Go math/rand sequence is not reproduced, so the block differs from a real node's).
 * - Inside a block, addresses go out in ordinal order: the first pod gets the block's base
 *   address. In IPIP/VXLAN mode the node's tunnel address is allocated first (ordinal 0).
 * - A node whose blocks are full claims another; when none is free it borrows from another
 *   node's block (StrictAffinity false, the default).
 */
export function assignCalicoIps(
  file: string,
  config: CalicoConfig,
  pool: Cidr,
  nodes: readonly Node[],
  pods: readonly RawPod[],
  placed: ReadonlyMap<RawPod, Node>,
): { ips: Map<RawPod, Ipv4>; ipam: CalicoIpam } {
  const blockSize = 2 ** (32 - config.blockSize);
  const numBlocks = 2 ** Math.max(0, config.blockSize - pool.prefix);
  /** block index -> affinity node and used ordinals. */
  const blocks = new Map<number, { node: string; used: Set<number> }>();
  const order: number[] = [];
  const blockIndex = (ip: Ipv4): number => Math.floor((ip - pool.network) / blockSize);
  const claim = (idx: number, node: string): { node: string; used: Set<number> } => {
    const b = { node, used: new Set<number>() };
    blocks.set(idx, b);
    order.push(idx);
    return b;
  };
  const claimNew = (node: string): number | null => {
    const start = fnv32(node) % numBlocks;
    for (let i = 0; i < numBlocks; i++) {
      const idx = (start + i) % numBlocks;
      if (!blocks.has(idx)) {
        claim(idx, node);
        return idx;
      }
    }
    return null;
  };
  const take = (idx: number): Ipv4 | null => {
    const b = blocks.get(idx);
    if (!b) return null;
    for (let ord = 0; ord < blockSize; ord++) {
      if (!b.used.has(ord)) {
        b.used.add(ord);
        return ipv4FromNumber(pool.network + idx * blockSize + ord);
      }
    }
    return null;
  };
  const allocate = (node: string): Ipv4 | null => {
    for (const idx of order) {
      if (blocks.get(idx)?.node !== node) continue;
      const ip = take(idx);
      if (ip !== null) return ip;
    }
    const fresh = claimNew(node);
    if (fresh !== null) return take(fresh);
    for (const idx of order) {
      const ip = take(idx);
      if (ip !== null) return ip;
    }
    return null;
  };

  // Addresses given in status.podIP.
  const ips = reserveGivenPodIps(file, pods, placed, (p, node, ip, pos) => {
    if (!cidrContains(pool, ip)) failNear(file, pos, `${p.what} status.podIP: ${formatIpv4(ip)} is outside the Calico IP pool ${formatCidr(pool)}`);
    const idx = blockIndex(ip);
    const b = blocks.get(idx) ?? claim(idx, node.name);
    b.used.add(ip - pool.network - idx * blockSize);
  });

  // Tunnel addresses: calico-node allocates one per node at start-up in IPIP/VXLAN mode.
  const tunnelAddresses = new Map<string, Ipv4>();
  if (config.mode !== 'bgp') {
    for (const n of nodes) {
      const ip = allocate(n.name);
      if (ip === null) failNear(file, n.source, `Calico IPAM exhausted: the pool ${formatCidr(pool)} has no address left for node ${n.name}'s tunnel`);
      tunnelAddresses.set(n.name, ip);
    }
  }

  for (const p of pods) {
    if (ips.has(p)) continue;
    const node = placed.get(p);
    if (!node) continue;
    const ip = allocate(node.name);
    if (ip === null) failNear(file, p.source, `IPAM exhausted: the Calico IP pool ${formatCidr(pool)} has no free address for ${podRef(p)}`);
    ips.set(p, ip);
  }

  const list: CalicoBlock[] = order.map((idx) => ({
    cidr: { network: ipv4FromNumber(pool.network + idx * blockSize), prefix: config.blockSize },
    node: blocks.get(idx)?.node ?? '',
  }));
  return { ips, ipam: { blocks: list, tunnelAddresses } };
}

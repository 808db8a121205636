import { cidrBroadcast, cidrContains, cidrsOverlap, cidrSize, cidrNth, type Cidr } from '../net/cidr.js';
import { ipv4FromNumber, type Ipv4 } from '../net/ipv4.js';
import { fnv32 } from '../lib/hash.js';

/**
 * The address allocators of a cluster, made deterministic. Where the real allocator picks at
 * random (the API server's Service IP and NodePort bitmaps) the start is a hash of the object's
 * name instead, so adding one service never moves another's address.
 */

/**
 * kube-controller-manager's node CIDR allocator (`--allocate-node-cidrs`, `cidrset`): the
 * cluster CIDR cut into `/maskSize` subnets, handed out in order to nodes without one, skipping
 * those already occupied. Node 1 gets 10.244.0.0/24, node 2 10.244.1.0/24, ...
 */
export class NodeCidrAllocator {
  private next = 0;
  private readonly occupied: Cidr[] = [];

  constructor(
    readonly clusterCIDR: Cidr,
    readonly maskSize: number,
  ) {}

  get capacity(): number {
    return 2 ** (this.maskSize - this.clusterCIDR.prefix);
  }

  /** Mark a node's existing podCIDR as taken (kube-controller-manager does this at start-up). */
  occupy(c: Cidr): void {
    this.occupied.push(c);
  }

  isFree(c: Cidr): boolean {
    return !this.occupied.some((o) => cidrsOverlap(o, c));
  }

  allocate(): Cidr | null {
    const step = 2 ** (32 - this.maskSize);
    for (let i = 0; i < this.capacity; i++) {
      const idx = (this.next + i) % this.capacity;
      const candidate: Cidr = { network: ipv4FromNumber(this.clusterCIDR.network + idx * step), prefix: this.maskSize };
      if (this.isFree(candidate)) {
        this.next = idx + 1;
        this.occupy(candidate);
        return candidate;
      }
    }
    return null;
  }
}

/**
 * The CNI host-local IPAM plugin on one node, as the bridge plugin configures it for Flannel:
 * range = the node's podCIDR, the gateway (.1, on cni0) excluded, the network and broadcast
 * addresses excluded. It hands out the next free address after the last one it gave, so the
 * first pod on a node gets .2, the second .3, ...
 */
export class HostLocalRange {
  private readonly used = new Set<number>();
  private last: number;

  constructor(readonly subnet: Cidr) {
    this.last = this.gateway;
  }

  /** The bridge's address: the subnet's first host address. */
  get gateway(): Ipv4 {
    return cidrNth(this.subnet, 1);
  }

  /** Addresses pods can get. */
  get capacity(): number {
    return Math.max(0, cidrSize(this.subnet) - 3);
  }

  get inUse(): number {
    return this.used.size;
  }

  /** Why `ip` cannot be a pod address in this range, or null when it can. */
  problem(ip: Ipv4): string | null {
    if (!cidrContains(this.subnet, ip)) return 'outside';
    if (ip === this.subnet.network) return 'the network address';
    if (ip === cidrBroadcast(this.subnet)) return 'the broadcast address';
    if (ip === this.gateway) return 'the cni0 gateway address';
    if (this.used.has(ip)) return 'in use';
    return null;
  }

  /** Record an address already assigned (a pod's `status.podIP`). */
  reserve(ip: Ipv4): void {
    this.used.add(ip);
  }

  allocate(): Ipv4 | null {
    const size = cidrSize(this.subnet);
    const base = this.subnet.network;
    for (let i = 1; i <= size; i++) {
      const candidate = ipv4FromNumber(base + ((this.last - base + i) % size));
      if (this.problem(candidate) === null) {
        this.used.add(candidate);
        this.last = candidate;
        return candidate;
      }
    }
    return null;
  }
}

/**
 * A bitmap allocator over an integer range with the upper/lower split the API server uses
 * (KEP-3070, KEP-3668): dynamic allocations come from the upper band first, leaving the lower
 * band for addresses users pick. The start is hashed from the object's key.
 */
class BandedAllocator {
  private readonly used = new Set<number>();

  constructor(
    /** Lowest and highest usable offsets. */
    private readonly min: number,
    private readonly max: number,
    /** Size of the lower (static) band. */
    private readonly staticBand: number,
  ) {}

  has(n: number): boolean {
    return this.used.has(n);
  }

  reserve(n: number): void {
    this.used.add(n);
  }

  allocate(key: string): number | null {
    const upperLo = Math.min(this.min + this.staticBand, this.max);
    const bands: [number, number][] = [
      [upperLo, this.max],
      [this.min, upperLo - 1],
    ];
    for (const [lo, hi] of bands) {
      const size = hi - lo + 1;
      if (size <= 0) continue;
      const start = fnv32(key) % size;
      for (let i = 0; i < size; i++) {
        const n = lo + ((start + i) % size);
        if (!this.used.has(n)) {
          this.used.add(n);
          return n;
        }
      }
    }
    return null;
  }
}

/**
 * Service ClusterIPs from `--service-cluster-ip-range`. The first address (10.96.0.1) is the
 * `kubernetes` service's, kubeadm gives the tenth (10.96.0.10) to kube-dns; the rest are
 * dynamic, hashed from `namespace/name` into the upper band.
 */
export class ServiceIpAllocator {
  private readonly bitmap: BandedAllocator;

  constructor(readonly range: Cidr) {
    const size = cidrSize(range);
    // IPv4: the network and broadcast addresses are never allocated.
    const band = Math.min(Math.max(16, Math.floor(size / 16)), 256);
    this.bitmap = new BandedAllocator(1, size - 2, band);
  }

  /** Why `ip` cannot be a cluster IP, or null when it can. */
  problem(ip: Ipv4): string | null {
    if (!cidrContains(this.range, ip)) return 'outside';
    if (ip === this.range.network) return 'the network address';
    if (ip === cidrBroadcast(this.range)) return 'the broadcast address';
    if (this.bitmap.has(ip - this.range.network)) return 'in use';
    return null;
  }

  reserve(ip: Ipv4): void {
    this.bitmap.reserve(ip - this.range.network);
  }

  /** The n-th address of the range (1 = the kubernetes service, 10 = kube-dns). */
  nth(n: number): Ipv4 {
    return cidrNth(this.range, n);
  }

  allocate(key: string): Ipv4 | null {
    const n = this.bitmap.allocate(key);
    return n === null ? null : ipv4FromNumber(this.range.network + n);
  }
}

/** NodePorts from `--service-node-port-range` (default 30000-32767). */
export class NodePortAllocator {
  private readonly bitmap: BandedAllocator;

  constructor(
    readonly min: number,
    readonly max: number,
  ) {
    const size = max - min + 1;
    this.bitmap = new BandedAllocator(min, max, Math.min(Math.max(16, Math.floor(size / 32)), 128));
  }

  has(port: number): boolean {
    return this.bitmap.has(port);
  }

  reserve(port: number): void {
    this.bitmap.reserve(port);
  }

  allocate(key: string): number | null {
    return this.bitmap.allocate(key);
  }
}

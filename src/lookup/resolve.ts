import type { Cluster } from '../cluster/cluster.js';
import type { Pod } from '../cluster/pod.js';
import { err, ok, type Result } from '../lib/result.js';
import { findLink, getNetns } from '../kernel/netns.js';
import { nodeNetns, podNetns } from '../controllers/names.js';
import { kubeletDnsSettings, lookup, podHostsText, podResolvConf, type Libc, type LookupCall, type LookupTrace, type PodResolvConf } from '../resolver/index.js';
import type { Dynamic } from '../trace/dynamic-state.js';
import { walkEnv } from '../trace/run.js';
import type { System } from '../topology/system.js';
import { packetTransport, type DatagramPaths, type WalkWorld } from './packet-transport.js';

/**
 * Resolve a name from a pod the way its libc does, with every datagram walked as a packet
 * (see packet-transport.ts). Where the network gives the libc different answers on different
 * random branches, the libc's run forks; every fork is replayed, each with its probability.
 */

export interface PodLookupRequest {
  readonly name: string;
  readonly libc: Libc;
  readonly call: LookupCall;
  readonly muslVersion?: '1.2.3' | '1.2.5';
  /** Pick one walk per datagram instead of keeping every branch. */
  readonly seed?: number;
  /** Kernel state to start from (default: fresh). */
  readonly dyn?: Dynamic;
}

/** One way the whole lookup can go. */
export interface ResolutionBranch {
  readonly probability: number;
  readonly trace: LookupTrace;
  /** Per datagram (index = seq - 1): every walk it took on this branch, with its probability. */
  readonly datagrams: readonly DatagramPaths[];
  /** The most probable consistent history: its frames go to --pcap, its state to the next flow. */
  readonly world: WalkWorld;
}

export interface PodResolution {
  readonly pod: Pod;
  readonly clientNetns: string;
  readonly resolvConf: PodResolvConf;
  readonly hosts: string;
  /** Most probable first. */
  readonly branches: readonly ResolutionBranch[];
}

/** More forks than this means a broken network on many paths at once; the first ones are kept. */
const MAX_BRANCHES = 32;

export function resolveFromPod(system: System, cluster: Cluster, pod: Pod, req: PodLookupRequest): Result<PodResolution, string> {
  const rc = podResolvConf(pod, kubeletDnsSettings(cluster, pod.nodeName));
  if (!rc.ok) return err(`pod ${pod.namespace}/${pod.name} would be rejected by the API server: ${rc.error}`);
  const hosts = podHostsText(pod, cluster.header.clusterDomain);
  // A hostNetwork pod's resolver runs in its node's netns and lets the route pick the source.
  const clientNetns = pod.hostNetwork ? nodeNetns(pod.nodeName) : podNetns(pod.namespace, pod.name);
  if (!system.netns.has(clientNetns)) return err(`pod ${pod.namespace}/${pod.name} has no network namespace in ${system.name}`);
  const mtu = findLink(getNetns(system.world, clientNetns), 'eth0')?.mtu ?? 1500;
  const env = walkEnv(system);
  const branches: ResolutionBranch[] = [];
  const pending: number[][] = [[]];
  while (pending.length > 0 && branches.length < MAX_BRANCHES) {
    const choices = pending.shift() ?? [];
    const pt = packetTransport({ env, clientNetns, clientIp: pod.hostNetwork ? null : pod.ip, mtu, dyn: req.dyn ?? new Map(), choices, ...(req.seed !== undefined ? { seed: req.seed } : {}) });
    const trace = lookup(req.libc, { name: req.name, call: req.call }, {
      resolvConf: rc.value.text,
      hosts,
      transport: pt.transport,
      ...(req.muslVersion ? { muslVersion: req.muslVersion } : {}),
    });
    const world = pt.worlds()[0] ?? { probability: 1, dyn: req.dyn ?? new Map(), walks: [] };
    branches.push({ probability: pt.probability(), trace, datagrams: pt.datagrams(), world });
    // Queue the other classes of every fork this run met past the ones it was told to take.
    const forks = pt.forks();
    for (let i = choices.length; i < forks.length; i++) {
      const prefix = forks.slice(0, i).map((_, j) => choices[j] ?? 0);
      for (let alt = 1; alt < (forks[i] ?? 1); alt++) pending.push([...prefix, alt]);
    }
  }
  const sorted = branches.map((b, i) => ({ b, i })).sort((x, y) => y.b.probability - x.b.probability || x.i - y.i).map((x) => x.b);
  return ok({ pod, clientNetns, resolvConf: rc.value, hosts, branches: sorted });
}

import { isIP } from 'node:net';
import { match } from 'ts-pattern';
import type { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import type { ServedBy } from '../../controllers/coredns/index.js';
import { resolveFromPod } from '../../lookup/resolve.js';
import type { WalkWorld } from '../../lookup/packet-transport.js';
import { formatIpv4 } from '../../net/ipv4.js';
import { LIBCS, walkHints, type Libc, type LookupCall, type LookupOutcome, type LookupTrace, type PodResolvConf, type WasteSummary } from '../../resolver/index.js';
import type { Dynamic } from '../../trace/dynamic-state.js';
import type { System } from '../../topology/system.js';
import { UsageError } from '../exit.js';
import { dnsPaths, servedByOf, type DnsPathSummary } from '../format/dns-path.js';

/**
 * A name lookup from a pod, ready to print: the kubelet's resolv.conf, the libc's walk with every
 * datagram walked as a packet (which CoreDNS pod answered, on which node, with what probability),
 * the total, the answer and hints. Used by `podnet dns` and `podnet trace --to NAME:PORT`.
 */

/** The pod annotation naming its image's C library. */
export const LIBC_ANNOTATION = 'podnet.dev/libc';

export const DNS_TYPE_CHOICES = ['A', 'AAAA', 'SRV', 'PTR'] as const;
export type DnsTypeChoice = (typeof DNS_TYPE_CHOICES)[number];

export interface DnsReport {
  readonly topology: string;
  readonly pod: { readonly namespace: string; readonly name: string; readonly ip: string; readonly node: string; readonly hostNetwork: boolean; readonly dnsPolicy: string };
  readonly libcFrom: 'option' | 'annotation' | 'default';
  readonly resolvConf: PodResolvConf;
  /** The most probable way the lookup goes. */
  readonly trace: LookupTrace;
  readonly probability: number;
  /** Who answered each datagram (by `seq`), on its most probable path. */
  readonly served: ReadonlyMap<number, ServedBy>;
  /** Every way each datagram went (by `seq`). */
  readonly paths: ReadonlyMap<number, readonly DnsPathSummary[]>;
  readonly waste: WasteSummary;
  /** The other ways the lookup can go, when the network answers differently on other branches. */
  readonly others: readonly { readonly probability: number; readonly datagrams: number; readonly result: LookupOutcome }[];
  /** One consistent history of the datagrams: its frames (--pcap) and the kernel state it leaves. */
  readonly world: WalkWorld;
}

/** The stub resolver call a `--type` stands for. */
export function callFor(type: DnsTypeChoice | undefined, name: string): LookupCall {
  return match(type)
    .with(undefined, (): LookupCall => ({ kind: 'getaddrinfo', family: 'AF_UNSPEC' }))
    .with('A', (): LookupCall => ({ kind: 'getaddrinfo', family: 'AF_INET' }))
    .with('AAAA', (): LookupCall => ({ kind: 'getaddrinfo', family: 'AF_INET6' }))
    .with('SRV', (): LookupCall => ({ kind: 'res_search', type: 'SRV' }))
    .with('PTR', (): LookupCall => (isIP(name) !== 0 ? { kind: 'getnameinfo' } : { kind: 'res_search', type: 'PTR' }))
    .exhaustive();
}

/** The libc for a pod: --resolver, else its `podnet.dev/libc` annotation, else glibc. */
export function libcFor(pod: Pod, option: string | undefined): { libc: Libc; from: DnsReport['libcFrom'] } {
  if (option !== undefined) {
    if (!(LIBCS as readonly string[]).includes(option)) throw new UsageError(`--resolver ${option}: expected glibc or musl`);
    return { libc: option as Libc, from: 'option' };
  }
  const a = pod.annotations[LIBC_ANNOTATION];
  if (a !== undefined) {
    if (!(LIBCS as readonly string[]).includes(a)) throw new UsageError(`pod ${pod.namespace}/${pod.name}: annotation ${LIBC_ANNOTATION}: expected glibc or musl, found "${a}"`);
    return { libc: a as Libc, from: 'annotation' };
  }
  return { libc: 'glibc', from: 'default' };
}

export interface DnsRunOptions {
  readonly pod: Pod;
  readonly name: string;
  readonly libc: Libc;
  readonly libcFrom: DnsReport['libcFrom'];
  readonly type?: DnsTypeChoice;
  readonly muslVersion?: '1.2.3' | '1.2.5';
  readonly seed?: number;
  readonly dyn?: Dynamic;
}

/** Resolve `name` from `pod`, every datagram walked through the system's kernels. */
export function runDns(system: System, cluster: Cluster, o: DnsRunOptions): DnsReport {
  const { pod } = o;
  const res = resolveFromPod(system, cluster, pod, {
    name: o.name,
    libc: o.libc,
    call: callFor(o.type, o.name),
    ...(o.muslVersion ? { muslVersion: o.muslVersion } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.dyn ? { dyn: o.dyn } : {}),
  });
  if (!res.ok) throw new UsageError(res.error);
  const [main, ...others] = res.value.branches;
  if (!main) throw new Error('a lookup always has at least one branch');
  const served = new Map<number, ServedBy>();
  const paths = new Map<number, readonly DnsPathSummary[]>();
  for (const q of main.trace.queries) {
    const d = main.datagrams[q.seq - 1];
    if (!d) continue;
    const s = servedByOf(system, d);
    if (s) served.set(q.seq, s);
    paths.set(q.seq, dnsPaths(system, d));
  }
  return {
    topology: cluster.header.name,
    pod: { namespace: pod.namespace, name: pod.name, ip: formatIpv4(pod.ip), node: pod.nodeName, hostNetwork: pod.hostNetwork, dnsPolicy: pod.dnsPolicy },
    libcFrom: o.libcFrom,
    resolvConf: res.value.resolvConf,
    trace: main.trace,
    probability: main.probability,
    served,
    paths,
    waste: walkHints(main.trace),
    others: others.map((b) => ({ probability: b.probability, datagrams: b.trace.datagrams, result: b.trace.result })),
    world: main.world,
  };
}

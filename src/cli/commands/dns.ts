import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import type { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { coreDnsConfigFor, corefileText } from '../../controllers/coredns/index.js';
import { loadTopology } from '../../topology/load.js';
import { inputErrorToUsage, UsageError } from '../exit.js';
import { dnsJson } from '../format/dns-json.js';
import { dnsText } from '../format/dns-text.js';
import { worldPcap } from '../format/dns-pcap.js';
import { loadSystem } from '../load.js';
import { DNS_TYPE_CHOICES, libcFor, runDns, type DnsTypeChoice } from './dns-report.js';

/**
 * `podnet dns FILE --pod NS/NAME NAME`: resolve a name from a pod the way its libc does, with
 * the resolv.conf the kubelet wrote, every query in order with its answer and the path its
 * packet took (kube-proxy's DNAT to which CoreDNS pod, on which node, with what probability),
 * the total, and advice when the ndots/search walk is wasteful.
 */

export { callFor, DNS_TYPE_CHOICES, LIBC_ANNOTATION, libcFor, runDns, type DnsReport, type DnsTypeChoice } from './dns-report.js';

export interface DnsOptions {
  readonly pod?: string;
  readonly resolver?: string;
  readonly type?: string;
  readonly json?: boolean;
  readonly corefile?: boolean;
  readonly muslVersion?: string;
  readonly seed?: string;
  readonly pcap?: string;
}

function parseType(t: string | undefined): DnsTypeChoice | undefined {
  if (t === undefined) return undefined;
  const u = t.toUpperCase();
  if (!(DNS_TYPE_CHOICES as readonly string[]).includes(u)) throw new UsageError(`--type ${t}: expected ${DNS_TYPE_CHOICES.join(', ')}`);
  return u as DnsTypeChoice;
}

export function parseSeed(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) > 2 ** 32 - 1) throw new UsageError(`--seed ${v}: expected an integer from 0 to ${2 ** 32 - 1}`);
  return Number(v);
}

export function findPodSpec(cluster: Cluster, spec: string, option = '--pod'): Pod {
  const [ns, name] = spec.includes('/') ? spec.split('/', 2) : ['default', spec];
  const pod = cluster.pods.find((p) => p.namespace === ns && p.name === name);
  if (!pod) {
    const known = cluster.pods.map((p) => `${p.namespace}/${p.name}`);
    throw new UsageError(`${option} ${spec}: no such pod in topology ${cluster.header.name}; pods: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', ...' : ''}`);
  }
  return pod;
}

export async function dnsAction(file: string, name: string | undefined, o: DnsOptions): Promise<string> {
  const type = parseType(o.type);
  const seed = parseSeed(o.seed);
  if (o.muslVersion !== undefined && o.muslVersion !== '1.2.3' && o.muslVersion !== '1.2.5') throw new UsageError(`--musl-version ${o.muslVersion}: expected 1.2.3 or 1.2.5`);
  if (o.corefile) {
    const loaded = await loadTopology(file);
    if (!loaded.ok) throw inputErrorToUsage(loaded.error);
    const config = coreDnsConfigFor(loaded.value);
    if (!config.ok) throw new UsageError(`${file}: ${config.error}`);
    return o.json ? JSON.stringify({ corefile: corefileText(config.value), config: { ...config.value, upstream: { ...config.value.upstream, entries: config.value.upstream.entries.length } } }, null, 2) : corefileText(config.value).trimEnd();
  }
  const { cluster, system } = await loadSystem(file);
  if (o.pod === undefined) throw new UsageError('dns: --pod NS/NAME is required (the pod whose resolver asks)');
  if (name === undefined || name === '') throw new UsageError('dns: the NAME to resolve is required');
  const pod = findPodSpec(cluster, o.pod);
  const { libc, from } = libcFor(pod, o.resolver);
  const report = runDns(system, cluster, {
    pod,
    name,
    libc,
    libcFrom: from,
    ...(type ? { type } : {}),
    ...(o.muslVersion === '1.2.3' || o.muslVersion === '1.2.5' ? { muslVersion: o.muslVersion } : {}),
    ...(seed !== undefined ? { seed } : {}),
  });
  if (o.pcap) await writeFile(o.pcap, worldPcap(report.world, []));
  if (o.json) return JSON.stringify(dnsJson(report), null, 2);
  const text = dnsText(report);
  return o.pcap ? `${text}\npcap: wrote the ${report.trace.datagrams} queries and their replies, hop by hop, to ${o.pcap} (tshark -r ${o.pcap} -Y dns)` : text;
}

export function dnsCommand(): Command {
  return new Command('dns')
    .description('resolve a name from a pod as its libc does, each query walked as a packet: resolv.conf, queries in order with their path, total, answer, hints')
    .argument('<file>', 'topology file')
    .argument('[name]', 'the name to resolve (an IP with --type PTR)')
    .option('--pod <ns/name>', 'the pod that resolves the name')
    .option('--resolver <libc>', 'glibc|musl (default: the pod\'s podnet.dev/libc annotation, else glibc)')
    .option('--type <type>', `${DNS_TYPE_CHOICES.join('|')} (default: getaddrinfo, A and AAAA together)`)
    .option('--musl-version <v>', 'musl 1.2.3 or 1.2.5 (NODATA is EAI_NONAME before 1.2.4)')
    .option('--seed <n>', 'pick one CoreDNS endpoint per query deterministically instead of showing all')
    .option('--pcap <out>', 'write every frame of the queries and replies to a pcap file')
    .option('--corefile', 'print the Corefile podnet assumes for this topology')
    .option('--json', 'print JSON instead of text')
    .action(async (file: string, name: string | undefined, opts: DnsOptions) => {
      process.stdout.write(`${await dnsAction(file, name, opts)}\n`);
    });
}

import { formatIpv4, type Ipv4 } from '../../../../net/ipv4.js';
import { formatCidr, type Cidr } from '../../../../net/cidr.js';
import type { PolicyPod } from '../../../../policy/model.js';
import { protoName } from '../../../../kernel/netfilter/names.js';
import { IPSET_ALL_HOSTS, IPSET_ALL_POOLS, IPSET_ALL_VXLAN, IPSET_MASQ_POOLS, IPSET_THIS_HOST, mainIpsetName } from './names.js';
import type { SetDemand } from './set-demand.js';
import type { FelixNodeInput } from './input.js';

/**
 * The ip sets Felix keeps on a node (felix/ipsets), written as one `ipset restore` batch:
 * `hash:net` for address sets, `hash:ip,port` for named ports, `maxelem` Felix's MaxIPSetSize
 * default 1048576. Members are sorted so the output is deterministic.
 */

export interface FelixIpset {
  readonly name: string;
  readonly type: 'hash:net' | 'hash:ip' | 'hash:ip,port';
  /** As `ipset add` takes them. */
  readonly members: readonly string[];
}

const PROTO_NUM = { TCP: 6, UDP: 17, SCTP: 132 } as const;

const byIp = (a: Ipv4, b: Ipv4) => (a >>> 0) - (b >>> 0);
const nets = (cs: readonly Cidr[]) => cs.map(formatCidr);
const ips = (as: readonly Ipv4[]) => [...as].sort(byIp).map(formatIpv4);

/** The members of a selector or named-port set, over every workload of the cluster. */
export function demandMembers(d: SetDemand, pods: readonly PolicyPod[]): string[] {
  const members = pods.filter((p) => !p.hostNetwork && d.selector.matches(p));
  if (d.kind === 'selector') return ips(members.map((p) => p.ip));
  const out: { ip: Ipv4; port: number }[] = [];
  for (const p of members) for (const c of p.containers) for (const cp of c.ports) if (cp.name === d.port && cp.protocol === d.protocol) out.push({ ip: p.ip, port: cp.containerPort });
  out.sort((a, b) => byIp(a.ip, b.ip) || a.port - b.port);
  return [...new Set(out.map((x) => `${formatIpv4(x.ip)},${protoName(PROTO_NUM[d.protocol])}:${x.port}`))];
}

export function felixIpsets(input: FelixNodeInput, localIps: readonly Ipv4[], demands: readonly SetDemand[]): FelixIpset[] {
  const sets: FelixIpset[] = [
    { name: IPSET_ALL_POOLS, type: 'hash:net', members: nets(input.pools) },
    { name: IPSET_MASQ_POOLS, type: 'hash:net', members: input.natOutgoing ? nets(input.pools) : [] },
    { name: IPSET_ALL_HOSTS, type: 'hash:net', members: ips(input.allHostIps) },
    ...(input.mode === 'vxlan' ? [{ name: IPSET_ALL_VXLAN, type: 'hash:net' as const, members: ips(input.allHostIps) }] : []),
    { name: IPSET_THIS_HOST, type: 'hash:ip', members: ips([...new Set(localIps)]) },
    { name: mainIpsetName('dscp-src-net'), type: 'hash:net', members: [] },
  ];
  const seen = new Set(sets.map((s) => s.name));
  for (const d of demands) {
    if (seen.has(d.name)) continue;
    seen.add(d.name);
    sets.push({ name: d.name, type: d.kind === 'selector' ? 'hash:net' : 'hash:ip,port', members: demandMembers(d, input.policy.pods) });
  }
  return sets;
}

/** `ipset restore` input: create (idempotent) and fill each set. */
export function ipsetRestoreText(sets: readonly FelixIpset[]): string {
  const lines: string[] = [];
  for (const s of sets) {
    lines.push(`create ${s.name} ${s.type} family inet hashsize 1024 maxelem 1048576 -exist`, `flush ${s.name}`);
    for (const m of s.members) lines.push(`add ${s.name} ${m}`);
  }
  return lines.map((l) => `${l}\n`).join('');
}

import { match } from 'ts-pattern';
import { cidrContains, type Cidr } from '../../net/cidr.js';
import { formatIpv4, type Ipv4 } from '../../net/ipv4.js';
import { err, ok, type Result } from '../../lib/result.js';
import { protoName } from './names.js';
import { formatNet, parseIpv4Fast, parseNet } from './values.js';

/**
 * A small model of the ipset types kube-proxy's IPVS mode and Calico use, with `ipset save`
 * style printing and the lookup xt_set does for `-m set --match-set NAME src,dst`.
 *
 * Each `src`/`dst` flag of the match picks where one dimension of the set's element comes from
 * (net/netfilter/ipset/ip_set_hash_ipport.c etc.): hash:ip,port takes the IP from the first flag
 * and protocol+port from the second; dimensions beyond the given flags read the destination.
 *
 * The `ipset save` text is the classic form (`create NAME TYPE family inet hashsize 1024 maxelem
 * 65536`, `add NAME ELEM`); newer ipset releases also print bucketsize/initval, which the model
 * does not have (no ipset binary was available to verify against).
 */

export type IpsetType = 'hash:ip' | 'hash:ip,port' | 'hash:ip,port,ip' | 'hash:ip,port,net' | 'hash:net' | 'bitmap:port';

export type IpsetElem =
  | { readonly kind: 'hash:ip'; readonly ip: Ipv4 }
  | { readonly kind: 'hash:ip,port'; readonly ip: Ipv4; readonly proto: number; readonly port: number }
  | { readonly kind: 'hash:ip,port,ip'; readonly ip: Ipv4; readonly proto: number; readonly port: number; readonly ip2: Ipv4 }
  | { readonly kind: 'hash:ip,port,net'; readonly ip: Ipv4; readonly proto: number; readonly port: number; readonly net: Cidr }
  | { readonly kind: 'hash:net'; readonly net: Cidr }
  | { readonly kind: 'bitmap:port'; readonly port: number };

export interface IpsetMember {
  readonly elem: IpsetElem;
  readonly comment: string | null;
}

export interface Ipset {
  readonly name: string;
  readonly type: IpsetType;
  readonly hashsize: number;
  readonly maxelem: number;
  /** bitmap:port range. */
  readonly range: readonly [number, number];
  /** Created with the `comment` extension. */
  readonly comment: boolean;
  readonly members: readonly IpsetMember[];
}

export type IpsetMap = ReadonlyMap<string, Ipset>;

export const EMPTY_IPSETS: IpsetMap = new Map();

export function createIpset(name: string, type: IpsetType, opts: { comment?: boolean; range?: readonly [number, number] } = {}): Ipset {
  return { name, type, hashsize: 1024, maxelem: 65536, range: opts.range ?? [0, 65535], comment: opts.comment ?? false, members: [] };
}

export function formatElem(e: IpsetElem): string {
  const pp = (proto: number, port: number) => `${protoName(proto)}:${port}`;
  return match(e)
    .with({ kind: 'hash:ip' }, (x) => formatIpv4(x.ip))
    .with({ kind: 'hash:ip,port' }, (x) => `${formatIpv4(x.ip)},${pp(x.proto, x.port)}`)
    .with({ kind: 'hash:ip,port,ip' }, (x) => `${formatIpv4(x.ip)},${pp(x.proto, x.port)},${formatIpv4(x.ip2)}`)
    .with({ kind: 'hash:ip,port,net' }, (x) => `${formatIpv4(x.ip)},${pp(x.proto, x.port)},${formatNet(x.net)}`)
    .with({ kind: 'hash:net' }, (x) => (x.net.prefix === 32 ? formatIpv4(x.net.network) : formatNet(x.net)))
    .with({ kind: 'bitmap:port' }, (x) => String(x.port))
    .exhaustive();
}

function parseProtoPort(text: string): Result<{ proto: number; port: number }, string> {
  const m = /^(?:(tcp|udp|sctp):)?(\d+)$/.exec(text);
  if (!m || Number(m[2]) > 65535) return err(`expected PROTO:PORT like tcp:80, found "${text}"`);
  const proto = m[1] === 'udp' ? 17 : m[1] === 'sctp' ? 132 : 6;
  return ok({ proto, port: Number(m[2]) });
}

/** Parse an element as `ipset add` takes it for the set's type (e.g. `10.96.0.10,udp:53`). */
export function parseElem(type: IpsetType, text: string): Result<IpsetElem, string> {
  const parts = text.split(',');
  const ip = (s: string | undefined) => parseIpv4Fast(s ?? '');
  const ipPort = () => {
    const a = ip(parts[0]);
    const pp = parseProtoPort(parts[1] ?? '');
    return a.ok && pp.ok ? { ip: a.value, ...pp.value } : null;
  };
  const bad = (what: string) => err(`expected ${what} for ${type}, found "${text}"`);
  return match(type)
    .with('hash:ip', (k): Result<IpsetElem, string> => {
      const a = ip(parts[0]);
      return a.ok && parts.length === 1 ? ok({ kind: k, ip: a.value }) : bad('an IPv4 address');
    })
    .with('hash:net', (k): Result<IpsetElem, string> => {
      const n = parseNet(text);
      return n.ok ? ok({ kind: k, net: n.value }) : n;
    })
    .with('bitmap:port', (k): Result<IpsetElem, string> => {
      const p = /^\d+$/.test(text) ? Number(text) : NaN;
      return p <= 65535 ? ok({ kind: k, port: p }) : bad('a port');
    })
    .with('hash:ip,port', (k): Result<IpsetElem, string> => {
      const ipp = ipPort();
      return ipp && parts.length === 2 ? ok({ kind: k, ...ipp }) : bad('IP,PROTO:PORT');
    })
    .with('hash:ip,port,ip', (k): Result<IpsetElem, string> => {
      const ipp = ipPort();
      const b = ip(parts[2]);
      return ipp && b.ok && parts.length === 3 ? ok({ kind: k, ...ipp, ip2: b.value }) : bad('IP,PROTO:PORT,IP');
    })
    .with('hash:ip,port,net', (k): Result<IpsetElem, string> => {
      const ipp = ipPort();
      const n = parseNet(parts[2] ?? '');
      return ipp && n.ok && parts.length === 3 ? ok({ kind: k, ...ipp, net: n.value }) : bad('IP,PROTO:PORT,CIDR');
    })
    .exhaustive();
}

/** `ipset add NAME ELEM [comment "..."] -exist`: adding an existing element is a no-op. */
export function addMember(set: Ipset, elem: IpsetElem, comment: string | null = null): Ipset {
  const key = formatElem(elem);
  if (set.members.some((m) => formatElem(m.elem) === key)) return set;
  return { ...set, members: [...set.members, { elem, comment: set.comment ? comment : null }] };
}

export function delMember(set: Ipset, elem: IpsetElem): Ipset {
  const key = formatElem(elem);
  return { ...set, members: set.members.filter((m) => formatElem(m.elem) !== key) };
}

/** What a packet offers to a set lookup, per direction. */
export interface SetLookupKeys {
  readonly src: Ipv4;
  readonly dst: Ipv4;
  readonly proto: number;
  /** null when the packet has no ports (e.g. ICMP). */
  readonly sport: number | null;
  readonly dport: number | null;
}

/** ip_set_test() for one packet: does the set hold the element the flags select? */
export function ipsetTest(set: Ipset, dirs: readonly ('src' | 'dst')[], k: SetLookupKeys): boolean {
  const pick = (i: number) => dirs[i] ?? 'dst';
  const addr = (i: number) => (pick(i) === 'src' ? k.src : k.dst);
  const port = (i: number) => (pick(i) === 'src' ? k.sport : k.dport);
  // A switch rather than ts-pattern: this runs for every member on every -m set lookup.
  const hit = (e: IpsetElem): boolean => {
    switch (e.kind) {
      case 'hash:ip':
        return e.ip === addr(0);
      case 'hash:net':
        return cidrContains(e.net, addr(0));
      case 'bitmap:port':
        return port(0) === e.port;
      case 'hash:ip,port':
        return e.ip === addr(0) && e.proto === k.proto && e.port === port(1);
      case 'hash:ip,port,ip':
        return e.ip === addr(0) && e.proto === k.proto && e.port === port(1) && e.ip2 === addr(2);
      case 'hash:ip,port,net':
        return e.ip === addr(0) && e.proto === k.proto && e.port === port(1) && cidrContains(e.net, addr(2));
    }
  };
  return set.members.some(({ elem }) => hit(elem));
}

/** `ipset save` for the given sets, in the given order. */
export function formatIpsetSave(sets: Iterable<Ipset>): string {
  const out: string[] = [];
  for (const s of sets) {
    const opts = s.type === 'bitmap:port' ? `range ${s.range[0]}-${s.range[1]}` : `family inet hashsize ${s.hashsize} maxelem ${s.maxelem}`;
    out.push(`create ${s.name} ${s.type} ${opts}${s.comment ? ' comment' : ''}`);
    for (const m of s.members) out.push(`add ${s.name} ${formatElem(m.elem)}${m.comment !== null ? ` comment "${m.comment}"` : ''}`);
  }
  return out.map((l) => `${l}\n`).join('');
}

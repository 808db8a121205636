import { formatIpv4, type Ipv4 } from '../net/ipv4.js';
import type { Mac } from '../net/mac.js';
import type { IpvsConnTable } from '../kernel/ipvs/conn.js';

/**
 * State the kernel changes while packets flow, per netns: learned neighbours (ARP cache), learned
 * bridge FDB entries, conntrack and `-m recent` lists. Static configuration stays in kernel/Netns.
 * Readonly: every change returns a new value, so each outcome branch carries its own copy.
 */
export interface NetnsDynamic {
  /** key `${dev}|${ip}` -> MAC, learned by ARP (NUD_REACHABLE). */
  readonly neigh: ReadonlyMap<string, Mac>;
  /** key `${bridge}|${mac}` -> port, learned from source MACs. */
  readonly fdb: ReadonlyMap<string, string>;
  /** Opaque to the walk; owned by the netfilter adapter (conntrack table, recent lists). */
  readonly netfilter: unknown;
  /** IPVS connections scheduled in this netns (ip_vs_conn), for their replies. */
  readonly ipvs?: IpvsConnTable;
}

export type Dynamic = ReadonlyMap<string, NetnsDynamic>;

export const EMPTY_NETNS_DYNAMIC: NetnsDynamic = { neigh: new Map(), fdb: new Map(), netfilter: null };

export function dynOf(d: Dynamic, ns: string): NetnsDynamic {
  return d.get(ns) ?? EMPTY_NETNS_DYNAMIC;
}

export function withDyn(d: Dynamic, ns: string, f: (x: NetnsDynamic) => NetnsDynamic): Dynamic {
  const m = new Map(d);
  m.set(ns, f(dynOf(d, ns)));
  return m;
}

export function learnNeigh(d: Dynamic, ns: string, dev: string, ip: Ipv4, mac: Mac): Dynamic {
  return withDyn(d, ns, (x) => ({ ...x, neigh: new Map(x.neigh).set(`${dev}|${ip}`, mac) }));
}

export function learnedNeigh(d: Dynamic, ns: string, dev: string, ip: Ipv4): Mac | undefined {
  return dynOf(d, ns).neigh.get(`${dev}|${ip}`);
}

export function learnFdb(d: Dynamic, ns: string, bridge: string, mac: Mac, port: string): Dynamic {
  if (dynOf(d, ns).fdb.get(`${bridge}|${mac}`) === port) return d;
  return withDyn(d, ns, (x) => ({ ...x, fdb: new Map(x.fdb).set(`${bridge}|${mac}`, port) }));
}

export function learnedFdb(d: Dynamic, ns: string, bridge: string, mac: Mac): string | undefined {
  return dynOf(d, ns).fdb.get(`${bridge}|${mac}`);
}

/** `ip neigh` lines for learned entries of one netns. */
export function learnedNeighLines(d: Dynamic, ns: string): string[] {
  return [...dynOf(d, ns).neigh.entries()].map(([k, mac]) => {
    const [dev, ip] = k.split('|');
    return `${formatIpv4(Number(ip) as Ipv4)} dev ${dev} lladdr ${mac} REACHABLE`;
  });
}

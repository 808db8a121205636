import { formatIpv4 } from '../../net/ipv4.js';
import type { Mac } from '../../net/mac.js';
import type { FdbEntry } from '../fdb.js';
import type { Link } from '../link.js';
import type { World } from '../netns.js';
import { printContext, type PrintContext, type PrintOptions } from './context.js';

/**
 * `bridge fdb show`, in the kernel's dump order (rtnl_fdb_dump): links by ifindex; for each,
 * first its bridge's entries for it as a port (`master BR`, newest first, ending with the port's
 * own MAC as a `permanent` local entry, made when it joined), then what the device itself dumps:
 * a vxlan its remote table (`dst IP self`, newest MAC first, remotes of one MAC in the order
 * appended); a bridge its multicast list then its own MAC (`master BR permanent`, unless a port
 * has the same MAC); any other Ethernet device (veth, dummy) its unicast and multicast address
 * lists as `self permanent` entries.
 *
 * The multicast entries are the groups the kernel joins itself in a netns with IPv6 disabled
 * (podnet models IPv4 only): 33:33:00:00:00:01 (IPv6 all-nodes, joined when the device is
 * registered even so), and once up 01:00:5e:00:00:01 (224.0.0.1) and, on a bridge with multicast
 * snooping (the default), 01:00:5e:00:00:6a and 33:33:00:00:00:6a (all-snoopers) before it.
 * With IPv6 enabled a real device also lists its solicited-node group 33:33:ff:xx:xx:xx.
 */
export function printBridgeFdb(world: World, nsId: string, opts: PrintOptions & { readonly kernelEntries?: boolean } = {}): string {
  const ctx = printContext(world, nsId, opts);
  const implicit = opts.kernelEntries ?? true;
  const out: string[] = [];
  for (const link of ctx.links) {
    if (link.master !== null) {
      out.push(...newestFirst(ctx.ns.fdb.filter((f) => f.master === link.master && f.dev === link.name && !f.self)).map(formatFdb));
      if (implicit && link.mac !== null) out.push(`${link.mac} dev ${link.name} master ${link.master} permanent`);
    }
    out.push(...selfEntries(ctx, link, implicit));
  }
  return out.map((l) => `${l}\n`).join('');
}

function selfEntries(ctx: PrintContext, link: Link, implicit: boolean): string[] {
  const own = ctx.ns.fdb.filter((f) => f.dev === link.name && f.self);
  switch (link.kind.type) {
    case 'vxlan':
      return vxlanOrder(own).map(formatFdb);
    case 'loopback':
    case 'ipip':
      // ndo_dflt_fdb_dump only dumps ARPHRD_ETHER devices.
      return [];
    case 'bridge': {
      const mc = implicit ? multicast(link).map((m) => `${m} dev ${link.name} self permanent`) : [];
      const local = newestFirst(ctx.ns.fdb.filter((f) => f.dev === link.name && f.master === link.name && !f.self)).map(formatFdb);
      const portHasMac = ctx.links.some((p) => p.master === link.name && p.mac === link.mac);
      if (implicit && link.mac !== null && !portHasMac) local.push(`${link.mac} dev ${link.name} master ${link.name} permanent`);
      return [...own.map(formatFdb), ...mc, ...local];
    }
    case 'veth':
    case 'dummy':
      return [...own.map(formatFdb), ...(implicit ? multicast(link).map((m) => `${m} dev ${link.name} self permanent`) : [])];
  }
}

/** The device's multicast address list, in the order the kernel joins the groups. */
function multicast(link: Link): Mac[] {
  const m = ['33:33:00:00:00:01'];
  if (link.up) {
    if (link.kind.type === 'bridge') m.push('01:00:5e:00:00:6a', '33:33:00:00:00:6a');
    m.push('01:00:5e:00:00:01');
  }
  return m as Mac[];
}

function newestFirst(entries: readonly FdbEntry[]): FdbEntry[] {
  return [...entries].reverse();
}

/**
 * One vxlan FDB entry per MAC, holding its remotes in the order they were appended (only the
 * all-zeros and multicast MACs take more than one); entries newest first.
 */
function vxlanOrder(entries: readonly FdbEntry[]): FdbEntry[] {
  const macs: Mac[] = [];
  for (const e of entries) if (!macs.includes(e.mac)) macs.push(e.mac);
  return macs.reverse().flatMap((m) => entries.filter((e) => e.mac === m));
}

/**
 * `MAC dev DEV [dst IP] [self] [master BR] STATE`: `permanent`, `static`, or nothing for a learned
 * entry (which then ends in a space, as iproute2 prints it).
 */
export function formatFdb(f: FdbEntry): string {
  const t = [f.mac, `dev ${f.dev}`];
  if (f.dst !== null) t.push(`dst ${formatIpv4(f.dst)}`);
  if (f.self) t.push('self');
  if (f.master !== null && !f.self) t.push(`master ${f.master}`);
  const state = f.permanent ? 'permanent' : f.learned ? '' : 'static';
  return `${t.join(' ')} ${state}`;
}

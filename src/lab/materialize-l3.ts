import { formatCidr } from '../net/cidr.js';
import { formatIpv4 } from '../net/ipv4.js';
import type { Netns } from '../kernel/netns.js';
import type { Ruleset } from '../kernel/netfilter/ruleset.js';
import { formatIpsetSave } from '../kernel/netfilter/ipset.js';
import { RT_TABLE_DEFAULT, RT_TABLE_LOCAL, RT_TABLE_MAIN, type FibRule, type Route } from '../kernel/route.js';
import { hexAlt, protoName, scopeName } from '../kernel/print/names.js';
import { sysctlPath } from '../kernel/print/sysctl.js';
import { cmd, inNetns, type LabCommand } from './command.js';
import type { NameOf } from './materialize-links.js';

export { sysctlPath };

export function sysctlCommands(ns: Netns, name: NameOf): LabCommand[] {
  return [...ns.sysctls].map(([k, v]) => inNetns(name(ns.id), ['sysctl', '-q', '-w', `${sysctlPath(k)}=${v.replace(/\t/g, ' ')}`]));
}

/** `ip addr add` in model order: the order decides primary/secondary and the kernel's list order. */
export function addrCommands(ns: Netns, name: NameOf): LabCommand[] {
  return ns.addrs
    .filter((a) => !(a.dev === 'lo' && formatIpv4(a.local) === '127.0.0.1' && a.prefix === 8))
    .map((a) => cmd('ip', '-n', name(ns.id), 'addr', 'add', `${formatIpv4(a.local)}/${a.prefix}`, ...(a.broadcast !== null ? ['brd', formatIpv4(a.broadcast)] : []), 'scope', a.scope, 'dev', a.dev));
}

/** The kernel makes these itself from addresses: `proto kernel` routes and the local table. */
export function isKernelRoute(r: Route): boolean {
  return r.proto === 'kernel' || r.proto === 2 || r.table === RT_TABLE_LOCAL;
}

export function routeCommands(ns: Netns, name: NameOf): LabCommand[] {
  return ns.routes.filter((r) => !isKernelRoute(r)).map((r) => cmd('ip', '-n', name(ns.id), 'route', 'add', ...routeArgs(r)));
}

/** `ip route add` arguments for a route, every attribute explicit (scope too). */
export function routeArgs(r: Route): string[] {
  const a: string[] = [];
  if (r.type !== 'unicast') a.push(r.type);
  a.push(r.dst.prefix === 0 ? 'default' : formatCidr(r.dst));
  if (r.multipath === null) {
    if (r.gateway !== null) a.push('via', formatIpv4(r.gateway));
    if (r.dev !== null) a.push('dev', r.dev);
    if (r.onlink) a.push('onlink');
  }
  if (r.table !== RT_TABLE_MAIN) a.push('table', String(r.table));
  if (r.proto !== 'boot') a.push('proto', typeof r.proto === 'number' ? String(r.proto) : protoName(r.proto));
  a.push('scope', scopeName(r.scope));
  if (r.prefsrc !== null) a.push('src', formatIpv4(r.prefsrc));
  if (r.metric !== 0) a.push('metric', String(r.metric));
  for (const nh of r.multipath ?? []) {
    a.push('nexthop', ...(nh.gateway !== null ? ['via', formatIpv4(nh.gateway)] : []), 'dev', nh.dev, 'weight', String(nh.weight), ...(nh.onlink ? ['onlink'] : []));
  }
  return a;
}

const DEFAULT_RULES: readonly (readonly [number, number])[] = [
  [0, RT_TABLE_LOCAL],
  [32766, RT_TABLE_MAIN],
  [32767, RT_TABLE_DEFAULT],
];

function isPlain(r: FibRule): boolean {
  return r.from === null && r.to === null && r.iif === null && r.oif === null && r.fwmark === null;
}

/** Deletes the default rules the model lacks, adds the rules it has beyond them. */
export function ruleCommands(ns: Netns, name: NameOf): LabCommand[] {
  const n = name(ns.id);
  const isDefault = (r: FibRule): boolean => isPlain(r) && DEFAULT_RULES.some(([p, t]) => r.priority === p && r.table === t);
  const out: LabCommand[] = [];
  for (const [p, t] of DEFAULT_RULES) {
    if (!ns.rules.some((r) => isDefault(r) && r.priority === p && r.table === t)) out.push(cmd('ip', '-n', n, 'rule', 'del', 'pref', String(p), 'lookup', String(t)));
  }
  for (const r of ns.rules.filter((x) => !isDefault(x))) {
    const a = ['ip', '-n', n, 'rule', 'add'];
    if (r.from) a.push('from', formatCidr(r.from));
    if (r.to) a.push('to', formatCidr(r.to));
    if (r.fwmark) a.push('fwmark', `${hexAlt(r.fwmark.value)}/${hexAlt(r.fwmark.mask)}`);
    if (r.iif !== null) a.push('iif', r.iif);
    if (r.oif !== null) a.push('oif', r.oif);
    a.push('pref', String(r.priority), 'lookup', String(r.table));
    out.push(cmd(...a));
  }
  return out;
}

/**
 * `ip neigh replace ... nud STATE` for the states a user can set; INCOMPLETE, DELAY, PROBE and
 * FAILED are steps of the kernel's own resolution and cannot be created, so they are left out.
 */
export function neighCommands(ns: Netns, name: NameOf): LabCommand[] {
  const n = name(ns.id);
  const out: LabCommand[] = [];
  for (const e of ns.neigh) {
    const dst = formatIpv4(e.dst);
    if (e.proxy) {
      out.push(cmd('ip', '-n', n, 'neigh', 'add', 'proxy', dst, 'dev', e.dev));
      continue;
    }
    if (e.lladdr === null || !['PERMANENT', 'NOARP', 'REACHABLE', 'STALE'].includes(e.state)) continue;
    out.push(cmd('ip', '-n', n, 'neigh', 'replace', dst, 'dev', e.dev, 'lladdr', e.lladdr, 'nud', e.state.toLowerCase()));
  }
  return out;
}

/** Static FDB entries; learned ones are the bridge's own doing and are left out. */
export function fdbCommands(ns: Netns, name: NameOf): LabCommand[] {
  const n = name(ns.id);
  return ns.fdb
    .filter((f) => !f.learned)
    .map((f) => {
      const state = f.permanent ? 'permanent' : 'static';
      if (f.self) return cmd('bridge', '-n', n, 'fdb', 'append', f.mac, 'dev', f.dev, 'self', state, ...(f.dst !== null ? ['dst', formatIpv4(f.dst)] : []));
      return cmd('bridge', '-n', n, 'fdb', 'add', f.mac, 'dev', f.dev, 'master', state);
    });
}

/**
 * `ipset restore` fed `ipset save` text, before iptables-restore: a rule with `-m set` names a set
 * that must exist ("Set ... doesn't exist"). ip sets are per network namespace.
 */
export function ipsetCommands(ns: Netns, name: NameOf): LabCommand[] {
  return ns.ipsets.size === 0 ? [] : [inNetns(name(ns.id), ['ipset', 'restore'], formatIpsetSave(ns.ipsets.values()))];
}

/** `iptables-restore` fed the ruleset as text; nothing for a netns without iptables state. */
export function iptablesCommands(ns: Netns, name: NameOf, toText: (r: Ruleset) => string): LabCommand[] {
  if (ns.netfilter.tables.size === 0) return [];
  return [inNetns(name(ns.id), ['iptables-restore'], toText(ns.netfilter))];
}

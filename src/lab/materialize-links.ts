import { match } from 'ts-pattern';
import { formatIpv4 } from '../net/ipv4.js';
import type { Link } from '../kernel/link.js';
import type { Netns, World } from '../kernel/netns.js';
import { cmd, inNetns, type LabCommand } from './command.js';

/** The linux default vxlan source port range (srcport 0 0 = use ip_local_port_range). */
const DEFAULT_SRC_PORTS: readonly [number, number] = [32768, 60999];

export type NameOf = (modelId: string) => string;

/**
 * `ip netns add`, then IPv6 off (the model is IPv4 only; with it off, `ip addr`, `ip route show
 * table all` and `bridge fdb` print only what the model has), before any link exists.
 */
export function netnsCommands(ns: Netns, name: NameOf): LabCommand[] {
  return [cmd('ip', 'netns', 'add', name(ns.id)), inNetns(name(ns.id), ['sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'])];
}

/**
 * `ip link add` for every link but lo, each with the model's ifindex, MAC and MTU, so the real
 * netns numbers and addresses its links exactly as the model does. A veth pair is made once, from
 * the end met first. vxlan devices come last: their `dev` must exist.
 */
export function linkAddCommands(world: World, ns: Netns, name: NameOf, made: Set<string>): LabCommand[] {
  const links = [...ns.links].sort((a, b) => a.ifindex - b.ifindex);
  const ordered = [...links.filter((l) => l.kind.type !== 'vxlan'), ...links.filter((l) => l.kind.type === 'vxlan')];
  const out: LabCommand[] = [];
  for (const l of ordered) {
    const key = `${ns.id}\0${l.name}`;
    if (l.kind.type === 'loopback' || made.has(key)) continue;
    made.add(key);
    out.push(linkAdd(world, ns, l, name, made));
  }
  return out;
}

function common(l: Link): string[] {
  return ['name', l.name, 'index', String(l.ifindex), ...(l.mac !== null ? ['address', l.mac] : []), 'mtu', String(l.mtu)];
}

function linkAdd(world: World, ns: Netns, l: Link, name: NameOf, made: Set<string>): LabCommand {
  const add = (...rest: string[]): LabCommand => cmd('ip', '-n', name(ns.id), 'link', 'add', ...common(l), 'type', ...rest);
  return match(l.kind)
    .with({ type: 'loopback' }, () => {
      throw new Error('lo exists in every netns');
    })
    .with({ type: 'veth' }, (k) => {
      const peerNs = world.netns.get(k.peer.netns);
      const peer = peerNs?.links.find((p) => p.name === k.peer.ifname);
      if (!peerNs || !peer) throw new Error(`veth ${l.name} in ${ns.id}: peer ${k.peer.ifname} in ${k.peer.netns} does not exist`);
      made.add(`${peerNs.id}\0${peer.name}`);
      const where = peerNs.id === ns.id ? [] : ['netns', name(peerNs.id)];
      return add('veth', 'peer', ...common(peer), ...where);
    })
    .with({ type: 'bridge' }, (k) => add('bridge', 'ageing_time', String(k.ageingTime * 100), 'stp_state', k.stp ? '1' : '0'))
    .with({ type: 'vxlan' }, (k) => {
      const a = ['vxlan', 'id', String(k.vni)];
      if (k.local !== null) a.push('local', formatIpv4(k.local));
      if (k.dev !== null) a.push('dev', k.dev);
      a.push('dstport', String(k.dstport), k.learning ? 'learning' : 'nolearning', 'ttl', k.ttl === 0 ? 'auto' : String(k.ttl));
      if (k.srcPortRange[0] !== DEFAULT_SRC_PORTS[0] || k.srcPortRange[1] !== DEFAULT_SRC_PORTS[1]) a.push('srcport', String(k.srcPortRange[0]), String(k.srcPortRange[1]));
      return add(...a);
    })
    .with({ type: 'ipip' }, (k) => add('ipip', 'local', k.local === null ? 'any' : formatIpv4(k.local), 'remote', k.remote === null ? 'any' : formatIpv4(k.remote), 'ttl', k.ttl === 0 ? 'inherit' : String(k.ttl)))
    .with({ type: 'dummy' }, () => add('dummy'))
    .exhaustive();
}

/** `ip link set X master BR` in ifindex order (so port numbers match), then non-default port flags. */
export function masterCommands(ns: Netns, name: NameOf): LabCommand[] {
  const n = name(ns.id);
  const out: LabCommand[] = [];
  for (const l of [...ns.links].sort((a, b) => a.ifindex - b.ifindex)) {
    if (l.master === null) continue;
    out.push(cmd('ip', '-n', n, 'link', 'set', l.name, 'master', l.master));
    const p = l.bridgePort;
    if (p?.hairpin) out.push(cmd('bridge', '-n', n, 'link', 'set', 'dev', l.name, 'hairpin', 'on'));
    if (p && !p.learning) out.push(cmd('bridge', '-n', n, 'link', 'set', 'dev', l.name, 'learning', 'off'));
    if (p?.isolated) out.push(cmd('bridge', '-n', n, 'link', 'set', 'dev', l.name, 'isolated', 'on'));
  }
  return out;
}

export function upCommands(ns: Netns, name: NameOf): LabCommand[] {
  return [...ns.links]
    .sort((a, b) => a.ifindex - b.ifindex)
    .filter((l) => l.up)
    .map((l) => cmd('ip', '-n', name(ns.id), 'link', 'set', l.name, 'up'));
}

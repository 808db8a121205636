import { match } from 'ts-pattern';
import { cidr, cidrContains } from '../../net/cidr.js';
import type { Ipv4 } from '../../net/ipv4.js';
import { IPPROTO_ICMP, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP, TCP_NO_FLAGS, type Ipv4Packet } from '../../net/packet.js';
import { confirm } from '../conntrack/confirm.js';
import type { ConntrackEntry } from '../conntrack/entry.js';
import { applyNat, natStepFor, type NatOptions } from '../conntrack/nat.js';
import { formatConntrackEntry } from '../conntrack/print.js';
import { EMPTY_CONNTRACK, type ConntrackTable } from '../conntrack/table.js';
import { conntrackIn, ctInfoOf, entryOf, type PacketCt } from '../conntrack/track.js';
import { evaluateHook } from './evaluate.js';
import type { IpsetMap } from './ipset.js';
import type { AddrType, AddrTypeOracle, Physdev, RpfilterOracle } from './match-eval.js';
import { EMPTY_RECENT, type RecentState } from './recent.js';
import type { BuiltinChain, Ruleset } from './ruleset.js';
import type { Hit, NatAction, StatisticBranch, Verdict } from './verdict.js';

/**
 * `podnet iptables trace`: one packet through one netns's rules, without the rest of the kernel.
 * The packet either arrives on a device (PREROUTING, then the caller's routing decision: INPUT
 * for local delivery, or FORWARD and POSTROUTING) or is sent by the host (OUTPUT, POSTROUTING).
 * Conntrack runs as in the kernel, so NAT bindings, ctstate and the final entry are real; every
 * `-m statistic` branch becomes its own outcome. Knows nothing about what the rules are for.
 */

/** The protocols a PacketSpec can start a connection with. */
export const SPEC_PROTOS = ['tcp', 'udp', 'sctp', 'icmp'] as const;
export type SpecProto = (typeof SPEC_PROTOS)[number];

export interface PacketSpec {
  readonly src: Ipv4;
  readonly dst: Ipv4;
  readonly proto: SpecProto;
  readonly sport?: number;
  readonly dport?: number;
  readonly ttl?: number;
}

/** A TCP SYN, an empty UDP datagram, an SCTP INIT or an ICMP echo request, as a connection's first packet. */
export function packetFromSpec(s: PacketSpec): Ipv4Packet {
  const header = (protocol: number) => ({ src: s.src, dst: s.dst, ttl: s.ttl ?? 64, protocol, id: 0, df: true, tos: 0 });
  return match(s.proto)
    .with('tcp', (): Ipv4Packet => ({
      header: header(IPPROTO_TCP),
      payload: { kind: 'tcp', sport: s.sport ?? 40000, dport: s.dport ?? 80, seq: 1, ack: 0, flags: { ...TCP_NO_FLAGS, syn: true }, window: 64240, options: new Uint8Array(), data: new Uint8Array() },
    }))
    .with('udp', (): Ipv4Packet => ({ header: header(IPPROTO_UDP), payload: { kind: 'udp', sport: s.sport ?? 40000, dport: s.dport ?? 53, payload: { kind: 'raw', bytes: new Uint8Array() } } }))
    .with('sctp', (): Ipv4Packet => ({
      header: header(IPPROTO_SCTP),
      // RFC 9260 §5.1 / §8.5.1: the INIT goes out with verification tag 0 and a non-zero Initiate Tag.
      payload: {
        kind: 'sctp',
        sport: s.sport ?? 40000,
        dport: s.dport ?? 80,
        vtag: 0,
        chunks: { kind: 'init', initiateTag: 1, arwnd: 106496, outboundStreams: 10, inboundStreams: 65535, initialTsn: 1 },
      },
    }))
    .with('icmp', (): Ipv4Packet => ({ header: header(IPPROTO_ICMP), payload: { kind: 'icmp', message: { type: 'echo-request', id: s.sport ?? 1, seq: 1, data: new Uint8Array() } } }))
    .exhaustive();
}

export type RouteDecision = { readonly kind: 'local' } | { readonly kind: 'forward'; readonly outDev: string };

export type TraceOrigin =
  /** Received on `inDev` (PREROUTING first). */
  | { readonly kind: 'in'; readonly inDev: string | null; readonly physdev?: Physdev | null }
  /**
   * Sent by a local socket (OUTPUT first), out of `outDev` when routed away. When the (possibly
   * DNATed) destination is local, it loops back through `lo`: POSTROUTING, then PREROUTING and
   * INPUT on `lo`.
   */
  | { readonly kind: 'local'; readonly outDev: string };

export interface TraceRequest {
  readonly ruleset: Ruleset;
  readonly packet: Ipv4Packet | PacketSpec;
  readonly origin: TraceOrigin;
  /** The routing decision after PREROUTING, given the (possibly DNATed) packet. */
  readonly route?: RouteDecision | ((p: Ipv4Packet) => RouteDecision);
  /** Address types; defaults to `localAddrs` (+127/8) LOCAL, 224/4 MULTICAST, else UNICAST. */
  readonly addrType?: AddrTypeOracle;
  readonly localAddrs?: readonly Ipv4[];
  /** The out device's address, for MASQUERADE. */
  readonly masqueradeAddr?: Ipv4 | null;
  /** REDIRECT's local address (defaults to 127.0.0.1 for locally sent packets). */
  readonly redirectAddr?: Ipv4 | null;
  readonly mark?: number;
  readonly ipsets?: IpsetMap;
  /**
   * The reverse-path check for `-m rpfilter` (kernel/rpfilter.ts). A bare dump has no routing
   * table, so without one the reverse path is taken to be valid (the rule does not drop).
   */
  readonly rpfilter?: RpfilterOracle;
  readonly recent?: RecentState;
  readonly conntrack?: ConntrackTable;
  /** Seconds. */
  readonly now?: number;
}

export interface TraceStage {
  readonly hook: BuiltinChain;
  readonly inDev: string | null;
  readonly outDev: string | null;
  readonly before: Ipv4Packet;
  readonly after: Ipv4Packet;
  readonly markBefore: number;
  readonly markAfter: number;
  readonly ctstate: string;
  readonly hits: readonly Hit[];
  readonly statistic: readonly StatisticBranch[];
  readonly nat: NatAction | null;
}

export interface TraceOutcome {
  readonly probability: number;
  readonly verdict: Verdict;
  /** The hook where the packet was dropped or rejected, or the last one. */
  readonly stages: readonly TraceStage[];
  readonly route: RouteDecision | null;
  readonly packet: Ipv4Packet;
  readonly mark: number;
  readonly dnat: NatAction | null;
  /** SNAT or MASQUERADE chosen in POSTROUTING (or INPUT). */
  readonly snat: NatAction | null;
  /**
   * POSTROUTING (or INPUT) bound a source NAT (SNAT or MASQUERADE) for the connection. The
   * address may stay the same: MASQUERADE of a packet the host sent from the out device's own
   * address changes nothing but is still the masquerade decision.
   */
  readonly masqueraded: boolean;
  /** The conntrack entry after the packet (confirmed when it got through). */
  readonly conntrack: ConntrackEntry | null;
  /** Its `conntrack -L` line. */
  readonly conntrackLine: string | null;
  /** The netns's conntrack table after this packet, to trace the next packet of the flow. */
  readonly conntrackTable: ConntrackTable;
  readonly recent: RecentState;
  /**
   * Set when conntrack dropped a packet the rules accepted: no NAT binding could be made, or the
   * entry clashed with a confirmed one at confirmation.
   */
  readonly conntrackError: string | null;
}

const LOOPBACK = cidr('127.0.0.0/8');
const MULTICAST = cidr('224.0.0.0/4');

export function localAddrOracle(local: readonly Ipv4[]): AddrTypeOracle {
  return (a): AddrType => {
    if (local.includes(a) || cidrContains(LOOPBACK, a)) return 'LOCAL';
    if (cidrContains(MULTICAST, a)) return 'MULTICAST';
    if (a === 0xffffffff) return 'BROADCAST';
    return 'UNICAST';
  };
}

interface Branch {
  readonly p: number;
  readonly packet: Ipv4Packet;
  readonly mark: number;
  readonly pkt: PacketCt;
  readonly stages: readonly TraceStage[];
  readonly recent: RecentState;
  readonly dnat: NatAction | null;
  readonly snat: NatAction | null;
  readonly route: RouteDecision | null;
}

export function traceRuleset(req: TraceRequest): TraceOutcome[] {
  const first = 'header' in req.packet ? req.packet : packetFromSpec(req.packet);
  const now = req.now ?? 0;
  const addrType = req.addrType ?? localAddrOracle(req.localAddrs ?? []);
  const local = req.origin.kind === 'local';
  const natOpts: NatOptions = { now, masqueradeAddr: req.masqueradeAddr ?? null, redirectAddr: req.redirectAddr ?? (local ? (0x7f000001 as Ipv4) : null) };
  const physdev = req.origin.kind === 'in' ? (req.origin.physdev ?? null) : null;
  const inDev = req.origin.kind === 'in' ? req.origin.inDev : null;
  const track = conntrackIn(req.conntrack ?? EMPTY_CONNTRACK, first, { now });
  const table = track.table;
  const out: TraceOutcome[] = [];

  const end = (b: Branch, verdict: Verdict, error: string | null): TraceOutcome => {
    let entry: ConntrackEntry | null = entryOf(table, b.pkt);
    let ctError = error;
    let after = table;
    if (verdict.kind === 'accept' && !error && b.pkt.kind === 'new') {
      const c = confirm(table, b.pkt, now);
      ctError = c.clash;
      if (!c.clash) {
        after = c.table;
        entry = c.table.entries[c.table.entries.length - 1] ?? entry;
      }
    }
    return {
      probability: b.p,
      verdict,
      stages: b.stages,
      route: b.route,
      packet: b.packet,
      mark: b.mark,
      dnat: b.dnat,
      snat: b.snat,
      masqueraded: b.snat !== null,
      conntrack: entry,
      conntrackLine: entry ? formatConntrackEntry(entry, now) : null,
      conntrackTable: after,
      recent: b.recent,
      conntrackError: ctError,
    };
  };

  /** Run one hook on every live branch. */
  const hook = (branches: readonly Branch[], h: BuiltinChain, devIn: string | null, devOut: string | null): Branch[] => {
    const next: Branch[] = [];
    for (const b of branches) {
      const ct = ctInfoOf(table, b.pkt);
      const outcomes = evaluateHook(req.ruleset, {
        hook: h,
        packet: b.packet,
        inDev: devIn,
        outDev: devOut,
        physdev,
        mark: b.mark,
        ct,
        addrType,
        ipsets: req.ipsets,
        rpfilter: req.rpfilter ?? (() => true),
        recent: b.recent,
        now,
        natStep: natStepFor(table, b.pkt, h, natOpts),
      });
      for (const o of outcomes) {
        let pkt: PacketCt = o.notrack ? { kind: 'untracked' } : b.pkt;
        let error: string | null = null;
        if (o.verdict.kind === 'accept' && !o.notrack) {
          const r = applyNat(table, pkt, h, o.nat, b.packet, natOpts);
          pkt = r.pkt;
          error = r.error;
        }
        const stage: TraceStage = {
          hook: h,
          inDev: devIn,
          outDev: devOut,
          before: b.packet,
          after: o.packet,
          markBefore: b.mark,
          markAfter: o.mark,
          ctstate: ct.state,
          hits: o.hits,
          statistic: o.statistic,
          nat: o.nat,
        };
        const nb: Branch = {
          ...b,
          p: b.p * o.probability,
          packet: o.packet,
          mark: o.mark,
          pkt,
          stages: [...b.stages, stage],
          recent: o.recent,
          dnat: o.nat && (o.nat.kind === 'dnat' || o.nat.kind === 'redirect') ? o.nat : b.dnat,
          snat: o.nat && (o.nat.kind === 'snat' || o.nat.kind === 'masquerade') ? o.nat : b.snat,
        };
        if (o.verdict.kind !== 'accept' || error) out.push(end(nb, o.verdict, error));
        else next.push(nb);
      }
    }
    return next;
  };

  const start: Branch = { p: 1, packet: first, mark: req.mark ?? 0, pkt: track.pkt, stages: [], recent: req.recent ?? EMPTY_RECENT, dnat: null, snat: null, route: null };
  const routeOf = (p: Ipv4Packet): RouteDecision => {
    const r = req.route;
    if (typeof r === 'function') return r(p);
    if (r) return r;
    return addrType(p.header.dst, null) === 'LOCAL' ? { kind: 'local' } : { kind: 'forward', outDev: 'eth0' };
  };
  const deliver = (branches: readonly Branch[]) => {
    for (const b of branches) out.push(end(b, { kind: 'accept' }, null));
  };
  match(req.origin)
    .with({ kind: 'local' }, (o) => {
      // ip_route_me_harder: OUTPUT's DNAT re-routes the packet (e.g. to a pod behind a Service).
      // The first route lookup picks lo for a local destination, so OUTPUT sees `-o lo`.
      const firstOut = addrType(first.header.dst, null) === 'LOCAL' ? 'lo' : o.outDev;
      for (const b of hook([start], 'OUTPUT', null, firstOut)) {
        const route: RouteDecision = req.route ? routeOf(b.packet) : addrType(b.packet.header.dst, null) === 'LOCAL' ? { kind: 'local' } : { kind: 'forward', outDev: o.outDev };
        const rb = { ...b, route };
        match(route)
          // Looped back through lo: conntrack keeps the skb's entry ("previously seen"), so its
          // NAT bindings are done and the nat table is skipped; filter INPUT sees ctstate NEW.
          .with({ kind: 'local' }, () => deliver(hook(hook(hook([rb], 'POSTROUTING', null, 'lo'), 'PREROUTING', 'lo', null), 'INPUT', 'lo', null)))
          .with({ kind: 'forward' }, (r) => deliver(hook([rb], 'POSTROUTING', null, r.outDev)))
          .exhaustive();
      }
    })
    .with({ kind: 'in' }, () => {
      for (const b of hook([start], 'PREROUTING', inDev, null)) {
        const route = routeOf(b.packet);
        const rb = { ...b, route };
        match(route)
          .with({ kind: 'local' }, () => deliver(hook([rb], 'INPUT', inDev, null)))
          .with({ kind: 'forward' }, (r) => deliver(hook(hook([rb], 'FORWARD', inDev, r.outDev), 'POSTROUTING', null, r.outDev)))
          .exhaustive();
      }
    })
    .exhaustive();
  return out;
}

/** One host's view: its own addresses decide where a packet starts and whether it is delivered. */
export interface HostTraceRequest {
  readonly ruleset: Ruleset;
  readonly packet: PacketSpec;
  /** The host's addresses (127.0.0.0/8 is always local). */
  readonly localAddrs: readonly Ipv4[];
  readonly inDev?: string;
  readonly outDev?: string;
  /** Force OUTPUT-first; by default a packet whose source is a local address is sent by the host. */
  readonly fromHost?: boolean;
  /** MASQUERADE's address; defaults to the first local address. */
  readonly masqueradeAddr?: Ipv4 | null;
}

export interface HostTrace {
  /** `sent`: the host's own socket sent it (OUTPUT); `arrived`: received on `inDev` (PREROUTING). */
  readonly origin: 'sent' | 'arrived';
  readonly outcomes: readonly TraceOutcome[];
}

/**
 * `traceRuleset` for a host that owns `localAddrs`. A packet whose source is one of them is sent
 * by the host: the kernel drops such a source arriving from outside as martian
 * (fib_validate_source), so there is no other way it can exist. After PREROUTING or OUTPUT (and
 * their DNAT), a local destination is delivered (INPUT), anything else leaves by `outDev`.
 */
export function traceOnHost(req: HostTraceRequest): HostTrace {
  const oracle = localAddrOracle(req.localAddrs);
  const sent = req.fromHost ?? oracle(req.packet.src, null) === 'LOCAL';
  const outDev = req.outDev ?? 'eth0';
  const outcomes = traceRuleset({
    ruleset: req.ruleset,
    packet: req.packet,
    origin: sent ? { kind: 'local', outDev } : { kind: 'in', inDev: req.inDev ?? 'eth0' },
    route: (p) => (oracle(p.header.dst, null) === 'LOCAL' ? { kind: 'local' } : { kind: 'forward', outDev }),
    addrType: oracle,
    masqueradeAddr: req.masqueradeAddr !== undefined ? req.masqueradeAddr : (req.localAddrs[0] ?? null),
  });
  return { origin: sent ? 'sent' : 'arrived', outcomes };
}

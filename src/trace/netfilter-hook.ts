import { match } from 'ts-pattern';
import { formatIpv4, type Ipv4 } from '../net/ipv4.js';
import { portsOf, type Ipv4Packet } from '../net/packet.js';
import { addrType } from '../kernel/fib.js';
import { rpfilterOracle } from '../kernel/rpfilter.js';
import type { Netns } from '../kernel/netns.js';
import { conntrackIn, ctInfoOf, entryOf, type PacketCt } from '../kernel/conntrack/track.js';
import { applyNat } from '../kernel/conntrack/nat.js';
import { confirm } from '../kernel/conntrack/confirm.js';
import { formatConntrackEntry } from '../kernel/conntrack/print.js';
import { EMPTY_CONNTRACK, type ConntrackTable } from '../kernel/conntrack/table.js';
import { evaluateHook, HOOK_TABLES, manipOfHook, type HookOutcome } from '../kernel/netfilter/evaluate.js';
import { EMPTY_RECENT, type RecentState } from '../kernel/netfilter/recent.js';
import type { BuiltinChain, TableName } from '../kernel/netfilter/ruleset.js';
import type { NatAction, RuleRef as NfRuleRef } from '../kernel/netfilter/verdict.js';
import type { NetnsDynamic } from './dynamic-state.js';
import type { HookRequest, HookRun, HookVerdict } from './hooks.js';
import type { RuleRef } from './types.js';

/**
 * Netfilter and conntrack of one netns, as the walk sees them: nf_conntrack_in at PREROUTING and
 * OUTPUT, the tables of each hook (kernel/netfilter/evaluate), NAT bindings kept in the
 * connection's entry, and confirmation when the packet leaves POSTROUTING or INPUT.
 */
interface NetfilterDynamic {
  readonly conntrack: ConntrackTable;
  readonly recent: RecentState;
  /** The conntrack view of the packet now between PREROUTING/OUTPUT and its confirmation. */
  readonly inflight: PacketCt | null;
}

/** The walk runs at one fixed instant: timeouts never expire inside a trace. */
export const WALK_NOW = 1_000_000;

function nfOf(d: NetnsDynamic): NetfilterDynamic {
  return (d.netfilter as NetfilterDynamic | null) ?? { conntrack: EMPTY_CONNTRACK, recent: EMPTY_RECENT, inflight: null };
}

function ruleRef(ns: Netns, r: NfRuleRef): RuleRef {
  return { netns: ns.id, table: r.table, chain: r.chain, rule: r.text, num: r.num };
}

function endpoint(p: Ipv4Packet, side: 'src' | 'dst'): string {
  const ports = portsOf(p);
  const addr = formatIpv4(side === 'src' ? p.header.src : p.header.dst);
  return ports ? `${addr}:${side === 'src' ? ports.sport : ports.dport}` : addr;
}

/** "DNAT 10.96.0.10:53 -> 10.244.2.3:53" for a new binding, "reverse NAT ..." for an existing one. */
function rewriteText(before: Ipv4Packet, after: Ipv4Packet, action: NatAction | null, dir: 'original' | 'reply' | null): string | null {
  const parts: string[] = [];
  if (action === null) {
    // No rule chose this: the connection's existing binding (reverse NAT on replies).
    const what = dir === 'reply' ? 'reverse NAT (conntrack)' : 'NAT (conntrack)';
    if (endpoint(before, 'dst') !== endpoint(after, 'dst')) parts.push(`${what}: dst ${endpoint(before, 'dst')} -> ${endpoint(after, 'dst')}`);
    if (endpoint(before, 'src') !== endpoint(after, 'src')) parts.push(`${what}: src ${endpoint(before, 'src')} -> ${endpoint(after, 'src')}`);
    return parts.length > 0 ? parts.join(', ') : null;
  }
  const verb = match(action.kind).with('dnat', () => 'DNAT').with('snat', () => 'SNAT').with('masquerade', () => 'MASQUERADE').with('redirect', () => 'REDIRECT').exhaustive();
  if (endpoint(before, 'dst') !== endpoint(after, 'dst')) parts.push(`${verb} ${endpoint(before, 'dst')} -> ${endpoint(after, 'dst')}`);
  if (endpoint(before, 'src') !== endpoint(after, 'src')) parts.push(`${verb} ${endpoint(before, 'src')} -> ${endpoint(after, 'src')}`);
  return parts.length > 0 ? parts.join(', ') : null;
}

function verdictOf(ns: Netns, o: HookOutcome): HookVerdict {
  return match(o.verdict)
    .with({ kind: 'accept' }, (): HookVerdict => ({ kind: 'accept' }))
    .with({ kind: 'drop' }, (v): HookVerdict => ({ kind: 'drop', rule: ruleRef(ns, v.rule) }))
    .with({ kind: 'reject' }, (v): HookVerdict => ({ kind: 'reject', rule: ruleRef(ns, v.rule), with: v.with }))
    .exhaustive();
}

/** The primary address of the out device: what MASQUERADE uses (inet_select_addr). */
function deviceAddress(ns: Netns, dev: string | null) {
  if (dev === null) return null;
  return ns.addrs.find((a) => a.dev === dev && a.scope === 'global')?.local ?? null;
}

const STARTS_TRACKING: ReadonlySet<BuiltinChain> = new Set(['PREROUTING', 'OUTPUT']);
const CONFIRMS: ReadonlySet<BuiltinChain> = new Set(['POSTROUTING', 'INPUT']);

/** NF_IP_PRI_* of each table on a hook; nat is NAT_DST (-100) before routing, NAT_SRC (100) after. */
function tablePriority(hook: BuiltinChain, table: TableName): number {
  return match(table)
    .with('raw', () => -300)
    .with('mangle', () => -150)
    .with('nat', () => (manipOfHook(hook) === 'dst' ? -100 : 100))
    .with('filter', () => 0)
    .exhaustive();
}

const NF_IP_PRI_CONNTRACK = -200;
const NF_IP_PRI_CONNTRACK_CONFIRM = 2147483647;

/** Inside IPVS's NAT xmit (ip_vs_update_conntrack): the reply now comes from the real server. */
export function alterInflightReply(dyn: NetnsDynamic, from: { readonly addr: Ipv4; readonly port: number | null }): NetnsDynamic {
  const nf = nfOf(dyn);
  const pkt = nf.inflight;
  if (pkt === null || pkt.kind !== 'new') return dyn;
  const r = pkt.entry.reply;
  const l4 = r.l4.kind === 'ports' && from.port !== null ? { ...r.l4, sport: from.port } : r.l4;
  const entry = { ...pkt.entry, reply: { ...r, src: from.addr, l4 } };
  return { ...dyn, netfilter: { ...nf, inflight: { kind: 'new', entry } } satisfies NetfilterDynamic };
}

export function netfilterHook(req: HookRequest): readonly HookRun[] {
  const { ns, hook, devices } = req;
  const from = req.priorities?.from ?? -Infinity;
  const to = req.priorities?.to ?? Infinity;
  const inPart = (p: number) => p >= from && p <= to;
  let nf = nfOf(req.dyn);
  const ctLines: string[] = [];
  let pkt: PacketCt | null = nf.inflight;
  const tracks = (STARTS_TRACKING.has(hook) && inPart(NF_IP_PRI_CONNTRACK) && !req.ctAttached) || pkt === null;
  if (tracks || pkt === null) {
    const t = conntrackIn(nf.conntrack, req.packet, { now: WALK_NOW });
    nf = { ...nf, conntrack: t.table };
    pkt = t.pkt;
    const e = entryOf(t.table, pkt);
    if (pkt.kind === 'tracked' || pkt.kind === 'related') {
      if (e) ctLines.push(`${pkt.kind === 'related' ? 'related to' : `${pkt.dir} direction of`}: ${formatConntrackEntry(e, WALK_NOW)}`);
    }
  }
  const ctNow: PacketCt = pkt;
  const natOpts = { now: WALK_NOW, masqueradeAddr: deviceAddress(ns, devices.out), redirectAddr: deviceAddress(ns, devices.in) ?? null };
  const outcomes = evaluateHook(ns.netfilter, {
    hook,
    packet: req.packet,
    inDev: devices.in,
    outDev: devices.out,
    physdev: devices.physIn !== null || devices.physOut !== null ? { in: devices.physIn, out: devices.physOut } : null,
    mark: req.mark,
    ct: ctInfoOf(nf.conntrack, ctNow),
    addrType: (addr) => addrType(ns, addr),
    // `-m set --match-set` looks up the netns's own ip sets (Felix's cali40*, kube-proxy's KUBE-*).
    ipsets: ns.ipsets,
    // `-m rpfilter` (Felix's anti-spoofing rule) looks the source up in this netns's FIB.
    rpfilter: rpfilterOracle(ns),
    recent: nf.recent,
    now: WALK_NOW,
    natStep: (packet, action) => applyNat(nf.conntrack, ctNow, hook, action, packet, natOpts).packet,
    masqueradeAddr: natOpts.masqueradeAddr,
    redirectAddr: natOpts.redirectAddr,
    tables: HOOK_TABLES[hook].filter((t) => inPart(tablePriority(hook, t))),
  });
  return outcomes.map((o): HookRun => {
    // Re-derive the binding this branch made, so it stays with the connection.
    const bound = inPart(tablePriority(hook, 'nat')) ? applyNat(nf.conntrack, ctNow, hook, o.nat, req.packet, natOpts).pkt : ctNow;
    let table = nf.conntrack;
    const lines = [...ctLines];
    if (bound.kind === 'new' && STARTS_TRACKING.has(hook) && tracks) lines.push(`new: ${formatConntrackEntry(bound.entry, WALK_NOW)}`);
    let inflight: PacketCt | null = bound;
    let verdict = verdictOf(ns, o);
    if (CONFIRMS.has(hook) && inPart(NF_IP_PRI_CONNTRACK_CONFIRM) && verdict.kind === 'accept') {
      const c = confirm(table, bound, WALK_NOW);
      if (c.clash !== null) verdict = { kind: 'drop', rule: { netns: ns.id, table: 'conntrack', chain: 'confirm', rule: c.clash } };
      else if (bound.kind === 'new') lines.push(`confirmed: ${formatConntrackEntry(bound.entry, WALK_NOW)}`);
      table = c.table;
      inflight = null;
    }
    if (verdict.kind !== 'accept') inflight = null;
    return {
      probability: o.probability,
      verdict,
      packet: o.packet,
      mark: o.mark,
      lines: o.hits.filter((h) => h.effect.kind !== 'policy' || h.rule.text.includes('DROP')).map((h) => `[${h.rule.table}] ${h.rule.text}`),
      conntrack: lines,
      dyn: { ...req.dyn, netfilter: { conntrack: table, recent: o.recent, inflight } satisfies NetfilterDynamic },
      rewrite: rewriteText(req.packet, o.packet, o.nat, ctNow.kind === 'tracked' || ctNow.kind === 'related' ? ctNow.dir : null),
    };
  });
}

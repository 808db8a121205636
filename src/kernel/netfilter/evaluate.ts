import { match } from 'ts-pattern';
import type { Ipv4 } from '../../net/ipv4.js';
import { portsOf, type Ipv4Packet } from '../../net/packet.js';
import { withStatus } from '../conntrack/entry.js';
import { rewriteDst, rewriteSrc } from '../conntrack/rewrite.js';
import { INVALID, UNTRACKED, type CtInfo } from './ct-info.js';
import { EMPTY_IPSETS, type IpsetMap } from './ipset.js';
import { evalMatch, type AddrTypeOracle, type MatchEnv, type Physdev, type RpfilterOracle } from './match-eval.js';
import { EMPTY_RECENT, type RecentState, type RecentUpdate } from './recent.js';
import { findChain, type BuiltinChain, type Chain, type Rule, type Ruleset, type TableName } from './ruleset.js';
import type { RejectWith } from './target.js';
import type { Hit, HitEffect, NatAction, RuleRef, StatisticBranch, Verdict } from './verdict.js';

/**
 * One netfilter hook for one packet, as the kernel runs it: the tables registered on the hook
 * in priority order (raw -300, [conntrack -200], mangle -150, nat DNAT -100, filter 0, nat SNAT
 * 100), each table's built-in chain rule by rule (ipt_do_table): all matches of a rule must
 * match; -j pushes a return point, -g does not, RETURN or the end of a user chain pops it, and
 * the end (or a RETURN) of the built-in chain applies its policy. ACCEPT ends the table, DROP
 * and REJECT end the hook. The nat table only sees a connection's first packet
 * (nf_nat_inet_fn), and its NAT targets end it with NF_ACCEPT.
 *
 * Pure: `-m statistic --mode random` branches, so the result is every outcome with its
 * probability (they sum to 1); `-m recent` state comes back updated per outcome.
 */

/** Tables on each hook, in priority order (include/uapi/linux/netfilter_ipv4.h NF_IP_PRI_*). */
export const HOOK_TABLES: Readonly<Record<BuiltinChain, readonly TableName[]>> = {
  PREROUTING: ['raw', 'mangle', 'nat'],
  INPUT: ['mangle', 'filter', 'nat'],
  FORWARD: ['mangle', 'filter'],
  OUTPUT: ['raw', 'mangle', 'nat', 'filter'],
  POSTROUTING: ['mangle', 'nat'],
};

/** Which NAT manipulation a hook's nat table sets up: destination before routing, source after. */
export function manipOfHook(hook: BuiltinChain): 'src' | 'dst' | null {
  return hook === 'PREROUTING' || hook === 'OUTPUT' ? 'dst' : hook === 'POSTROUTING' || hook === 'INPUT' ? 'src' : null;
}

/**
 * Applies NAT at the nat table's position in the hook: for a new connection `action` is what the
 * nat table chose (null: none, a null binding); for later packets it is null and the
 * conntrack entry's existing binding applies. Returns the packet the later tables see.
 */
export type NatStep = (packet: Ipv4Packet, action: NatAction | null, ct: CtInfo) => Ipv4Packet;

export interface HookContext {
  readonly hook: BuiltinChain;
  readonly packet: Ipv4Packet;
  /** `-i` device; null where the hook has none (OUTPUT, POSTROUTING). */
  readonly inDev: string | null;
  /** `-o` device; null where the hook has none (PREROUTING, INPUT). */
  readonly outDev: string | null;
  /** Bridge ports for br_netfilter traffic; null for packets that did not cross a bridge. */
  readonly physdev: Physdev | null;
  /** skb->mark on entry. */
  readonly mark: number;
  /** The packet's conntrack state, as nf_conntrack_in left it. */
  readonly ct: CtInfo;
  readonly addrType: AddrTypeOracle;
  readonly ipsets?: IpsetMap;
  /** The reverse-path lookup for `-m rpfilter` (kernel/rpfilter.ts rpfilterOracle). */
  readonly rpfilter?: RpfilterOracle;
  readonly recent?: RecentState;
  /** Seconds, for -m recent. */
  readonly now?: number;
  /** NAT at the nat table's position; defaults to `simpleNatStep`. */
  readonly natStep?: NatStep;
  /** For the default NAT step: MASQUERADE's address (the out device's) and REDIRECT's. */
  readonly masqueradeAddr?: Ipv4 | null;
  readonly redirectAddr?: Ipv4 | null;
  /**
   * Run only these of the hook's tables (default all). Another hook function registered between
   * two tables' priorities (IPVS at LOCAL_IN 98/99, LOCAL_OUT -99/-98) splits the hook in two.
   */
  readonly tables?: readonly TableName[];
}

export interface HookOutcome {
  readonly probability: number;
  readonly verdict: Verdict;
  readonly mark: number;
  /** The NAT the nat table chose in this hook (first packet of a connection only). */
  readonly nat: NatAction | null;
  /** The packet after this hook's NAT. */
  readonly packet: Ipv4Packet;
  /** The conntrack view after this hook (NAT bits set by a new binding, UNTRACKED after NOTRACK). */
  readonly ct: CtInfo;
  readonly hits: readonly Hit[];
  readonly statistic: readonly StatisticBranch[];
  readonly recent: RecentState;
  readonly recentUpdates: readonly RecentUpdate[];
  /** NOTRACK / CT --notrack was hit in the raw table. */
  readonly notrack: boolean;
}

/** Per-branch traversal state. */
interface St {
  readonly p: number;
  readonly mark: number;
  readonly hits: readonly Hit[];
  readonly stats: readonly StatisticBranch[];
  readonly recent: RecentState;
  readonly updates: readonly RecentUpdate[];
  readonly notrack: boolean;
}

type TableEnd =
  | { readonly kind: 'accept' }
  | { readonly kind: 'drop'; readonly rule: RuleRef }
  | { readonly kind: 'reject'; readonly rule: RuleRef; readonly with: RejectWith }
  | { readonly kind: 'nat'; readonly action: NatAction };

interface Frame {
  readonly chain: string;
  readonly idx: number;
}

interface Cursor extends Frame {
  readonly stack: readonly Frame[];
  readonly st: St;
}

/** Upper bound on rules visited per table traversal; the parser rejects loops, this guards hand-built rulesets. */
const MAX_STEPS = 100_000;

function ref(table: TableName, chain: string, idx: number, rule: Rule): RuleRef {
  return { table, chain, num: idx + 1, text: rule.text };
}

function natAction(rule: Rule, r: RuleRef): NatAction | null {
  const t = rule.target;
  return match(t)
    .with({ kind: 'dnat' }, (x): NatAction => ({ kind: 'dnat', addr: x.range.addrMin, port: x.range.ports?.min ?? null, range: x.range, random: x.random, persistent: x.persistent, rule: r }))
    .with(
      { kind: 'snat' },
      (x): NatAction => ({ kind: 'snat', addr: x.range.addrMin, ports: x.range.ports, range: x.range, random: x.random, randomFully: x.randomFully, persistent: x.persistent, rule: r }),
    )
    .with({ kind: 'masquerade' }, (x): NatAction => ({ kind: 'masquerade', ports: x.ports, random: x.random, randomFully: x.randomFully, rule: r }))
    .with({ kind: 'redirect' }, (x): NatAction => ({ kind: 'redirect', ports: x.ports, random: x.random, rule: r }))
    .otherwise(() => null);
}

/** All branches of one rule's matches (AND, evaluated in order; a failing match stops the rest). */
function matchRule(rule: Rule, env: Omit<MatchEnv, 'mark'>, st: St, r: RuleRef): { st: St; matched: boolean }[] {
  let live: { st: St; matched: boolean }[] = [{ st, matched: true }];
  for (const m of rule.matches) {
    const next: { st: St; matched: boolean }[] = [];
    for (const b of live) {
      if (!b.matched) {
        next.push(b);
        continue;
      }
      for (const br of evalMatch(m, { ...env, mark: b.st.mark }, b.st.recent)) {
        next.push({
          matched: br.matched,
          st: {
            ...b.st,
            p: b.st.p * br.probability,
            recent: br.recent,
            updates: br.recentUpdate ? [...b.st.updates, br.recentUpdate] : b.st.updates,
            stats: br.statistic ? [...b.st.stats, { rule: r, taken: br.statistic.taken, probability: br.statistic.probability }] : b.st.stats,
          },
        });
      }
    }
    live = next;
  }
  return live;
}

function addHit(st: St, rule: RuleRef, effect: HitEffect): St {
  return { ...st, hits: [...st.hits, { rule, effect }] };
}

/** Traverse one table's built-in chain for the hook: every way it can end. */
function runTable(rs: Ruleset, table: TableName, hook: BuiltinChain, env: Omit<MatchEnv, 'mark'>, st0: St): { st: St; end: TableEnd }[] {
  const t = rs.tables.get(table);
  const base = t?.chains.find((c) => c.name === hook);
  if (!t || !base) return [{ st: st0, end: { kind: 'accept' } }];
  const chains = new Map<string, Chain>(t.chains.map((c) => [c.name, c]));
  const ends: { st: St; end: TableEnd }[] = [];
  const work: Cursor[] = [{ chain: hook, idx: 0, stack: [], st: st0 }];
  let steps = 0;
  const policyEnd = (st: St) => {
    const policy = base.policy ?? 'ACCEPT';
    const r: RuleRef = { table, chain: hook, num: null, text: `-P ${hook} ${policy}` };
    const s = addHit(st, r, { kind: 'policy', policy });
    ends.push({ st: s, end: policy === 'ACCEPT' ? { kind: 'accept' } : { kind: 'drop', rule: r } });
  };
  while (work.length > 0) {
    let c = work.pop() as Cursor;
    for (;;) {
      if (++steps > MAX_STEPS) throw new Error(`netfilter: more than ${MAX_STEPS} rule steps in table ${table} (a jump loop?)`);
      const chain = chains.get(c.chain);
      if (!chain || c.idx >= chain.rules.length) {
        // End of chain: a user chain returns to its caller; the built-in chain (or a user chain
        // reached by -g from it) falls through to the policy.
        const top = c.stack[c.stack.length - 1];
        if (!top) {
          policyEnd(c.st);
          break;
        }
        c = { ...top, stack: c.stack.slice(0, -1), st: c.st };
        continue;
      }
      const rule = chain.rules[c.idx] as Rule;
      const r = ref(table, c.chain, c.idx, rule);
      const branches = matchRule(rule, env, c.st, r);
      // Continue with the first branch here; queue the others (statistic coin sides).
      const conts: Cursor[] = [];
      for (const b of branches) {
        if (!b.matched) {
          conts.push({ ...c, idx: c.idx + 1, st: b.st });
          continue;
        }
        const st = b.st;
        const next = { ...c, idx: c.idx + 1 };
        match(rule.target)
          .with({ kind: 'accept' }, () => ends.push({ st: addHit(st, r, { kind: 'accept' }), end: { kind: 'accept' } }))
          .with({ kind: 'drop' }, () => ends.push({ st: addHit(st, r, { kind: 'drop' }), end: { kind: 'drop', rule: r } }))
          .with({ kind: 'reject' }, (x) => ends.push({ st: addHit(st, r, { kind: 'reject', with: x.with }), end: { kind: 'reject', rule: r, with: x.with } }))
          .with({ kind: 'return' }, () => {
            const s = addHit(st, r, { kind: 'return' });
            const top = c.stack[c.stack.length - 1];
            if (!top) policyEnd(s);
            else conts.push({ ...top, stack: c.stack.slice(0, -1), st: s });
          })
          .with({ kind: 'jump' }, (x) => conts.push({ chain: x.chain, idx: 0, stack: [...c.stack, { chain: next.chain, idx: next.idx }], st: addHit(st, r, { kind: 'jump', chain: x.chain }) }))
          .with({ kind: 'goto' }, (x) => conts.push({ chain: x.chain, idx: 0, stack: c.stack, st: addHit(st, r, { kind: 'goto', chain: x.chain }) }))
          .with({ kind: 'dnat' }, { kind: 'snat' }, { kind: 'masquerade' }, { kind: 'redirect' }, () => {
            const action = natAction(rule, r) as NatAction;
            ends.push({ st: addHit(st, r, { kind: 'nat', action }), end: { kind: 'nat', action } });
          })
          .with({ kind: 'mark' }, (x) => {
            // xt_mark.c mark_tg: skb->mark = (skb->mark & ~info->mask) ^ info->mark
            const to = ((st.mark & ~x.mask) ^ x.value) >>> 0;
            conts.push({ ...next, st: { ...addHit(st, r, { kind: 'mark', from: st.mark, to }), mark: to } });
          })
          .with({ kind: 'log' }, () => conts.push({ ...next, st: addHit(st, r, { kind: 'log' }) }))
          .with({ kind: 'notrack' }, () => conts.push({ ...next, st: { ...addHit(st, r, { kind: 'notrack' }), notrack: true } }))
          .with({ kind: 'none' }, { kind: 'ct' }, () => conts.push({ ...next, st: addHit(st, r, { kind: 'continue' }) }))
          .exhaustive();
      }
      const [first, ...others] = conts;
      work.push(...others.reverse());
      if (!first) break;
      c = first;
    }
  }
  return ends;
}

/**
 * The NAT step used when the caller has no conntrack table: rewrites the packet with the chosen
 * action (DNAT/REDIRECT the destination, SNAT/MASQUERADE the source, ports kept unless given).
 * Later packets of a connection are not translated; use kernel/conntrack for that.
 */
export function simpleNatStep(ctx: Pick<HookContext, 'masqueradeAddr' | 'redirectAddr'>): NatStep {
  return (packet, action) => {
    if (!action) return packet;
    const ports = portsOf(packet);
    return match(action)
      .with({ kind: 'dnat' }, (a) => rewriteDst(packet, { addr: a.addr, port: a.port ?? ports?.dport ?? null }))
      .with({ kind: 'redirect' }, (a) => (ctx.redirectAddr ? rewriteDst(packet, { addr: ctx.redirectAddr, port: a.ports?.min ?? null }) : packet))
      .with({ kind: 'snat' }, (a) => rewriteSrc(packet, { addr: a.addr, port: a.ports?.min ?? null }))
      .with({ kind: 'masquerade' }, (a) => (ctx.masqueradeAddr ? rewriteSrc(packet, { addr: ctx.masqueradeAddr, port: a.ports?.min ?? null }) : packet))
      .exhaustive();
  };
}

/** The conntrack view after the nat table set up a binding (nf_nat_setup_info's status bits). */
function afterBinding(ct: CtInfo, manip: 'src' | 'dst', before: Ipv4Packet, after: Ipv4Packet): CtInfo {
  const pb = portsOf(before);
  const pa = portsOf(after);
  const changed =
    manip === 'dst'
      ? before.header.dst !== after.header.dst || pb?.dport !== pa?.dport
      : before.header.src !== after.header.src || pb?.sport !== pa?.sport;
  const status = withStatus(ct.status, manip === 'dst' ? 'DST_NAT_DONE' : 'SRC_NAT_DONE', ...(changed ? [manip === 'dst' ? ('DST_NAT' as const) : ('SRC_NAT' as const)] : []));
  return { ...ct, status, natDone: { ...ct.natDone, [manip]: true } };
}

/** The verdict that ends the hook (DROP, REJECT), or null when the next table runs. */
function stopVerdict(end: TableEnd): Verdict | null {
  return match(end)
    .with({ kind: 'drop' }, (e): Verdict => ({ kind: 'drop', rule: e.rule }))
    .with({ kind: 'reject' }, (e): Verdict => ({ kind: 'reject', rule: e.rule, with: e.with }))
    .with({ kind: 'accept' }, { kind: 'nat' }, () => null)
    .exhaustive();
}

interface Running {
  readonly st: St;
  readonly packet: Ipv4Packet;
  readonly ct: CtInfo;
  readonly nat: NatAction | null;
}

export function evaluateHook(rs: Ruleset, ctx: HookContext): HookOutcome[] {
  const natStep = ctx.natStep ?? simpleNatStep(ctx);
  const st0: St = { p: 1, mark: ctx.mark >>> 0, hits: [], stats: [], recent: ctx.recent ?? EMPTY_RECENT, updates: [], notrack: false };
  let running: Running[] = [{ st: st0, packet: ctx.packet, ct: ctx.ct, nat: null }];
  const done: HookOutcome[] = [];
  const finish = (x: Running, verdict: Verdict): HookOutcome => ({
    probability: x.st.p,
    verdict,
    mark: x.st.mark,
    nat: x.nat,
    packet: x.packet,
    ct: x.ct,
    hits: x.st.hits,
    statistic: x.st.stats,
    recent: x.st.recent,
    recentUpdates: x.st.updates,
    notrack: x.st.notrack,
  });
  for (const table of HOOK_TABLES[ctx.hook].filter((t) => ctx.tables === undefined || ctx.tables.includes(t))) {
    const next: Running[] = [];
    for (const x of running) {
      const env = (ct: CtInfo, packet: Ipv4Packet): Omit<MatchEnv, 'mark'> => ({
        hook: ctx.hook,
        packet,
        inDev: ctx.inDev,
        outDev: ctx.outDev,
        physdev: ctx.physdev,
        ct,
        addrType: ctx.addrType,
        ipsets: ctx.ipsets ?? EMPTY_IPSETS,
        now: ctx.now ?? 0,
        ...(ctx.rpfilter ? { rpfilter: ctx.rpfilter } : {}),
      });
      if (table === 'nat') {
        // No conntrack entry, no NAT (nf_nat_inet_fn returns NF_ACCEPT without a ct).
        if (x.ct.state === 'UNTRACKED' || x.ct.state === 'INVALID') {
          next.push(x);
          continue;
        }
        const manip = manipOfHook(ctx.hook) as 'src' | 'dst';
        if (x.ct.natDone[manip]) {
          next.push({ ...x, packet: natStep(x.packet, null, x.ct) });
          continue;
        }
        for (const r of runTable(rs, 'nat', ctx.hook, env(x.ct, x.packet), x.st)) {
          const stop = stopVerdict(r.end);
          if (stop) {
            done.push(finish({ ...x, st: r.st }, stop));
            continue;
          }
          const action = r.end.kind === 'nat' ? r.end.action : null;
          const packet = natStep(x.packet, action, x.ct);
          next.push({ st: r.st, packet, ct: afterBinding(x.ct, manip, x.packet, packet), nat: action ?? x.nat });
        }
        continue;
      }
      // The raw table runs before conntrack (NF_IP_PRI_RAW < NF_IP_PRI_CONNTRACK): no entry yet.
      const ctSeen = table === 'raw' ? INVALID : x.ct;
      for (const r of runTable(rs, table, ctx.hook, env(ctSeen, x.packet), x.st)) {
        const stop = stopVerdict(r.end);
        if (stop) done.push(finish({ ...x, st: r.st }, stop));
        else next.push({ ...x, st: r.st, ct: table === 'raw' && r.st.notrack ? UNTRACKED : x.ct });
      }
    }
    running = next;
  }
  return [...done, ...running.map((x) => finish(x, { kind: 'accept' }))];
}

/** Convenience for tests and traces: the chain a RuleRef points at. */
export function chainOf(rs: Ruleset, r: RuleRef): Chain | undefined {
  return findChain(rs, r.table, r.chain);
}

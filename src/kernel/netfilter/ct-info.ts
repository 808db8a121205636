import type { CtStatus } from '../conntrack/entry.js';
import type { Tuple } from '../conntrack/tuple.js';

/**
 * What the netfilter rules can see of a packet's conntrack entry (skb->_nfct): the ctinfo state
 * the conntrack and state matches test, the entry's status bits and tuples (--ctstatus,
 * --ctorigdst, ...), and whether NAT bindings are already set up, which decides whether the nat
 * table is traversed at all (nf_nat_inet_fn: only while !nf_nat_initialized(ct, manip), i.e.
 * for the first packet of a connection).
 */
export type CtState = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED';

export interface CtInfo {
  readonly state: CtState;
  /** Direction of this packet in its connection; null without a conntrack entry. */
  readonly dir: 'original' | 'reply' | null;
  readonly status: readonly CtStatus[];
  readonly original: Tuple | null;
  readonly reply: Tuple | null;
  /** IPS_SRC_NAT_DONE / IPS_DST_NAT_DONE: the binding for that manip type exists. */
  readonly natDone: { readonly src: boolean; readonly dst: boolean };
}

/** The first packet of a new connection, before any NAT binding (an unconfirmed entry). */
export function newConnection(original: Tuple | null): CtInfo {
  return { state: 'NEW', dir: 'original', status: [], original, reply: null, natDone: { src: false, dst: false } };
}

/** A packet conntrack does not track (-j NOTRACK / CT --notrack). */
export const UNTRACKED: CtInfo = { state: 'UNTRACKED', dir: null, status: [], original: null, reply: null, natDone: { src: true, dst: true } };

/** A packet conntrack rejected (or, in the raw table, one it has not looked at yet). */
export const INVALID: CtInfo = { state: 'INVALID', dir: null, status: [], original: null, reply: null, natDone: { src: true, dst: true } };

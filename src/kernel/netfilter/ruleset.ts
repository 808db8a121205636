/**
 * The iptables state of one netns, as `iptables-save` would print it. Filled in by
 * kernel/netfilter (parser, printer, evaluator); controllers produce iptables-restore text and the
 * kernel model parses it, exactly as kube-proxy, flanneld and Felix drive the real kernel.
 */
export type TableName = 'raw' | 'mangle' | 'nat' | 'filter';
export type BuiltinChain = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';

export interface Ruleset {
  readonly tables: ReadonlyMap<TableName, unknown>;
}

export const EMPTY_RULESET: Ruleset = { tables: new Map() };

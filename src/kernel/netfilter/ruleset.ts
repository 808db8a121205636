import type { Match } from './match.js';
import type { Target } from './target.js';

/**
 * The iptables state of one netns, as `iptables-save` would print it. Controllers produce
 * iptables-restore text and the kernel model parses it (kernel/netfilter/parse.ts), exactly as
 * kube-proxy, flanneld and Felix drive the real kernel; the packet walk evaluates it
 * (kernel/netfilter/evaluate.ts).
 */
export type TableName = 'raw' | 'mangle' | 'nat' | 'filter';
export type BuiltinChain = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';
export type Policy = 'ACCEPT' | 'DROP';

export interface Rule {
  readonly matches: readonly Match[];
  readonly target: Target;
  /** The rule exactly as iptables-save prints it: `-A CHAIN ...`. */
  readonly text: string;
  /** 1-based line of the restore input it came from, when parsed. */
  readonly line: number | null;
}

export interface Chain {
  readonly name: string;
  /** Built-in chains have a policy; user chains have none (`:NAME - [0:0]`). */
  readonly policy: Policy | null;
  readonly rules: readonly Rule[];
}

/**
 * A table that exists in the netns. iptables-nft creates all of a table's built-in chains as
 * soon as anything in the table is created, so every Table here has them, first and in hook
 * order; user chains follow in strcmp order (the order iptables-save lists them).
 */
export interface Table {
  readonly name: TableName;
  readonly chains: readonly Chain[];
}

export interface Ruleset {
  readonly tables: ReadonlyMap<TableName, Table>;
}

export const EMPTY_RULESET: Ruleset = { tables: new Map() };

/** The order iptables-save (nf_tables backend) prints tables in: its xtables_ipv4[] array. */
export const TABLE_ORDER: readonly TableName[] = ['mangle', 'raw', 'filter', 'nat'];

/** Built-in chains per table, in hook order. */
export const BUILTIN_CHAINS: Readonly<Record<TableName, readonly BuiltinChain[]>> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
};

export function isTableName(s: string): s is TableName {
  return s === 'raw' || s === 'mangle' || s === 'nat' || s === 'filter';
}

export function isBuiltinChain(table: TableName, chain: string): chain is BuiltinChain {
  return (BUILTIN_CHAINS[table] as readonly string[]).includes(chain);
}

/** A table as iptables-nft creates it: built-in chains with policy ACCEPT, no rules. */
export function emptyTable(name: TableName): Table {
  return { name, chains: BUILTIN_CHAINS[name].map((c) => ({ name: c, policy: 'ACCEPT', rules: [] })) };
}

export function findChain(rs: Ruleset, table: TableName, chain: string): Chain | undefined {
  return rs.tables.get(table)?.chains.find((c) => c.name === chain);
}

/** Built-ins first in hook order, then user chains sorted by strcmp, as iptables-save lists them. */
export function sortChains(table: TableName, chains: readonly Chain[]): Chain[] {
  const builtins = BUILTIN_CHAINS[table]
    .map((b) => chains.find((c) => c.name === b))
    .filter((c): c is Chain => c !== undefined);
  const user = chains.filter((c) => !isBuiltinChain(table, c.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [...builtins, ...user];
}

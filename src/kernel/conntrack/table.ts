import { isExpired, type ConntrackEntry } from './entry.js';
import { tupleEquals, type Tuple } from './tuple.js';

/**
 * The conntrack table of one netns: confirmed entries only (an entry joins the table when its
 * first packet leaves the last hook, __nf_conntrack_confirm). Readonly; changes return a new
 * table. `nextId` orders entries the way they were confirmed.
 */
export interface ConntrackTable {
  readonly entries: readonly ConntrackEntry[];
  readonly nextId: number;
}

export const EMPTY_CONNTRACK: ConntrackTable = { entries: [], nextId: 1 };

export interface Found {
  readonly entry: ConntrackEntry;
  readonly dir: 'original' | 'reply';
}

/** nf_conntrack_find_get: the live entry holding this tuple in either direction. */
export function findByTuple(table: ConntrackTable, t: Tuple, now: number): Found | null {
  for (const entry of table.entries) {
    if (isExpired(entry, now)) continue;
    if (tupleEquals(entry.original, t)) return { entry, dir: 'original' };
    if (tupleEquals(entry.reply, t)) return { entry, dir: 'reply' };
  }
  return null;
}

/** nf_conntrack_tuple_taken: does any live entry (other than `except`) use this tuple? */
export function tupleTaken(table: ConntrackTable, t: Tuple, now: number, except: number | null = null): boolean {
  return table.entries.some((e) => e.id !== except && !isExpired(e, now) && (tupleEquals(e.original, t) || tupleEquals(e.reply, t)));
}

export function getEntry(table: ConntrackTable, id: number): ConntrackEntry | undefined {
  return table.entries.find((e) => e.id === id);
}

export function replaceEntry(table: ConntrackTable, e: ConntrackEntry): ConntrackTable {
  return { ...table, entries: table.entries.map((x) => (x.id === e.id ? e : x)) };
}

export function removeEntry(table: ConntrackTable, id: number): ConntrackTable {
  return { ...table, entries: table.entries.filter((x) => x.id !== id) };
}

/** Garbage collection: drop expired entries (the kernel's gc worker). */
export function expire(table: ConntrackTable, now: number): ConntrackTable {
  return { ...table, entries: table.entries.filter((e) => !isExpired(e, now)) };
}

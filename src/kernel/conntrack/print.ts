import { match } from 'ts-pattern';
import { hasStatus, remaining, type ConntrackEntry } from './entry.js';
import type { ConntrackTable } from './table.js';
import { formatTuple } from './tuple.js';

/**
 * Entries as `conntrack -L` (conntrack-tools 1.4.7, libnetfilter_conntrack's default output)
 * prints them:
 *   tcp      6 431999 ESTABLISHED src=... dst=... sport=... dport=... src=... ... [ASSURED] mark=0 use=1
 * protocol name padded to 8 and its number, seconds left, the TCP state, the original tuple,
 * `[UNREPLIED]` until a reply was seen, the reply tuple, `[ASSURED]`, the mark and use count.
 */

/** libnetfilter_conntrack's proto2str; other protocols print as "unknown". */
const PROTO_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'icmp'],
  [6, 'tcp'],
  [17, 'udp'],
  [33, 'dccp'],
  [47, 'gre'],
  [58, 'icmpv6'],
  [132, 'sctp'],
  [136, 'udplite'],
]);

export function formatConntrackEntry(e: ConntrackEntry, now: number): string {
  const name = PROTO_NAMES.get(e.original.proto) ?? 'unknown';
  const parts = [`${name.padEnd(8)} ${e.original.proto} ${remaining(e, now)}`];
  const state = match(e.proto)
    .with({ kind: 'tcp' }, { kind: 'sctp' }, (p) => p.state)
    .with({ kind: 'udp' }, { kind: 'icmp' }, { kind: 'generic' }, () => null)
    .exhaustive();
  if (state) parts.push(state);
  parts.push(formatTuple(e.original));
  if (!hasStatus(e, 'SEEN_REPLY')) parts.push('[UNREPLIED]');
  parts.push(formatTuple(e.reply));
  if (hasStatus(e, 'ASSURED')) parts.push('[ASSURED]');
  parts.push(`mark=${e.mark >>> 0}`, 'use=1');
  return parts.join(' ');
}

/** `conntrack -L`: live entries, one per line, in the order they were confirmed. */
export function formatConntrackTable(t: ConntrackTable, now: number): string[] {
  return t.entries.filter((e) => remaining(e, now) > 0).map((e) => formatConntrackEntry(e, now));
}

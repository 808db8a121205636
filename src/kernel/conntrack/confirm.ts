import { withStatus } from './entry.js';
import { tupleTaken, type ConntrackTable } from './table.js';
import type { PacketCt } from './track.js';

/**
 * __nf_conntrack_confirm: when the first packet of a connection leaves the last hook
 * (POSTROUTING, or INPUT for local delivery) its unconfirmed entry joins the table with
 * IPS_CONFIRMED. If another entry took either tuple meanwhile, the kernel drops the packet
 * (clash resolution for UDP is not modelled). Packets of confirmed entries change nothing here.
 */
export interface ConfirmResult {
  readonly table: ConntrackTable;
  /** Set when the entry could not be inserted (the packet is dropped). */
  readonly clash: string | null;
}

export function confirm(table: ConntrackTable, pkt: PacketCt, now: number): ConfirmResult {
  if (pkt.kind !== 'new') return { table, clash: null };
  const e = pkt.entry;
  if (tupleTaken(table, e.original, now) || tupleTaken(table, e.reply, now)) {
    return { table, clash: 'nf_conntrack_confirm: a confirmed entry already holds one of the tuples' };
  }
  const confirmed = { ...e, status: withStatus(e.status, 'CONFIRMED') };
  return { table: { ...table, entries: [...table.entries, confirmed] }, clash: null };
}

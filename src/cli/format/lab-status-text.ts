import type { LabState } from '../../lab/state-file.js';

export interface LabStatusRow {
  readonly state: LabState;
  /** Namespaces of the lab that exist right now. */
  readonly netnsAlive: number;
  readonly processesAlive: number;
  readonly ownerAlive: boolean;
}

function kind(r: LabStatusRow): string {
  if (r.state.persistent) return 'lab up';
  return r.ownerAlive ? `in use by pid ${r.state.ownerPid}` : `stale (pid ${r.state.ownerPid} is gone)`;
}

export function statusText(rows: readonly LabStatusRow[]): string {
  if (rows.length === 0) return 'no podnet labs on this machine';
  const header = ['PREFIX', 'TOPOLOGY', 'NETNS', 'PROCESSES', 'CREATED', 'KIND', 'FILE'];
  const body = rows.map((r) => [
    r.state.prefix,
    r.state.topology?.name ?? '-',
    `${r.netnsAlive}/${r.state.netns.length}`,
    `${r.processesAlive}/${r.state.processes.length}`,
    r.state.createdAt,
    kind(r),
    r.state.topology?.file ?? '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  return [header, ...body].map((cols) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}

export function statusJson(rows: readonly LabStatusRow[]): unknown {
  return rows.map((r) => ({ ...r.state, netnsAlive: r.netnsAlive, processesAlive: r.processesAlive, ownerAlive: r.ownerAlive }));
}

import { selectableRows, type ClusterRow } from '../cluster-rows.js';
import type { Env, TuiState } from '../state.js';
import { fit, frame, line, rule, seg, truncate, windowStart, type Line, type Seg } from '../text.js';

/** Column widths for entry rows of one section: as wide as the content, within the screen. */
function widths(rows: readonly ClusterRow[], w: number): Map<ClusterRow, number[]> {
  const out = new Map<ClusterRow, number[]>();
  let section: ClusterRow[] = [];
  const flush = (): void => {
    const cols = Math.max(0, ...section.map((r) => (r.kind === 'entry' ? r.cells.length : 0)));
    const ws: number[] = [];
    for (let c = 0; c < cols; c++) ws.push(Math.max(...section.map((r) => (r.kind === 'entry' ? (r.cells[c] ?? '').length : 0))));
    // Shrink the widest column until the row fits, so no column pushes the rest off screen.
    const room = w - 4 - 2 * cols;
    let total = ws.reduce((a, b) => a + b, 0);
    while (total > room && total > 0) {
      const i = ws.indexOf(Math.max(...ws));
      if ((ws[i] ?? 0) <= 6) break;
      ws[i] = (ws[i] ?? 0) - 1;
      total -= 1;
    }
    for (const r of section) out.set(r, ws);
    section = [];
  };
  for (const r of rows) {
    if (r.kind === 'heading') flush();
    if (r.kind === 'entry') section.push(r);
  }
  flush();
  return out;
}

export function clusterLines(s: TuiState, env: Env, w: number, h: number): Line[] {
  const { system } = env.loaded;
  const rows = env.rows;
  const sel = selectableRows(rows);
  const curRow = sel[s.clusterCursor] ?? -1;
  const ws = widths(rows, w);
  const head: Line[] = [
    fit(line(seg(system.name, 'title'), seg(` · ${system.description}`, 'dim'), seg(`  ${env.loaded.cluster?.nodes.length ?? 0} nodes, ${env.loaded.cluster?.pods.length ?? [...system.netns.values()].filter((i) => i.role.kind === 'pod').length} pods, ${env.loaded.cluster?.services.length ?? 0} services`, 'dim')), w, false),
    fit(line(seg('↑↓', 'key'), seg(' select  ', 'dim'), seg('f', 'key'), seg(' trace from it  ', 'dim'), seg('t', 'key'), seg('/', 'dim'), seg('Enter', 'key'), seg(' trace to it', 'dim')), w, false),
  ];
  const body: Line[] = rows.map((r, i): Line => {
    if (r.kind === 'heading') return rule(r.text, w);
    if (r.kind === 'sub') return fit(line(seg('  '), seg(r.text, 'node')), w, false);
    const colw = ws.get(r) ?? [];
    const selected = i === curRow;
    const segs: Seg[] = [seg(selected ? '›' : ' ', 'key'), seg(r.style === 'pod' ? '   ' : ' ')];
    r.cells.forEach((c, k) => {
      const text = `${truncate(c, colw[k] ?? c.length).padEnd(colw[k] ?? c.length)}  `;
      const style = selected ? 'sel' : k === 0 ? (r.style === 'plain' ? 'plain' : r.style) : k === 1 && r.style === 'pod' ? 'pod' : 'plain';
      segs.push(seg(text, style));
    });
    return fit(segs, w, false);
  });
  const room = h - head.length;
  const start = windowStart(body.length, room, Math.max(0, curRow));
  return frame([...head, ...body.slice(start, start + room)], h);
}

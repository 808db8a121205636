import { policyMatrix, type Env, type TuiState } from '../state.js';
import type { PolicyCell } from '../policy-source.js';
import { EMPTY, fit, frame, line, rule, seg, truncate, windowStart, wrap, type Line, type Seg } from '../text.js';

const CELL: Record<PolicyCell, string> = { allow: 'allow', deny: 'deny', 'n/a': '·' };

export function policyLines(s: TuiState, env: Env, w: number, h: number): Line[] {
  const m = policyMatrix(s, env);
  if (!m) {
    return frame(
      [
        fit(line(seg('NetworkPolicy', 'title')), w, false),
        EMPTY,
        ...wrap(
          line(
            seg('Not available yet: ', 'warn'),
            seg('the policy evaluator (src/policy/) is not part of this build. When it is, this view shows which pods may reach which (allow/deny per port) and explains the selected cell: the policies that select each side and the rule that decides.'),
          ),
          w,
          2,
        ),
      ],
      h,
    );
  }
  const out: Line[] = [fit(line(seg('NetworkPolicy matrix', 'title'), seg(' · '), seg('p', 'key'), seg(` port ${m.port}`), seg(' · ←→↑↓ pick a cell · rows: from, columns: to', 'dim')), w, false)];
  if (!m.matrix.ok) return frame([...out, ...wrap(line(seg('cannot compute: ', 'bad'), seg(m.matrix.error)), w, 2)], h);
  const { rows, cols, cells } = m.matrix.value;
  const row = Math.min(s.policy.row, rows.length - 1);
  const col = Math.min(s.policy.col, cols.length - 1);
  const labelW = Math.min(Math.max(8, ...rows.map((r) => r.length)), Math.floor(w / 3));
  const cellW = 7;
  const fitCols = Math.max(1, Math.floor((w - labelW - 2) / cellW));
  const c0 = windowStart(cols.length, fitCols, Math.max(0, col));
  const visibleCols = cols.slice(c0, c0 + fitCols);
  // Column headings are numbers; the legend below names them (names never fit at 80 columns).
  out.push(fit(line(seg(' '.repeat(labelW + 2)), ...visibleCols.map((_, k) => seg(`${`#${c0 + k + 1}`.padEnd(cellW)}`, c0 + k === col ? 'sel' : 'dim'))), w, false));
  const explainRows = Math.max(3, Math.floor((h - 4) * 0.4));
  const gridRows = Math.max(1, h - out.length - explainRows - 2);
  const r0 = windowStart(rows.length, gridRows, Math.max(0, row));
  rows.slice(r0, r0 + gridRows).forEach((label, k) => {
    const r = r0 + k;
    const segs: Seg[] = [seg(r === row ? '›' : ' ', 'key'), seg(`${truncate(label, labelW).padEnd(labelW)} `, r === row ? 'sel' : 'pod')];
    visibleCols.forEach((_, j) => {
      const c = c0 + j;
      const v = cells[r]?.[c] ?? 'n/a';
      const here = r === row && c === col;
      segs.push(seg(`${here ? '[' : ' '}${CELL[v].padEnd(cellW - 2)}${here ? ']' : ' '}`, here ? 'cur' : v === 'allow' ? 'ok' : v === 'deny' ? 'bad' : 'dim'));
    });
    out.push(fit(segs, w, false));
  });
  out.push(fit(line(seg('columns: ', 'dim'), ...visibleCols.map((c, k) => seg(`#${c0 + k + 1} ${c}  `, c0 + k === col ? 'title' : 'dim'))), w, false));
  const from = rows[row] ?? '';
  const to = cols[col] ?? '';
  out.push(rule(`Why: ${from} → ${to}`, w));
  const why = env.policy?.explain(m.port, row, col) ?? [];
  out.push(...why.flatMap((l) => wrap(line(seg(l)), w, 4)));
  return frame(out, h);
}

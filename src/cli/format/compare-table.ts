import type { FactRow } from './compare-cells.js';

/**
 * Layout of a comparison for a terminal of `width` columns. Side by side (one column per
 * variant, one row per fact, cells word-wrapped) when every column gets at least
 * MIN_COLUMN characters; otherwise transposed the way `kubectl get` lists objects: a summary
 * table with one row per variant and the short facts, then one block per variant with every
 * fact (as `kubectl describe` does), wrapped to the width.
 */
export const MIN_COLUMN = 26;
const GAP = 2;

/** Word-wrap to `w` characters; words longer than a line are cut; continuation lines indent 2. */
export function wrapText(text: string, w: number): string[] {
  if (text.length <= w) return [text];
  const out: string[] = [];
  let cur = '';
  const room = (): number => (out.length === 0 ? w : w - 2);
  const flush = (): void => {
    out.push(out.length === 0 ? cur : `  ${cur}`);
    cur = '';
  };
  for (const word of text.split(' ')) {
    let rest = word;
    while (rest.length > 0) {
      const sep = cur === '' ? '' : ' ';
      if (cur.length + sep.length + rest.length <= room()) {
        cur += sep + rest;
        rest = '';
      } else if (cur !== '') {
        flush();
      } else {
        cur = rest.slice(0, room());
        rest = rest.slice(room());
        flush();
      }
    }
  }
  if (cur !== '') flush();
  return out;
}

const cellWidth = (cell: readonly string[]): number => Math.max(0, ...cell.map((l) => l.length));

function pad(s: string, w: number): string {
  return s.padEnd(w);
}

/** Lines of a side-by-side table, or null when the columns would be narrower than MIN_COLUMN. */
export function sideBySide(names: readonly string[], rows: readonly FactRow[], width: number): string[] | null {
  const n = names.length;
  const labelW = Math.max(...rows.map((r) => r.label.length));
  const share = Math.floor((width - labelW - GAP * n) / Math.max(1, n));
  if (share < MIN_COLUMN) return null;
  const widths = names.map((name, i) => Math.min(share, Math.max(name.length, ...rows.map((r) => cellWidth(r.cells[i] ?? [])))));
  const line = (label: string, cells: readonly string[]): string =>
    [pad(label, labelW), ...cells.map((c, i) => pad(c, widths[i] ?? 0))].join(' '.repeat(GAP)).trimEnd();
  const out = [line('', names.map((x) => x.toUpperCase()))];
  for (const r of rows) {
    const wrapped = r.cells.map((cell, i) => cell.flatMap((l) => wrapText(l, widths[i] ?? share)));
    const height = Math.max(1, ...wrapped.map((c) => c.length));
    for (let k = 0; k < height; k++) out.push(line(k === 0 ? r.label : '', wrapped.map((c) => c[k] ?? '')));
  }
  return out;
}

/** A variant name broken after its `/` and `-` so it fits `w` (greedy, like wrapText). */
function splitName(name: string, w: number): string[] {
  const parts = name.match(/[^/-]+[/-]?/g) ?? [name];
  const out: string[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (last !== undefined && last.length + p.length <= w) out[out.length - 1] = last + p;
    else out.push(p);
  }
  return out;
}

/**
 * One row per variant with the short facts (the detail blocks below say why a variant failed).
 * When the rows are wider than `width`, long variant names wrap within their column.
 */
export function summaryTable(names: readonly string[], rows: readonly FactRow[], width: number): string[] {
  const cols = rows.filter((r) => r.heading !== null);
  const headings = ['VARIANT', ...cols.map((r) => r.heading ?? '')];
  const cells = names.map((name, i) => [name, ...cols.map((r) => r.short[i] ?? '')]);
  const widths = headings.map((h, j) => Math.max(h.length, ...cells.map((c) => (c[j] ?? '').length)));
  const rest = widths.slice(1).reduce((a, b) => a + b + GAP, 0);
  widths[0] = Math.max(headings[0]?.length ?? 0, Math.min(widths[0] ?? 0, width - rest));
  const row = (c: readonly string[]): string => c.map((x, j) => pad(x, widths[j] ?? 0)).join(' '.repeat(GAP)).trimEnd();
  const out = [row(headings)];
  for (const c of cells) {
    const [first = '', ...more] = splitName(c[0] ?? '', widths[0] ?? 0);
    out.push(row([first, ...c.slice(1)]), ...more);
  }
  return out;
}

/** The whole text layout for the given width. */
export function compareLayout(names: readonly string[], rows: readonly FactRow[], width: number): string[] {
  const table = sideBySide(names, rows, width);
  if (table) return table;
  const out = summaryTable(names, rows, width);
  names.forEach((name, i) => {
    out.push('', `${name}:`);
    const labelW = Math.max(...rows.map((r) => r.label.length));
    const w = Math.max(20, width - labelW - 2 - GAP);
    for (const r of rows) {
      const lines = (r.cells[i] ?? []).flatMap((l) => wrapText(l, w));
      lines.forEach((l, k) => out.push(`  ${pad(k === 0 ? r.label : '', labelW)}${' '.repeat(GAP)}${l}`.trimEnd()));
    }
  });
  return out;
}

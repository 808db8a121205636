import { compareColumnsFit, compareLines } from './views/compare.js';
import { clusterLines } from './views/cluster.js';
import { footerLine, headerLine, helpLines, pickerLines } from './views/chrome.js';
import { policyLines } from './views/policy.js';
import { detailLines, traceLayout, traceLines } from './views/trace.js';
import type { Env, TuiState } from './state.js';
import { fit, frame, wrap, type Line } from './text.js';

export interface Size {
  readonly columns: number;
  readonly rows: number;
}

/**
 * Rows the app may draw: one less than the terminal has, so Ink never sees a full screen (it
 * clears and redraws everything then, which flickers). The layout is designed for 80x24 and
 * up; smaller terminals get the same screen cut to fit, never wrapped.
 */
export function drawRows(size: Size): number {
  return Math.max(3, size.rows - 1);
}

function bodySize(size: Size): { w: number; h: number } {
  return { w: Math.max(10, size.columns), h: drawRows(size) - 2 };
}

/** How many rows each scrollable list shows, for PgUp/PgDn. */
export function pageFor(s: TuiState, size: Size): Env['page'] {
  const { w, h } = bodySize(size);
  const lay = traceLayout(s, w, h);
  return {
    help: Math.max(1, h - 1),
    hops: lay.hopRows,
    details: lay.detailRows,
    cluster: Math.max(1, h - 2),
    picker: Math.max(1, h - 2),
    compare: Math.max(1, h - 12),
    compareColumns: compareColumnsFit(w),
  };
}

/** Rows the current step's details take when wrapped to the details pane. */
export function detailRowCount(s: TuiState, env: Env, size: Size): number {
  const { w, h } = bodySize(size);
  const lay = traceLayout(s, w, h);
  return detailLines(s, env).flatMap((l) => wrap(l, lay.detailWidth, 4)).length;
}

/** The whole screen: header, the view (or help / a picker over it), footer. */
export function screenLines(s: TuiState, env: Env, size: Size): Line[] {
  const { w, h } = bodySize(size);
  let body: Line[];
  if (s.help) body = helpLines(s.view, s.helpScroll, w, h);
  else if (s.picker) body = pickerLines(s, env, w, h);
  else if (s.view === 'trace') body = traceLines(s, env, w, h);
  else if (s.view === 'cluster') body = clusterLines(s, env, w, h);
  else if (s.view === 'compare') body = compareLines(s, env, w, h);
  else body = policyLines(s, env, w, h);
  return [headerLine(s, env, w), ...frame(body, h).map((l) => fit(l, w, false)), footerLine(s, w)];
}

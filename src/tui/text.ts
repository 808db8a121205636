/**
 * Screen text as data. Every view renders to an array of lines, each a row of styled segments,
 * sized exactly to the rows and columns it is given: the app never prints more rows than the
 * terminal has (which is what makes Ink clear the screen and flicker) and never lets a line wrap.
 */

/** Semantic styles; theme.ts maps them to colours (or to none under NO_COLOR). */
export type Style =
  | 'plain'
  | 'title'
  | 'key' // a key the user can press
  | 'dim' // secondary text
  | 'sel' // the selected row or item (inverse)
  | 'cur' // the current item inside a drawing (inverse + bold)
  | 'ok'
  | 'bad'
  | 'warn'
  | 'accent'
  | 'node'
  | 'pod'
  | 'svc'
  | 'changed';

export interface Seg {
  readonly text: string;
  readonly style: Style;
}

export type Line = readonly Seg[];

export const seg = (text: string, style: Style = 'plain'): Seg => ({ text, style });
export const line = (...segs: (Seg | string)[]): Line => segs.map((s) => (typeof s === 'string' ? seg(s) : s));
export const EMPTY: Line = [];

export const ELLIPSIS = '…';

/** Display width of a string. podnet only prints single-width characters. */
export const width = (s: string): number => [...s].length;

export function lineWidth(l: Line): number {
  return l.reduce((n, s) => n + width(s.text), 0);
}

export function lineText(l: Line): string {
  return l.map((s) => s.text).join('');
}

/** Cut a string to `w` columns, ending in an ellipsis when anything was cut. */
export function truncate(s: string, w: number): string {
  if (w <= 0) return '';
  const chars = [...s];
  if (chars.length <= w) return s;
  return chars.slice(0, Math.max(0, w - 1)).join('') + ELLIPSIS;
}

export function pad(s: string, w: number): string {
  const t = truncate(s, w);
  return t + ' '.repeat(Math.max(0, w - width(t)));
}

export function padStart(s: string, w: number): string {
  const t = truncate(s, w);
  return ' '.repeat(Math.max(0, w - width(t))) + t;
}

/** Cut a line to `w` columns (ending in an ellipsis when cut) and pad it to exactly `w`. */
export function fit(l: Line, w: number, fill = true): Line {
  if (w <= 0) return [];
  const total = lineWidth(l);
  if (total <= w) return fill && total < w ? [...l, seg(' '.repeat(w - total))] : l;
  const out: Seg[] = [];
  const budget = w - 1;
  let used = 0;
  let last: Style = 'plain';
  for (const s of l) {
    if (used >= budget) break;
    const chars = [...s.text];
    const take = Math.min(chars.length, budget - used);
    if (take > 0) out.push(seg(chars.slice(0, take).join(''), s.style));
    used += take;
    last = s.style;
  }
  out.push(seg(ELLIPSIS, last));
  return out;
}

/**
 * Hard-wrap a line to `w` columns, breaking at spaces where it can; continuation rows start with
 * `indent` spaces. Exact text (iptables rules, routes) is wrapped, never cut, in the details pane.
 */
export function wrap(l: Line, w: number, indent = 2): Line[] {
  if (lineWidth(l) <= w) return [l];
  if (w <= indent + 4) return [fit(l, w, false)];
  const chars = l.flatMap((s) => [...s.text].map((c) => ({ c, style: s.style })));
  const rows: Line[] = [];
  let i = 0;
  while (i < chars.length) {
    const first = rows.length === 0;
    const room = first ? w : w - indent;
    let take = Math.min(room, chars.length - i);
    if (i + take < chars.length) {
      let sp = -1;
      for (let k = take - 1; k >= 0; k--) if (chars[i + k]?.c === ' ') { sp = k; break; }
      if (sp > room / 3) take = sp + 1;
    }
    const slice = chars.slice(i, i + take);
    while (slice.length > 0 && slice[slice.length - 1]?.c === ' ') slice.pop();
    const segs: Seg[] = first ? [] : [seg(' '.repeat(indent))];
    for (const ch of slice) {
      const prev = segs[segs.length - 1];
      if (prev && prev.style === ch.style && !(segs.length === 1 && !first)) segs[segs.length - 1] = seg(prev.text + ch.c, ch.style);
      else segs.push(seg(ch.c, ch.style));
    }
    rows.push(segs);
    i += take;
    while (i < chars.length && chars[i]?.c === ' ') i++;
  }
  return rows;
}

/** Place blocks side by side, each padded to its width, with `gap` spaces between. */
export function hstack(blocks: readonly { readonly lines: readonly Line[]; readonly width: number }[], gap = 1): Line[] {
  const h = Math.max(0, ...blocks.map((b) => b.lines.length));
  const out: Line[] = [];
  for (let i = 0; i < h; i++) {
    const row: Seg[] = [];
    blocks.forEach((b, j) => {
      if (j > 0 && gap > 0) row.push(seg(' '.repeat(gap)));
      row.push(...fit(b.lines[i] ?? EMPTY, b.width));
    });
    out.push(row);
  }
  return out;
}

/** Exactly `h` lines: cut or padded with blank lines. */
export function frame(lines: readonly Line[], h: number): Line[] {
  const out = lines.slice(0, Math.max(0, h));
  while (out.length < h) out.push(EMPTY);
  return out;
}

/**
 * The first row of a window of `h` rows over `n` rows that keeps row `cursor` visible, with the
 * cursor kept away from the edges when there is room (like a scrolling list).
 */
export function windowStart(n: number, h: number, cursor: number): number {
  if (n <= h || h <= 0) return 0;
  const margin = Math.min(2, Math.floor((h - 1) / 2));
  let start = cursor - Math.floor(h / 2);
  start = Math.max(0, Math.min(start, n - h));
  if (cursor - start < margin) start = Math.max(0, cursor - margin);
  if (start + h - 1 - cursor < margin) start = Math.min(n - h, cursor - h + 1 + margin);
  return Math.max(0, start);
}

/** A horizontal rule with a title: `── Hops ─────`. */
export function rule(title: string, w: number, extra = ''): Line {
  const head = `── ${title} `;
  const tail = extra ? ` ${extra} ──` : '';
  const fillLen = Math.max(0, w - width(head) - width(tail));
  return fit([seg(head, 'title'), seg('─'.repeat(fillLen), 'dim'), seg(tail, 'dim')], w, false);
}

import { helpSections } from '../keymap.js';
import { pickerEntries, VIEW_TITLES, VIEWS, type Env, type TuiState, type View } from '../state.js';
import { EMPTY, fit, frame, line, rule, seg, truncate, windowStart, type Line, type Seg } from '../text.js';

/** Help: the keys of the current view first, then the rest; scrolls with ↑↓ when it does not fit. */
export function helpLines(view: View, scroll: number, w: number, h: number): Line[] {
  const keyW = 16;
  const all: Line[] = [];
  for (const sec of helpSections(view)) {
    all.push(rule(sec.section, w));
    for (const [k, what] of sec.keys) all.push(fit(line(seg('  '), seg(k.padEnd(keyW), 'key'), seg(what)), w, false));
  }
  all.push(EMPTY, fit(line(seg('Colours follow NO_COLOR; the selection is also marked with › and [ ].', 'dim')), w, false));
  const room = h - 1;
  const top = Math.max(0, Math.min(scroll, all.length - room));
  const more = all.length > room ? `  lines ${top + 1}-${Math.min(all.length, top + room)} of ${all.length} · ↑↓ scroll` : '';
  const head = fit(line(seg('podnet', 'title'), seg(' · keys', 'dim'), seg(`   Esc or ? closes${more}`, 'dim')), w, false);
  return frame([head, ...all.slice(top, top + room)], h);
}

export function pickerLines(s: TuiState, env: Env, w: number, h: number): Line[] {
  const p = s.picker;
  if (!p) return frame([], h);
  const entries = pickerEntries(s, env);
  const what = p.field === 'from' ? 'source (pod or node; or type an IP)' : 'destination (pod, service, DNS name, node; or type one)';
  const out: Line[] = [
    fit(line(seg(`Pick the ${what}`, 'title')), w, false),
    fit(line(seg('filter: ', 'dim'), seg(`${p.filter}▏`, 'sel'), seg(`   ${entries.length} match${entries.length === 1 ? '' : 'es'} · ↑↓ move · Enter choose · Esc cancel`, 'dim')), w, false),
  ];
  const room = h - out.length;
  const start = windowStart(entries.length, room, p.index);
  const textW = Math.min(48, Math.max(12, ...entries.map((e) => e.text.length)));
  let lastGroup = '';
  const rows: Line[] = [];
  entries.slice(start, start + room).forEach((e, k) => {
    const i = start + k;
    const sel = i === p.index;
    const group = e.group !== lastGroup ? e.group : '';
    lastGroup = e.group;
    const segs: Seg[] = [
      seg(sel ? '›' : ' ', 'key'),
      seg(` ${truncate(group, 14).padEnd(14)} `, 'dim'),
      seg(truncate(e.group === 'typed' ? `use "${e.text}"` : e.text, textW).padEnd(textW), sel ? 'sel' : e.kind === 'pod' ? 'pod' : e.kind === 'node' ? 'node' : 'svc'),
      seg(`  ${e.detail}`, 'dim'),
    ];
    rows.push(fit(segs, w, false));
  });
  if (entries.length === 0) rows.push(fit(line(seg('  nothing matches', 'dim')), w, false));
  return frame([...out, ...rows], h);
}

function tab(v: View, i: number, current: View): Seg[] {
  const on = v === current;
  return [seg(' '), seg(`${i + 1}`, on ? 'cur' : 'key'), seg(` ${VIEW_TITLES[v]}`, on ? 'cur' : 'dim')];
}

export function headerLine(s: TuiState, env: Env, w: number): Line {
  const tabs = VIEWS.flatMap((v, i) => tab(v, i, s.view));
  const tabsW = tabs.reduce((n, x) => n + [...x.text].length, 0);
  const name = env.loaded.system.name;
  const left: Seg[] = [seg('podnet ', 'title'), seg(name, 'plain'), seg(` · ${env.loaded.system.description}`, 'dim')];
  const leftW = left.reduce((n, x) => n + [...x.text].length, 0);
  if (leftW + tabsW + 1 <= w) return fit([...left, seg(' '.repeat(w - leftW - tabsW)), ...tabs], w, false);
  const room = Math.max(0, w - tabsW - 1);
  return fit([...fit([seg('podnet ', 'title'), seg(name)], room), seg(' '), ...tabs], w, false);
}

/** Key hints for the current mode; the status message, when there is one, comes first. */
export function footerLine(s: TuiState, w: number): Line {
  const hint = (pairs: readonly (readonly [string, string])[]): Seg[] => pairs.flatMap(([k, what]) => [seg(k, 'key'), seg(` ${what}  `, 'dim')]);
  let keys: Seg[];
  if (s.picker) keys = hint([['type', 'filter'], ['↑↓', 'move'], ['Enter', 'choose'], ['Esc', 'cancel']]);
  else if (s.portInput !== null) keys = hint([['0-9', 'port'], ['Enter', 'set'], ['Esc', 'cancel']]);
  else if (s.help) keys = hint([['↑↓', 'scroll'], ['Esc', 'close'], ['q', 'quit']]);
  else {
    const perView: Record<View, readonly (readonly [string, string])[]> = {
      trace: [['↑↓', 'step'], ['r', 'reply'], ['b', 'branch'], ['f', 'from'], ['t', 'to'], ['p', 'proto'], [':', 'port']],
      cluster: [['↑↓', 'select'], ['f', 'from'], ['t', 'to']],
      compare: [['↑↓', 'step'], ['←→', 'columns'], ['f', 'from'], ['t', 'to'], ['p', 'proto']],
      policy: [['←→↑↓', 'cell'], ['p', 'port']],
    };
    keys = hint(perView[s.view]);
  }
  // `? help  q quit` always shows, at the right end; status and view keys share the rest.
  const always = s.picker || s.portInput !== null || s.help ? [] : hint([['?', 'help'], ['q', 'quit']]);
  const alwaysW = always.reduce((n, x) => n + [...x.text].length, 0);
  const status: Seg[] = s.status ? [seg(s.status, 'warn'), seg('  ')] : [];
  return fit([...fit([...status, ...keys], Math.max(0, w - alwaysW)), ...always], w, false);
}

import { formatIpv4 } from '../../net/ipv4.js';
import { dispositionText } from '../../cli/format/disposition-text.js';
import { summarize, type EncapSummary } from '../../trace/summary.js';
import type { FlowOutcome, FlowVerdict } from '../../trace/flow.js';
import type { Outcome, Step } from '../../trace/types.js';
import { changedRows, frameRows, packetRows, type HeaderRow } from '../headers.js';
import { flowKindText, shortWhere, whereOf } from '../model.js';
import { currentOutcome, flatSteps, type Env, type FlatStep, type TuiState } from '../state.js';
import { EMPTY, fit, frame, hstack, line, rule, seg, truncate, width, windowStart, wrap, type Line, type Seg, type Style } from '../text.js';

/** How the trace view splits its rows and columns; the app also uses it to size pages. */
export interface TraceLayout {
  readonly side: boolean;
  readonly pathRows: number;
  readonly hopRows: number;
  readonly detailRows: number;
  readonly hopWidth: number;
  readonly detailWidth: number;
}

/** Rows above the hop list: query, outcomes, (notes), path. */
function topRows(s: TuiState, w: number, h: number): { outcomes: number; notes: number; path: number } {
  const n = s.result?.ok ? s.result.run.outcomes.length : 0;
  const outcomes = n > 1 && h >= 34 ? Math.min(n, 4) + 1 : 1;
  const notes = s.result?.ok && s.result.notes.length > 0 ? 1 : 0;
  const path = Math.max(1, Math.min(pathNeed(s, w), h >= 34 ? 4 : 2));
  return { outcomes, notes, path };
}

export function traceLayout(s: TuiState, w: number, h: number): TraceLayout {
  const top = topRows(s, w, h);
  const rest = Math.max(4, h - 1 - top.outcomes - top.notes - top.path);
  const side = w >= 140;
  if (side) {
    const hopWidth = Math.floor(w * 0.5);
    return { side, pathRows: top.path, hopRows: rest - 1, detailRows: rest - 1, hopWidth, detailWidth: w - hopWidth - 1 };
  }
  const hopRows = Math.max(3, Math.floor((rest - 2) * 0.42));
  return { side, pathRows: top.path, hopRows, detailRows: Math.max(1, rest - 2 - hopRows), hopWidth: w, detailWidth: w };
}

function verdictStyle(v: FlowVerdict): Style {
  return v.kind === 'ok' ? 'ok' : v.kind === 'refused' ? 'warn' : 'bad';
}

/** `default/pod-a 10.244.1.2`, `svc/default/web 10.96.0.10`: what was picked, and its address. */
function endpointText(s: TuiState, which: 'from' | 'to', withIp: boolean): string {
  const t = s.query?.[which];
  if (!t) return '-';
  if (!s.result?.ok) return t.text;
  const ip = formatIpv4(s.result.run[which].ip);
  if (t.text === ip) return ip;
  // A pod or node is findable by name; a service's or name's address is the point.
  return withIp || (t.kind !== 'pod' && t.kind !== 'node') ? `${t.text} ${ip}` : t.text;
}

function queryLine(s: TuiState, w: number): Line {
  const q = s.query;
  if (!q) return line(seg('no flow: press '), seg('f', 'key'), seg(' to pick a source'));
  const build = (withIp: boolean): Seg[] => {
    const segs: Seg[] = [seg('f', 'key'), seg(' from ', 'dim'), seg(endpointText(s, 'from', withIp), 'pod'), seg(' → ', 'dim'), seg('t', 'key'), seg(' to ', 'dim'), seg(endpointText(s, 'to', withIp), 'pod'), seg('  '), seg('p', 'key'), seg(` ${q.proto}`)];
    if (s.portInput !== null) segs.push(seg('  '), seg(':', 'key'), seg(' port '), seg(`${s.portInput}▏`, 'sel'), seg(' Enter set · Esc cancel', 'dim'));
    else if (q.proto !== 'icmp') segs.push(seg('  '), seg(':', 'key'), seg(` port ${q.port}`));
    else segs.push(seg('  '), seg(':', 'key'), seg(' port', 'dim'));
    return segs;
  };
  const full = build(true);
  return full.reduce((n, x) => n + width(x.text), 0) <= w ? full : build(false);
}

/** Where the request of a branch ended, for the branch list. */
function branchEnd(o: FlowOutcome, where: (id: string) => string): string {
  const d = o.request.disposition;
  return d.kind === 'DELIVERED' || d.kind === 'REFUSED' ? shortWhere(where(d.netns)) : d.kind;
}

function outcomeLines(s: TuiState, env: Env, rows: number): Line[] {
  if (!s.result) return [line(seg('no trace yet', 'dim'))];
  if (!s.result.ok) return [line(seg('cannot trace: ', 'bad'), seg(s.result.error))];
  const where = whereOf(env.loaded.system);
  const outs = s.result.run.outcomes;
  if (outs.length === 0) return [line(seg('the walk produced no outcome', 'bad'))];
  const title = flowKindText(s.result.run.kind);
  if (outs.length === 1) {
    const o = outs[0];
    if (!o) return [EMPTY];
    return [line(seg(`${title}: `, 'dim'), seg(o.verdict.kind.toUpperCase(), verdictStyle(o.verdict)), seg(` ${o.verdict.detail}`))];
  }
  const item = (o: FlowOutcome, i: number): Seg[] => [
    seg(i === s.outcome ? '›' : ' ', 'key'),
    seg(`${i + 1} `, i === s.outcome ? 'sel' : 'plain'),
    seg(`p=${o.probability.toFixed(3)} `, 'dim'),
    seg(o.verdict.kind.toUpperCase(), verdictStyle(o.verdict)),
    seg(` → ${branchEnd(o, where)}`),
  ];
  if (rows <= 1) {
    const segs: Seg[] = [seg('b', 'key'), seg(` ${outs.length} branches: `, 'dim')];
    // Keep the selected branch in view: start the list at it when it would not fit.
    const order = outs.map((o, i) => ({ o, i }));
    const start = s.outcome > 1 ? s.outcome - 1 : 0;
    if (start > 0) segs.push(seg('… ', 'dim'));
    for (const { o, i } of order.slice(start)) segs.push(...item(o, i), seg('  '));
    return [segs];
  }
  const out: Line[] = [line(seg('b', 'key'), seg('/', 'dim'), seg('B', 'key'), seg(` ${outs.length} branches of ${title} (a random choice on the path):`, 'dim'))];
  const n = rows - 1;
  const start = windowStart(outs.length, n, s.outcome);
  outs.slice(start, start + n).forEach((o, k) => {
    const i = start + k;
    out.push([seg('  '), ...item(o, i), seg(`  ${o.verdict.detail}`, 'dim')]);
  });
  return out;
}

/** The drawn path: netns by netns, with the devices each step used; the current one bracketed. */
function pathAll(steps: readonly FlatStep[], cursor: number, w: number): { lines: Line[]; curLine: number } {
  const cur = steps[cursor];
  if (!cur) return { lines: [line(seg('(no steps)', 'dim'))], curLine: 0 };
  const leg = steps.filter((f) => f.leg === cur.leg);
  const groups: { where: string; devs: string[]; curDev: string | null; here: boolean; tunnel: boolean }[] = [];
  for (const f of leg) {
    const st = f.step;
    let g = groups[groups.length - 1];
    if (!g || g.where !== st.where) {
      g = { where: st.where, devs: [], curDev: null, here: false, tunnel: false };
      groups.push(g);
    }
    if (st.dev && g.devs[g.devs.length - 1] !== st.dev) g.devs.push(st.dev);
    if (st.stage === 'encap' || (st.packet?.payload.kind === 'udp' && st.packet.payload.payload.kind === 'vxlan')) g.tunnel = true;
    if (f === cur) {
      g.here = true;
      g.curDev = st.dev;
    }
  }
  // Tokens, then greedy line filling.
  const tokens: Seg[][] = [];
  groups.forEach((g, i) => {
    const t: Seg[] = [];
    if (i > 0) t.push(seg(groups[i - 1]?.tunnel && g.tunnel ? ' ═▶ ' : ' ─▶ ', 'dim'));
    t.push(seg(shortWhere(g.where), g.here ? 'title' : g.where.startsWith('pod ') ? 'pod' : 'node'));
    t.push(seg(':', 'dim'));
    for (const d of g.devs) t.push(g.here && d === g.curDev ? seg(`[${d}]`, 'cur') : seg(` ${d}`, 'plain'));
    if (g.here && g.curDev === null) t.push(seg(' [·]', 'cur'));
    tokens.push(t);
  });
  const label = cur.leg === 'request' ? 'request ' : 'reply   ';
  const lines: Seg[][] = [[seg(label, 'dim')]];
  let used = width(label);
  let curLine = 0;
  tokens.forEach((t, i) => {
    const tw = t.reduce((n, x) => n + width(x.text), 0);
    if (used + tw > w && used > width(label)) {
      lines.push([seg(' '.repeat(width(label)))]);
      used = width(label);
    }
    lines[lines.length - 1]?.push(...t);
    used += tw;
    if (groups[i]?.here) curLine = lines.length - 1;
  });
  return { lines: lines.map((l) => fit(l, w, false)), curLine };
}

export function pathLines(steps: readonly FlatStep[], cursor: number, w: number, rows: number): Line[] {
  const { lines, curLine } = pathAll(steps, cursor, w);
  const start = windowStart(lines.length, rows, curLine);
  return frame(lines.slice(start, start + rows), rows);
}

/** Rows the drawn path needs: the longer of the request's and the reply's. */
function pathNeed(s: TuiState, w: number): number {
  const steps = flatSteps(currentOutcome(s));
  const firstReply = steps.findIndex((f) => f.leg === 'reply');
  const req = pathAll(steps, 0, w).lines.length;
  return firstReply < 0 ? req : Math.max(req, pathAll(steps, firstReply, w).lines.length);
}

function stepRow(f: FlatStep, n: number, selected: boolean, branchPoint: boolean, w: number, whereW: number): Line {
  const st = f.step;
  const segs: Seg[] = [
    seg(selected ? '›' : ' ', 'key'),
    seg(branchPoint ? '◆' : ' ', 'warn'),
    seg(`${String(n).padStart(3)} `, selected ? 'sel' : 'dim'),
    seg(`${truncate(shortWhere(st.where), whereW).padEnd(whereW)} `, st.where.startsWith('pod ') ? 'pod' : 'node'),
    seg(`${truncate(st.dev ?? '', 10).padEnd(10)} `),
    seg(`${st.stage.padEnd(11)} `, 'accent'),
    seg(st.summary, selected ? 'sel' : 'plain'),
  ];
  return fit(segs, w, false);
}

/** The first request step where this branch differs from another branch: the random choice. */
export function branchPoint(s: TuiState): number {
  if (!s.result?.ok || s.result.run.outcomes.length < 2) return -1;
  const outs = s.result.run.outcomes;
  const mine = flatSteps(outs[s.outcome]);
  const other = flatSteps(outs[s.outcome === 0 ? 1 : 0]);
  const same = (a: FlatStep | undefined, b: FlatStep | undefined): boolean =>
    !!a && !!b && a.leg === b.leg && a.step.netns === b.step.netns && a.step.summary === b.step.summary && a.step.lines.join('\n') === b.step.lines.join('\n');
  for (let i = 0; i < mine.length; i++) if (!same(mine[i], other[i])) return i;
  return -1;
}

type HopRow = { kind: 'step'; index: number } | { kind: 'text'; line: Line };

function dispositionLine(o: Outcome, where: (id: string) => string): Line {
  const ok = o.disposition.kind === 'DELIVERED';
  return line(seg('   ⇒ ', 'dim'), seg(dispositionText(o.disposition, where), ok ? 'ok' : o.disposition.kind === 'REFUSED' ? 'warn' : 'bad'));
}

function hopLines(s: TuiState, env: Env, w: number, rows: number): Line[] {
  const o = currentOutcome(s);
  const steps = flatSteps(o);
  if (!o || steps.length === 0) return frame([], rows);
  const where = whereOf(env.loaded.system);
  const display: HopRow[] = [];
  steps.forEach((f, i) => {
    if (f.leg === 'reply' && f.index === 0) display.push({ kind: 'text', line: line(seg('  ── reply ──', 'title')) });
    display.push({ kind: 'step', index: i });
    if (f.leg === 'request' && (steps[i + 1]?.leg !== 'request')) display.push({ kind: 'text', line: dispositionLine(o.request, where) });
  });
  if (o.reply) display.push({ kind: 'text', line: dispositionLine(o.reply, where) });
  display.push({ kind: 'text', line: line(seg('   verdict: ', 'dim'), seg(o.verdict.kind.toUpperCase(), verdictStyle(o.verdict)), seg(` ${o.verdict.detail}`)) });
  const curRow = display.findIndex((d) => d.kind === 'step' && d.index === s.cursor);
  const start = windowStart(display.length, rows, Math.max(0, curRow));
  const whereW = Math.min(16, Math.max(8, ...steps.map((f) => shortWhere(f.step.where).length)));
  const bp = branchPoint(s);
  const out = display.slice(start, start + rows).map((d) => {
    if (d.kind === 'text') return fit(d.line, w, false);
    const f = steps[d.index];
    return f ? stepRow(f, d.index + 1, d.index === s.cursor, d.index === bp, w, whereW) : EMPTY;
  });
  return frame(out, rows);
}

function headerBlock(rows: readonly HeaderRow[], marks: readonly boolean[] | null, indent: string): Line[] {
  const lw = Math.max(3, ...rows.map((r) => r.layer.length));
  return rows.map((r, i) => {
    const changed = marks?.[i] ?? false;
    return line(seg(indent), seg(changed ? '*' : ' ', 'changed'), seg(r.layer.padEnd(lw + 1), 'dim'), seg(r.text, changed ? 'changed' : 'plain'));
  });
}

function encapText(e: EncapSummary): string {
  return `on the wire: outer ${formatIpv4(e.outerSrc)} > ${formatIpv4(e.outerDst)}, UDP ${e.udpSrcPort} > ${e.udpDstPort}, VXLAN VNI ${e.vni}, outer ttl ${e.outerTtl}, DF ${e.outerDf ? 1 : 0}; inner MACs ${e.innerSrcMac} > ${e.innerDstMac}; +${e.overhead} bytes`;
}

/** The details of one step, unwrapped (the caller wraps them to the pane width). */
export function detailLines(s: TuiState, env: Env): Line[] {
  const o = currentOutcome(s);
  const steps = flatSteps(o);
  const f = steps[s.cursor];
  if (!o || !f) return [line(seg('no step selected', 'dim'))];
  const st: Step = f.step;
  const where = whereOf(env.loaded.system);
  const legOutcome = f.leg === 'request' ? o.request : o.reply;
  const out: Line[] = [];
  out.push(
    line(
      seg(`Step ${s.cursor + 1}/${steps.length}`, 'title'),
      seg(` ${f.leg}`, 'dim'),
      seg(' · '),
      seg(st.where, st.where.startsWith('pod ') ? 'pod' : 'node'),
      seg(st.dev ? ' · dev ' : '', 'dim'),
      seg(st.dev ?? ''),
      seg(' · stage ', 'dim'),
      seg(st.stage, 'accent'),
    ),
  );
  out.push(line(seg(st.summary)));
  if (st.stage === 'encap' && legOutcome) {
    const enc = summarize(legOutcome, where).encapsulations.find((e) => e.netns === st.netns && e.dev === (st.dev ?? ''));
    if (enc) out.push(line(seg('VXLAN ', 'title'), seg(encapText(enc))));
  }
  if (branchPoint(s) === s.cursor && s.result?.ok) {
    const n = s.result.run.outcomes.length;
    out.push(line(seg('◆ random choice: ', 'warn'), seg(`branch ${s.outcome + 1} of ${n} (p=${o.probability.toFixed(3)}) goes this way; b shows the others`)));
  }
  if (st.lines.length > 0) {
    out.push(line(seg('Matched', 'title'), seg(' (as ip/iptables-save/bridge print it):', 'dim')));
    for (const l of st.lines) out.push(line(seg('  '), seg(l, 'accent')));
  }
  if (st.rewrite) {
    const before = packetRows(st.rewrite.before);
    const after = packetRows(st.rewrite.after);
    out.push(line(seg('Rewrite: ', 'title'), seg(st.rewrite.what, 'changed')));
    out.push(line(seg('  before', 'dim')));
    out.push(...headerBlock(before, null, '  '));
    out.push(line(seg('  after', 'dim'), seg('  (* changed)', 'dim')));
    out.push(...headerBlock(after, changedRows(before, after), '  '));
  }
  if (st.frame) {
    out.push(line(seg('Frame', 'title'), seg(st.dev ? ` on ${st.dev}` : '', 'dim')));
    out.push(...headerBlock(frameRows(st.frame), null, '  '));
  } else if (st.packet && !st.rewrite) {
    out.push(line(seg('Headers', 'title')));
    out.push(...headerBlock(packetRows(st.packet), null, '  '));
  }
  if (st.conntrack.length > 0) {
    out.push(line(seg('Conntrack', 'title')));
    for (const c of st.conntrack) out.push(line(seg('  '), seg(c)));
  }
  const lastOfLeg = steps[s.cursor + 1]?.leg !== f.leg;
  if (lastOfLeg && legOutcome) {
    out.push(line(seg('Disposition: ', 'title'), ...dispositionLine(legOutcome, where).slice(1)));
    if (f.leg === 'reply' || !o.reply) out.push(line(seg('Verdict: ', 'title'), seg(o.verdict.kind.toUpperCase(), verdictStyle(o.verdict)), seg(` ${o.verdict.detail}`)));
  }
  return out;
}

function detailPane(s: TuiState, env: Env, w: number, rows: number): { lines: Line[]; extra: string } {
  const all = detailLines(s, env).flatMap((l) => wrap(l, w, 4));
  const maxScroll = Math.max(0, all.length - rows);
  const scroll = Math.min(s.detailScroll, maxScroll);
  const extra = all.length > rows ? `${scroll + 1}-${Math.min(all.length, scroll + rows)} of ${all.length} · PgUp/PgDn` : '';
  return { lines: frame(all.slice(scroll, scroll + rows), rows), extra };
}

/** The whole trace view, exactly `h` rows of `w` columns. */
export function traceLines(s: TuiState, env: Env, w: number, h: number): Line[] {
  const top = topRows(s, w, h);
  const lay = traceLayout(s, w, h);
  const out: Line[] = [fit(queryLine(s, w), w, false)];
  out.push(...frame(outcomeLines(s, env, top.outcomes).map((l) => fit(l, w, false)), top.outcomes));
  if (top.notes && s.result?.ok) out.push(fit(line(seg('resolved: ', 'dim'), seg(s.result.notes.join('; '), 'dim')), w, false));
  const steps = flatSteps(currentOutcome(s));
  out.push(...pathLines(steps, s.cursor, w, lay.pathRows));
  const stepInfo = steps.length ? `step ${s.cursor + 1}/${steps.length} · ↑↓ step · r reply` : '';
  const det = detailPane(s, env, lay.detailWidth, lay.detailRows);
  if (lay.side) {
    const hops = [rule('Hops', lay.hopWidth, stepInfo), ...hopLines(s, env, lay.hopWidth, lay.hopRows)];
    const details = [rule('Details', lay.detailWidth, det.extra), ...det.lines];
    out.push(...hstack([{ lines: hops, width: lay.hopWidth }, { lines: details, width: lay.detailWidth }], 1));
  } else {
    out.push(rule('Hops', w, stepInfo), ...hopLines(s, env, w, lay.hopRows));
    out.push(rule('Details', w, det.extra), ...det.lines);
  }
  return frame(out, h);
}

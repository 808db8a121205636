import type { Result } from '../lib/result.js';
import type { FlowOutcome } from '../trace/flow.js';
import type { TraceRequest, TraceRun } from '../trace/run.js';
import type { Step } from '../trace/types.js';
import { helpRowCount } from './keymap.js';
import { clusterRows, selectableRows, type ClusterRow } from './cluster-rows.js';
import type { CompareColumn } from './compare-source.js';
import { catalog, defaultQuery, PROTOS, traceRequest, typedTarget, type Catalog, type Loaded, type Target, type TraceQuery, type TuiDeps } from './model.js';
import type { PolicyMatrix, PolicyProvider } from './policy-source.js';

/**
 * The whole UI as a pure reducer: `reduce(state, key, env)` returns the next state. Keys are
 * strings: special keys in angle brackets (`<up>`, `<enter>`, `<pagedown>`, ...), anything else
 * is the text typed. Nothing here knows about Ink; app.tsx translates Ink's key events.
 */

export type View = 'cluster' | 'trace' | 'compare' | 'policy';
export const VIEWS: readonly View[] = ['cluster', 'trace', 'compare', 'policy'];
export const VIEW_TITLES: Record<View, string> = { cluster: 'Cluster', trace: 'Trace', compare: 'Compare', policy: 'Policy' };

export type TraceResult =
  | { readonly ok: true; readonly run: TraceRun; readonly request: TraceRequest; readonly notes: readonly string[] }
  | { readonly ok: false; readonly error: string };

export interface Picker {
  readonly field: 'from' | 'to';
  readonly filter: string;
  readonly index: number;
}

export interface TuiState {
  readonly view: View;
  readonly help: boolean;
  readonly helpScroll: number;
  readonly quit: boolean;
  /** Set when the user asks to reload the topology file; the app clears it when it has. */
  readonly reload: boolean;
  readonly picker: Picker | null;
  /** The port being typed after `:`, or null. */
  readonly portInput: string | null;
  readonly query: TraceQuery | null;
  readonly result: TraceResult | null;
  /** Which outcome (branch) of the flow is shown. */
  readonly outcome: number;
  /** Position in the flattened request + reply step list. */
  readonly cursor: number;
  readonly detailScroll: number;
  readonly clusterCursor: number;
  readonly compare: {
    /** The query the columns were computed for (they are computed on entering the view). */
    readonly forKey: string | null;
    readonly columns: Result<readonly CompareColumn[], string> | null;
    readonly first: number;
    readonly row: number;
  };
  readonly policy: { readonly port: number; readonly row: number; readonly col: number };
  /** One line of feedback (errors from the picker, "reloaded", ...). */
  readonly status: string | null;
}

/** What the reducer reads besides the state. `page` is how many rows the visible lists hold. */
export interface Env {
  readonly loaded: Loaded;
  readonly catalog: Catalog;
  readonly rows: readonly ClusterRow[];
  readonly deps: TuiDeps;
  readonly policy: PolicyProvider | null;
  readonly page: { readonly help: number; readonly hops: number; readonly details: number; readonly cluster: number; readonly picker: number; readonly compare: number; readonly compareColumns: number };
  /** How many rows the details of the current step take at the current width (bounds scrolling). */
  readonly detailRows?: (s: TuiState) => number;
}

export const DEFAULT_PAGE: Env['page'] = { help: 20, hops: 8, details: 8, cluster: 15, picker: 12, compare: 8, compareColumns: 2 };

export function makeEnv(loaded: Loaded, deps: TuiDeps, page: Env['page'] = DEFAULT_PAGE): Env {
  return { loaded, catalog: catalog(loaded), rows: clusterRows(loaded), deps, policy: deps.policy?.(loaded) ?? null, page };
}

/** One step of the flow in the event list: request steps, then reply steps. */
export interface FlatStep {
  readonly leg: 'request' | 'reply';
  /** Index within its leg. */
  readonly index: number;
  readonly step: Step;
}

export function flatSteps(o: FlowOutcome | undefined): FlatStep[] {
  if (!o) return [];
  const req = o.request.steps.map((step, index): FlatStep => ({ leg: 'request', index, step }));
  const rep = (o.reply?.steps ?? []).map((step, index): FlatStep => ({ leg: 'reply', index, step }));
  return [...req, ...rep];
}

export function currentOutcome(s: TuiState): FlowOutcome | undefined {
  return s.result?.ok ? s.result.run.outcomes[s.outcome] : undefined;
}

export function queryKey(q: TraceQuery | null): string {
  return q ? `${q.from.text}|${q.to.text}|${q.proto}|${q.port}` : '';
}

function runQuery(env: Env, q: TraceQuery): TraceResult {
  const req = traceRequest(env.loaded, q);
  if (!req.ok) return { ok: false, error: req.error };
  const run = env.deps.trace(env.loaded.system, req.value.request);
  if (!run.ok) return { ok: false, error: run.error };
  return { ok: true, run: run.value, request: req.value.request, notes: req.value.notes };
}

/** Set the flow and trace it; the cursor goes back to the first step. */
export function withQuery(s: TuiState, env: Env, q: TraceQuery): TuiState {
  return { ...s, query: q, result: runQuery(env, q), outcome: 0, cursor: 0, detailScroll: 0, compare: { ...s.compare, forKey: null, columns: null } };
}

export function initialState(env: Env, view: View = 'trace'): TuiState {
  const s: TuiState = {
    view,
    help: false,
    helpScroll: 0,
    quit: false,
    reload: false,
    picker: null,
    portInput: null,
    query: null,
    result: null,
    outcome: 0,
    cursor: 0,
    detailScroll: 0,
    clusterCursor: 0,
    compare: { forKey: null, columns: null, first: 0, row: 0 },
    policy: { port: 0, row: 0, col: 0 },
    status: null,
  };
  const q = defaultQuery(env.catalog);
  return q ? withQuery(s, env, q) : { ...s, status: 'this topology has no pods or nodes to trace between' };
}

/** After a reload: keep the view and the flow when its endpoints still exist. */
export function reloadedState(prev: TuiState, env: Env): TuiState {
  const fresh = initialState(env, prev.view);
  const q = prev.query;
  const kept = q ? withQuery(fresh, env, q) : fresh;
  return { ...(kept.result?.ok || !q ? kept : fresh), view: prev.view, status: 'topology reloaded' };
}

const clamp = (n: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, n));

export function pickerEntries(s: TuiState, env: Env): Target[] {
  const p = s.picker;
  if (!p) return [];
  const all = p.field === 'from' ? env.catalog.sources : env.catalog.destinations;
  const terms = p.filter.toLowerCase().split(/\s+/).filter(Boolean);
  const hits = all.filter((t) => terms.every((term) => `${t.text} ${t.detail} ${t.group}`.toLowerCase().includes(term)));
  const typed = p.filter.trim();
  if (!typed || all.some((t) => t.text === typed)) return hits;
  // What was typed is usable as is (an IP, a name): first when nothing else matches.
  return hits.length === 0 ? [typedTarget(typed)] : [...hits, typedTarget(typed)];
}

function choose(s: TuiState, env: Env, field: 'from' | 'to', t: Target): TuiState {
  const q = s.query;
  const base: TraceQuery = q ?? { from: t, to: t, proto: 'icmp', port: 80 };
  let next: TraceQuery = field === 'from' ? { ...base, from: t } : { ...base, to: t };
  // A Service is reached on one of its ports: switch to it unless the user already chose one.
  if (field === 'to' && t.suggest && (next.proto === 'icmp' || q?.to.kind !== 'service')) next = { ...next, proto: t.suggest.proto, port: t.suggest.port };
  return withQuery({ ...s, picker: null, status: null }, env, next);
}

function stepTo(s: TuiState, n: number): TuiState {
  const total = flatSteps(currentOutcome(s)).length;
  const cursor = clamp(n, 0, Math.max(0, total - 1));
  return cursor === s.cursor ? s : { ...s, cursor, detailScroll: 0 };
}

function switchOutcome(s: TuiState, delta: number): TuiState {
  const n = s.result?.ok ? s.result.run.outcomes.length : 0;
  if (n <= 1) return { ...s, status: n === 1 ? 'this flow has a single outcome (no random choice on its path)' : s.status };
  const outcome = (s.outcome + delta + n) % n;
  const total = flatSteps(s.result?.ok ? s.result.run.outcomes[outcome] : undefined).length;
  return { ...s, outcome, cursor: clamp(s.cursor, 0, Math.max(0, total - 1)), detailScroll: 0, status: null };
}

function reduceTrace(s: TuiState, key: string, env: Env): TuiState {
  const steps = flatSteps(currentOutcome(s));
  switch (key) {
    case '<down>':
    case '<right>':
    case 'j':
    case 'l':
    case ' ':
      return stepTo(s, s.cursor + 1);
    case '<up>':
    case '<left>':
    case 'k':
    case 'h':
      return stepTo(s, s.cursor - 1);
    case '<home>':
    case 'g':
      return stepTo(s, 0);
    case '<end>':
    case 'G':
      return stepTo(s, steps.length - 1);
    case '<pagedown>':
    case 'J': {
      const max = env.detailRows ? Math.max(0, env.detailRows(s) - env.page.details) : Number.MAX_SAFE_INTEGER;
      return { ...s, detailScroll: Math.min(max, s.detailScroll + Math.max(1, env.page.details - 1)) };
    }
    case '<pageup>':
    case 'K':
      return { ...s, detailScroll: Math.max(0, s.detailScroll - Math.max(1, env.page.details - 1)) };
    case 'r': {
      const firstReply = steps.findIndex((f) => f.leg === 'reply');
      if (firstReply < 0) return { ...s, status: 'no reply: the request did not get through' };
      return stepTo(s, steps[s.cursor]?.leg === 'reply' ? 0 : firstReply);
    }
    case 'b':
      return switchOutcome(s, 1);
    case 'B':
      return switchOutcome(s, -1);
    case 'f':
      return { ...s, picker: { field: 'from', filter: '', index: 0 }, status: null };
    case 't':
      return { ...s, picker: { field: 'to', filter: '', index: 0 }, status: null };
    case 'p': {
      if (!s.query) return s;
      const proto = PROTOS[(PROTOS.indexOf(s.query.proto) + 1) % PROTOS.length] ?? 'icmp';
      return withQuery(s, env, { ...s.query, proto });
    }
    case ':':
      return { ...s, portInput: '', status: null };
    case 'x': {
      const q = s.query;
      if (!q) return s;
      if (q.to.kind !== 'pod' && q.to.kind !== 'node') return { ...s, status: `cannot swap: ${q.to.text} cannot send packets (pick a pod or node as the source)` };
      return withQuery(s, env, { ...q, from: q.to, to: q.from });
    }
    default:
      return s;
  }
}

function reduceCluster(s: TuiState, key: string, env: Env): TuiState {
  const sel = selectableRows(env.rows);
  const n = sel.length;
  const move = (d: number): TuiState => ({ ...s, clusterCursor: clamp(s.clusterCursor + d, 0, Math.max(0, n - 1)) });
  const target = env.rows[sel[s.clusterCursor] ?? -1];
  switch (key) {
    case '<down>':
    case 'j':
      return move(1);
    case '<up>':
    case 'k':
      return move(-1);
    case '<pagedown>':
      return move(env.page.cluster);
    case '<pageup>':
      return move(-env.page.cluster);
    case '<home>':
    case 'g':
      return move(-n);
    case '<end>':
    case 'G':
      return move(n);
    case 'f':
    case 't':
    case '<enter>': {
      if (!target || target.kind !== 'entry' || !target.target) return s;
      if (key === 'f' && !target.source) return { ...s, status: `${target.target.text} cannot send packets; pick a pod or a node as the source` };
      const chosen = choose(s, env, key === 'f' ? 'from' : 'to', target.target);
      return { ...chosen, view: 'trace' };
    }
    default:
      return s;
  }
}

function ensureCompare(s: TuiState, env: Env): TuiState {
  const key = queryKey(s.query);
  if (s.compare.forKey === key && s.compare.columns) return s;
  if (!env.deps.compare || !s.query || !s.result?.ok) return { ...s, compare: { forKey: key, columns: null, first: 0, row: 0 } };
  const columns = env.deps.compare(env.loaded, s.query, s.result.request);
  return { ...s, compare: { forKey: key, columns, first: 0, row: 0 } };
}

export function compareRowCount(s: TuiState): number {
  const cols = s.compare.columns;
  if (!cols?.ok) return 0;
  return Math.max(0, ...cols.value.map((c) => (c.run.ok ? flatSteps(c.run.value.outcomes[0]).length : 0)));
}

function reduceCompare(s: TuiState, key: string, env: Env): TuiState {
  const rows = compareRowCount(s);
  const ncols = s.compare.columns?.ok ? s.compare.columns.value.length : 0;
  const c = s.compare;
  const set = (patch: Partial<TuiState['compare']>): TuiState => ({ ...s, compare: { ...c, ...patch } });
  const row = (r: number): TuiState => set({ row: clamp(r, 0, Math.max(0, rows - 1)) });
  switch (key) {
    case '<down>':
    case 'j':
      return row(c.row + 1);
    case '<up>':
    case 'k':
      return row(c.row - 1);
    case '<pagedown>':
      return row(c.row + env.page.compare);
    case '<pageup>':
      return row(c.row - env.page.compare);
    case '<home>':
    case 'g':
      return row(0);
    case '<end>':
    case 'G':
      return row(rows - 1);
    case '<right>':
    case 'l':
      return set({ first: clamp(c.first + 1, 0, Math.max(0, ncols - env.page.compareColumns)) });
    case '<left>':
    case 'h':
      return set({ first: clamp(c.first - 1, 0, Math.max(0, ncols - 1)) });
    default:
      return s;
  }
}

export function policyMatrix(s: TuiState, env: Env): { port: string; matrix: Result<PolicyMatrix, string> } | null {
  const p = env.policy;
  if (!p || p.ports.length === 0) return null;
  const port = p.ports[s.policy.port % p.ports.length] ?? p.ports[0] ?? '';
  return { port, matrix: p.matrix(port) };
}

function reducePolicy(s: TuiState, key: string, env: Env): TuiState {
  const m = policyMatrix(s, env);
  if (!m || !m.matrix.ok) return s;
  const rows = m.matrix.value.rows.length;
  const cols = m.matrix.value.cols.length;
  const set = (row: number, col: number): TuiState => ({ ...s, policy: { ...s.policy, row: clamp(row, 0, Math.max(0, rows - 1)), col: clamp(col, 0, Math.max(0, cols - 1)) } });
  const { row, col } = s.policy;
  switch (key) {
    case '<down>':
    case 'j':
      return set(row + 1, col);
    case '<up>':
    case 'k':
      return set(row - 1, col);
    case '<right>':
    case 'l':
      return set(row, col + 1);
    case '<left>':
    case 'h':
      return set(row, col - 1);
    case 'p': {
      const n = env.policy?.ports.length ?? 1;
      return { ...s, policy: { port: (s.policy.port + 1) % n, row: 0, col: 0 } };
    }
    default:
      return s;
  }
}

function reducePicker(s: TuiState, p: Picker, key: string, env: Env): TuiState {
  const entries = pickerEntries(s, env);
  const move = (d: number): TuiState => ({ ...s, picker: { ...p, index: clamp(p.index + d, 0, Math.max(0, entries.length - 1)) } });
  switch (key) {
    case '<escape>':
      return { ...s, picker: null };
    case '<down>':
      return move(1);
    case '<up>':
      return move(-1);
    case '<pagedown>':
      return move(env.page.picker);
    case '<pageup>':
      return move(-env.page.picker);
    case '<home>':
      return move(-entries.length);
    case '<end>':
      return move(entries.length);
    case '<backspace>':
      return { ...s, picker: { ...p, filter: [...p.filter].slice(0, -1).join(''), index: 0 } };
    case '<enter>': {
      const t = entries[p.index];
      if (!t) return { ...s, status: 'nothing matches; type an IP, NS/POD, node/NAME, svc/NS/NAME or a DNS name' };
      if (p.field === 'from' && (t.kind === 'service' || t.kind === 'dns')) return { ...s, status: `${t.text} cannot send packets; pick a pod or a node as the source` };
      return choose(s, env, p.field, t);
    }
    default:
      if (key.startsWith('<') && key.endsWith('>') && key.length > 2) return s;
      return { ...s, picker: { ...p, filter: p.filter + key.replace(/[\r\n\t]/g, ''), index: 0 } };
  }
}

function reducePort(s: TuiState, text: string, key: string, env: Env): TuiState {
  switch (key) {
    case '<escape>':
      return { ...s, portInput: null };
    case '<backspace>':
      return { ...s, portInput: text.slice(0, -1) };
    case '<enter>': {
      const port = Number(text);
      if (!/^\d+$/.test(text) || port < 1 || port > 65535) return { ...s, portInput: null, status: `port "${text}": expected 1 to 65535` };
      if (!s.query) return { ...s, portInput: null };
      const proto = s.query.proto === 'icmp' ? 'tcp' : s.query.proto;
      return withQuery({ ...s, portInput: null }, env, { ...s.query, port, proto });
    }
    default:
      return /^\d+$/.test(key) && text.length + key.length <= 5 ? { ...s, portInput: text + key } : s;
  }
}

function switchView(s: TuiState, view: View, env: Env): TuiState {
  const next = { ...s, view, status: null };
  return view === 'compare' ? ensureCompare(next, env) : next;
}

/** Keys that change the flow; they work in the compare view too. */
const FLOW_KEYS = new Set(['f', 't', 'p', ':', 'x']);

export function reduce(s: TuiState, key: string, env: Env): TuiState {
  const next = reduceKey(s, key, env);
  // The compare view always shows the current flow.
  return next.view === 'compare' && next.compare.forKey !== queryKey(next.query) ? ensureCompare(next, env) : next;
}

function reduceKey(s: TuiState, key: string, env: Env): TuiState {
  if (key === '<ctrl-c>') return { ...s, quit: true };
  if (s.picker) return reducePicker(s, s.picker, key, env);
  if (s.portInput !== null) return reducePort(s, s.portInput, key, env);
  if (s.help) {
    const scroll = (d: number): TuiState => ({ ...s, helpScroll: clamp(s.helpScroll + d, 0, Math.max(0, helpRowCount() - env.page.help)) });
    switch (key) {
      case 'q':
        return { ...s, quit: true };
      case '?':
      case '<escape>':
      case '<enter>':
        return { ...s, help: false };
      case '<down>':
      case 'j':
        return scroll(1);
      case '<up>':
      case 'k':
        return scroll(-1);
      case '<pagedown>':
      case ' ':
        return scroll(env.page.help);
      case '<pageup>':
        return scroll(-env.page.help);
      default:
        return s;
    }
  }
  switch (key) {
    case 'q':
      return { ...s, quit: true };
    case '?':
      return { ...s, help: true, helpScroll: 0 };
    case '<escape>':
      return s.status ? { ...s, status: null } : s;
    case 'R':
      return { ...s, reload: true, status: 'reloading…' };
    case '<tab>':
      return switchView(s, VIEWS[(VIEWS.indexOf(s.view) + 1) % VIEWS.length] ?? 'trace', env);
    case '<backtab>':
      return switchView(s, VIEWS[(VIEWS.indexOf(s.view) + VIEWS.length - 1) % VIEWS.length] ?? 'trace', env);
    case '1':
    case '2':
    case '3':
    case '4':
      return switchView(s, VIEWS[Number(key) - 1] ?? 'trace', env);
    default:
      break;
  }
  switch (s.view) {
    case 'trace':
      return reduceTrace(s, key, env);
    case 'cluster':
      return reduceCluster(s, key, env);
    case 'compare':
      return FLOW_KEYS.has(key) ? reduceTrace(s, key, env) : reduceCompare(s, key, env);
    case 'policy':
      return reducePolicy(s, key, env);
  }
}

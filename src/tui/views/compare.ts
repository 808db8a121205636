import { formatIpv4 } from '../../net/ipv4.js';
import { summarize } from '../../trace/summary.js';
import type { CompareColumn } from '../compare-source.js';
import { flowKindText, shortWhere } from '../model.js';
import { compareRowCount, flatSteps, type Env, type TuiState } from '../state.js';
import { EMPTY, fit, frame, hstack, line, rule, seg, windowStart, wrap, type Line } from '../text.js';

/** How many columns fit side by side (at least 36 characters each). */
export function compareColumnsFit(w: number): number {
  return Math.max(1, Math.floor((w + 1) / 37));
}

/** The facts one column shows above its steps: verdict, hops, path, tunnel, NAT, TTL. */
function facts(c: CompareColumn, w: number): Line[] {
  const out: Line[] = [fit(line(seg(c.label, 'title')), w, false)];
  if (!c.run.ok) return [...out, ...wrap(line(seg(c.run.error, 'bad')), w, 2)];
  const run = c.run.value;
  const o = run.outcomes[0];
  if (!o) return [...out, line(seg('no outcome', 'bad'))];
  const sum = summarize(o.request, c.where);
  const v = o.verdict;
  out.push(fit(line(seg(v.kind.toUpperCase(), v.kind === 'ok' ? 'ok' : v.kind === 'refused' ? 'warn' : 'bad'), seg(` ${v.detail}`, 'dim')), w, false));
  out.push(fit(line(seg('steps ', 'dim'), seg(`${o.request.steps.length}`), seg(' + reply ', 'dim'), seg(`${o.reply?.steps.length ?? 0}`), seg(run.outcomes.length > 1 ? ` · ${run.outcomes.length} branches` : '', 'dim')), w, false));
  // Columns from src/compare carry tunnels read off the wire (VXLAN or IPIP), the path MTU and the routers crossed.
  const f = c.facts?.[0];
  const e = sum.encapsulations[0];
  const t = f?.tunnels[0];
  const tunnel = t
    ? `${t.header.kind === 'vxlan' ? `VXLAN vni ${t.header.vni} :${t.header.udpDstPort}` : 'IPIP'} ${formatIpv4(t.outerSrc)}>${formatIpv4(t.outerDst)} +${t.overhead}B`
    : !f && e
      ? `VXLAN vni ${e.vni} ${formatIpv4(e.outerSrc)}>${formatIpv4(e.outerDst)} :${e.udpDstPort} +${e.overhead}B`
      : 'none (routed)';
  out.push(fit(line(seg('encap ', 'dim'), seg(tunnel)), w, false));
  out.push(fit(line(seg('NAT ', 'dim'), seg(sum.nat.length ? sum.nat.map((n) => n.what).join('; ') : 'none')), w, false));
  const size = f ? [seg(' · mtu ', 'dim'), seg(f.pathMtu ? String(f.pathMtu.mtu) : '-'), seg(' · hops ', 'dim'), seg(String(f.routers.length))] : [seg(' · frame ', 'dim'), seg(`${sum.largestFrame}B`)];
  out.push(fit(line(seg('ttl at dst ', 'dim'), seg(sum.ttlOnArrival === null ? '-' : String(sum.ttlOnArrival)), ...size), w, false));
  out.push(...wrap(line(seg('path ', 'dim'), seg(sum.path.map(shortWhere).join(' → '))), w, 2).slice(0, 2));
  return out;
}

export function compareLines(s: TuiState, env: Env, w: number, h: number): Line[] {
  const q = s.query;
  const to = q && s.result?.ok && q.to.kind !== 'pod' && q.to.kind !== 'node' && q.to.kind !== 'ip' ? `${q.to.text} (${formatIpv4(s.result.run.to.ip)})` : (q?.to.text ?? '');
  const title = q ? `${q.from.text} → ${to}${s.result?.ok ? ` · ${flowKindText(s.result.run.kind)}` : ''}` : 'no flow';
  const out: Line[] = [fit(line(seg('Same flow, side by side: ', 'dim'), seg(title)), w, false)];
  if (!env.deps.compare) {
    out.push(EMPTY, ...wrap(line(seg('Compare is not available yet: ', 'warn'), seg('no compare source is wired into this build. The view shows any set of (label, trace) pairs handed to it — one column per CNI, steps side by side.')), w, 2));
    return frame(out, h);
  }
  const cols = s.compare.columns;
  if (!cols) {
    out.push(EMPTY, fit(line(seg(s.result?.ok ? 'computing…' : 'fix the flow first (the trace has an error); press 2 for the trace view', 'dim')), w, false));
    return frame(out, h);
  }
  if (!cols.ok) {
    out.push(EMPTY, ...wrap(line(seg('cannot compare: ', 'bad'), seg(cols.error)), w, 2));
    return frame(out, h);
  }
  const all = cols.value;
  const k = Math.min(all.length, compareColumnsFit(w));
  const first = Math.min(s.compare.first, Math.max(0, all.length - k));
  const shown = all.slice(first, first + k);
  const cw = Math.floor((w - (k - 1) * 1) / Math.max(1, k));
  out.push(fit(line(seg(`${all.length} systems`, 'dim'), seg(all.length > k ? ` · showing ${first + 1}-${first + k} · ←→ more` : ''), seg(' · ↑↓ step · f t p : change the flow', 'dim')), w, false));
  const factBlocks = shown.map((c) => ({ lines: facts(c, cw), width: cw }));
  const factRows = Math.max(...factBlocks.map((b) => b.lines.length));
  out.push(...hstack(factBlocks.map((b) => ({ lines: frame(b.lines, factRows), width: b.width })), 1));
  const rows = compareRowCount(s);
  out.push(rule('Steps (branch 1 of each)', w, rows ? `row ${s.compare.row + 1}/${rows}` : ''));
  const room = Math.max(0, h - out.length);
  const start = windowStart(rows, room, s.compare.row);
  const stepBlocks = shown.map((c) => {
    const steps = c.run.ok ? flatSteps(c.run.value.outcomes[0]) : [];
    const lines: Line[] = [];
    for (let i = start; i < Math.min(rows, start + room); i++) {
      const f = steps[i];
      const sel = i === s.compare.row;
      if (!f) {
        lines.push(line(seg(sel ? '›' : ' ', 'key')));
        continue;
      }
      lines.push(
        fit(
          line(
            seg(sel ? '›' : ' ', 'key'),
            seg(`${String(i + 1).padStart(2)} `, sel ? 'sel' : 'dim'),
            seg(f.leg === 'reply' ? '↩' : ' ', 'dim'),
            seg(`${shortWhere(f.step.where)} `, f.step.where.startsWith('pod ') ? 'pod' : 'node'),
            seg(`${f.step.stage} `, 'accent'),
            seg(f.step.dev ? `${f.step.dev} ` : ''),
            seg(f.step.summary, sel ? 'sel' : 'dim'),
          ),
          cw,
          false,
        ),
      );
    }
    return { lines, width: cw };
  });
  out.push(...hstack(stepBlocks, 1));
  return frame(out, h);
}

import { readFileSync } from 'node:fs';
import { err, ok, type Result } from '../../src/lib/result.js';
import { formatInputError } from '../../src/lib/input-error.js';
import { parseTopology } from '../../src/topology/load.js';
import { buildSystem } from '../../src/topology/build.js';
import { runTrace, type TraceRequest } from '../../src/trace/run.js';
import { compareCni, type CompareColumn, type CompareSource, type VariantRun } from '../../src/compare/compare.js';
import type { OutcomeFacts } from '../../src/compare/facts.js';
import { parseVariantList, variantConfig } from '../../src/compare/variant.js';

/** A topology file as `podnet compare` reads it: as written, and re-read per CNI. */
export function sourceOf(file: string): CompareSource {
  const text = readFileSync(file, 'utf8');
  const own = parseTopology(text, file);
  if (!own.ok) throw new Error(formatInputError(own.error));
  return {
    cluster: own.value,
    reload: (cni) => {
      const r = parseTopology(text, file, { cni });
      return r.ok ? ok(r.value) : err(formatInputError(r.error));
    },
  };
}

export const podToPod = (to = 'pod-b'): TraceRequest => ({
  from: { kind: 'pod', namespace: 'default', name: 'pod-a' },
  to: { kind: 'pod', namespace: 'default', name: to },
  kind: { proto: 'icmp', size: 56 },
});

export function compare(file: string, cni: string, req: TraceRequest = podToPod()): readonly CompareColumn[] {
  const variants = parseVariantList(cni);
  if (!variants.ok) throw new Error(variants.error);
  const cols = compareCni(sourceOf(file), variants.value, req);
  if (!cols.ok) throw new Error(cols.error);
  return cols.value;
}

export function runOf(c: CompareColumn | undefined): VariantRun {
  if (!c) throw new Error('no such column');
  if (!c.result.ok) throw new Error(`${c.name}: ${c.result.error.stage}: ${c.result.error.message}`);
  return c.result.value;
}

export function only(c: CompareColumn | undefined): OutcomeFacts {
  const r = runOf(c);
  const [o, ...rest] = r.outcomes;
  if (!o || rest.length > 0) throw new Error(`expected one outcome, got ${r.outcomes.length}`);
  return o;
}

/**
 * Whether Calico's data path runs end to end here (build and walk, IPIP and VXLAN included):
 * until it does, the Calico value tests are skipped and the shape tests assert an error column.
 */
export function calicoRuns(file: string): boolean {
  const src = sourceOf(file);
  for (const name of ['calico', 'calico/ipip', 'calico/vxlan']) {
    const v = parseVariantList(name);
    if (!v.ok || !v.value[0]) return false;
    const cluster = src.reload(variantConfig(v.value[0].variant, src.cluster.header.cni));
    if (!cluster.ok) return false;
    const sys = buildSystem(cluster.value);
    if (!sys.ok) return false;
    try {
      const run = runTrace(sys.value, podToPod());
      if (!run.ok || run.value.outcomes.some((o) => o.verdict.kind !== 'ok')) return false;
    } catch {
      return false;
    }
  }
  return true;
}

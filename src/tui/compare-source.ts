import { err, ok, type Result } from '../lib/result.js';
import type { Cluster } from '../cluster/cluster.js';
import type { CniConfig } from '../cluster/header.js';
import { compareCni, type CompareColumn as CniColumn, type CompareSource } from '../compare/compare.js';
import type { OutcomeFacts } from '../compare/facts.js';
import { DEFAULT_VARIANTS, parseVariantList, variantKey, variantName, variantOf, type NamedVariant } from '../compare/variant.js';
import type { System } from '../topology/system.js';
import type { TraceRun } from '../trace/run.js';
import type { Loaded, TuiDeps } from './model.js';

/**
 * The compare view's input: the same flow traced on several systems. `podnet compare`'s
 * module (src/compare) produces them, one per CNI variant; tests hand in their own.
 */
export interface CompareColumn {
  /** The variant's name, e.g. "flannel/host-gw". */
  readonly label: string;
  readonly run: Result<TraceRun, string>;
  /** Labels netns ids of this column's system. */
  readonly where: (netns: string) => string;
  /** The comparison's facts per outcome (tunnels, MTU, hops), when the column came from src/compare. */
  readonly facts?: readonly OutcomeFacts[];
}

/** The topology's own CNI first, then `podnet compare`'s default variants. */
export function tuiVariants(cluster: Cluster): readonly NamedVariant[] {
  const own = variantOf(cluster.header.cni);
  const defaults = parseVariantList(DEFAULT_VARIANTS);
  if (!defaults.ok) throw new Error(`bug: default variants do not parse: ${defaults.error}`);
  return [{ name: variantName(own), variant: own }, ...defaults.value.filter((v) => variantKey(v.variant) !== variantKey(own))];
}

function tuiColumn(c: CniColumn): CompareColumn {
  if (!c.result.ok) return { label: c.name, run: err(`${c.result.error.stage}: ${c.result.error.message}`), where: (id) => id };
  const r = c.result.value;
  return { label: c.name, run: ok(r.run), where: (id) => r.system.netns.get(id)?.where ?? id, facts: r.outcomes };
}

/**
 * A compare source over src/compare: the topology re-read per CNI variant (IPAM differs per
 * CNI and mode), built and traced with the same request. Columns that could not be built come
 * last, so the ones with a trace fill the screen first.
 */
export function compareByCni(build: (c: Cluster) => Result<System, string>, trace: TuiDeps['trace']): NonNullable<TuiDeps['compare']> {
  return (loaded: Loaded, _query, request) => {
    const cluster = loaded.cluster;
    if (!cluster) return err('comparing CNIs needs the topology\'s Kubernetes objects; this view was given a System only');
    const reparse = loaded.reparse;
    // Without the file (a hand-made Loaded), only the header's CNI block can be swapped.
    const reload = (cni: CniConfig): Result<Cluster, string> => (reparse ? reparse(cni) : ok({ ...cluster, header: { ...cluster.header, cni } }));
    const source: CompareSource = { cluster, reload };
    const cols = compareCni(source, tuiVariants(cluster), request, { build, trace });
    if (!cols.ok) return cols;
    const all = cols.value.map(tuiColumn);
    return ok([...all.filter((c) => c.run.ok), ...all.filter((c) => !c.run.ok)]);
  };
}

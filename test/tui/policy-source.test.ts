import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/topology/load.js';
import { buildSystem } from '../../src/topology/build.js';
import { policyFor } from '../../src/tui/policy-source.js';

describe('TUI policy view source (real evaluator)', () => {
  it('builds the matrix and explains a cell of the policy demo', async () => {
    const c = await loadTopology('topologies/policy-demo.yaml');
    if (!c.ok) throw new Error(c.error.message);
    const s = buildSystem(c.value);
    if (!s.ok) throw new Error(s.error);
    const p = policyFor({ system: s.value, cluster: c.value, file: 'topologies/policy-demo.yaml' });
    expect(p).not.toBeNull();
    expect(p!.ports).toContain('5432/TCP');
    const m = p!.matrix('5432/TCP');
    if (!m.ok) throw new Error(m.error);
    const at = (from: string, to: string) => m.value.cells[m.value.rows.indexOf(from)]?.[m.value.cols.indexOf(to)];
    expect(at('shop/api', 'shop/db')).toBe('allow');
    expect(at('shop/web', 'shop/db')).toBe('deny');
    const why = p!.explain('5432/TCP', m.value.rows.indexOf('shop/web'), m.value.cols.indexOf('shop/db'));
    expect(why.join('\n')).toMatch(/DENIED/);
    expect(p!.matrix('bogus').ok).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { traceAction } from '../../src/cli/commands/trace.js';

const FILE = 'test/fixtures/topologies/two-endpoints.yaml';

describe('trace through a Service with two endpoints', () => {
  it('lists both endpoints with kube-proxy probability 0.5 each', async () => {
    const j = JSON.parse(await traceAction(FILE, { from: 'default/client', to: 'svc/default/web:80', json: true }));
    expect(j.outcomes).toHaveLength(2);
    expect(j.outcomes.map((o: { probability: number }) => o.probability)).toEqual([0.5, 0.5]);
    const reached = j.outcomes.map((o: { request: { disposition: { netns: string } } }) => o.request.disposition.netns).sort();
    expect(reached).toEqual(['pod:default/web-1', 'pod:default/web-2']);
    for (const o of j.outcomes) expect(o.verdict.kind).toBe('ok');
    const text = await traceAction(FILE, { from: 'default/client', to: 'svc/default/web:80' });
    expect(text).toMatch(/2 possible outcomes:/);
    expect(text).toMatch(/-m statistic --mode random --probability 0\.50000000000/);
  });

  it('--seed picks one outcome, the same one every time', async () => {
    const picks = new Set<string>();
    for (const seed of ['1', '2', '3', '4', '5', '6', '7', '8']) {
      const a = JSON.parse(await traceAction(FILE, { from: 'default/client', to: 'svc/default/web:80', seed, json: true }));
      const b = JSON.parse(await traceAction(FILE, { from: 'default/client', to: 'svc/default/web:80', seed, json: true }));
      expect(a.outcomes).toHaveLength(1);
      expect(a.outcomes[0].request.disposition.netns).toBe(b.outcomes[0].request.disposition.netns);
      picks.add(a.outcomes[0].request.disposition.netns);
    }
    // Over eight seeds a fair coin lands on both endpoints.
    expect(picks.size).toBe(2);
  });
});

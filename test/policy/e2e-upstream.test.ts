/**
 * The upstream Kubernetes e2e NetworkPolicy suite (test/e2e/network/netpol/network_policy.go):
 * namespaces x, y, z with pods a, b, c; every pod serves 80 and 81 on TCP, UDP and SCTP with
 * container ports named serve-<port>-<proto>. Each case builds the policies the upstream test
 * creates (SetSpecIngressRules / SetSpecEgressRules set policyTypes [Ingress] / [Egress]) and the
 * truth table it expects; loopback cells are ignored as upstream does (ignoreLoopback = true).
 * Upstream dials each pod's Service; NetworkPolicy judges the backend pod and port, which is
 * what we evaluate here.
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/policy/evaluate.js';
import { computeMatrix, isAllowedCell } from '../../src/policy/matrix.js';
import { indexWorld, podKey } from '../../src/policy/model.js';
import { CASES } from './e2e-cases.js';
import { e2eWorld, policies, prettyTable } from './helpers.js';

describe('upstream e2e NetworkPolicy truth tables (x/y/z x a/b/c)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const index = indexWorld(e2eWorld(policies(c.yaml)));
      for (const step of c.steps) {
        const traffic = { kind: 'l4', protocol: step.protocol, port: step.port } as const;
        const m = computeMatrix(index, traffic);
        const names = m.pods.map(podKey);
        const at = (f: string, t: string): boolean => isAllowedCell(m, names.indexOf(f), names.indexOf(t));
        const wrong: string[] = [];
        for (const f of names) {
          for (const t of names) {
            const want = step.reach.expected.get(`${f}>${t}`);
            // ignoreLoopback = true upstream.
            if (f !== t && want !== at(f, t)) wrong.push(`${f} -> ${t}: expected ${want ? 'allowed' : 'denied'}`);
            // The matrix and the explaining evaluator agree on every cell, loopback included.
            const src = m.pods[names.indexOf(f)];
            const dst = m.pods[names.indexOf(t)];
            if (!src || !dst) throw new Error('pod');
            expect(evaluate(index, { src: { kind: 'pod', pod: src }, dst: { kind: 'pod', pod: dst }, traffic }).allowed, `${f}->${t}`).toBe(at(f, t));
          }
        }
        expect(wrong, `port ${step.port}/${step.protocol}\nexpected:\n${prettyTable(names, (f, t) => step.reach.expected.get(`${f}>${t}`) ?? false)}\ngot:\n${prettyTable(names, at)}`).toEqual([]);
      }
    });
  }

  it('reproduces at least the ~30 well-known cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });
});

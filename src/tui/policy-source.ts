import { err, ok, type Result } from '../lib/result.js';
import { podPorts } from '../cluster/pod.js';
import { policyWorldFromCluster } from '../policy/cluster-input.js';
import { evaluate } from '../policy/evaluate.js';
import { cellOf, computeMatrix } from '../policy/matrix.js';
import { indexWorld, type Traffic } from '../policy/model.js';
import { verdictLines } from '../cli/commands/policy.js';
import type { Loaded } from './model.js';

/**
 * The policy view's input. src/policy/ (the NetworkPolicy evaluator) is being written; once it
 * exports its matrix and explain functions, adapt them to this interface in `policyFor` below
 * and the view lights up. Until then the view says it is not available.
 */
export type PolicyCell = 'allow' | 'deny' | 'n/a';

export interface PolicyMatrix {
  /** Row labels: sources (pods). */
  readonly rows: readonly string[];
  /** Column labels: destinations (pods). */
  readonly cols: readonly string[];
  /** cells[row][col]. */
  readonly cells: readonly (readonly PolicyCell[])[];
}

export interface PolicyProvider {
  /** The ports the matrix can be computed for, e.g. `80/TCP`; the first is the default. */
  readonly ports: readonly string[];
  readonly matrix: (port: string) => Result<PolicyMatrix, string>;
  /** Why the cell is what it is: the policies that select each side and the rules that match. */
  readonly explain: (port: string, row: number, col: number) => readonly string[];
}

function trafficOf(port: string): Traffic | null {
  const m = /^(\d+)\/(TCP|UDP|SCTP)$/.exec(port);
  return m ? { kind: 'l4', protocol: m[2] as 'TCP' | 'UDP' | 'SCTP', port: Number(m[1]) } : null;
}

/**
 * Build a PolicyProvider for a loaded topology from src/policy/: the pod x pod matrix per port
 * (the ports the pods declare, 80/TCP when none do) and the evaluator's explanation of a cell.
 * Null without a cluster (a hand-built System has no policies to read).
 */
export function policyFor(loaded: Loaded): PolicyProvider | null {
  const cluster = loaded.cluster;
  if (!cluster) return null;
  const index = indexWorld(policyWorldFromCluster(cluster));
  const declared = [...new Set(cluster.pods.flatMap((p) => podPorts(p).map((cp) => `${cp.containerPort}/${cp.protocol}`)))];
  const ports = declared.length > 0 ? declared : ['80/TCP'];
  const pods = index.world.pods;
  const label = (i: number) => `${pods[i]?.namespace}/${pods[i]?.name}`;
  return {
    ports,
    matrix: (port): Result<PolicyMatrix, string> => {
      const traffic = trafficOf(port);
      if (!traffic) return err(`"${port}" is not a port like 80/TCP`);
      const m = computeMatrix(index, traffic);
      const names = pods.map((_, i) => label(i));
      return ok({ rows: names, cols: names, cells: pods.map((_, s) => pods.map((__, d) => (cellOf(m, s, d) === 'allow' ? 'allow' : 'deny'))) });
    },
    explain: (port, row, col) => {
      const traffic = trafficOf(port);
      const src = pods[row];
      const dst = pods[col];
      if (!traffic || !src || !dst) return [];
      return [`${label(row)} -> ${label(col)} ${port}`, ...verdictLines(evaluate(index, { src: { kind: 'pod', pod: src }, dst: { kind: 'pod', pod: dst }, traffic }))];
    },
  };
}

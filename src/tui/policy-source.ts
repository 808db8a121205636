import type { Result } from '../lib/result.js';
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

/**
 * The seam: build a PolicyProvider for a loaded topology from src/policy/. Returns null while
 * the evaluator does not exist; the view then explains that it is not available.
 */
export function policyFor(_loaded: Loaded): PolicyProvider | null {
  return null;
}

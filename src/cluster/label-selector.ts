import { match } from 'ts-pattern';
import type { Labels } from './meta.js';

/**
 * metav1.LabelSelector with apimachinery's matching semantics (`labels.Requirement.Matches`):
 * every `matchLabels` pair and every `matchExpressions` requirement must hold; the empty
 * selector `{}` matches everything.
 */

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export const SELECTOR_OPERATORS: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  /** In/NotIn: at least one value; Exists/DoesNotExist: none. */
  readonly values: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels: Labels;
  readonly matchExpressions: readonly LabelSelectorRequirement[];
}

/** `{}`: selects everything. */
export const MATCH_EVERYTHING: LabelSelector = { matchLabels: {}, matchExpressions: [] };

export function isEmptySelector(s: LabelSelector): boolean {
  return Object.keys(s.matchLabels).length === 0 && s.matchExpressions.length === 0;
}

/** One requirement of a selector, remembering whether it was written as a matchLabels pair. */
export interface SelectorTerm {
  readonly requirement: LabelSelectorRequirement;
  /** `app: web` under matchLabels (an `In` with one value), as opposed to a matchExpressions entry. */
  readonly fromMatchLabels: boolean;
}

/** The selector's requirements in writing order: matchLabels pairs first, then matchExpressions. */
export function selectorTerms(s: LabelSelector): readonly SelectorTerm[] {
  return [
    ...Object.entries(s.matchLabels).map(([key, value]) => ({ requirement: { key, operator: 'In' as const, values: [value] }, fromMatchLabels: true })),
    ...s.matchExpressions.map((requirement) => ({ requirement, fromMatchLabels: false })),
  ];
}

export interface SelectorSemantics {
  /**
   * apimachinery: `NotIn` matches objects that lack the key (true, the default). cyclonus'
   * engine requires the key (false); kept as a switch to reproduce its tables.
   */
  readonly notInMatchesMissingKey: boolean;
}

export const KUBERNETES_SELECTOR_SEMANTICS: SelectorSemantics = { notInMatchesMissingKey: true };

/** A requirement as a predicate; the operator is dispatched once, not per object. */
export function compileRequirement(r: LabelSelectorRequirement, sem: SelectorSemantics = KUBERNETES_SELECTOR_SEMANTICS): (labels: Labels) => boolean {
  const { key, values } = r;
  return match(r.operator)
    .with('In', () => (labels: Labels) => Object.hasOwn(labels, key) && values.includes(labels[key] as string))
    .with('NotIn', () => (labels: Labels) => (Object.hasOwn(labels, key) ? !values.includes(labels[key] as string) : sem.notInMatchesMissingKey))
    .with('Exists', () => (labels: Labels) => Object.hasOwn(labels, key))
    .with('DoesNotExist', () => (labels: Labels) => !Object.hasOwn(labels, key))
    .exhaustive();
}

export function requirementMatches(r: LabelSelectorRequirement, labels: Labels, sem: SelectorSemantics = KUBERNETES_SELECTOR_SEMANTICS): boolean {
  return compileRequirement(r, sem)(labels);
}

/** A selector as a predicate, for matching it against many label sets. */
export function compileSelector(s: LabelSelector, sem: SelectorSemantics = KUBERNETES_SELECTOR_SEMANTICS): (labels: Labels) => boolean {
  const pairs = Object.entries(s.matchLabels);
  const reqs = s.matchExpressions.map((r) => compileRequirement(r, sem));
  return (labels) => {
    for (const [k, v] of pairs) if (!Object.hasOwn(labels, k) || labels[k] !== v) return false;
    for (const r of reqs) if (!r(labels)) return false;
    return true;
  };
}

export function selectorMatches(s: LabelSelector, labels: Labels, sem: SelectorSemantics = KUBERNETES_SELECTOR_SEMANTICS): boolean {
  return compileSelector(s, sem)(labels);
}

/** A requirement that did not hold, with the label value it saw (undefined: the label is absent). */
export interface TermFailure {
  readonly term: SelectorTerm;
  readonly actual: string | undefined;
}

/** Every requirement of `s` that `labels` fails, in writing order; empty when the selector matches. */
export function selectorFailures(s: LabelSelector, labels: Labels, sem: SelectorSemantics = KUBERNETES_SELECTOR_SEMANTICS): readonly TermFailure[] {
  return selectorTerms(s)
    .filter((t) => !requirementMatches(t.requirement, labels, sem))
    .map((term) => ({ term, actual: Object.hasOwn(labels, term.requirement.key) ? labels[term.requirement.key] : undefined }));
}

/** A requirement as kubectl's `-l` syntax writes it: `app=web`, `env in (a,b)`, `!debug`. */
export function formatTerm(t: SelectorTerm): string {
  const r = t.requirement;
  if (t.fromMatchLabels) return `${r.key}=${r.values[0] ?? ''}`;
  return match(r.operator)
    .with('In', () => `${r.key} in (${r.values.join(',')})`)
    .with('NotIn', () => `${r.key} notin (${r.values.join(',')})`)
    .with('Exists', () => r.key)
    .with('DoesNotExist', () => `!${r.key}`)
    .exhaustive();
}

/** The selector in kubectl's `-l` syntax; `{}` for the empty selector (which selects everything). */
export function formatSelector(s: LabelSelector): string {
  const terms = selectorTerms(s);
  return terms.length === 0 ? '{}' : terms.map(formatTerm).join(',');
}

/**
 * Why one requirement failed, naming the label: `label app=web != api`,
 * `no label app (wants app=api)`, `label env=prod is excluded by env notin (prod,staging)`.
 */
export function describeTermFailure(f: TermFailure): string {
  const r = f.term.requirement;
  const want = formatTerm(f.term);
  const v = f.actual;
  if (f.term.fromMatchLabels) return v === undefined ? `no label ${r.key} (wants ${want})` : `label ${r.key}=${v} != ${r.values[0] ?? ''}`;
  return match(r.operator)
    .with('In', () => (v === undefined ? `no label ${r.key} (wants ${want})` : `label ${r.key}=${v} is not in (${r.values.join(',')})`))
    .with('NotIn', () =>
      v === undefined
        ? `no label ${r.key}: ${want} requires the key under the cyclonus NotIn semantics (Kubernetes would match)`
        : `label ${r.key}=${v} is excluded by ${want}`,
    )
    .with('Exists', () => `no label ${r.key} (wants the key to exist)`)
    .with('DoesNotExist', () => `label ${r.key}=${v ?? ''} is present (wants ${want})`)
    .exhaustive();
}

/** All failures of a selector as one phrase: `label app=web != api; no label tier (wants tier=db)`. */
export function describeSelectorFailures(failures: readonly TermFailure[]): string {
  return failures.map(describeTermFailure).join('; ');
}

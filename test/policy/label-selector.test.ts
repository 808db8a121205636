import { describe, expect, it } from 'vitest';
import {
  describeTermFailure,
  formatSelector,
  selectorFailures,
  selectorMatches,
  type LabelSelector,
} from '../../src/cluster/label-selector.js';

const sel = (s: Partial<LabelSelector>): LabelSelector => ({ matchLabels: {}, matchExpressions: [], ...s });

describe('label selectors (apimachinery semantics)', () => {
  it('the empty selector matches everything, including no labels', () => {
    expect(selectorMatches(sel({}), {})).toBe(true);
    expect(selectorMatches(sel({}), { a: 'b' })).toBe(true);
  });

  it('matchLabels and matchExpressions are ANDed', () => {
    const s = sel({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'staging'] }] });
    expect(selectorMatches(s, { app: 'web', env: 'prod' })).toBe(true);
    expect(selectorMatches(s, { app: 'web', env: 'dev' })).toBe(false);
    expect(selectorMatches(s, { app: 'api', env: 'prod' })).toBe(false);
    expect(selectorMatches(s, { app: 'web' })).toBe(false);
  });

  it('NotIn matches objects without the key; cyclonus semantics do not', () => {
    const s = sel({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] });
    expect(selectorMatches(s, {})).toBe(true);
    expect(selectorMatches(s, { env: 'dev' })).toBe(true);
    expect(selectorMatches(s, { env: 'prod' })).toBe(false);
    expect(selectorMatches(s, {}, { notInMatchesMissingKey: false })).toBe(false);
  });

  it('Exists and DoesNotExist look at the key only; an empty value is a value', () => {
    expect(selectorMatches(sel({ matchExpressions: [{ key: 'debug', operator: 'Exists', values: [] }] }), { debug: '' })).toBe(true);
    expect(selectorMatches(sel({ matchExpressions: [{ key: 'debug', operator: 'DoesNotExist', values: [] }] }), { debug: '' })).toBe(false);
    expect(selectorMatches(sel({ matchExpressions: [{ key: 'debug', operator: 'DoesNotExist', values: [] }] }), {})).toBe(true);
  });

  it('values are exact and case-sensitive; inherited object keys are not labels', () => {
    expect(selectorMatches(sel({ matchLabels: { app: 'Web' } }), { app: 'web' })).toBe(false);
    expect(selectorMatches(sel({ matchExpressions: [{ key: 'toString', operator: 'Exists', values: [] }] }), {})).toBe(false);
  });

  it('prints like kubectl -l and explains each failing requirement by label', () => {
    const s = sel({
      matchLabels: { app: 'api' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['a', 'b'] },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
        { key: 'team', operator: 'Exists', values: [] },
        { key: 'debug', operator: 'DoesNotExist', values: [] },
      ],
    });
    expect(formatSelector(s)).toBe('app=api,tier in (a,b),env notin (prod),team,!debug');
    expect(formatSelector(sel({}))).toBe('{}');
    const why = selectorFailures(s, { app: 'web', env: 'prod', debug: 'true' }).map(describeTermFailure);
    expect(why).toEqual([
      'label app=web != api',
      'no label tier (wants tier in (a,b))',
      'label env=prod is excluded by env notin (prod)',
      'no label team (wants the key to exist)',
      'label debug=true is present (wants !debug)',
    ]);
    expect(selectorFailures(sel({ matchLabels: { app: 'api' } }), {}).map(describeTermFailure)).toEqual(['no label app (wants app=api)']);
  });
});

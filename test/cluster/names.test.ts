import { describe, expect, it } from 'vitest';
import { kubeSuffix, safeEncode, templateHash } from '../../src/cluster/names.js';

describe('generated names', () => {
  it('use apimachinery\'s alphabet and are stable', () => {
    expect(safeEncode('0123456789')).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
    expect(templateHash('x')).toBe(templateHash('x'));
    expect(templateHash('x')).not.toBe(templateHash('y'));
    expect(kubeSuffix(42)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(kubeSuffix(42)).toBe(kubeSuffix(42));
    expect(kubeSuffix(42)).not.toBe(kubeSuffix(43));
  });
});

import { describe, expect, test } from 'vitest';
import { fit, frame, hstack, line, lineText, lineWidth, pad, seg, truncate, windowStart, wrap } from '../../src/tui/text.js';
import { colorWanted, themeFor } from '../../src/tui/theme.js';

describe('text layout', () => {
  test('truncate ends in an ellipsis only when it cuts', () => {
    expect(truncate('abcdef', 6)).toBe('abcdef');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abcdef', 0)).toBe('');
    expect(pad('ab', 4)).toBe('ab  ');
  });

  test('fit cuts a styled line to the width, keeping styles, and pads short ones', () => {
    const l = line(seg('abc', 'key'), seg('defgh', 'dim'));
    expect(lineText(fit(l, 6))).toBe('abcde…');
    expect(fit(l, 6).map((s) => s.style)).toEqual(['key', 'dim', 'dim']);
    expect(lineText(fit(l, 10))).toBe('abcdefgh  ');
    expect(lineText(fit(l, 10, false))).toBe('abcdefgh');
    expect(fit(l, 0)).toEqual([]);
  });

  test('wrap breaks at spaces, indents continuations, and never loses text', () => {
    const rule = '-A KUBE-SVC-X -m comment --comment "default/web:http -> 10.244.2.2:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-Y';
    const rows = wrap(line(seg(rule, 'accent')), 40, 4);
    for (const r of rows) expect(lineWidth(r)).toBeLessThanOrEqual(40);
    expect(rows.slice(1).every((r) => lineText(r).startsWith('    '))).toBe(true);
    expect(rows.map((r) => lineText(r).trim()).join(' ')).toBe(rule);
    expect(wrap(line('short'), 40)).toHaveLength(1);
  });

  test('hstack puts blocks side by side at their widths', () => {
    const out = hstack([{ lines: [line('a'), line('bb')], width: 3 }, { lines: [line('x')], width: 2 }], 1);
    expect(out.map(lineText)).toEqual(['a   x ', 'bb    ']);
  });

  test('frame gives exactly h lines', () => {
    expect(frame([line('a')], 3)).toHaveLength(3);
    expect(frame([line('a'), line('b')], 1)).toHaveLength(1);
  });

  test('windowStart keeps the cursor visible, away from the edges', () => {
    expect(windowStart(5, 10, 3)).toBe(0);
    for (let c = 0; c < 100; c++) {
      const st = windowStart(100, 10, c);
      expect(c).toBeGreaterThanOrEqual(st);
      expect(c).toBeLessThan(st + 10);
      expect(st).toBeGreaterThanOrEqual(0);
      expect(st).toBeLessThanOrEqual(90);
    }
  });
});

describe('theme', () => {
  test('NO_COLOR (non-empty) turns colour off; the mono theme has no colours', () => {
    expect(colorWanted({})).toBe(true);
    expect(colorWanted({ NO_COLOR: '' })).toBe(true);
    expect(colorWanted({ NO_COLOR: '1' })).toBe(false);
    for (const p of Object.values(themeFor(false))) expect(p.color).toBeUndefined();
  });

  test('the colour theme avoids colours that vanish on light or dark backgrounds', () => {
    const colors = Object.values(themeFor(true)).map((p) => p.color).filter((c): c is string => c !== undefined);
    for (const c of colors) expect(['cyan', 'magenta', 'green', 'red', 'yellow']).toContain(c);
    for (const p of Object.values(themeFor(true))) if (p.color === 'yellow') expect(p.bold).toBe(true);
    expect(colors).not.toContain('white');
    expect(colors).not.toContain('black');
    expect(colors).not.toContain('blue');
  });
});

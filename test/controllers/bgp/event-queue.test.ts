import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../../src/controllers/bgp/event-queue.js';

describe('EventQueue', () => {
  it('pops by time, ties in insertion order (a stable sort of what was pushed)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (times) => {
        const q = new EventQueue<number>();
        times.forEach((t, i) => q.push(t, i));
        const out: number[] = [];
        for (let e = q.pop(); e !== null; e = q.pop()) out.push(e.item);
        const expected = times.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t || a.i - b.i).map((x) => x.i);
        expect(out).toEqual(expected);
        expect(q.size).toBe(0);
      }),
    );
  });

  it('interleaved pushes and pops keep the order', () => {
    const q = new EventQueue<string>();
    q.push(5, 'a');
    q.push(1, 'b');
    expect(q.pop()?.item).toBe('b');
    q.push(5, 'c');
    q.push(3, 'd');
    expect(q.peekTime()).toBe(3);
    expect([q.pop()?.item, q.pop()?.item, q.pop()?.item, q.pop()]).toEqual(['d', 'a', 'c', null]);
  });
});

/**
 * A min-heap of timed events for the discrete-event simulation. Ties on time break by insertion
 * order (`seq`), so the same input always runs the same way. Hand-written rather than a library:
 * it is the innermost loop of the 500-node benchmark and needs nothing but (time, seq) order.
 */
export class EventQueue<T> {
  private readonly times: number[] = [];
  private readonly seqs: number[] = [];
  private readonly items: T[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.items.length;
  }

  push(time: number, item: T): void {
    const seq = this.nextSeq++;
    let i = this.items.length;
    this.times.push(time);
    this.seqs.push(seq);
    this.items.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(time, seq, p)) break;
      this.move(p, i);
      i = p;
    }
    this.set(i, time, seq, item);
  }

  /** Time of the earliest event, or null when empty. */
  peekTime(): number | null {
    return this.items.length === 0 ? null : (this.times[0] as number);
  }

  pop(): { time: number; item: T } | null {
    const n = this.items.length;
    if (n === 0) return null;
    const time = this.times[0] as number;
    const item = this.items[0] as T;
    const lastT = this.times.pop() as number;
    const lastS = this.seqs.pop() as number;
    const lastI = this.items.pop() as T;
    if (n > 1) {
      let i = 0;
      const m = n - 1;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= m) break;
        const r = l + 1;
        const c = r < m && this.lessAt(r, l) ? r : l;
        if (!this.less(this.times[c] as number, this.seqs[c] as number, i, lastT, lastS)) break;
        this.move(c, i);
        i = c;
      }
      this.set(i, lastT, lastS, lastI);
    }
    return { time, item };
  }

  /** (t, s) < entry j — or, with (t2, s2), (t, s) < (t2, s2). */
  private less(t: number, s: number, j: number, t2?: number, s2?: number): boolean {
    const tj = t2 ?? (this.times[j] as number);
    const sj = s2 ?? (this.seqs[j] as number);
    return t < tj || (t === tj && s < sj);
  }

  private lessAt(i: number, j: number): boolean {
    return this.less(this.times[i] as number, this.seqs[i] as number, j);
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from] as number;
    this.seqs[to] = this.seqs[from] as number;
    this.items[to] = this.items[from] as T;
  }

  private set(i: number, t: number, s: number, item: T): void {
    this.times[i] = t;
    this.seqs[i] = s;
    this.items[i] = item;
  }
}

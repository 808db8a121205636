/** mulberry32: a tiny deterministic PRNG, so `--seed N` always picks the same branch. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pick one item by its probability with a seeded draw. */
export function pickWeighted<T extends { readonly probability: number }>(items: readonly T[], seed: number): T | undefined {
  const total = items.reduce((s, i) => s + i.probability, 0);
  let x = seededRandom(seed)() * total;
  for (const item of items) {
    x -= item.probability;
    if (x < 0) return item;
  }
  return items[items.length - 1];
}

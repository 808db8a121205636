/** 32-bit FNV-1a: a stable stand-in wherever the kernel or a daemon would pick at random. */
export function fnv32(text: string): number {
  let h = 0x811c9dc5;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

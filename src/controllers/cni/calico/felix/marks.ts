/**
 * Felix's mark bits (v3.30+ iptables dataplane), allocated in this order from the default
 * `IptablesMarkMask` 0xffff0000 (felix/markbits): Accept, Pass, Drop (new in v3.30 for flow
 * logs), Scratch0, Scratch1; the endpoint mark takes the rest when IPVS support needs it.
 */
export const MARK_ACCEPT = 0x10000;
export const MARK_PASS = 0x20000;
export const MARK_DROP = 0x40000;
export const MARK_SCRATCH0 = 0x80000;
export const MARK_SCRATCH1 = 0x100000;

/** rules/static.go allCalicoMarkBits: Accept | Pass | Scratch0 | Scratch1 = 0x1b0000 (Drop is not cleared). */
export const ALL_CALICO_MARKS = MARK_ACCEPT | MARK_PASS | MARK_SCRATCH0 | MARK_SCRATCH1;

/** `%#x` as Go prints it: 0x10000; zero is `0x0` the way iptables-save shows it. */
export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

/** `-j MARK --set-xmark VALUE/MASK`. */
export const setMark = (bits: number): string => `-j MARK --set-xmark ${hex(bits)}/${hex(bits)}`;
export const clearMark = (bits: number): string => `-j MARK --set-xmark 0x0/${hex(bits)}`;
export const setMaskedMark = (value: number, mask: number): string => `-j MARK --set-xmark ${hex(value)}/${hex(mask)}`;

/** `-m mark --mark BIT/BIT` (MarkSingleBitSet) and `-m mark --mark 0x0/BIT` (MarkClear). */
export const markSet = (bit: number): string => `-m mark --mark ${hex(bit)}/${hex(bit)}`;
export const markClear = (bits: number): string => `-m mark --mark 0x0/${hex(bits)}`;
export const markNotClear = (bits: number): string => `-m mark ! --mark 0x0/${hex(bits)}`;

/**
 * A problem with something the user gave us (a topology file, an iptables-save dump, a pcap, a
 * command-line argument). The CLI prints it as `file:line:col: message` and exits 2.
 */
export interface InputError {
  readonly file: string;
  /** 1-based; absent when the problem is not tied to a position (e.g. an empty file). */
  readonly line?: number;
  readonly col?: number;
  /** What was expected and what was found, in one sentence. */
  readonly message: string;
}

export function inputError(file: string, message: string, line?: number, col?: number): InputError {
  return { file, message, ...(line !== undefined ? { line } : {}), ...(col !== undefined ? { col } : {}) };
}

export function formatInputError(e: InputError): string {
  const pos = e.line !== undefined ? `:${e.line}${e.col !== undefined ? `:${e.col}` : ''}` : '';
  return `${e.file}${pos}: ${e.message}`;
}

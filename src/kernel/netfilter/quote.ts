/**
 * Word splitting and quoting as iptables does them.
 *
 * Splitting follows iptables-restore's add_param_to_argv() (iptables/xshared.c): words are
 * separated by blanks; a double quote opens a quoted part in which blanks are literal and a
 * backslash escapes the next character; the closing quote ends the word. Single quotes are
 * ordinary characters (iptables-restore rejects `'a b'` as two words).
 *
 * Quoting follows xtables_save_string() (libxtables): a value made only of `[A-Za-z0-9_-]` is
 * printed bare, anything else (including the empty string) is double-quoted with `"`, `\` and
 * `'` backslash-escaped.
 */

export interface Word {
  readonly text: string;
  /** 1-based column of the word's first character. */
  readonly col: number;
}

export function splitWords(line: string): Word[] | { readonly error: string; readonly col: number } {
  const words: Word[] = [];
  let buf = '';
  let start = -1;
  let quoteOpen = false;
  let quoteCol = 0;
  let escaped = false;
  const flush = () => {
    words.push({ text: buf, col: start + 1 });
    buf = '';
    start = -1;
  };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoteOpen) {
      if (escaped) {
        buf += ch;
        escaped = false;
      } else if (ch === '\\') {
        escaped = true;
      } else if (ch === '"') {
        quoteOpen = false;
        flush();
      } else {
        buf += ch;
      }
      continue;
    }
    if (ch === '"') {
      quoteOpen = true;
      quoteCol = i + 1;
      if (start < 0) start = i;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') {
      if (start >= 0) flush();
      continue;
    }
    if (start < 0) start = i;
    buf += ch;
  }
  if (quoteOpen) return { error: 'expected a closing double quote, found the end of the line', col: quoteCol };
  if (start >= 0) flush();
  return words;
}

const NO_QUOTE = /^[A-Za-z0-9_-]+$/;

/** xtables_save_string(), without its leading space. */
export function saveString(value: string): string {
  if (NO_QUOTE.test(value)) return value;
  return `"${value.replace(/["\\']/g, (c) => `\\${c}`)}"`;
}

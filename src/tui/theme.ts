import type { Style } from './text.js';

/** What ink's <Text> takes for one style. */
export interface TextProps {
  readonly color?: string;
  readonly bold?: boolean;
  readonly dimColor?: boolean;
  readonly inverse?: boolean;
  readonly underline?: boolean;
}

/**
 * Colours chosen to read on both light and dark backgrounds: cyan, magenta, green, red, and
 * yellow only with bold. Nothing depends on colour alone: selection is inverse video plus a `›`
 * marker, and the current device in the path is bracketed.
 */
const COLOUR: Record<Style, TextProps> = {
  plain: {},
  title: { bold: true, color: 'cyan' },
  key: { bold: true, color: 'magenta' },
  dim: { dimColor: true },
  sel: { inverse: true },
  cur: { inverse: true, bold: true },
  ok: { color: 'green', bold: true },
  bad: { color: 'red', bold: true },
  warn: { color: 'yellow', bold: true },
  accent: { color: 'magenta' },
  node: { color: 'cyan' },
  pod: { color: 'green' },
  svc: { color: 'magenta' },
  changed: { color: 'yellow', bold: true },
};

/** NO_COLOR (https://no-color.org): attributes only. */
const MONO: Record<Style, TextProps> = {
  plain: {},
  title: { bold: true },
  key: { bold: true },
  dim: { dimColor: true },
  sel: { inverse: true },
  cur: { inverse: true, bold: true },
  ok: { bold: true },
  bad: { bold: true },
  warn: { bold: true },
  accent: {},
  node: {},
  pod: {},
  svc: {},
  changed: { bold: true, underline: true },
};

export type Theme = Record<Style, TextProps>;

export function themeFor(color: boolean): Theme {
  return color ? COLOUR : MONO;
}

/** NO_COLOR set to anything but the empty string turns colour off. */
export function colorWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return !(env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '');
}

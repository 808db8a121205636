import type { View } from './state.js';

/** The keymap, by where it applies. Shown by `?` and kept in one place so help never drifts. */
export interface KeySection {
  readonly section: string;
  readonly view: View | null;
  readonly keys: readonly (readonly [string, string])[];
}

export const KEYMAP: readonly KeySection[] = [
  {
    section: 'Everywhere',
    view: null,
    keys: [
      ['1 2 3 4', 'cluster, trace, compare, policy view'],
      ['Tab / Shift-Tab', 'next / previous view'],
      ['?', 'this help (Esc or ? closes it)'],
      ['R', 'reload the topology file'],
      ['q  Ctrl-C', 'quit'],
    ],
  },
  {
    section: 'Trace view',
    view: 'trace',
    keys: [
      ['↓ j → l Space', 'next step of the walk'],
      ['↑ k ← h', 'previous step'],
      ['g Home / G End', 'first / last step'],
      ['r', 'jump to the reply (again: back to the request)'],
      ['b / B', 'next / previous branch (outcome of a random choice)'],
      ['PgDn PgUp  J K', 'scroll the step details'],
      ['f', 'pick the source (pod, node, or type an IP)'],
      ['t', 'pick the destination (pod, service, DNS name, node, IP)'],
      ['p', 'protocol: icmp → tcp → udp'],
      [':', 'type the destination port, Enter to set'],
      ['x', 'swap source and destination'],
    ],
  },
  {
    section: 'Pickers (trace and compare views)',
    view: null,
    keys: [
      ['type', 'filter (or type an address / name to use it as is)'],
      ['↑ ↓ PgUp PgDn', 'move'],
      ['Enter / Esc', 'choose / cancel'],
    ],
  },
  {
    section: 'Cluster view',
    view: 'cluster',
    keys: [
      ['↑ ↓ j k', 'select a node, pod or service'],
      ['f', 'trace from it'],
      ['t  Enter', 'trace to it'],
    ],
  },
  {
    section: 'Compare view',
    view: 'compare',
    keys: [
      ['↑ ↓', 'move along the steps of every column'],
      ['← →', 'show other columns'],
      ['f t p : x', 'change the flow (as in the trace view)'],
    ],
  },
  {
    section: 'Policy view',
    view: 'policy',
    keys: [
      ['← → ↑ ↓', 'pick a cell; its explanation is shown below'],
      ['p', 'next port'],
    ],
  },
];

/** The current view's keys right after the global ones; the other views' after that. */
export function helpSections(view: View): KeySection[] {
  const global = KEYMAP.filter((k) => k.view === null && k.section === 'Everywhere');
  const mine = KEYMAP.filter((k) => k.view === view);
  const rest = KEYMAP.filter((k) => !global.includes(k) && !mine.includes(k));
  return [...global, ...mine, ...rest];
}

/** Rows the help takes (one per key, one per section heading, a note). */
export function helpRowCount(): number {
  return KEYMAP.reduce((n, k) => n + 1 + k.keys.length, 0) + 2;
}

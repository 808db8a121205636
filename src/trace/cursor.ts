import type { Frame, Ipv4Packet } from '../net/packet.js';
import type { Dynamic } from './dynamic-state.js';
import type { WalkEnv } from './env.js';
import type { Disposition, Outcome, Stage, Step } from './types.js';

/**
 * The walk's position on one branch: what happened so far, its probability and the dynamic
 * kernel state on that branch. Immutable; `step()` returns a new cursor.
 */
export interface Cursor {
  readonly probability: number;
  readonly steps: readonly Step[];
  readonly frames: Outcome['frames'];
  readonly dyn: Dynamic;
  readonly hops: number;
}

export function startCursor(dyn: Dynamic): Cursor {
  return { probability: 1, steps: [], frames: [], dyn, hops: 0 };
}

export interface StepInput {
  readonly netns: string;
  readonly dev: string | null;
  readonly stage: Stage;
  readonly summary: string;
  readonly lines?: readonly string[];
  readonly packet?: Ipv4Packet | null;
  readonly frame?: Frame | null;
  readonly rewrite?: Step['rewrite'];
  readonly conntrack?: readonly string[];
}

export function step(env: WalkEnv, cur: Cursor, s: StepInput): Cursor {
  const { where, node } = env.label(s.netns);
  const full: Step = {
    netns: s.netns,
    where,
    node,
    dev: s.dev,
    stage: s.stage,
    summary: s.summary,
    lines: s.lines ?? [],
    packet: s.packet ?? null,
    frame: s.frame ?? null,
    rewrite: s.rewrite ?? null,
    conntrack: s.conntrack ?? [],
  };
  return { ...cur, steps: [...cur.steps, full] };
}

export function capture(cur: Cursor, netns: string, dev: string, frame: Frame): Cursor {
  return { ...cur, frames: [...cur.frames, { netns, dev, frame }], hops: cur.hops + 1 };
}

export function finish(cur: Cursor, disposition: Disposition, packet: Ipv4Packet | null): Outcome & { readonly dyn: Dynamic } {
  return { probability: cur.probability, steps: cur.steps, frames: cur.frames, disposition, packet, dyn: cur.dyn };
}

/** An outcome that still carries its branch's dynamic state (for the reply of a flow). */
export type BranchOutcome = ReturnType<typeof finish>;

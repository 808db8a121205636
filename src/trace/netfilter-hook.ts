// TEMPORARY (replaced when kernel/netfilter/evaluate.ts lands): accepts every packet.
import type { HookRequest, HookRun } from './hooks.js';

export function netfilterHook(req: HookRequest): readonly HookRun[] {
  return [{ probability: 1, verdict: { kind: 'accept' }, packet: req.packet, mark: req.mark, lines: [], conntrack: [], dyn: req.dyn, rewrite: null }];
}

import { parseCidr } from '../../net/cidr.js';
import { err, ok, type Result } from '../../lib/result.js';
import type { BgpScenarioEvent } from './types.js';

/** The actions `--events` accepts, with what each one means. */
export const EVENT_ACTIONS = {
  join: 'BIRD starts on the node (a node whose first event is join is down until then)',
  stop: 'BIRD stops cleanly: NOTIFICATION Cease, peers withdraw at once',
  kill: 'BIRD is killed (kill -9): TCP closed without NOTIFICATION, peers keep stale routes for the graceful-restart time',
  'link-lost': 'the node goes silent (no packets at all): peers notice when the hold timer expires',
  announce: 'the node starts originating a prefix (announce=CIDR)',
  withdraw: 'the node stops originating a prefix (withdraw=CIDR)',
} as const;

export const EVENT_SPEC_SYNTAX = 'NODE:ACTION[=CIDR]@SECONDS[,...], ACTION one of join, stop, kill, link-lost, announce=CIDR, withdraw=CIDR (e.g. "node3:kill@30,node1:announce=10.244.9.0/26@40")';

/**
 * Parse `--events` text into scenario events, checking node names against `nodes`. One error
 * message names the offending item and what was expected.
 */
export function parseEventSpec(text: string, nodes: readonly string[]): Result<BgpScenarioEvent[], string> {
  const out: BgpScenarioEvent[] = [];
  const items = text.split(',').map((s) => s.trim());
  for (const item of items) {
    if (item === '') return err(`--events "${text}": empty item; expected ${EVENT_SPEC_SYNTAX}`);
    const m = /^([^:@=\s]+):([a-z-]+)(?:=([^@]+))?@([0-9]+(?:\.[0-9]+)?)s?$/.exec(item);
    if (!m) return err(`--events item "${item}": expected ${EVENT_SPEC_SYNTAX}`);
    const [, node = '', action = '', arg, atText = ''] = m;
    if (!nodes.includes(node)) return err(`--events item "${item}": unknown node "${node}"; the nodes are ${nodes.join(', ')}`);
    const at = Number(atText);
    if (!(action in EVENT_ACTIONS)) return err(`--events item "${item}": unknown action "${action}"; expected one of ${Object.keys(EVENT_ACTIONS).join(', ')}`);
    if (action === 'announce' || action === 'withdraw') {
      if (arg === undefined) return err(`--events item "${item}": ${action} needs a prefix, like ${node}:${action}=10.244.9.0/26@${atText}`);
      const prefix = parseCidr(arg);
      if (!prefix.ok) return err(`--events item "${item}": ${prefix.error}`);
      out.push({ kind: action, node, prefix: prefix.value, at });
      continue;
    }
    if (arg !== undefined) return err(`--events item "${item}": ${action} takes no "=${arg}"`);
    out.push({ kind: action as 'join' | 'stop' | 'kill' | 'link-lost', node, at });
  }
  return ok(out);
}

import { match } from 'ts-pattern';
import { type Ipv4Packet } from '../../net/packet.js';
import { type Netns } from '../../kernel/netns.js';
import type { BuiltinChain } from '../../kernel/netfilter/ruleset.js';
import { dynOf, withDyn } from '../dynamic-state.js';
import type { WalkEnv } from '../env.js';
import type { HookDevices } from '../hooks.js';
import { finish, step, type Cursor } from '../cursor.js';
import { type Outcomes } from './common.js';

/** Running a netfilter hook inside the walk: each surviving branch continues with `next`. */

/** Run one netfilter hook and continue each surviving branch with `next`. */
export function hook(
  env: WalkEnv,
  cur: Cursor,
  ns: Netns,
  name: BuiltinChain,
  packet: Ipv4Packet,
  devices: HookDevices,
  mark: number,
  next: (cur: Cursor, packet: Ipv4Packet, mark: number) => Outcomes,
): Outcomes {
  const runs = env.runHook({ ns, dyn: dynOf(cur.dyn, ns.id), hook: name, packet, devices, mark });
  const dev = devices.out ?? devices.in;
  return runs.flatMap((run) => {
    const rewrite = run.rewrite ? { what: run.rewrite, before: packet, after: run.packet } : null;
    const branch = runs.length > 1 ? ` (branch p=${run.probability.toFixed(4)})` : '';
    const verdictText = match(run.verdict)
      .with({ kind: 'accept' }, () => 'ACCEPT')
      .with({ kind: 'drop' }, () => 'DROP')
      .with({ kind: 'reject' }, (v) => `REJECT ${v.with}`)
      .exhaustive();
    let c: Cursor = { ...cur, probability: cur.probability * run.probability, dyn: withDyn(cur.dyn, ns.id, () => run.dyn) };
    c = step(env, c, {
      netns: ns.id,
      dev,
      stage: name === 'PREROUTING' ? 'prerouting' : name === 'INPUT' ? 'input' : name === 'FORWARD' ? 'forward' : name === 'OUTPUT' ? 'output' : 'postrouting',
      summary: `netfilter ${name}${devices.bridged ? ' (br_netfilter)' : ''}: ${verdictText}${run.rewrite ? `, ${run.rewrite}` : ''}${branch}`,
      lines: run.lines,
      packet: run.packet,
      rewrite,
      conntrack: run.conntrack,
    });
    return match(run.verdict)
      .with({ kind: 'accept' }, () => next(c, run.packet, run.mark))
      .with({ kind: 'drop' }, (v) => [finish(c, { kind: 'DROPPED', reason: { kind: 'netfilter', rule: v.rule } }, run.packet)])
      .with({ kind: 'reject' }, (v) => [finish(c, { kind: 'REJECTED', rule: v.rule, with: v.with }, run.packet)])
      .exhaustive();
  });
}

import { spawn } from 'node:child_process';
import { inNetns } from '../command.js';
import type { Lab } from '../lab.js';
import { recordProcess } from '../processes.js';

/** A new connection a node's conntrack saw: its original and reply tuples, when. */
export interface ConntrackNew {
  readonly t: number;
  readonly netns: string;
  readonly proto: string;
  readonly origSrc: string;
  readonly origDst: string;
  readonly origDport: number | null;
  /** The reply tuple: who answers (the endpoint, after DNAT) and to whom (the source it saw). */
  readonly replySrc: string;
  readonly replyDst: string;
}

/** A connection a node delivered to one of its own addresses, and the source it saw. */
export interface LocalArrival {
  readonly netns: string;
  readonly source: string;
}

export interface ConntrackWatch {
  readonly stop: () => Promise<ConntrackNew[]>;
}

/**
 * `conntrack -E -e NEW` in each node netns for the whole check. Where a request is DNATed to a
 * node's own address, a capture cannot show where it ended (it is captured on the way in, before
 * PREROUTING rewrites it, and local delivery puts it on no device), and a refused connection's
 * entry is gone by the time `conntrack -L` could list it; the NEW event, with its reply tuple,
 * says which address answered and which source it saw.
 */
export async function watchConntrack(lab: Lab, nodes: readonly string[]): Promise<ConntrackWatch> {
  const watchers = nodes.map((netns) => {
    const [cmd, ...args] = inNetns(lab.netnsName(netns), ['conntrack', '-E', '-o', 'timestamp', '-e', 'NEW']).argv;
    const child = spawn(cmd ?? 'ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    if (child.pid !== undefined) recordProcess(lab.prefix, child.pid, `conntrack -E in ${netns}`, lab.stateDir);
    const done = new Promise<void>((resolve) => child.on('close', () => resolve()));
    return { netns, child, done, text: () => out };
  });
  // conntrack prints nothing when it is listening; give netlink a moment to subscribe.
  await new Promise((r) => setTimeout(r, 300));
  return {
    stop: async () => {
      await new Promise((r) => setTimeout(r, 200));
      for (const w of watchers) w.child.kill('SIGTERM');
      await Promise.all(watchers.map((w) => w.done));
      return watchers.flatMap((w) => parseConntrackEvents(w.text(), w.netns));
    },
  };
}

/** `[1700000000.123456]\t    [NEW] tcp      6 120 SYN_SENT src=A dst=B sport=P dport=Q [UNREPLIED] src=C dst=D sport=Q dport=P` */
export function parseConntrackEvents(text: string, netns: string): ConntrackNew[] {
  const out: ConntrackNew[] = [];
  for (const line of text.split('\n')) {
    const m = /^\[(\d+\.\d+)\]\s+\[NEW\] (\S+)/.exec(line);
    if (!m) continue;
    const srcs = [...line.matchAll(/\bsrc=(\S+)/g)].map((x) => x[1] ?? '');
    const dsts = [...line.matchAll(/\bdst=(\S+)/g)].map((x) => x[1] ?? '');
    const dport = /\bdport=(\d+)/.exec(line)?.[1];
    out.push({ t: Number(m[1]) * 1000, netns, proto: m[2] ?? '', origSrc: srcs[0] ?? '', origDst: dsts[0] ?? '', origDport: dport === undefined ? null : Number(dport), replySrc: srcs[1] ?? '', replyDst: dsts[1] ?? '' });
  }
  return out;
}

/** The connections of one flow that a node answered from its own address. */
export function localArrivals(events: readonly ConntrackNew[], q: { readonly proto: string; readonly client: string; readonly target: string; readonly dport: number | null }, ipOf: (netns: string) => string | null): LocalArrival[] {
  return events
    .filter((e) => e.proto === q.proto && e.origSrc === q.client && e.origDst === q.target && (q.dport === null || e.origDport === q.dport) && ipOf(e.netns) === e.replySrc)
    .map((e) => ({ netns: e.netns, source: e.replyDst }));
}

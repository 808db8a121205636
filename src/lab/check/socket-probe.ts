import { parseAgentAnswer, type AgentAnswer } from '../agent-config.js';
import type { Lab } from '../lab.js';
import { execIn } from '../netns-exec.js';

/** What one real connection attempt (TCP connect, or a UDP datagram and its answer) came to. */
export interface SocketAttempt {
  readonly verdict: 'ok' | 'refused' | 'failed';
  /** The agent's answer: which netns answered and the source address it saw. */
  readonly answer: AgentAnswer | null;
  readonly detail: string;
  /** When the attempt started and ended (ms since the epoch), to find its packets. */
  readonly from: number;
  readonly to: number;
}

/**
 * The client, run with `node -e` inside the source netns: N sequential attempts, one JSON line
 * each, with its start and end time. TCP: connect and read the agent's line; ECONNREFUSED is the RST of a closed port. UDP: a
 * connected socket sends one datagram and waits; ECONNREFUSED is an ICMP port unreachable.
 */
const CLIENT = String.raw`
const net = require('net'), dgram = require('dgram');
const [proto, host, port, count, timeout] = process.argv.slice(1);
function once() {
  return new Promise((resolve) => {
    let data = '', done = false;
    const from = Date.now();
    const finish = (r) => { if (!done) { done = true; resolve({ ...r, from, to: Date.now() }); } };
    if (proto === 'tcp') {
      const s = net.connect({ host, port: +port });
      s.setTimeout(+timeout, () => { s.destroy(); finish({ verdict: 'failed', detail: 'timeout' }); });
      s.on('data', (d) => (data += d));
      s.on('end', () => finish({ verdict: 'ok', line: data, detail: 'connected' }));
      s.on('error', (e) => finish({ verdict: e.code === 'ECONNREFUSED' ? 'refused' : 'failed', detail: e.code || e.message }));
    } else {
      const s = dgram.createSocket('udp4');
      const t = setTimeout(() => { s.close(); finish({ verdict: 'failed', detail: 'timeout' }); }, +timeout);
      s.on('message', (m) => { clearTimeout(t); s.close(); finish({ verdict: 'ok', line: m.toString(), detail: 'reply' }); });
      s.on('error', (e) => { clearTimeout(t); s.close(); finish({ verdict: e.code === 'ECONNREFUSED' ? 'refused' : 'failed', detail: e.code || e.message }); });
      s.connect(+port, host, () => s.send('probe'));
    }
  });
}
(async () => { for (let i = 0; i < +count; i++) { console.log(JSON.stringify(await once())); await new Promise((r) => setTimeout(r, 5)); } })();
`;

export async function socketProbe(lab: Lab, nsId: string, p: { readonly proto: 'tcp' | 'udp'; readonly dst: string; readonly port: number; readonly count: number; readonly timeoutMs: number }): Promise<SocketAttempt[]> {
  const r = await execIn(lab, nsId, [process.execPath, '-e', CLIENT, p.proto, p.dst, String(p.port), String(p.count), String(p.timeoutMs)], { timeoutMs: p.count * p.timeoutMs + 10_000 });
  const out: SocketAttempt[] = [];
  for (const line of r.stdout.split('\n').filter((l) => l.trim() !== '')) {
    const j = JSON.parse(line) as { verdict: SocketAttempt['verdict']; line?: string; detail: string; from: number; to: number };
    out.push({ verdict: j.verdict, answer: j.line !== undefined ? parseAgentAnswer(j.line) : null, detail: j.detail, from: j.from, to: j.to });
  }
  if (out.length !== p.count) throw new Error(`socket probe in ${nsId} to ${p.dst}:${p.port}/${p.proto} printed ${out.length} of ${p.count} results: ${r.stderr.trim()}`);
  return out;
}

import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCapture } from './capture.js';
import { ping, readIcmpEchoes, type CapturedEcho, type PingResult } from './icmp.js';
import type { Lab } from './lab.js';

export interface EchoProbe {
  readonly ping: PingResult;
  /** Echo requests to `dst` seen on the capture device, with the TTL they arrived with. */
  readonly received: readonly CapturedEcho[];
}

/**
 * Ping `dst` from one netns while capturing on a device of another: what the destination
 * actually received, and with which TTL (the number podnet's trace must predict).
 */
export async function probeEcho(
  lab: Lab,
  p: { readonly from: string; readonly dst: string; readonly at: string; readonly dev: string; readonly count?: number; /** Keep the capture here (else a temporary file, removed). */ readonly file?: string },
): Promise<EchoProbe> {
  const file = p.file ?? join(tmpdir(), `${lab.prefix}${p.at.replace(/[^A-Za-z0-9._-]/g, '_')}-${p.dev}-${Date.now()}.pcapng`);
  const cap = await startCapture(lab, p.at, p.dev, { file, durationSec: 30, filter: 'icmp or udp' });
  let result: PingResult;
  try {
    result = await ping(lab, p.from, p.dst, { count: p.count ?? 1 });
  } finally {
    await cap.stop();
  }
  try {
    const received = (await readIcmpEchoes(file)).filter((e) => e.type === 'request' && e.dst === p.dst);
    return { ping: result, received };
  } finally {
    if (p.file === undefined) rmSync(file, { force: true });
  }
}

import { encodeFrame } from '../../net/encode.js';
import { writePcap } from '../../net/pcap-write.js';
import type { TraceRun } from '../../trace/run.js';

/**
 * Every frame the walk put on a link, request then reply, outcome after outcome, one
 * microsecond apart (timestamps are synthetic so the file is the same on every run).
 */
export function framesToPcap(run: TraceRun): Uint8Array {
  const frames = run.outcomes.flatMap((o) => [...o.request.frames, ...(o.reply?.frames ?? [])]);
  return writePcap(frames.map((f, i) => ({ timestampMicros: i, bytes: encodeFrame(f.frame) })));
}

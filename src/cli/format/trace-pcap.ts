import { encodeFrame } from '../../net/encode.js';
import { writePcap } from '../../net/pcap-write.js';
import type { TraceRun } from '../../trace/run.js';
import type { CapturedFrame } from '../../trace/types.js';

/**
 * Every frame the walk put on a link, request then reply, outcome after outcome, one
 * microsecond apart (timestamps are synthetic so the file is the same on every run).
 */
export function framesToPcap(run: TraceRun): Uint8Array {
  return writePcap(flowFrames(run).map((f, i) => ({ timestampMicros: i, bytes: encodeFrame(f.frame) })));
}

/** The frames `framesToPcap` writes, in order. */
export function flowFrames(run: TraceRun): CapturedFrame[] {
  return run.outcomes.flatMap((o) => [...o.request.frames, ...(o.reply?.frames ?? [])]);
}

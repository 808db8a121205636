import { encodeFrame } from '../../net/encode.js';
import { writePcap } from '../../net/pcap-write.js';
import type { WalkWorld } from '../../lookup/packet-transport.js';
import type { CapturedFrame } from '../../trace/types.js';

/** The frames of one history of DNS datagrams (query then reply, in send order). */
export function worldFrames(world: WalkWorld): CapturedFrame[] {
  return world.walks.flatMap((w) => [...w.flow.request.frames, ...(w.flow.reply?.frames ?? [])]);
}

/**
 * A pcap of the lookup's frames followed by `after` (e.g. the traced flow), one microsecond
 * apart (synthetic timestamps keep the file identical on every run). UDP port 53 payloads are
 * real DNS messages, so Wireshark and tshark decode them.
 */
export function worldPcap(world: WalkWorld, after: readonly CapturedFrame[]): Uint8Array {
  const frames = [...worldFrames(world), ...after];
  return writePcap(frames.map((f, i) => ({ timestampMicros: i, bytes: encodeFrame(f.frame) })));
}

import { join } from 'node:path';
import { startCapture, type Capture } from '../capture.js';
import { run } from '../exec.js';
import type { Lab } from '../lab.js';

/** One IPv4 packet seen on a lab device; for a VXLAN frame, `inner*` is the packet inside. */
export interface WirePacket {
  readonly t: number;
  readonly netns: string;
  readonly dev: string;
  readonly src: string;
  readonly dst: string;
  readonly ttl: number;
  /** ICMP type, or null. */
  readonly icmpType: number | null;
  /** TCP flags as a number (0x002 SYN, 0x012 SYN-ACK), or null. */
  readonly tcpFlags: number | null;
  readonly udpDport: number | null;
  /** The innermost UDP payload (hex), for DNS decoding. */
  readonly udpPayload: string | null;
  /** The outer header when the packet travelled in VXLAN. */
  readonly vxlan: { readonly src: string; readonly dst: string; readonly dport: number; readonly vni: number } | null;
}

export interface CapturePoint {
  readonly netns: string;
  readonly dev: string;
}

export interface CaptureSet {
  readonly stop: () => Promise<WirePacket[]>;
}

/** Flannel's kernel VXLAN port (8472) is not IANA's 4789: tell tshark to decode it as VXLAN. */
const DECODE = ['-d', 'udp.port==8472,vxlan'];
const FIELDS = ['frame.time_epoch', 'ip.src', 'ip.dst', 'ip.ttl', 'udp.dstport', 'vxlan.vni', 'icmp.type', 'tcp.flags', 'udp.payload'];

/** Capture on every point at once (tshark each), for the whole check; stop() reads them all back. */
export async function captureAll(lab: Lab, points: readonly CapturePoint[], dir: string): Promise<CaptureSet> {
  const caps: { point: CapturePoint; cap: Capture }[] = await Promise.all(
    points.map(async (point, i) => ({ point, cap: await startCapture(lab, point.netns, point.dev, { file: join(dir, `cap-${i}.pcapng`), filter: 'icmp or tcp or udp', engine: 'dumpcap' }) })),
  );
  return {
    stop: async () => {
      await Promise.all(caps.map((c) => c.cap.stop()));
      const all = await Promise.all(caps.map((c) => readPackets(c.cap.file, c.point)));
      return all.flat().sort((a, b) => a.t - b.t);
    },
  };
}

async function readPackets(file: string, point: CapturePoint): Promise<WirePacket[]> {
  const r = await run({ argv: ['tshark', '-n', '-r', file, ...DECODE, '-Y', 'ip', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', ...FIELDS.flatMap((f) => ['-e', f])] });
  if (r.code !== 0) throw new Error(`tshark -r ${file}: ${r.stderr.trim()}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => parsePacketLine(l, point));
}

const num = (v: string | undefined): number | null => (v === undefined || v === '' ? null : Number(v));

/**
 * One `tshark -T fields -E occurrence=a -E aggregator=,` line (fields in FIELDS order). Fields
 * repeat per header: a VXLAN frame has outer then inner values (the inner packet is reported);
 * an ICMP error quotes the offending header after its own (its own is reported).
 */
export function parsePacketLine(line: string, point: CapturePoint): WirePacket {
  const [t = '', src = '', dst = '', ttl = '', dport = '', vni = '', icmp = '', flags = '', payload = ''] = line.split('\t');
  const all = (v: string): string[] => (v === '' ? [] : v.split(','));
  const srcs = all(src);
  const dsts = all(dst);
  const dports = all(dport);
  const vx = vni !== '' && srcs.length > 1 ? { src: srcs[0] ?? '', dst: dsts[0] ?? '', dport: Number(dports[0]), vni: Number(vni) } : null;
  const i = vx ? 1 : 0;
  return {
    t: Number(t) * 1000,
    netns: point.netns,
    dev: point.dev,
    src: srcs[i] ?? '',
    dst: dsts[i] ?? '',
    ttl: Number(all(ttl)[i]),
    icmpType: num(all(icmp)[0]),
    tcpFlags: flags === '' ? null : Number.parseInt(all(flags)[0] ?? '0', 16),
    udpDport: num(dports[i]),
    udpPayload: all(payload)[i]?.replace(/:/g, '') ?? null,
    vxlan: vx,
  };
}

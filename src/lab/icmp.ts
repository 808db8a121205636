import { run } from './exec.js';
import type { Lab } from './lab.js';
import { execIn } from './netns-exec.js';

export interface EchoReply {
  readonly from: string;
  readonly seq: number;
  readonly ttl: number;
  readonly bytes: number;
}

export interface PingResult {
  /** At least one reply came back. */
  readonly ok: boolean;
  readonly replies: readonly EchoReply[];
  readonly output: string;
}

/**
 * A raw-socket ping in Python for machines without iputils ping: same reply lines as ping
 * (`64 bytes from A: icmp_seq=N ttl=T time=X ms`), exit 0 when a reply came.
 */
const PY_PING = String.raw`
import os, socket, struct, sys, time
dst, count, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
ident = os.getpid() & 0xffff
def csum(b):
    t = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    t = (t >> 16) + (t & 0xffff); t += t >> 16
    return ~t & 0xffff
got = 0
for seq in range(1, count + 1):
    body = bytes(range(56))
    pkt = struct.pack('!BBHHH', 8, 0, 0, ident, seq) + body
    pkt = struct.pack('!BBHHH', 8, 0, csum(pkt), ident, seq) + body
    t0 = time.time(); s.sendto(pkt, (dst, 0))
    while time.time() - t0 < timeout:
        s.settimeout(max(0.01, timeout - (time.time() - t0)))
        try: data, addr = s.recvfrom(65535)
        except socket.timeout: break
        ihl = (data[0] & 15) * 4
        typ, _, _, rid, rseq = struct.unpack('!BBHHH', data[ihl:ihl + 8])
        if typ == 0 and rid == ident and rseq == seq:
            print('%d bytes from %s: icmp_seq=%d ttl=%d time=%.3f ms' % (len(data) - ihl, addr[0], seq, data[8], (time.time() - t0) * 1000), flush=True)
            got += 1; break
sys.exit(0 if got else 1)
`;

let hasPing: boolean | undefined;

async function pingAvailable(): Promise<boolean> {
  if (hasPing === undefined) hasPing = (await run({ argv: ['sh', '-c', 'command -v ping'] }).catch(() => ({ code: 1 }))).code === 0;
  return hasPing;
}

/** Ping from inside a lab netns (iputils ping if installed, else the Python fallback). */
export async function ping(lab: Lab, nsId: string, dst: string, opts: { readonly count?: number; readonly timeoutSec?: number } = {}): Promise<PingResult> {
  const count = opts.count ?? 1;
  const timeout = opts.timeoutSec ?? 2;
  const argv = (await pingAvailable()) ? ['ping', '-n', '-c', String(count), '-W', String(timeout), dst] : ['python3', '-c', PY_PING, dst, String(count), String(timeout)];
  const r = await execIn(lab, nsId, argv, { timeoutMs: (count * timeout + 5) * 1000 });
  const replies = parsePingReplies(r.stdout);
  return { ok: replies.length > 0, replies, output: r.stdout + r.stderr };
}

/** The reply lines of ping output: `64 bytes from 10.244.2.2: icmp_seq=1 ttl=62 time=0.08 ms`. */
export function parsePingReplies(text: string): EchoReply[] {
  const out: EchoReply[] = [];
  for (const m of text.matchAll(/^(\d+) bytes from ([0-9.]+):? icmp_seq=(\d+) ttl=(\d+)/gm)) {
    out.push({ bytes: Number(m[1]), from: m[2] ?? '', seq: Number(m[3]), ttl: Number(m[4]) });
  }
  return out;
}

export interface CapturedEcho {
  readonly src: string;
  readonly dst: string;
  readonly type: 'request' | 'reply';
  readonly ttl: number;
  readonly seq: number;
}

/**
 * ICMP echoes in a capture file, with the TTL they had on that wire. Inside a VXLAN frame
 * (Flannel's port 8472 is decoded as VXLAN too) the innermost IP header is the one reported.
 */
export async function readIcmpEchoes(file: string): Promise<CapturedEcho[]> {
  const r = await run({
    argv: ['tshark', '-n', '-r', file, '-d', 'udp.port==8472,vxlan', '-Y', 'icmp.type == 8 || icmp.type == 0', '-T', 'fields', '-E', 'occurrence=l', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'icmp.type', '-e', 'ip.ttl', '-e', 'icmp.seq'],
  });
  if (r.code !== 0) throw new Error(`tshark -r ${file}: ${r.stderr.trim()}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [src = '', dst = '', type = '', ttl = '', seq = ''] = l.split('\t');
      return { src, dst, type: type === '8' ? 'request' : 'reply', ttl: Number(ttl), seq: Number(seq) };
    });
}

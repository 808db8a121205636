import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { unwrap } from '../../../src/lib/result.js';
import { ipv4 } from '../../../src/net/ipv4.js';
import type { Ipv4Packet } from '../../../src/net/packet.js';
import { EMPTY_CONNTRACK } from '../../../src/kernel/conntrack/table.js';
import { formatConntrackTable } from '../../../src/kernel/conntrack/print.js';
import { parseIptablesSave } from '../../../src/kernel/netfilter/parse.js';
import { traceRuleset } from '../../../src/kernel/netfilter/trace.js';
import { addNs, canRunRealNetfilter, deleteNsWithPrefix, haveTool, inNs, nsPrefix, run, SKIP_REASON } from '../netfilter/real-kernel.js';
import { dgram, echo, seg } from './helpers.js';

/**
 * `conntrack -L` in a real client namespace after a DNATed TCP connection, a DNATed UDP
 * request with its answer, an unanswered UDP datagram, a TCP SYN the server drops, and a ping,
 * compared with the model fed the same packets through the same rules.
 */

const prefix = nsPrefix('ct');
const C = `${prefix}-c`;
const S = `${prefix}-s`;
const children: ChildProcess[] = [];

const canRun = canRunRealNetfilter() && haveTool('conntrack') && haveTool('python3');

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  if (canRun) expect(deleteNsWithPrefix(prefix)).toEqual([]);
});

const CLIENT_RULES = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A OUTPUT -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.2:8080
-A OUTPUT -d 10.96.0.11/32 -p udp -m udp --dport 53 -j DNAT --to-destination 10.0.0.2:5353
COMMIT
`;

const SERVER = `
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 8080)); s.listen(5)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", 5353))
print("ready", flush=True)
c, _ = s.accept(); c.recv(10)
d, a = u.recvfrom(100); u.sendto(d, a)
time.sleep(20)
`;

const CLIENT = `
import socket, struct, time
t = socket.socket(); t.bind(("10.0.0.1", 40000)); t.connect(("10.96.0.10", 80)); t.send(b"hi")
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("10.0.0.1", 40002)); u.settimeout(3)
u.sendto(b"q", ("10.96.0.11", 53)); u.recvfrom(100)
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); v.bind(("10.0.0.1", 40003)); v.sendto(b"x", ("10.0.0.2", 9999))
w = socket.socket(); w.bind(("10.0.0.1", 40001)); w.setblocking(False)
try:
    w.connect(("10.0.0.2", 7777))
except BlockingIOError:
    pass
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP); r.settimeout(3)
def csum(b):
    x = sum(struct.unpack("!%dH" % (len(b) // 2), b)); x = (x >> 16) + (x & 0xffff); x += x >> 16; return (~x) & 0xffff
h = struct.pack("!BBHHH", 8, 0, 0, 4242, 1) + b"abcdefgh"
r.sendto(h[:2] + struct.pack("!H", csum(h)) + h[4:], ("10.0.0.2", 0)); r.recv(100)
time.sleep(0.3)
print("done", flush=True)
time.sleep(20)
`;

function start(ns: string, code: string, marker: string): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let errText = '';
    const timer = setTimeout(() => reject(new Error(`${ns}: no "${marker}" within 15 s: ${out} ${errText}`)), 15000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(marker)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr?.on('data', (d: Buffer) => (errText += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${ns}: python exited ${code}: ${errText}`));
    });
  });
}

/** Split a conntrack -L line into the part before the timeout, the timeout, and the rest. */
function split(line: string): { head: string; timeout: number; rest: string } {
  const m = /^(\S+\s+\d+) (\d+) (.*)$/.exec(line.trim());
  if (!m) throw new Error(`not a conntrack line: ${line}`);
  return { head: m[1] as string, timeout: Number(m[2]), rest: m[3] as string };
}

describe.skipIf(!canRun)(`conntrack -L matches the real kernel (${SKIP_REASON}, conntrack and python3)`, () => {
  it('prints the same entries, states and flags as the model fed the same packets', async () => {
    addNs(C);
    addNs(S);
    const must = (r: { status: number; stderr: string }) => expect(r.stderr).toBe('');
    must(run('ip', ['link', 'add', `${prefix}a`, 'netns', C, 'type', 'veth', 'peer', 'name', `${prefix}b`, 'netns', S]));
    must(run('ip', ['-n', C, 'link', 'set', `${prefix}a`, 'name', 'vc']));
    must(run('ip', ['-n', S, 'link', 'set', `${prefix}b`, 'name', 'vs']));
    must(run('ip', ['-n', C, 'addr', 'add', '10.0.0.1/24', 'dev', 'vc']));
    must(run('ip', ['-n', S, 'addr', 'add', '10.0.0.2/24', 'dev', 'vs']));
    must(run('ip', ['-n', C, 'link', 'set', 'vc', 'up']));
    must(run('ip', ['-n', S, 'link', 'set', 'vs', 'up']));
    must(run('ip', ['-n', C, 'route', 'add', '10.96.0.0/12', 'dev', 'vc']));
    must(inNs(C, 'iptables-restore', [], CLIENT_RULES));
    must(inNs(S, 'iptables-restore', [], '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 7777 -j DROP\n-A INPUT -p udp --dport 9999 -j DROP\nCOMMIT\n'));

    await start(S, SERVER, 'ready');
    await start(C, CLIENT, 'done');
    const listed = inNs(C, 'conntrack', ['-L']);
    expect(listed.status).toBe(0);
    const real = listed.stdout.split('\n').filter((l) => l.trim() !== '');

    // The model: the same packets through the same rules, as traceRuleset sees them.
    const ruleset = unwrap(parseIptablesSave(CLIENT_RULES));
    let table = EMPTY_CONNTRACK;
    const base = { ruleset, localAddrs: [ipv4('10.0.0.1')], now: 0 };
    const send = (p: Ipv4Packet) => {
      const [o] = traceRuleset({ ...base, packet: p, origin: { kind: 'local', outDev: 'vc' }, conntrack: table });
      if (!o || o.verdict.kind !== 'accept') throw new Error('not sent');
      table = o.conntrackTable;
      return o.packet;
    };
    const recv = (p: Ipv4Packet) => {
      const [o] = traceRuleset({ ...base, packet: p, origin: { kind: 'in', inDev: 'vc' }, route: { kind: 'local' }, conntrack: table });
      if (!o || o.verdict.kind !== 'accept') throw new Error('not received');
      table = o.conntrackTable;
      return o.packet;
    };
    const syn = send(seg('10.0.0.1', 40000, '10.96.0.10', 80, { syn: true }));
    expect(syn.header.dst).toBe(ipv4('10.0.0.2'));
    expect(recv(seg('10.0.0.2', 8080, '10.0.0.1', 40000, { syn: true, ack: true })).header.src).toBe(ipv4('10.96.0.10'));
    send(seg('10.0.0.1', 40000, '10.96.0.10', 80, { ack: true }));
    send(seg('10.0.0.1', 40000, '10.96.0.10', 80, { ack: true, psh: true }));
    recv(seg('10.0.0.2', 8080, '10.0.0.1', 40000, { ack: true }));
    send(dgram('10.0.0.1', 40002, '10.96.0.11', 53));
    recv(dgram('10.0.0.2', 5353, '10.0.0.1', 40002));
    send(dgram('10.0.0.1', 40003, '10.0.0.2', 9999));
    send(seg('10.0.0.1', 40001, '10.0.0.2', 7777, { syn: true }));
    send(echo('10.0.0.1', '10.0.0.2', 4242));
    recv(echo('10.0.0.2', '10.0.0.1', 4242, true));
    const model = formatConntrackTable(table, 0);

    const key = (l: string) => split(l).rest;
    const realBy = new Map(real.map((l) => [key(l), split(l)]));
    const modelBy = new Map(model.map((l) => [key(l), split(l)]));
    expect([...modelBy.keys()].sort()).toEqual([...realBy.keys()].sort());
    for (const [k, m] of modelBy) {
      const r = realBy.get(k);
      expect(r?.head).toBe(m.head);
      // The real timeouts have been counting down for a second or two.
      expect(m.timeout - (r?.timeout ?? 0)).toBeGreaterThanOrEqual(0);
      expect(m.timeout - (r?.timeout ?? 0)).toBeLessThan(15);
    }
    expect(model).toContainEqual(expect.stringMatching(/^tcp {6}6 432000 ESTABLISHED src=10\.0\.0\.1 dst=10\.96\.0\.10 sport=40000 dport=80 src=10\.0\.0\.2 dst=10\.0\.0\.1 sport=8080 dport=40000 \[ASSURED\] mark=0 use=1$/));
  }, 60_000);
});

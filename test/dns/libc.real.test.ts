import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Libc, LookupCall, LookupTrace } from '../../src/resolver/index.js';
import { run, std } from './helpers.js';

/**
 * Fidelity: the real glibc (the machine's) and the real musl (musl-tools, static) against
 * podnet's modelled CoreDNS on a real UDP socket, inside a private network and mount namespace
 * with a bind-mounted /etc/resolv.conf. For every case the datagrams the real libc sent (name,
 * type, order, source ports), its answer and its timing must equal podnet's resolver model.
 *
 * Needs root, unshare, gcc; musl cases also need musl-gcc. Skips with a message otherwise.
 */

interface Case {
  readonly id: string;
  readonly libc: Libc;
  readonly name: string;
  readonly conf: string;
  readonly call: LookupCall;
  readonly dropFirstAaaa?: boolean;
}

const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const isRoot = process.getuid?.() === 0;
const canRun = isRoot && has('unshare') && has('gcc') && has('ip');
const haveMusl = has('musl-gcc');
const SKIP = !canRun ? 'needs root, unshare, ip and gcc to run the real libc in a network namespace' : '';

const GAI: LookupCall = { kind: 'getaddrinfo', family: 'AF_UNSPEC' };
const INET: LookupCall = { kind: 'getaddrinfo', family: 'AF_INET' };
const SRV: LookupCall = { kind: 'res_search', type: 'SRV' };
const PTR: LookupCall = { kind: 'getnameinfo' };

function cases(): Case[] {
  const out: Case[] = [];
  const longSearch = Array.from({ length: 12 }, (_, i) => `t${String(i).padStart(i === 11 ? 3 : 2, '0')}.internal.corp.test`);
  const both: [string, string, string, LookupCall][] = [
    ['01', 'web', std(), GAI],
    ['02', 'web.prod', std(), GAI],
    ['03', 'web.prod.svc', std(), GAI],
    ['04', 'www.example.com', std(), GAI],
    ['05', 'web-0.nginx.default.svc.cluster.local', std(), GAI],
    ['06', 'web-0.nginx.default.svc.cluster.local.', std(), GAI],
    ['07', 'kubernetes.default', std(), GAI],
    ['08', 'nginx.default.svc.cluster.local', std(), GAI],
    ['09', 'ext', std(), GAI],
    ['10', 'lonely', std(), GAI],
    ['11', 'api.example.com', std(), GAI],
    ['12', '10-244-1-10.default.pod.cluster.local', std(), GAI],
    ['14', 'www.example.com', std('default', ['wild.example']), GAI],
    ['15', 'web-2.nginx.default.svc.cluster.local', std(), GAI],
    ['16', 'web.prod', std('default', [], 'ndots:1'), GAI],
    ['17', 'www.example.com', std('default', [], 'ndots:1'), GAI],
    ['18', 'web', std('default', [], 'ndots:0'), GAI],
    ['19', 'prod', std(), GAI],
    ['20', 'www.example.com', std('default', ['nodata.example']), GAI],
    ['21', 'www.example.com', std('default', ['failing.example']), GAI],
    ['25', 'web.prod', std('default', [], 'ndots:5 single-request-reopen'), GAI],
    ['30', 'build.corp.example', std('default', ['corp.example']), GAI],
    ['32', 'web', std('default', longSearch), GAI],
    ['33', 'www.example.com', std(), INET],
    ['37', '_http._tcp.web.prod', std(), SRV],
    ['38', '_web._tcp.nginx.default.svc.cluster.local.', std(), SRV],
    ['39', '10.96.1.20', std(), PTR],
    ['40', '10.244.1.10', std(), PTR],
    ['41', '10.244.1.5', std(), PTR],
  ];
  for (const libc of ['glibc', 'musl'] as const) {
    if (libc === 'musl' && !haveMusl) continue;
    const p = libc === 'glibc' ? 'g' : 'm';
    for (const [n, name, conf, call] of both) out.push({ id: `${p}${n}`, libc, name, conf, call });
    out.push({ id: `${p}24`, libc, name: 'web', conf: std(), call: GAI, dropFirstAaaa: true });
  }
  return out;
}

interface Observed {
  readonly queries: { name: string; type: string; sport: number; t: number }[];
  readonly out: string;
}

let dir = '';
const observed = new Map<string, Observed>();
const all = canRun ? cases() : [];

beforeAll(() => {
  if (!canRun) return;
  dir = mkdtempSync(join(tmpdir(), 'podnet-libc-'));
  const src = join(process.cwd(), 'src/lab/check/gai.c');
  const cc = spawnSync('gcc', ['-O1', '-o', join(dir, 'gai-glibc'), src, '-lresolv'], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`gcc failed: ${cc.stderr}`);
  if (haveMusl) {
    const mc = spawnSync('musl-gcc', ['-O1', '-static', '-o', join(dir, 'gai-musl'), src], { encoding: 'utf8' });
    if (mc.status !== 0) throw new Error(`musl-gcc failed: ${mc.stderr}`);
  }
  writeFileSync(join(dir, 'resolv.conf'), std());
  writeFileSync(join(dir, 'hosts'), '127.0.0.1\tlocalhost\n');
  writeFileSync(join(dir, 'nsswitch.conf'), 'hosts: files dns\n');
  writeFileSync(join(dir, 'log'), '');
  const lines = [
    'set -u',
    'ip link set lo up',
    'ip addr add 10.96.0.10/32 dev lo',
    'ip -6 addr add fd00::5/128 dev lo',
    `mount --bind ${dir}/resolv.conf /etc/resolv.conf`,
    `mount --bind ${dir}/hosts /etc/hosts`,
    `mount --bind ${dir}/nsswitch.conf /etc/nsswitch.conf`,
    `${process.execPath} --import tsx test/dns/lab/fake-coredns.ts ${dir} & SERVER=$!`,
    `i=0; while [ ! -e ${dir}/ready ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done`,
  ];
  all.forEach((c, i) => {
    writeFileSync(join(dir, `rc.${i}`), c.conf);
    writeFileSync(join(dir, `control.${i}`), JSON.stringify({ dropFirstAaaa: c.dropFirstAaaa ?? false, case: c.id }));
    const args = c.call.kind === 'getaddrinfo' ? `getaddrinfo '${c.name}' ${c.call.family === 'AF_INET' ? 'inet' : 'unspec'}` : c.call.kind === 'res_search' ? `res_search '${c.name}' srv` : `getnameinfo '${c.name}'`;
    lines.push(`cat ${dir}/rc.${i} > ${dir}/resolv.conf`, `cp ${dir}/control.${i} ${dir}/control.json`, `echo '{"mark":${i}}' >> ${dir}/log`, `${dir}/gai-${c.libc} ${args} > ${dir}/out.${i} 2>&1`);
  });
  lines.push('kill $SERVER');
  writeFileSync(join(dir, 'run.sh'), `${lines.join('\n')}\n`);
  const r = spawnSync('unshare', ['-n', '-m', 'sh', join(dir, 'run.sh')], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0 && r.status !== 143) throw new Error(`lab run failed (${r.status}): ${r.stderr}`);
  let current = -1;
  const byCase = new Map<number, Observed['queries']>();
  for (const line of readFileSync(join(dir, 'log'), 'utf8').split('\n')) {
    if (line === '') continue;
    const j = JSON.parse(line) as { mark?: number; name?: string; type?: string; sport?: number; t?: number };
    if (j.mark !== undefined) {
      current = j.mark;
      byCase.set(current, []);
    } else byCase.get(current)?.push({ name: j.name ?? '', type: j.type ?? '', sport: j.sport ?? 0, t: j.t ?? 0 });
  }
  all.forEach((c, i) => observed.set(c.id, { queries: byCase.get(i) ?? [], out: readFileSync(join(dir, `out.${i}`), 'utf8').trim() }));
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function model(c: Case): LookupTrace {
  return run(c.libc, c.name, {
    conf: c.conf,
    call: c.call,
    ...(c.libc === 'musl' ? { muslVersion: '1.2.3' as const } : {}),
    ...(c.dropFirstAaaa ? { lose: (q) => q.type === 'AAAA' && q.transmission === 1 } : {}),
  });
}

/** The libc's printed result in the client's vocabulary. */
function modelOut(t: LookupTrace): string {
  const r = t.result;
  if (t.request.call.kind === 'getaddrinfo') return r.ok ? `OK ${[...r.addresses].sort().join(' ')}` : `ERR ${r.error}`;
  if (t.request.call.kind === 'getnameinfo') return r.ok ? `OK ${r.canonicalName ?? ''}` : `ERR ${r.error}`;
  const herrno: Record<string, number> = { HOST_NOT_FOUND: 1, TRY_AGAIN: 2, NO_RECOVERY: 3, NO_DATA: 4 };
  return r.ok ? `OK ancount=${r.records.length}` : `ERR h_errno=${herrno[r.error] ?? 0}`;
}

function realOut(out: string, call: LookupCall): { text: string; ms: number } {
  const parts = out.split(' ');
  const ms = Number(parts.pop());
  if (call.kind === 'getaddrinfo' && parts[0] === 'OK') return { text: `OK ${[...new Set(parts.slice(1))].sort().join(' ')}`, ms };
  return { text: parts.join(' '), ms };
}

describe.skipIf(!canRun)('the real glibc and musl agree with podnet\'s resolver model', () => {
  if (!haveMusl) it.skip('musl cases need musl-gcc (apt-get install musl-tools)', () => {});
  for (const c of all) {
    it(`${c.id} ${c.libc} ${c.call.kind} ${c.name}`, () => {
      const real = observed.get(c.id);
      if (!real) throw new Error('no observation');
      const t = model(c);
      expect(real.queries.map((q) => `${q.name} ${q.type}`)).toEqual(t.queries.map((q) => `${q.name} ${q.type}`));
      // The same socket/port pattern: which datagrams share a source port.
      const shape = (ports: number[]): number[] => ports.map((p) => ports.indexOf(p));
      expect(shape(real.queries.map((q) => q.sport))).toEqual(shape(t.queries.map((q) => q.sourcePort)));
      const r = realOut(real.out, c.call);
      expect(r.text).toBe(modelOut(t));
      // Timing: the 0 s / 2.5 s / 5 s effects, within scheduling noise.
      expect(Math.abs(r.ms - t.elapsedMs)).toBeLessThan(400);
    });
  }
});

describe.skipIf(canRun)('libc fidelity (skipped)', () => {
  it.skip(SKIP, () => {});
});

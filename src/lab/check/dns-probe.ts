import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Libc } from '../../resolver/index.js';
import { run } from '../exec.js';
import type { Lab } from '../lab.js';
import { execIn } from '../netns-exec.js';
import { withPodEtc, writePodEtc } from '../pod-etc.js';

const GAI_SOURCE = fileURLToPath(new URL('./gai.c', import.meta.url));

/** A real libc's resolver client per libc, or why there is none (then dns flows of that libc are skipped). */
export type LibcClients = ReadonlyMap<Libc, { readonly ok: true; readonly bin: string } | { readonly ok: false; readonly reason: string }>;

/** Build gai.c against glibc (gcc) and musl (musl-gcc, static) into `dir`. */
export async function buildLibcClients(dir: string): Promise<LibcClients> {
  const out = new Map<Libc, { ok: true; bin: string } | { ok: false; reason: string }>();
  const builds: [Libc, string, string[]][] = [
    ['glibc', 'gcc', ['-O1', '-o', join(dir, 'gai-glibc'), GAI_SOURCE, '-lresolv']],
    ['musl', 'musl-gcc', ['-O1', '-static', '-o', join(dir, 'gai-musl'), GAI_SOURCE]],
  ];
  for (const [libc, cc, args] of builds) {
    const r = await run({ argv: [cc, ...args] }).catch((e: Error) => ({ code: -1, stderr: e.message }));
    out.set(libc, r.code === 0 ? { ok: true, bin: join(dir, `gai-${libc}`) } : { ok: false, reason: `no ${libc} client: ${cc} failed (${r.stderr.trim().split('\n')[0] ?? ''}); install ${libc === 'musl' ? 'musl-tools' : 'gcc'}` });
  }
  return out;
}

/**
 * Run getaddrinfo(NAME, AF_UNSPEC) with a real libc inside a pod's netns, with the pod's own
 * resolv.conf and /etc/hosts bind-mounted over /etc (in a private mount namespace: the host's
 * files are never touched) and `hosts: files dns`. Returns `OK addr...` (sorted) or `ERR code`.
 */
export async function dnsProbe(lab: Lab, nsId: string, p: { readonly bin: string; readonly dir: string; readonly resolvConf: string; readonly hosts: string; readonly name: string }): Promise<{ readonly result: string; readonly raw: string }> {
  const paths = writePodEtc(p.dir, lab.netnsName(nsId), { resolvConf: p.resolvConf, hosts: p.hosts });
  const r = await execIn(lab, nsId, withPodEtc(paths, [p.bin, 'getaddrinfo', p.name, 'unspec']), { timeoutMs: 60_000 });
  const raw = (r.stdout + r.stderr).trim();
  const parts = r.stdout.trim().split(' ');
  parts.pop(); // elapsed ms
  const [head, ...rest] = parts;
  const result = head === 'OK' ? `OK ${[...new Set(rest)].sort().join(' ')}` : head === 'ERR' ? `ERR ${rest.join(' ')}` : `? ${raw}`;
  return { result, raw };
}

/**
 * The installed musl's behaviour class: its dynamic loader prints `Version 1.2.3`. musl 1.2.4
 * changed NODATA from EAI_NONAME to EAI_NODATA, which the resolver model distinguishes.
 */
export async function installedMuslVersion(): Promise<'1.2.3' | '1.2.5' | null> {
  const r = await run({ argv: ['sh', '-c', 'for l in /lib/ld-musl-*.so.1; do "$l"; done 2>&1'] }).catch(() => null);
  const m = /Version (\d+)\.(\d+)\.(\d+)/.exec(r?.stdout ?? '');
  if (!m) return null;
  const [maj, min, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return maj > 1 || (maj === 1 && (min > 2 || (min === 2 && patch >= 4))) ? '1.2.5' : '1.2.3';
}

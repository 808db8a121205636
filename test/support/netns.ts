import { execFileSync, spawnSync } from 'node:child_process';

/** Whether this process can build network namespaces (root + iproute2). */
export function canUseNetns(): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSync('ip', ['netns', 'list'], { stdio: 'ignore' }).status === 0;
}

export const NETNS_SKIP_REASON = 'needs root and iproute2 to build network namespaces';

/** A unique prefix per test file run, so parallel runs never collide and cleanup finds everything. */
export function uniquePrefix(tag: string): string {
  return `pnt${tag}${process.pid.toString(36)}`;
}

export function sh(cmd: string, args: readonly string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Delete every netns whose name starts with prefix; returns those that remain (should be none). */
export function deleteNetnsWithPrefix(prefix: string): string[] {
  const list = () =>
    sh('ip', ['netns', 'list'])
      .split('\n')
      .map((l) => l.split(' ')[0] ?? '')
      .filter((n) => n.startsWith(prefix));
  for (const n of list()) spawnSync('ip', ['netns', 'del', n], { stdio: 'ignore' });
  return list();
}

import { run } from './exec.js';

export interface LabAvailability {
  readonly ok: boolean;
  /** Why the lab cannot run here, for skip messages. */
  readonly reason: string;
}

/** The lab needs root (network namespaces) and iproute2's `ip` and `bridge`. */
export async function labAvailable(): Promise<LabAvailability> {
  if (process.platform !== 'linux') return { ok: false, reason: `needs Linux, this is ${process.platform}` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'needs root to create network namespaces' };
  for (const tool of ['ip', 'bridge', 'sysctl']) {
    const r = await run({ argv: ['sh', '-c', `command -v ${tool}`] }).catch(() => null);
    if (r?.code !== 0) return { ok: false, reason: `needs \`${tool}\` (iproute2/procps) on PATH` };
  }
  return { ok: true, reason: '' };
}

import { loadTopology } from '../topology/load.js';
import { buildSystem } from '../topology/build.js';
import type { System } from '../topology/system.js';
import type { Cluster } from '../cluster/cluster.js';
import { inputErrorToUsage, UsageError } from './exit.js';

/** Load and build a topology for a command; bad input becomes a UsageError (exit 2). */
export async function loadSystem(file: string): Promise<{ cluster: Cluster; system: System }> {
  const loaded = await loadTopology(file);
  if (!loaded.ok) throw inputErrorToUsage(loaded.error);
  const built = buildSystem(loaded.value);
  if (!built.ok) throw new UsageError(`${file}: ${built.error}`);
  return { cluster: loaded.value, system: built.value };
}

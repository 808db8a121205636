/**
 * `npm run bench`: every benchmark, one after another. Speed targets live here, never in unit
 * tests. Each benchmark prints its own timings.
 */
import { spawnSync } from 'node:child_process';

const BENCHES = ['bench/policy-matrix.ts', 'bench/bgp-mesh.ts'];
let failed = 0;
for (const b of BENCHES) {
  process.stdout.write(`== ${b}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', b], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;

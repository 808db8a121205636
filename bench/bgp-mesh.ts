/**
 * 500 calico-node BIRD speakers in a full node-to-node mesh (124,750 sessions), simulated from
 * start to convergence. Prints the wall time, the simulated convergence time and how many
 * messages and events the model processed. Target: well under a minute.
 */
import { performance } from 'node:perf_hooks';
import { simulateBgp } from '../src/controllers/bgp/simulate.js';
import { CALICO_BIRD_TIMERS } from '../src/controllers/bgp/timers.js';
import type { BgpSpeakerInput } from '../src/controllers/bgp/types.js';
import { ipv4FromNumber } from '../src/net/ipv4.js';

const NODES = 500;
const TARGET_SECONDS = 60;
const base = 0xc0a80000; // 192.168.0.0; nodes from 192.168.1.1 on
const pool = 0x0af40000; // 10.244.0.0
const speakers: BgpSpeakerInput[] = Array.from({ length: NODES }, (_, i) => ({
  node: `node${i + 1}`,
  address: ipv4FromNumber(base + 256 + i + 1),
  originates: [{ network: ipv4FromNumber(pool + i * 64), prefix: 26 }],
}));

const t0 = performance.now();
const sim = simulateBgp({ asNumber: 64512, peering: { kind: 'full-mesh' }, timers: CALICO_BIRD_TIMERS, speakers }, [], { until: 10, recordTimeline: false });
const wall = (performance.now() - t0) / 1000;

const routes = [...sim.finalRib.values()].reduce((n, r) => n + r.length, 0);
const established = sim.sessions.filter((s) => s.establishedAt !== null).length;
process.stdout.write(
  [
    `bgp-mesh: ${NODES} nodes, ${sim.sessions.length} sessions (${established} Established)`,
    `  simulated convergence: ${sim.convergedAt === null ? 'NOT converged' : `${sim.convergedAt.toFixed(3)} s`}`,
    `  messages and TCP segments: ${sim.messagesSent}, events processed: ${sim.eventsProcessed}`,
    `  routes in all Loc-RIBs: ${routes} (expected ${NODES * NODES})`,
    `  wall time: ${wall.toFixed(2)} s (target < ${TARGET_SECONDS} s)`,
    '',
  ].join('\n'),
);
if (sim.convergedAt === null || routes !== NODES * NODES || wall > TARGET_SECONDS) process.exitCode = 1;

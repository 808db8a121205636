import { match } from 'ts-pattern';
import { formatCidr } from '../../net/cidr.js';
import { haltSide, startSide } from './fsm.js';
import { setLocal } from './rib.js';
import { sec, send, type Side, type Sim, type Speaker } from './sim-state.js';
import type { BgpScenarioEvent } from './types.js';

/** Start BIRD on a speaker: its static routes, then every `protocol bgp` (Active). */
export function startSpeaker(sim: Sim, sp: Speaker, why: string): void {
  sp.running = true;
  sp.linkUp = true;
  sp.status = 'running';
  for (const p of sp.originates.values()) setLocal(sim, sp, p, true, 'static route (bird_aggr.cfg: blackhole for an IPAM block)');
  for (const si of sp.sides) startSide(sim, sim.sides[si] as Side, why);
}

/** BIRD exits: its RIBs vanish (the kernel keeps its routes: `persist`), every session ends. */
function haltSpeaker(sim: Sim, sp: Speaker, status: 'stopped' | 'killed'): void {
  for (const si of sp.sides) haltSide(sim, sim.sides[si] as Side, status === 'stopped' ? 'BIRD stopped' : 'BIRD killed');
  sp.running = false;
  sp.status = status;
  sp.candidates.clear();
  sp.locRib.clear();
}

const hasSession = (s: Side): boolean => s.conn !== 0;

export function applyScenario(sim: Sim, sp: Speaker, e: BgpScenarioEvent): void {
  const note = match(e)
    .with({ kind: 'join' }, () => {
      if (!sp.running) {
        startSpeaker(sim, sp, 'BIRD started');
        return `${sp.name} starts BIRD`;
      }
      if (!sp.linkUp) {
        sp.linkUp = true;
        sp.status = 'running';
        return `${sp.name}'s link is back`;
      }
      return `${sp.name} is already running; nothing changes`;
    })
    .with({ kind: 'stop' }, () => {
      if (!sp.running) return `${sp.name} is not running; nothing changes`;
      // A clean shutdown: BIRD sends NOTIFICATION Cease (Administrative Shutdown) on every open
      // session, so the peers withdraw at once (measured 11-23 ms to the kernel).
      for (const si of sp.sides) {
        const side = sim.sides[si] as Side;
        if (side.state === 'OpenSent' || side.state === 'OpenConfirm' || side.state === 'Established') {
          send(sim, side, side.conn, { bgp: { type: 'NOTIFICATION', code: 6, subcode: 2, text: 'Cease (Administrative Shutdown)' } });
        }
      }
      haltSpeaker(sim, sp, 'stopped');
      return `${sp.name} stops BIRD cleanly`;
    })
    .with({ kind: 'kill' }, () => {
      if (!sp.running) return `${sp.name} is not running; nothing changes`;
      // kill -9: no NOTIFICATION; the kernel closes BIRD's sockets (FIN) as the process dies.
      for (const si of sp.sides) {
        const side = sim.sides[si] as Side;
        if (hasSession(side)) send(sim, side, side.conn, { tcp: 'FIN' });
      }
      haltSpeaker(sim, sp, 'killed');
      return `${sp.name}: BIRD killed (SIGKILL); the kernel closes its TCP sockets`;
    })
    .with({ kind: 'link-lost' }, () => {
      if (!sp.running) return `${sp.name} is not running; its link goes down`;
      sp.linkUp = false;
      sp.status = 'link-lost';
      return `${sp.name}'s link goes silent: no packets in or out, no FIN, no RST`;
    })
    .with({ kind: 'announce' }, (a) => {
      sp.originates.set(a.prefix.network * 64 + a.prefix.prefix, a.prefix);
      if (sp.running) setLocal(sim, sp, a.prefix, true, `block ${formatCidr(a.prefix)} affine to ${sp.name} (confd adds the static route)`);
      return `${sp.name} originates ${formatCidr(a.prefix)}`;
    })
    .with({ kind: 'withdraw' }, (w) => {
      sp.originates.delete(w.prefix.network * 64 + w.prefix.prefix);
      if (sp.running) setLocal(sim, sp, w.prefix, false, `block ${formatCidr(w.prefix)} released (confd removes the static route)`);
      return `${sp.name} stops originating ${formatCidr(w.prefix)}`;
    })
    .exhaustive();
  if (sim.record) sim.timeline.push({ kind: 'scenario', at: sec(sim.now), event: e, note });
}

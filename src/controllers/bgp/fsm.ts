import { BIRD_ERROR_FORGET_TIME } from './timers.js';
import { flushRibIn, flushStale, markStale, receiveUpdate, sendInitialTable } from './rib.js';
import { nameOf, schedule, send, setState, type Side, type Sim, type Speaker, type TcpSegment, type Wire } from './sim-state.js';
import type { BgpMessage } from './types.js';

/**
 * The session FSM of one `protocol bgp` (RFC 4271 §8, as BIRD 2 runs it with Calico's timers):
 *
 *   Active --connect delay (2 s)--> Connect --SYN-ACK--> OpenSent --OPEN--> OpenConfirm
 *     --KEEPALIVE--> Established
 *
 * The `passive on` side waits in Active for the peer's SYN and answers OPEN after the handshake.
 * A refused SYN (RST: the host is up, nothing listens on 179) sends the connector back to Active
 * for another connect delay; an unanswered SYN is retried after `connect retry time` (5 s).
 * After a protocol error (hold timer expiry, a NOTIFICATION other than Cease) the side waits in
 * Idle for `error wait time` and rejects incoming connections meanwhile.
 */

const CAPABILITIES = ['multiprotocol ipv4-unicast', 'route-refresh', 'graceful-restart (restart time 120)', '4-octet AS', 'add-path rx/tx', 'enhanced route-refresh'];

function sp(sim: Sim, i: number): Speaker {
  return sim.speakers[i] as Speaker;
}

/** Protocol start (BIRD `bgp_active`): Active; the connecting side tries after `connect delay time`. */
export function startSide(sim: Sim, side: Side, why: string): void {
  side.conn = 0;
  side.gen++;
  setState(sim, side, 'Active', why);
  if (!side.passive) schedule(sim, sim.timers.connectDelay * 1000, { k: 'connect', side: side.index, gen: side.gen });
}

/** The connect timer: open (or reopen, after connect retry) a TCP connection to the peer's port 179. */
export function onConnectTimer(sim: Sim, side: Side): void {
  if (!sp(sim, side.me).running) return;
  if (side.state !== 'Active' && side.state !== 'Connect') return;
  side.conn = ++sim.nextConn;
  side.gen++;
  setState(sim, side, 'Connect', side.state === 'Connect' ? 'no answer to SYN: connect retry' : 'connect delay elapsed');
  send(sim, side, side.conn, { tcp: 'SYN' });
  schedule(sim, sim.timers.connectRetry * 1000, { k: 'connect', side: side.index, gen: side.gen });
}

export function onStartupTimer(sim: Sim, side: Side): void {
  if (!sp(sim, side.me).running || side.state !== 'Idle') return;
  startSide(sim, side, 'error wait elapsed');
}

function openMessage(sim: Sim, side: Side): BgpMessage {
  const me = sp(sim, side.me);
  return { type: 'OPEN', as: sim.asNumber, holdTime: sim.timers.holdTime, routerId: me.address, capabilities: CAPABILITIES };
}

function armHold(sim: Sim, side: Side): void {
  const first = side.holdDeadline === Infinity;
  side.holdDeadline = sim.now + sim.timers.holdTime * 1000;
  if (first) schedule(sim, sim.timers.holdTime * 1000, { k: 'hold', side: side.index, conn: side.conn });
}

/** Everything that arrives on a side's connection. */
export function onDeliver(sim: Sim, side: Side, conn: number, wire: Wire): void {
  const me = sp(sim, side.me);
  if ('tcp' in wire) {
    onSegment(sim, side, conn, wire.tcp);
    return;
  }
  if (!me.running || conn !== side.conn) return;
  if (side.holdDeadline !== Infinity) side.holdDeadline = sim.now + sim.timers.holdTime * 1000;
  const peer = nameOf(sim, side.peer);
  // `switch` rather than ts-pattern here: the hot path of the 500-node benchmark.
  const m = wire.bgp;
  switch (m.type) {
    case 'OPEN':
      if (side.state !== 'OpenSent') return;
      send(sim, side, conn, { bgp: KEEPALIVE });
      setState(sim, side, 'OpenConfirm', `OPEN from ${peer}`);
      return;
    case 'KEEPALIVE':
      if (side.state !== 'OpenConfirm') return;
      setState(sim, side, 'Established', `KEEPALIVE from ${peer}`);
      side.establishedAt = sim.now;
      side.keepaliveDue = sim.now + sim.timers.keepalive * 1000;
      schedule(sim, sim.timers.keepalive * 1000, { k: 'keepalive', side: side.index, conn });
      sendInitialTable(sim, side);
      return;
    case 'UPDATE':
      if (side.state === 'Established') receiveUpdate(sim, side, m.nlri, m.withdrawn, m.attrs);
      return;
    case 'End-of-RIB':
      if (side.state === 'Established' && side.grActive) flushStale(sim, side, `End-of-RIB from ${peer}: stale paths not refreshed are removed`);
      return;
    case 'NOTIFICATION':
      // Cease (code 6) is an orderly shutdown: no error wait (BIRD restarts the protocol at
      // once); any other code counts as an error. No graceful restart after a NOTIFICATION
      // (RFC 4724 §4: it covers TCP termination without one).
      sessionDown(sim, side, `NOTIFICATION ${m.text} from ${peer}`, { gracefulRestart: false, errorWait: m.code !== 6 });
      return;
    default:
      throw new Error(`unhandled BGP message ${JSON.stringify(m satisfies never)}`);
  }
}

const KEEPALIVE: BgpMessage = { type: 'KEEPALIVE' };

function onSegment(sim: Sim, side: Side, conn: number, seg: TcpSegment): void {
  const me = sp(sim, side.me);
  const peer = nameOf(sim, side.peer);
  switch (seg) {
    case 'SYN':
      // Nothing listens on 179 while BIRD is down (RST from the kernel); BIRD itself refuses
      // while in error wait or already connected (`bgp_incoming_connection`).
      if (!me.running || side.state !== 'Active' || side.conn !== 0) {
        send(sim, side, conn, { tcp: 'RST' });
        return;
      }
      side.conn = conn;
      send(sim, side, conn, { tcp: 'SYN-ACK' });
      return;
    case 'SYN-ACK':
      if (!me.running || conn !== side.conn || side.state !== 'Connect') return;
      side.gen++;
      send(sim, side, conn, { tcp: 'ACK' });
      send(sim, side, conn, { bgp: openMessage(sim, side) });
      setState(sim, side, 'OpenSent', `TCP connected to ${peer}:179`);
      side.holdDeadline = Infinity;
      armHold(sim, side);
      return;
    case 'ACK':
      if (!me.running || conn !== side.conn || side.state !== 'Active') return;
      send(sim, side, conn, { bgp: openMessage(sim, side) });
      setState(sim, side, 'OpenSent', `TCP connection from ${peer} accepted`);
      side.holdDeadline = Infinity;
      armHold(sim, side);
      return;
    case 'RST':
      if (!me.running || conn !== side.conn) return;
      if (side.state === 'Connect') {
        side.conn = 0;
        side.gen++;
        setState(sim, side, 'Active', `connection refused by ${peer}`);
        schedule(sim, sim.timers.connectDelay * 1000, { k: 'connect', side: side.index, gen: side.gen });
        return;
      }
      sessionDown(sim, side, `connection reset by ${peer}`, { gracefulRestart: side.state === 'Established', errorWait: false });
      return;
    case 'FIN':
      if (!me.running || conn !== side.conn) return;
      sessionDown(sim, side, `connection closed by ${peer}`, { gracefulRestart: side.state === 'Established', errorWait: false });
      return;
    default:
      throw new Error(`unhandled TCP segment ${String(seg satisfies never)}`);
  }
}

/** The hold timer: fires at the deadline unless a message moved it. */
export function onHoldTimer(sim: Sim, side: Side, conn: number): void {
  if (conn !== side.conn || side.holdDeadline === Infinity || !sp(sim, side.me).running) return;
  if (sim.now < side.holdDeadline) {
    schedule(sim, side.holdDeadline - sim.now, { k: 'hold', side: side.index, conn });
    return;
  }
  // BIRD `bgp_hold_timeout`: without long-lived GR this is `bgp_error(conn, 4, 0)`: a
  // NOTIFICATION and the routes go (graceful restart does not apply).
  send(sim, side, conn, { bgp: { type: 'NOTIFICATION', code: 4, subcode: 0, text: 'Hold timer expired' } });
  sessionDown(sim, side, `hold timer expired (${sim.timers.holdTime} s without a message from ${nameOf(sim, side.peer)})`, {
    gracefulRestart: false,
    errorWait: true,
  });
}

export function onKeepaliveTimer(sim: Sim, side: Side, conn: number): void {
  if (conn !== side.conn || side.state !== 'Established' || !sp(sim, side.me).running) return;
  if (sim.now < side.keepaliveDue) {
    schedule(sim, side.keepaliveDue - sim.now, { k: 'keepalive', side: side.index, conn });
    return;
  }
  send(sim, side, conn, { bgp: { type: 'KEEPALIVE' } });
  side.keepaliveDue = sim.now + sim.timers.keepalive * 1000;
  schedule(sim, sim.timers.keepalive * 1000, { k: 'keepalive', side: side.index, conn });
}

export function onGrTimer(sim: Sim, side: Side): void {
  flushStale(sim, side, `graceful restart timer (${sim.timers.gracefulRestart} s) expired: stale paths from ${nameOf(sim, side.peer)} removed`);
}

/**
 * Leave the session: forget what was sent, keep the peer's paths as stale (graceful restart)
 * or drop them, then wait (Idle, error wait) or go straight back to Active.
 */
export function sessionDown(sim: Sim, side: Side, why: string, o: { readonly gracefulRestart: boolean; readonly errorWait: boolean }): void {
  const wasEstablished = side.state === 'Established';
  if (wasEstablished) side.flaps++;
  side.conn = 0;
  side.gen++;
  side.holdDeadline = Infinity;
  side.keepaliveDue = Infinity;
  side.establishedAt = null;
  side.ribOut.clear();
  side.pendingOut.clear();
  // Paths go only with an Established session; stale ones from an earlier restart stay until
  // their own timer or End-of-RIB.
  if (wasEstablished && o.gracefulRestart) markStale(sim, side);
  else if (wasEstablished) {
    side.grActive = false;
    side.grGen++;
    flushRibIn(sim, side, why);
  }
  if (o.errorWait) {
    // BIRD `bgp_update_startup_delay`: the minimum first, doubled on each error within the
    // error forget time, capped at the maximum. Deterministic in BIRD as well.
    const [min, max] = sim.timers.errorWait;
    if (side.startupDelay > 0 && sim.now - side.lastError >= BIRD_ERROR_FORGET_TIME * 1000) side.startupDelay = 0;
    side.lastError = sim.now;
    side.startupDelay = side.startupDelay === 0 ? min * 1000 : Math.min(2 * side.startupDelay, max * 1000);
    setState(sim, side, 'Idle', `${why}; error wait ${side.startupDelay / 1000} s`);
    schedule(sim, side.startupDelay, { k: 'startup', side: side.index, gen: side.gen });
    return;
  }
  startSide(sim, side, why);
}

/** The speaker's BIRD process ends: every side forgets its session (no messages; the caller sends them). */
export function haltSide(sim: Sim, side: Side, why: string): void {
  side.conn = 0;
  side.gen++;
  side.grGen++;
  side.grActive = false;
  side.holdDeadline = Infinity;
  side.keepaliveDue = Infinity;
  if (side.state === 'Established') side.flaps++;
  side.establishedAt = null;
  side.ribIn.clear();
  side.ribOut.clear();
  side.pendingOut.clear();
  side.startupDelay = 0;
  setState(sim, side, 'Idle', why);
}

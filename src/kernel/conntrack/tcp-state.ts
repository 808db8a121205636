import type { TcpFlags } from '../../net/packet.js';
import type { TcpCtState, TcpIndex } from './entry.js';

/**
 * TCP connection tracking's state machine: tcp_conntracks[dir][index][state] from
 * net/netfilter/nf_conntrack_proto_tcp.c, verbatim. 'IV' is an invalid segment (the packet is
 * INVALID, the entry unchanged), 'IG' an ignored one (accepted, the entry unchanged). Window
 * tracking (tcp_in_window) is not modelled: every segment is taken to be in window.
 */
export type TcpNext = TcpCtState | 'IV' | 'IG';

const COLS: readonly TcpCtState[] = ['NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'SYN_SENT2'];

const sSS = 'SYN_SENT';
const sSR = 'SYN_RECV';
const sES = 'ESTABLISHED';
const sFW = 'FIN_WAIT';
const sCW = 'CLOSE_WAIT';
const sLA = 'LAST_ACK';
const sTW = 'TIME_WAIT';
const sCL = 'CLOSE';
const sS2 = 'SYN_SENT2';
const sIV = 'IV';
const sIG = 'IG';

type Row = readonly TcpNext[];

//                 sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2
const ORIGINAL: Readonly<Record<TcpIndex, Row>> = {
  syn: [sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2],
  synack: [sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR],
  fin: [sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV],
  ack: [sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV],
  rst: [sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
  none: [sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV],
};

const REPLY: Readonly<Record<TcpIndex, Row>> = {
  syn: [sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2],
  synack: [sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR],
  fin: [sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV],
  ack: [sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG],
  rst: [sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
  none: [sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV],
};

/** get_conntrack_index(): RST, then SYN (with or without ACK), then FIN, then ACK. */
export function tcpIndex(f: TcpFlags): TcpIndex {
  if (f.rst) return 'rst';
  if (f.syn) return f.ack ? 'synack' : 'syn';
  if (f.fin) return 'fin';
  if (f.ack) return 'ack';
  return 'none';
}

export function tcpTransition(dir: 'original' | 'reply', index: TcpIndex, state: TcpCtState): TcpNext {
  const row = (dir === 'original' ? ORIGINAL : REPLY)[index];
  return row[COLS.indexOf(state)] as TcpNext;
}

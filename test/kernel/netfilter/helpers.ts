import { ipv4 } from '../../../src/net/ipv4.js';
import type { Ipv4Packet } from '../../../src/net/packet.js';
import { unwrap } from '../../../src/lib/result.js';
import { newConnection, type CtInfo } from '../../../src/kernel/netfilter/ct-info.js';
import { evaluateHook, type HookContext, type HookOutcome } from '../../../src/kernel/netfilter/evaluate.js';
import { parseIptablesSave } from '../../../src/kernel/netfilter/parse.js';
import type { Ruleset } from '../../../src/kernel/netfilter/ruleset.js';
import { localAddrOracle, packetFromSpec } from '../../../src/kernel/netfilter/trace.js';
import { tupleOfPacket } from '../../../src/kernel/conntrack/tuple.js';

export function rules(text: string): Ruleset {
  return unwrap(parseIptablesSave(text));
}

export function tcp(src: string, dst: string, dport: number, sport = 40000): Ipv4Packet {
  return packetFromSpec({ src: ipv4(src), dst: ipv4(dst), proto: 'tcp', sport, dport });
}

export function udp(src: string, dst: string, dport: number, sport = 40000): Ipv4Packet {
  return packetFromSpec({ src: ipv4(src), dst: ipv4(dst), proto: 'udp', sport, dport });
}

/** An SCTP INIT (verification tag 0), an association's first packet. */
export function sctp(src: string, dst: string, dport: number, sport = 40000): Ipv4Packet {
  return packetFromSpec({ src: ipv4(src), dst: ipv4(dst), proto: 'sctp', sport, dport });
}

export const NODE_IP = ipv4('192.168.1.101');

export function newCt(p: Ipv4Packet): CtInfo {
  return newConnection(tupleOfPacket(p));
}

/** Evaluate one hook with sensible defaults: a new connection, node address 192.168.1.101 local. */
export function run(rs: Ruleset, hook: HookContext['hook'], packet: Ipv4Packet, over: Partial<HookContext> = {}): HookOutcome[] {
  return evaluateHook(rs, {
    hook,
    packet,
    inDev: hook === 'OUTPUT' || hook === 'POSTROUTING' ? null : 'eth0',
    outDev: hook === 'PREROUTING' || hook === 'INPUT' ? null : 'eth1',
    physdev: null,
    mark: 0,
    ct: newCt(packet),
    addrType: localAddrOracle([NODE_IP]),
    ...over,
  });
}

export function only(outcomes: readonly HookOutcome[]): HookOutcome {
  if (outcomes.length !== 1 || !outcomes[0]) throw new Error(`expected one outcome, got ${outcomes.length}`);
  return outcomes[0];
}


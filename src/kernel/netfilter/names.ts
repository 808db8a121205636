/**
 * Names iptables accepts and prints: protocols (xtables_chain_protos, then /etc/protocols as
 * getprotobynumber() gives them on Debian), ICMP types (extensions/libipt_icmp.c), syslog levels.
 */

/** Number -> the name iptables-save prints. */
const PROTO_PRINT: ReadonlyMap<number, string> = new Map([
  [1, 'icmp'],
  [2, 'igmp'],
  [4, 'ipencap'],
  [6, 'tcp'],
  [17, 'udp'],
  [41, 'ipv6'],
  [47, 'gre'],
  [50, 'esp'],
  [51, 'ah'],
  [58, 'icmpv6'],
  [89, 'ospf'],
  [94, 'ipip'],
  [103, 'pim'],
  [112, 'vrrp'],
  [132, 'sctp'],
  [135, 'mh'],
  [136, 'udplite'],
]);

/** Name (lower case) -> number, for `-p NAME` (case-insensitive, like xtables_parse_protocol). */
const PROTO_PARSE: ReadonlyMap<string, number> = new Map([
  ['all', 0],
  ...[...PROTO_PRINT.entries()].map(([n, name]) => [name, n] as [string, number]),
  ['ipv6-icmp', 58],
  ['ipv6-mh', 135],
]);

export function protoName(n: number): string {
  return PROTO_PRINT.get(n) ?? String(n);
}

export function parseProto(text: string): number | null {
  const byName = PROTO_PARSE.get(text.toLowerCase());
  if (byName !== undefined) return byName;
  if (/^\d+$/.test(text) && Number(text) <= 255) return Number(text);
  return null;
}

export const IPPROTO = { icmp: 1, tcp: 6, udp: 17, sctp: 132, udplite: 136, dccp: 33 } as const;

/** libipt_icmp.c's table: name -> [type, codeMin, codeMax]. */
export const ICMP_TYPES: ReadonlyMap<string, readonly [number, number, number]> = new Map([
  ['any', [0xff, 0, 0xff]],
  ['echo-reply', [0, 0, 0xff]],
  ['pong', [0, 0, 0xff]],
  ['destination-unreachable', [3, 0, 0xff]],
  ['network-unreachable', [3, 0, 0]],
  ['host-unreachable', [3, 1, 1]],
  ['protocol-unreachable', [3, 2, 2]],
  ['port-unreachable', [3, 3, 3]],
  ['fragmentation-needed', [3, 4, 4]],
  ['source-route-failed', [3, 5, 5]],
  ['network-unknown', [3, 6, 6]],
  ['host-unknown', [3, 7, 7]],
  ['network-prohibited', [3, 9, 9]],
  ['host-prohibited', [3, 10, 10]],
  ['TOS-network-unreachable', [3, 11, 11]],
  ['TOS-host-unreachable', [3, 12, 12]],
  ['communication-prohibited', [3, 13, 13]],
  ['host-precedence-violation', [3, 14, 14]],
  ['precedence-cutoff', [3, 15, 15]],
  ['source-quench', [4, 0, 0xff]],
  ['redirect', [5, 0, 0xff]],
  ['network-redirect', [5, 0, 0]],
  ['host-redirect', [5, 1, 1]],
  ['TOS-network-redirect', [5, 2, 2]],
  ['TOS-host-redirect', [5, 3, 3]],
  ['echo-request', [8, 0, 0xff]],
  ['ping', [8, 0, 0xff]],
  ['router-advertisement', [9, 0, 0xff]],
  ['router-solicitation', [10, 0, 0xff]],
  ['time-exceeded', [11, 0, 0xff]],
  ['ttl-exceeded', [11, 0, 0xff]],
  ['ttl-zero-during-transit', [11, 0, 0]],
  ['ttl-zero-during-reassembly', [11, 1, 1]],
  ['parameter-problem', [12, 0, 0xff]],
  ['ip-header-bad', [12, 0, 0]],
  ['required-option-missing', [12, 1, 1]],
  ['timestamp-request', [13, 0, 0xff]],
  ['timestamp-reply', [14, 0, 0xff]],
  ['address-mask-request', [17, 0, 0xff]],
  ['address-mask-reply', [18, 0, 0xff]],
]);

/** syslog levels for LOG --log-level. */
export const LOG_LEVELS: ReadonlyMap<string, number> = new Map([
  ['emerg', 0],
  ['alert', 1],
  ['crit', 2],
  ['error', 3],
  ['err', 3],
  ['warning', 4],
  ['warn', 4],
  ['notice', 5],
  ['info', 6],
  ['debug', 7],
]);

/** TCP flag names of `--tcp-flags`, with their header bits, in print order. */
export const TCP_FLAG_BITS: readonly (readonly [string, number])[] = [
  ['FIN', 0x01],
  ['SYN', 0x02],
  ['RST', 0x04],
  ['PSH', 0x08],
  ['ACK', 0x10],
  ['URG', 0x20],
];

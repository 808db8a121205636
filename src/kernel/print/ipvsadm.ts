import { formatIpv4 } from '../../net/ipv4.js';
import { PROTO_NUMBER, type IpvsDest, type IpvsService, type IpvsTable } from '../ipvs/table.js';

/**
 * `ipvsadm -Ln` (ipvsadm 1.31 print_title / print_service_entry) for the model's IPVS table.
 * Services and destinations are sorted as ipvsadm does without --nosort (ipvs_cmp_services,
 * ipvs_cmp_dests: protocol, then address, then port). Those comparators subtract two unsigned
 * addresses into an int, so addresses more than 2^31 apart compare the "wrong" way round
 * (192.168.x sorts before 10.x); the same 32-bit wrap is reproduced here.
 * Destination lines are printf("  -> %-28s %-7s %-6d %-10u %-10u\n"), trailing blanks included.
 */

/** IP_VS_VERSION_CODE 1.2.1 and the connection hash table size 2^CONFIG_IP_VS_TAB_BITS (12). */
const VERSION_LINE = 'IP Virtual Server version 1.2.1 (size=4096)';

const wrap = (a: number, b: number) => (a - b) | 0;

export function compareServices(a: IpvsService, b: IpvsService): number {
  return PROTO_NUMBER[a.protocol] - PROTO_NUMBER[b.protocol] || wrap(a.vip, b.vip) || a.port - b.port;
}

function compareDests(a: IpvsDest, b: IpvsDest): number {
  return wrap(a.ip, b.ip) || a.port - b.port;
}

/** `TCP  10.96.0.20:80 rr persistent 10800`: the service line, also the trace's rule text. */
export function formatIpvsService(s: IpvsService): string {
  let line = `${s.protocol}  ${formatIpv4(s.vip)}:${s.port} ${s.scheduler}`;
  if (s.persistentTimeout !== null) line += ` persistent ${s.persistentTimeout}`;
  // Scheduler flags are named after the scheduler for sh and mh (ipvsadm's sched flag names).
  const flags = [s.schedFlags.fallback ? 'fallback' : null, s.schedFlags.port ? 'port' : null].filter((f): f is string => f !== null);
  if (flags.length > 0) line += ` (${flags.map((f) => (s.scheduler === 'sh' || s.scheduler === 'mh' ? `${s.scheduler}-${f}` : f === 'fallback' ? 'flag-1' : 'flag-2')).join(',')})`;
  return line;
}

/** `  -> 10.244.2.2:8080              Masq    1      0          0         ` */
export function formatIpvsDest(d: IpvsDest): string {
  const addr = `${formatIpv4(d.ip)}:${d.port}`.slice(0, 28);
  return `  -> ${addr.padEnd(28)} ${d.forward.padEnd(7)} ${String(d.weight).padEnd(6)} ${String(d.activeConns).padEnd(10)} ${String(d.inactConns).padEnd(10)}`;
}

export function printIpvsadm(t: IpvsTable): string {
  const out = [VERSION_LINE, 'Prot LocalAddress:Port Scheduler Flags', '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn'];
  for (const s of [...t.services].sort(compareServices)) {
    out.push(formatIpvsService(s));
    for (const d of [...s.dests].sort(compareDests)) out.push(formatIpvsDest(d));
  }
  return out.map((l) => `${l}\n`).join('');
}

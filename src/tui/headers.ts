import { match } from 'ts-pattern';
import { formatIpv4 } from '../net/ipv4.js';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, type Frame, type Ipv4Packet } from '../net/packet.js';
import { tcpFlagsText } from '../trace/describe.js';

/** One header of a packet as a row: `outer ip  192.168.1.101 > 192.168.1.102 ttl 64 ...`. */
export interface HeaderRow {
  /** `eth`, `ip`, `udp`, `vxlan`, ... prefixed with `outer `/`inner ` inside a tunnel. */
  readonly layer: string;
  readonly text: string;
}

function protoName(p: number): string {
  return p === IPPROTO_ICMP ? 'icmp' : p === IPPROTO_TCP ? 'tcp' : p === IPPROTO_UDP ? 'udp' : String(p);
}

function ipRow(p: Ipv4Packet, prefix: string): HeaderRow {
  const h = p.header;
  const src = h.src === 0 ? '0.0.0.0 (set by the route lookup)' : formatIpv4(h.src);
  return {
    layer: `${prefix}ip`,
    text: `${src} > ${formatIpv4(h.dst)}  ttl ${h.ttl}  proto ${protoName(h.protocol)}  id ${h.id}${h.df ? '  DF' : ''}${h.tos ? `  tos 0x${h.tos.toString(16).padStart(2, '0')}` : ''}`,
  };
}

/** Rows for an IPv4 packet; a VXLAN payload opens a tunnel (outer rows, then the inner frame). */
export function packetRows(p: Ipv4Packet, prefix = ''): HeaderRow[] {
  const tunnel = p.payload.kind === 'udp' && p.payload.payload.kind === 'vxlan';
  const pre = tunnel && prefix === '' ? 'outer ' : prefix;
  const rows: HeaderRow[] = [ipRow(p, pre)];
  match(p.payload)
    .with({ kind: 'icmp' }, (i) => {
      const m = i.message;
      const text = match(m)
        .with({ type: 'echo-request' }, { type: 'echo-reply' }, (e) => `${e.type} id ${e.id} seq ${e.seq}, ${e.data.length} data bytes`)
        .with({ type: 'other' }, (o) => `type ${o.icmpType} code ${o.code}`)
        .with({ type: 'dest-unreachable' }, { type: 'time-exceeded' }, (u) => `${u.type} code ${u.code}${u.mtu ? ` mtu ${u.mtu}` : ''}`)
        .exhaustive();
      rows.push({ layer: `${pre}icmp`, text });
    })
    .with({ kind: 'tcp' }, (t) => {
      rows.push({ layer: `${pre}tcp`, text: `${t.sport} > ${t.dport}  [${tcpFlagsText(t.flags)}]  seq ${t.seq} ack ${t.ack} win ${t.window}${t.options.length ? `  options ${t.options.length}B` : ''}${t.data.length ? `  ${t.data.length} data bytes` : ''}` });
    })
    .with({ kind: 'udp' }, (u) => {
      rows.push({ layer: `${pre}udp`, text: `${u.sport} > ${u.dport}${u.payload.kind === 'raw' ? `  ${u.payload.bytes.length} data bytes` : ''}` });
      if (u.payload.kind === 'vxlan') {
        rows.push({ layer: 'vxlan', text: `vni ${u.payload.vni}` });
        rows.push(...frameRows(u.payload.frame, 'inner '));
      }
    })
    .with({ kind: 'sctp' }, (s) => {
      const c = s.chunks;
      rows.push({ layer: `${pre}sctp`, text: `${s.sport} > ${s.dport}  vtag ${s.vtag}  ${c.kind === 'init' ? `[INIT] init tag ${c.initiateTag} a_rwnd ${c.arwnd} os ${c.outboundStreams} is ${c.inboundStreams} tsn ${c.initialTsn}` : `${c.bytes.length} chunk bytes`}` });
    })
    .with({ kind: 'ipip' }, (x) => {
      rows.push(...packetRows(x.packet, 'inner '));
    })
    .with({ kind: 'raw' }, (r) => {
      rows.push({ layer: `${pre}data`, text: `${r.bytes.length} bytes` });
    })
    .exhaustive();
  return rows;
}

/** Rows for an Ethernet frame and what it carries. */
export function frameRows(f: Frame, prefix = ''): HeaderRow[] {
  const tunnel = f.payload.kind === 'ipv4' && f.payload.packet.payload.kind === 'udp' && f.payload.packet.payload.payload.kind === 'vxlan';
  const pre = tunnel && prefix === '' ? 'outer ' : prefix;
  const eth: HeaderRow = { layer: `${pre}eth`, text: `${f.eth.src} > ${f.eth.dst}` };
  return match(f.payload)
    .with({ kind: 'ipv4' }, (x) => [eth, ...packetRows(x.packet, pre)])
    .with({ kind: 'arp' }, (x) => [
      eth,
      {
        layer: `${pre}arp`,
        text: x.arp.op === 'request' ? `who-has ${formatIpv4(x.arp.targetIp)} tell ${formatIpv4(x.arp.senderIp)}` : `${formatIpv4(x.arp.senderIp)} is-at ${x.arp.senderMac}`,
      },
    ])
    .with({ kind: 'raw' }, (x) => [eth, { layer: `${pre}data`, text: `ethertype 0x${x.ethertype.toString(16).padStart(4, '0')}, ${x.bytes.length} bytes` }])
    .exhaustive();
}

/** Which rows of `after` differ from `before` (same layer, different text, or new). */
export function changedRows(before: readonly HeaderRow[], after: readonly HeaderRow[]): boolean[] {
  const prev = new Map(before.map((r) => [r.layer, r.text]));
  return after.map((r) => prev.get(r.layer) !== r.text);
}

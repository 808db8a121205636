import { match } from 'ts-pattern';
import { recordDataText, relative } from '../../net/dns.js';
import type { SentQuery } from '../../resolver/index.js';
import { LIBC_ANNOTATION, type DnsReport } from '../commands/dns-report.js';

function replyText(q: SentQuery): string {
  return match(q.result)
    .with({ kind: 'lost' }, () => 'no reply')
    .with({ kind: 'unreachable' }, () => 'ICMP port unreachable')
    .with({ kind: 'reply' }, (r) => {
      const m = r.message;
      let text: string = m.rcode;
      if (m.rcode === 'NOERROR' && m.answers.length === 0) text = 'NOERROR, no records (NODATA)';
      else if (m.answers.length > 0) text = `${m.rcode} ${m.answers.map(recordDataText).join(', ')}`;
      const soa = m.authority.find((a) => a.type === 'SOA');
      if (soa && m.answers.length === 0) text += ` (SOA ${soa.name})`;
      if (r.use === 'ignored') text += ` [ignored: ${r.note ?? ''}]`;
      return text;
    })
    .exhaustive();
}

export function msText(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function pct(p: number): string {
  return `p=${p.toFixed(2)}`;
}

function sameish(a: string, b: string): boolean {
  return relative(a).toLowerCase() === relative(b).toLowerCase();
}

/** The query table, total and answer of a lookup (shared by `dns` and `trace --to NAME`). */
export function lookupLines(r: DnsReport): string[] {
  const t = r.trace;
  const out: string[] = [];
  out.push(t.plan);
  if (t.queries.length > 0) {
    out.push('');
    out.push('queries, in the order the pod sends them (each one walked as a packet):');
    const nameW = Math.max(4, ...t.queries.map((q) => q.name.length));
    const ipW = Math.max(6, ...t.queries.map((q) => q.serverIp.length));
    const timeW = Math.max(4, ...t.queries.map((q) => msText(q.t).length));
    out.push(`  ${'#'.padStart(3)}  ${'time'.padEnd(timeW)}  ${'name'.padEnd(nameW)}  ${'type'.padEnd(4)}  ${'server'.padEnd(ipW)}  sport  answer`);
    for (const c of t.candidates) {
      const qs = t.queries.filter((q) => q.candidate === c.index);
      for (const q of qs) {
        const why = q.why === 'query' ? '' : ` (${q.why})`;
        out.push(`  ${String(q.seq).padStart(3)}  ${msText(q.t).padEnd(timeW)}  ${q.name.padEnd(nameW)}  ${q.type.padEnd(4)}  ${q.serverIp.padEnd(ipW)}  ${String(q.sourcePort).padEnd(5)}  ${replyText(q)}${why}`);
      }
      const first = qs[0];
      const served = first ? r.served.get(first.seq) : undefined;
      const paths = first ? (r.paths.get(first.seq) ?? []) : [];
      if (first && paths.length > 0) {
        out.push(`       path of #${first.seq}: ${paths.map((p) => `${p.text} ${pct(p.probability)}`).join(' | ')}`);
        const later = qs.slice(1).filter((q) => q.sourcePort === first.sourcePort && q.serverIp === first.serverIp);
        if (later.length > 0 && paths.length > 1) out.push(`       ${later.map((q) => `#${q.seq}`).join(', ')} ${later.length === 1 ? 'uses' : 'use'} the same socket: conntrack sends ${later.length === 1 ? 'it' : 'them'} where #${first.seq} went`);
      }
      if (served) out.push(`       ${served.by === 'coredns' ? `CoreDNS${served.where ? ` ${served.where}` : ''}` : served.by === 'upstream' ? 'upstream' : 'network'}: ${served.why}`);
      if (qs.length === 0) out.push(`       ${c.name}: ${c.next}`);
      else out.push(`       => ${c.next}`);
    }
  }
  out.push('');
  const names = t.candidates.filter((c) => c.datagrams > 0).length;
  const ports = new Set(t.queries.map((q) => q.sourcePort)).size;
  out.push(`total: ${t.datagrams} ${t.datagrams === 1 ? 'query' : 'queries'} (${names} ${names === 1 ? 'name' : 'names'}, ${ports} source ${ports === 1 ? 'port' : 'ports'}), ${msText(t.elapsedMs)}`);
  const res = t.result;
  if (res.ok) {
    const what = res.source === 'hosts' ? ' (from /etc/hosts)' : res.source === 'literal' ? ' (an address literal)' : '';
    if (res.addresses.length > 0) {
      out.push(`answer: ${res.canonicalName && !sameish(res.canonicalName, t.request.name) ? `${relative(t.request.name)} (canonical name ${res.canonicalName})` : relative(t.request.name)} -> ${res.addresses.join(', ')}${what}`);
    } else {
      out.push(`answer:${res.canonicalName ? ` ${res.canonicalName}` : ''}${what}`);
      for (const rr of res.records) out.push(`  ${rr.name} ${rr.ttl} IN ${recordDataText(rr)}`);
    }
  } else out.push(`answer: ${res.error} (${res.message})`);
  for (const n of t.notes) out.push(`note: ${n}`);
  for (const h of r.waste.hints) out.push(`hint: ${h.text}`);
  if (r.others.length > 0) {
    out.push(`this is the outcome with probability ${r.probability.toFixed(4)}; the network can also give the resolver other answers:`);
    for (const o of r.others) out.push(`  p=${o.probability.toFixed(4)}: ${o.datagrams} queries, ${o.result.ok ? `answer ${o.result.addresses.join(', ') || 'ok'}` : `${o.result.error} (${o.result.message})`}`);
  }
  return out;
}

/** The `podnet dns` report as text. */
export function dnsText(r: DnsReport): string {
  const t = r.trace;
  const out: string[] = [];
  const libcNote = r.libcFrom === 'annotation' ? ` (pod annotation ${LIBC_ANNOTATION})` : r.libcFrom === 'default' ? ` (default; set ${LIBC_ANNOTATION} or --resolver)` : '';
  out.push(`dns from ${r.pod.namespace}/${r.pod.name} (${r.pod.ip} on ${r.pod.node}${r.pod.hostNetwork ? ', host network' : ''}): ${t.callText}`);
  out.push(`resolver: ${t.libc} ${t.version}${libcNote}`);
  out.push('');
  out.push(`/etc/resolv.conf, as the kubelet wrote it (${r.resolvConf.why}):`);
  for (const l of r.resolvConf.text.trimEnd().split('\n')) out.push(`  ${l}`);
  for (const e of r.resolvConf.events) out.push(`  event ${e.type} ${e.reason} (${e.object}): ${e.message}`);
  for (const n of t.config.notes) out.push(`  note: ${n}`);
  out.push('');
  out.push(...lookupLines(r));
  return out.join('\n');
}

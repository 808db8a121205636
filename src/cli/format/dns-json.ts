import type { DnsReport } from '../commands/dns-report.js';

/** The lookup part of the JSON document (shared by `dns --json` and `trace --to NAME --json`). */
export function lookupJson(r: DnsReport) {
  const t = r.trace;
  return {
    resolver: { libc: t.libc, version: t.version, from: r.libcFrom, call: t.callText },
    resolvConf: { text: r.resolvConf.text, dnsType: r.resolvConf.dnsType, why: r.resolvConf.why, events: r.resolvConf.events },
    config: t.config,
    dots: t.dots,
    trailingDot: t.trailingDot,
    plan: t.plan,
    candidates: t.candidates,
    queries: t.queries.map((q) => ({
      seq: q.seq,
      t: q.t,
      candidate: q.candidate,
      name: q.name,
      type: q.type,
      server: q.serverIp,
      id: q.id,
      sourcePort: q.sourcePort,
      transmission: q.transmission,
      why: q.why,
      result:
        q.result.kind === 'reply'
          ? { kind: 'reply', at: q.result.at, rcode: q.result.message.rcode, aa: q.result.message.aa, ra: q.result.message.ra, answers: q.result.message.answers, authority: q.result.message.authority, additional: q.result.message.additional, use: q.result.use, note: q.result.note }
          : q.result,
      servedBy: r.served.get(q.seq) ?? null,
      paths: r.paths.get(q.seq) ?? [],
    })),
    datagrams: t.datagrams,
    elapsedMs: t.elapsedMs,
    result: t.result,
    probability: r.probability,
    otherOutcomes: r.others,
    wasted: r.waste.wasted,
    hints: r.waste.hints,
    notes: t.notes,
  };
}

/** The `podnet dns --json` document. */
export function dnsJson(r: DnsReport): unknown {
  return { topology: r.topology, pod: r.pod, ...lookupJson(r) };
}

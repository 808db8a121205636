import { relative, reverseName, type DnsMessage, type DnsType } from '../net/dns.js';
import { muslConfig, type MuslResolverConfig } from './libc-config.js';
import { addressesOf, ArrivalQueue, countDots, hostsLookup, isLiteral, outcomeOf, Recorder, recordsOf, typesFor } from './sim.js';
import { type LookupError, type LookupOutcome, type LookupRequest, type LookupTrace, type ResolverEnv } from './types.js';
import { callTextOf, lookupEnd } from './lookup-trace.js';

/**
 * musl's stub resolver (1.2.5; 1.2.3 where it differs), driven by an injected transport.
 *
 * - search order: src/network/lookup_name.c `name_from_dns_search` (no search at all when dots
 *   >= ndots or a trailing dot; the search list; the name as written only if every candidate was
 *   NXDOMAIN; NODATA, SERVFAIL and timeouts end the walk);
 * - one candidate: `name_from_dns` (A and AAAA from one socket; NXDOMAIN in either reply moves
 *   on; SERVFAIL or no reply is EAI_AGAIN);
 * - transport: src/network/res_msend.c `__res_msend_rc` (every query to every nameserver at
 *   once, the first rcode 0/3 reply per query wins, immediate re-send on SERVFAIL with a budget
 *   of 2 x queries per round, re-send of unanswered queries every timeout/attempts = 2.5 s,
 *   give up after timeout = 5 s). res_search is res_query: no search list.
 */

export const MUSL_VERSION = '1.2.5';

class Musl {
  readonly rec: Recorder;
  constructor(
    readonly env: ResolverEnv,
    readonly conf: MuslResolverConfig,
    seedText: string,
  ) {
    this.rec = new Recorder(env, seedText, conf.nameservers);
  }

  /** __res_msend_rc: the accepted reply per query (null: none within the timeout). */
  msend(cand: number, name: string, types: readonly DnsType[]): (DnsMessage | null)[] {
    const port = this.rec.newPort();
    const first = this.rec.newId();
    const ids = types.map((_, i) => (i === 0 ? first : (() => {
      const id = this.rec.newId();
      return id === first ? (id + 1) & 0xffff : id;
    })()));
    const timeout = this.conf.timeout * 1000;
    const retryInterval = Math.floor(timeout / this.conf.attempts);
    const t0 = this.rec.t;
    let t1 = t0 - retryInterval;
    let servfailRetry = 0;
    const answers: (DnsMessage | null)[] = types.map(() => null);
    const queue = new ArrivalQueue();
    let round = 0;
    const send = (qi: number, server: number, why: 'query' | 'retransmit' | 'servfail-retry'): void => {
      const type = types[qi];
      const id = ids[qi];
      if (type === undefined || id === undefined) return;
      queue.push(this.rec.send({ candidate: cand, name, type, server, id, port, why, edns0: false, query: qi }).arrival);
    };
    while (this.rec.t - t0 < timeout) {
      if (answers.every((a) => a !== null)) break;
      if (this.rec.t - t1 >= retryInterval) {
        for (let i = 0; i < types.length; i++) {
          if (answers[i] !== null) continue;
          for (let j = 0; j < this.conf.nameservers.length; j++) send(i, j, round === 0 ? 'query' : 'retransmit');
        }
        round++;
        t1 = this.rec.t;
        servfailRetry = 2 * types.length;
      }
      const deadline = Math.min(t1 + retryInterval, t0 + timeout);
      const ev = queue.popUntil(deadline);
      if (!ev) {
        this.rec.t = deadline;
        continue;
      }
      this.rec.t = Math.max(this.rec.t, ev.at);
      if (ev.delivery.kind === 'unreachable') {
        this.rec.markReply(ev.seq, 'ignored', 'ICMP port unreachable: musl\'s socket is not connected, so the error never reaches it');
        continue;
      }
      const m = ev.delivery.message;
      const qi = ev.query;
      if (answers[qi] !== null) {
        this.rec.markReply(ev.seq, 'ignored', 'this query already has an accepted answer');
        continue;
      }
      if (m.rcode === 'NOERROR' || m.rcode === 'NXDOMAIN') {
        answers[qi] = m;
        this.rec.markReply(ev.seq, 'used', m.tc ? 'truncated (TC=1): musl 1.2.4+ repeats it over TCP (not modelled)' : null);
        continue;
      }
      if (m.rcode === 'SERVFAIL') {
        if (servfailRetry > 0) {
          servfailRetry--;
          this.rec.markReply(ev.seq, 'ignored', 'SERVFAIL: musl sends the query again at once');
          send(qi, ev.server, 'servfail-retry');
        } else this.rec.markReply(ev.seq, 'ignored', 'SERVFAIL: ignored (the immediate re-send budget of this round is spent)');
        continue;
      }
      this.rec.markReply(ev.seq, 'ignored', `${m.rcode}: musl ignores it and keeps waiting`);
    }
    if (this.rec.t - t0 >= timeout) this.rec.t = t0 + timeout;
    return answers;
  }

  /** name_from_dns: >0 addresses found; 0 NXDOMAIN (go on); else an EAI error. */
  nameFromDns(name: string, types: readonly DnsType[], origin: 'as-is' | 'search', domain: string | null): { code: 'found' | 'next' | LookupError; replies: (DnsMessage | null)[]; cand: number } {
    const start = this.rec.t;
    const from = this.rec.sentCount;
    const cand = this.rec.nextCandidate;
    const replies = this.msend(cand, name, types);
    let code: 'found' | 'next' | LookupError | null = null;
    for (const m of replies) {
      if (m === null) {
        code = 'EAI_AGAIN';
        break;
      }
      if (m.rcode === 'NXDOMAIN') {
        code = 'next';
        break;
      }
      if (m.rcode !== 'NOERROR') {
        code = 'EAI_FAIL';
        break;
      }
    }
    if (code === null) {
      const { addresses } = addressesOf(replies, name);
      code = addresses.length > 0 ? 'found' : this.env.muslVersion === '1.2.3' ? 'EAI_NONAME' : 'EAI_NODATA';
    }
    const rcodes = types.map((type, i) => ({ type, rcode: replies[i]?.rcode ?? lastSeen(this.rec, from, type) }));
    const outcome = code === 'EAI_AGAIN' ? (rcodes.some((r) => r.rcode === 'SERVFAIL') ? 'SERVFAIL' : 'timeout') : outcomeOf(replies.map((m) => m?.rcode ?? null), code === 'found');
    this.rec.addCandidate({ name, origin, searchDomain: domain, outcome, rcodes, datagrams: this.rec.countSince(from), start, end: this.rec.t, next: '' });
    return { code, replies, cand };
  }
}

function lastSeen(rec: Recorder, from: number, type: DnsType): DnsMessage['rcode'] | null {
  let r: DnsMessage['rcode'] | null = null;
  for (const q of rec.queries.slice(from)) if (q.type === type && q.result.kind === 'reply') r = q.result.message.rcode;
  return r;
}

/** Run one musl lookup. */
export function muslLookup(req: LookupRequest, env: ResolverEnv): LookupTrace {
  const conf = muslConfig(env.resolvConf);
  const version = env.muslVersion ?? MUSL_VERSION;
  const m = new Musl(env, conf, `musl|${req.name}|${JSON.stringify(req.call)}`);
  const rec = m.rec;
  const name = req.name;
  const dots = countDots(name);
  const trailingDot = name.endsWith('.');
  const config = { nameservers: conf.nameservers, search: conf.search, ndots: conf.ndots, timeout: conf.timeout, attempts: conf.attempts, flags: [], notes: conf.notes };
  const types = typesFor(req.call, false);
  const notes: string[] = [];
  const header = { libc: 'musl' as const, version, callText: callTextOf(req, ' (= res_query in musl)'), request: req, config, dots, trailingDot };
  const { finish, fail } = lookupEnd(header, rec, () => notes);

  if (req.call.kind !== 'getaddrinfo') {
    // res_search is an alias of res_query; getnameinfo sends one PTR query.
    const qname = req.call.kind === 'getnameinfo' ? reverseName(name) : name;
    if (qname === null) return finish(fail('EAI_NONAME'), `"${name}" is not an address`);
    const type = types[0] ?? 'A';
    const plan = req.call.kind === 'getnameinfo' ? 'getnameinfo sends one PTR query for the reverse name' : 'musl\'s res_search is res_query: the name is sent as written, with no search list and no ndots';
    const start = rec.t;
    const from = rec.sentCount;
    const cand = rec.nextCandidate;
    const [reply] = m.msend(cand, qname, [type]);
    const rcode = reply?.rcode ?? null;
    const records = recordsOf(reply ?? null, type);
    const outcome = reply === null || reply === undefined ? 'timeout' : outcomeOf([rcode], records.length > 0);
    rec.addCandidate({ name: qname.endsWith('.') ? qname : `${qname}.`, origin: 'as-is', searchDomain: null, outcome, rcodes: [{ type, rcode }], datagrams: rec.countSince(from), start, end: rec.t, next: records.length > 0 ? 'answer: done' : 'musl asks once' });
    if (req.call.kind === 'getnameinfo') {
      const target = records[0];
      return finish(target && target.type === 'PTR' ? { ok: true, addresses: [], canonicalName: relative(target.data), records, source: 'dns' } : fail('EAI_NONAME'), plan);
    }
    if (reply === null || reply === undefined) return finish(fail('TRY_AGAIN'), plan);
    if (reply.rcode === 'NXDOMAIN') return finish(fail('HOST_NOT_FOUND'), plan);
    if (reply.rcode === 'NOERROR' && reply.answers.length === 0) return finish(fail('NO_DATA'), plan);
    return finish({ ok: true, addresses: [], canonicalName: null, records, source: 'dns' }, plan);
  }

  if (isLiteral(name)) return finish({ ok: true, addresses: [name], canonicalName: null, records: [], source: 'literal' }, 'a numeric address needs no lookup');
  if (name.length > 254) return finish(fail('EAI_NONAME'), 'names longer than 254 characters are refused');
  const hit = hostsLookup(env.hosts ?? '', name, false, req.call.family);
  if (hit) return finish({ ok: true, addresses: hit.addresses, canonicalName: hit.canonical, records: [], source: 'hosts' }, '/etc/hosts has the name, so no DNS query is sent');

  // name_from_dns_search
  const noSearch = dots >= conf.ndots || trailingDot;
  const plan = trailingDot
    ? `"${name}" ends in a dot: only the name as written`
    : noSearch
      ? `"${name}" has ${dots} dot${dots === 1 ? '' : 's'} >= ndots ${conf.ndots}: musl sends it only as written and never uses the search list`
      : `"${name}" has ${dots} dot${dots === 1 ? '' : 's'} < ndots ${conf.ndots}: the search list first; the name as written only if every candidate is NXDOMAIN`;
  let l = name.length;
  if (trailingDot) l--;
  if (l === 0 || name[l - 1] === '.') return finish(fail('EAI_NONAME'), plan);
  const base = name.slice(0, l);
  const found = (replies: (DnsMessage | null)[], qname: string): LookupOutcome => {
    const { addresses, canonical } = addressesOf(replies, qname);
    return { ok: true, addresses, canonicalName: canonical, records: replies.flatMap((r) => r?.answers ?? []), source: 'dns' };
  };
  if (!noSearch) {
    for (const domain of conf.search) {
      if (domain.length >= 256 - l - 1) {
        notes.push(`search domain ${domain} is skipped: the name would be longer than 255 characters`);
        continue;
      }
      const candidate = `${base}.${domain}`;
      if (candidate.includes('..')) {
        // __res_mkquery refuses an empty label: name_from_dns returns 0, as for NXDOMAIN.
        rec.addCandidate({ name: candidate, origin: 'search', searchDomain: domain, outcome: 'skipped', rcodes: [], datagrams: 0, start: rec.t, end: rec.t, next: 'not a valid name (empty label): no query, next search domain' });
        continue;
      }
      const r = m.nameFromDns(candidate.endsWith('.') ? candidate : `${candidate}.`, types, 'search', domain);
      if (r.code === 'found') {
        rec.setNext(r.cand, 'answer: done');
        return finish(found(r.replies, `${base}.${domain}`), plan);
      }
      if (r.code === 'next') {
        rec.setNext(r.cand, 'NXDOMAIN: next search domain');
        continue;
      }
      rec.setNext(r.cand, stopWhy(r.code, version));
      return finish(fail(r.code), plan);
    }
  }
  const r = m.nameFromDns(`${base}.`, types, 'as-is', null);
  if (r.code === 'found') {
    rec.setNext(r.cand, 'answer: done');
    return finish(found(r.replies, base), plan);
  }
  if (r.code === 'next') {
    rec.setNext(r.cand, noSearch && !trailingDot ? 'NXDOMAIN: musl does not fall back to the search list' : 'NXDOMAIN: nothing left to try');
    return finish(fail('EAI_NONAME'), plan);
  }
  rec.setNext(r.cand, stopWhy(r.code, version));
  return finish(fail(r.code), plan);
}

function stopWhy(code: LookupError, version: string): string {
  if (code === 'EAI_NODATA' || code === 'EAI_NONAME') return `NODATA: musl stops here (${code} from musl ${version})`;
  if (code === 'EAI_AGAIN') return 'no usable answer (SERVFAIL or none within the timeout): musl stops with EAI_AGAIN';
  return `${code}: musl stops`;
}

import { reverseName, relative, type DnsMessage, type DnsRcode, type DnsType } from '../net/dns.js';
import { glibcConfig, type GlibcResolverConfig } from './libc-config.js';
import { addressesOf, ArrivalQueue, countDots, hostsLookup, isLiteral, outcomeOf, Recorder, recordsOf, typesFor } from './sim.js';
import { type LookupError, type LookupOutcome, type LookupRequest, type LookupTrace, type ResolverEnv, type SendReason } from './types.js';
import { callTextOf, lookupEnd } from './lookup-trace.js';

/**
 * glibc's stub resolver (2.36, the version the reference measured): getaddrinfo through
 * nss_dns, res_search and getnameinfo, driven by an injected transport.
 *
 * - search order: resolv/res_query.c `__res_context_search` (as-is first when dots >= ndots or a
 *   trailing dot; search list; as-is last otherwise; which errors continue the walk);
 * - one candidate: `__res_context_query` (A and AAAA together; success when either reply has
 *   data; the h_errno from the pair);
 * - transport: resolv/res_send.c `__res_context_send` / `send_dg` (servers in order, `attempts`
 *   rounds, per-server timeout `timeout << ns`, the pair sent back to back from one socket, a new
 *   socket per candidate, SERVFAIL handling, the automatic single-request fallback that causes the
 *   well-known 5 s stall).
 */

export const GLIBC_VERSION = '2.36';

type HErrno = 'HOST_NOT_FOUND' | 'NO_DATA' | 'TRY_AGAIN' | 'NO_RECOVERY';

interface State {
  /** RES_SNGLKUP / RES_SNGLKUPREOP: set by options, or switched on after a lost reply. */
  singleRequest: boolean;
  singleRequestReopen: boolean;
  /** The rcode in the caller's answer buffer (hp->rcode), stale from earlier candidates. */
  ansRcode: DnsRcode;
  /** `rotate`: the server list is rotated by one for every res_send. */
  rotate: number;
  notes: string[];
}

type SendResult = { readonly ok: true; readonly used: DnsMessage[] } | { readonly ok: false; readonly errno: 'ECONNREFUSED' | 'ETIMEDOUT' };

type DgResult = { readonly kind: 'ok'; readonly used: DnsMessage[] } | { readonly kind: 'next'; readonly gotsomewhere: boolean; readonly refused: boolean };

type QueryResult = { readonly ok: true; readonly replies: DnsMessage[] } | { readonly ok: false; readonly herrno: HErrno; readonly errno: 'ECONNREFUSED' | 'ETIMEDOUT' | null };

class Glibc {
  readonly rec: Recorder;
  readonly st: State;

  constructor(
    readonly env: ResolverEnv,
    readonly conf: GlibcResolverConfig,
    seedText: string,
  ) {
    this.rec = new Recorder(env, seedText, conf.nameservers);
    this.st = { singleRequest: conf.singleRequest, singleRequestReopen: conf.singleRequestReopen, ansRcode: 'NOERROR', rotate: 0, notes: [] };
  }

  /** send_dg: one server, until both replies are in, the timeout, or an error. */
  private sendDg(cand: number, name: string, types: readonly DnsType[], ids: readonly number[], ns: number, sockets: Map<number, number>, baseWhy: SendReason): DgResult {
    const nscount = this.conf.nameservers.length;
    let seconds = this.conf.timeout << ns;
    if (ns > 0) seconds = Math.floor(seconds / nscount);
    if (seconds <= 0) seconds = 1;
    let single = this.st.singleRequest || this.st.singleRequestReopen;
    let reopen = this.st.singleRequestReopen;
    const pair = types.length === 2;
    if (!sockets.has(ns)) sockets.set(ns, this.rec.newPort());
    const queue = new ArrivalQueue();
    let why = baseWhy;
    let gotsomewhere = false;
    const send = (qi: number): void => {
      const type = types[qi];
      const id = ids[qi];
      if (type === undefined || id === undefined) return;
      const r = this.rec.send({ candidate: cand, name, type, server: ns, id, port: sockets.get(ns) ?? 0, why, edns0: this.conf.edns0, query: qi });
      queue.push(r.arrival);
    };
    for (;;) {
      // retry:
      const finish = this.rec.t + seconds * 1000;
      const recv = [false, !pair];
      let ansValid = false;
      const used: DnsMessage[] = [];
      let sentSecond = !pair || !single;
      send(0);
      if (pair && !single) send(1);
      let again = false;
      for (;;) {
        const ev = queue.popUntil(finish);
        if (!ev) {
          this.rec.t = finish;
          if (ansValid && (recv[0] === true || (pair && recv[1] === true))) {
            if (!single) {
              single = true;
              this.st.singleRequest = true;
              this.st.notes.push(`a reply to ${relative(name)} did not come within ${seconds} s: glibc switches to single-request and sends again`);
              again = true;
              break;
            }
            if (!reopen) {
              reopen = true;
              this.st.singleRequestReopen = true;
              sockets.set(ns, this.rec.newPort());
              this.st.notes.push(`still no second reply: glibc switches to single-request-reopen (a new socket per query)`);
              again = true;
              break;
            }
            return { kind: 'ok', used };
          }
          gotsomewhere = true;
          return { kind: 'next', gotsomewhere, refused: false };
        }
        this.rec.t = Math.max(this.rec.t, ev.at);
        if (ev.delivery.kind === 'unreachable') {
          this.rec.markReply(ev.seq, 'ignored', 'ICMP port unreachable: recvfrom fails with ECONNREFUSED, glibc gives up on this server');
          sockets.clear();
          return { kind: 'next', gotsomewhere, refused: true };
        }
        const m = ev.delivery.message;
        const qi = ev.query;
        if (recv[qi] === true) {
          this.rec.markReply(ev.seq, 'ignored', 'already answered (old answer)');
          continue;
        }
        const intoAns = !(recv[0] === true || recv[1] === true) || !pair;
        if (intoAns) this.st.ansRcode = m.rcode;
        gotsomewhere = true;
        if (m.rcode === 'SERVFAIL' || m.rcode === 'NOTIMP' || m.rcode === 'REFUSED') {
          if (recv[0] === true || (pair && recv[1] === true)) {
            this.rec.markReply(ev.seq, 'ignored', `${m.rcode}: the other reply is kept`);
            return used.length > 0 ? { kind: 'ok', used } : { kind: 'next', gotsomewhere, refused: false };
          }
          if (pair) {
            if (intoAns) ansValid = false;
            recv[qi] = true;
            this.rec.markReply(ev.seq, 'ignored', `${m.rcode}: waiting for the other reply`);
            continue;
          }
          this.rec.markReply(ev.seq, 'ignored', `${m.rcode}: next server`);
          sockets.clear();
          return { kind: 'next', gotsomewhere, refused: false };
        }
        if (m.rcode === 'NOERROR' && m.answers.length === 0 && !m.aa && !m.ra && m.additional.length === 0) {
          this.rec.markReply(ev.seq, 'ignored', 'empty non-authoritative reply without RA (a referral): next server');
          sockets.clear();
          return { kind: 'next', gotsomewhere, refused: false };
        }
        recv[qi] = true;
        used.push(m);
        this.rec.markReply(ev.seq, 'used', m.tc ? 'truncated (TC=1): glibc would repeat it over TCP (not modelled)' : null);
        if (intoAns) ansValid = true;
        if (!(recv[0] === true && recv[1] === true)) {
          if (single && !sentSecond) {
            if (reopen) sockets.set(ns, this.rec.newPort());
            send(1);
            sentSecond = true;
          }
          continue;
        }
        return { kind: 'ok', used };
      }
      if (again) {
        why = 'single-request';
        continue;
      }
    }
  }

  /** __res_context_send. */
  private resSend(cand: number, name: string, types: readonly DnsType[], ids: readonly number[]): SendResult {
    const nscount = this.conf.nameservers.length;
    const offset = this.conf.rotate ? this.st.rotate++ % nscount : 0;
    const sockets = new Map<number, number>();
    let gotsomewhere = false;
    for (let attempt = 0; attempt < this.conf.attempts; attempt++) {
      for (let k = 0; k < nscount; k++) {
        const ns = (k + offset) % nscount;
        const r = this.sendDg(cand, name, types, ids, ns, sockets, attempt === 0 ? 'query' : 'retransmit');
        if (r.kind === 'ok') return { ok: true, used: r.used };
        if (r.gotsomewhere) gotsomewhere = true;
      }
    }
    return { ok: false, errno: gotsomewhere ? 'ETIMEDOUT' : 'ECONNREFUSED' };
  }

  /** __res_context_query: one candidate name, all its types. */
  query(name: string, types: readonly DnsType[], origin: 'as-is' | 'search', domain: string | null): { result: QueryResult; cand: number } {
    const start = this.rec.t;
    const from = this.rec.sentCount;
    const cand = this.rec.nextCandidate;
    const ids = types.map(() => this.rec.newId());
    const sent = this.resSend(cand, name, types, ids);
    let result: QueryResult;
    let replies: DnsMessage[] = [];
    if (!sent.ok) result = { ok: false, herrno: 'TRY_AGAIN', errno: sent.errno };
    else {
      replies = sent.used;
      const hp = sent.used[0];
      const hp2 = sent.used[1] ?? hp;
      if (!hp || !hp2) result = { ok: false, herrno: 'TRY_AGAIN', errno: null };
      else if ((hp.rcode !== 'NOERROR' || hp.answers.length === 0) && (hp2.rcode !== 'NOERROR' || hp2.answers.length === 0)) {
        const code = hp.rcode === 'NOERROR' ? hp2.rcode : hp.rcode;
        const herrno: HErrno = code === 'NXDOMAIN' ? 'HOST_NOT_FOUND' : code === 'SERVFAIL' ? 'TRY_AGAIN' : code === 'NOERROR' ? 'NO_DATA' : 'NO_RECOVERY';
        result = { ok: false, herrno, errno: null };
      } else result = { ok: true, replies: sent.used };
    }
    const rcodes = types.map((type) => ({ type, rcode: lastRcode(this.rec, from, type) }));
    const outcome = !sent.ok ? (sent.errno === 'ECONNREFUSED' ? 'unreachable' : rcodes.some((r) => r.rcode === 'SERVFAIL') ? 'SERVFAIL' : 'timeout') : outcomeOf(replies.map((m) => m.rcode), result.ok);
    this.rec.addCandidate({ name, origin, searchDomain: domain, outcome, rcodes, datagrams: this.rec.countSince(from), start, end: this.rec.t, next: '' });
    return { result, cand };
  }
}

function lastRcode(rec: Recorder, from: number, type: DnsType): DnsRcode | null {
  let r: DnsRcode | null = null;
  for (const q of rec.queries.slice(from)) if (q.type === type && q.result.kind === 'reply') r = q.result.message.rcode;
  return r;
}

const H_TO_EAI: Record<HErrno, LookupError> = { HOST_NOT_FOUND: 'EAI_NONAME', NO_DATA: 'EAI_NODATA', TRY_AGAIN: 'EAI_AGAIN', NO_RECOVERY: 'EAI_FAIL' };

/** Run one glibc lookup. */
export function glibcLookup(req: LookupRequest, env: ResolverEnv): LookupTrace {
  const conf = glibcConfig(env.resolvConf);
  const g = new Glibc(env, conf, `glibc|${req.name}|${JSON.stringify(req.call)}`);
  const rec = g.rec;
  const name = req.name;
  const dots = countDots(name);
  const trailingDot = name.endsWith('.');
  const flags = [
    ...(conf.rotate ? ['rotate'] : []),
    ...(conf.singleRequest ? ['single-request'] : []),
    ...(conf.singleRequestReopen ? ['single-request-reopen'] : []),
    ...(conf.noTldQuery ? ['no-tld-query'] : []),
    ...(conf.noAaaa ? ['no-aaaa'] : []),
    ...(conf.edns0 ? ['edns0'] : []),
    ...(conf.trustAd ? ['trust-ad'] : []),
    ...(conf.useVc ? ['use-vc (TCP: not modelled, sent as UDP)'] : []),
  ];
  const config = { nameservers: conf.nameservers, search: conf.search, ndots: conf.ndots, timeout: conf.timeout, attempts: conf.attempts, flags, notes: conf.notes };
  const types = typesFor(req.call, conf.noAaaa);
  const header = { libc: 'glibc' as const, version: GLIBC_VERSION, callText: callTextOf(req), request: req, config, dots, trailingDot };
  const { finish, fail } = lookupEnd(header, rec, () => g.st.notes);

  if (req.call.kind === 'getnameinfo') {
    const ptr = reverseName(name);
    if (ptr === null) return finish(fail('EAI_NONAME'), `"${name}" is not an address`);
    const { result, cand } = g.query(ptr, ['PTR'], 'as-is', null);
    rec.setNext(cand, result.ok ? 'done' : 'getnameinfo asks once, without a search list');
    if (!result.ok) return finish(fail(result.herrno === 'TRY_AGAIN' ? 'EAI_AGAIN' : 'EAI_NONAME'), 'getnameinfo sends one PTR query for the reverse name (no search list)');
    const records = result.replies.flatMap((m) => recordsOf(m, 'PTR'));
    const target = records[0];
    return finish(
      target && target.type === 'PTR' ? { ok: true, addresses: [], canonicalName: relative(target.data), records, source: 'dns' } : fail('EAI_NONAME'),
      'getnameinfo sends one PTR query for the reverse name (no search list)',
    );
  }

  if (req.call.kind === 'getaddrinfo') {
    if (isLiteral(name)) return finish({ ok: true, addresses: [name], canonicalName: null, records: [], source: 'literal' }, 'a numeric address needs no lookup');
    const hit = hostsLookup(env.hosts ?? '', name, true, req.call.family);
    if (hit) return finish({ ok: true, addresses: hit.addresses, canonicalName: hit.canonical, records: [], source: 'hosts' }, '/etc/hosts has the name (hosts: files dns), so no DNS query is sent');
  }

  // __res_context_search
  const plan =
    trailingDot
      ? `"${name}" ends in a dot: only the name as written, never the search list`
      : dots >= conf.ndots
        ? `"${name}" has ${dots} dot${dots === 1 ? '' : 's'} >= ndots ${conf.ndots}: glibc tries it as written first, then the search list if that fails`
        : `"${name}" has ${dots} dot${dots === 1 ? '' : 's'} < ndots ${conf.ndots}: the search list first, then the name as written`;
  let savedHerrno: HErrno | null = null;
  let triedAsIs = false;
  let gotNodata = false;
  let gotServfail = false;
  let rootOnList = false;
  let searched = false;
  let lastHerrno: HErrno = 'HOST_NOT_FOUND';
  const success = (replies: DnsMessage[], qname: string): LookupOutcome => {
    if (req.call.kind === 'getaddrinfo') {
      const { addresses, canonical } = addressesOf(replies, qname);
      if (addresses.length === 0) return fail('EAI_NODATA');
      return { ok: true, addresses, canonicalName: canonical, records: replies.flatMap((m) => m.answers), source: 'dns' };
    }
    const t = types[0] ?? 'A';
    return { ok: true, addresses: [], canonicalName: null, records: replies.flatMap((m) => recordsOf(m, t)), source: 'dns' };
  };
  const failure = (h: HErrno): LookupOutcome => fail(req.call.kind === 'getaddrinfo' ? H_TO_EAI[h] : h);

  if (dots >= conf.ndots || trailingDot) {
    const { result, cand } = g.query(asIs(name), types, 'as-is', null);
    if (result.ok) {
      rec.setNext(cand, 'answer: done');
      return finish(success(result.replies, asIs(name)), plan);
    }
    if (trailingDot) {
      rec.setNext(cand, 'trailing dot: the search list is never used, the lookup fails');
      return finish(failure(result.herrno), plan);
    }
    rec.setNext(cand, `${herrnoWord(result.herrno)}: glibc remembers it and falls back to the search list`);
    savedHerrno = result.herrno;
    lastHerrno = result.herrno;
    triedAsIs = true;
  }
  if (dots === 0 || !trailingDot) {
    for (const domain of conf.search) {
      searched = true;
      const d = domain.startsWith('.') ? domain.slice(1) : domain;
      if (d === '') rootOnList = true;
      const candidate = d === '' ? asIs(name) : `${name}.${d}`;
      if (candidate.length + 1 >= 1025) {
        lastHerrno = 'NO_RECOVERY';
        break;
      }
      const { result, cand } = g.query(candidate, types, 'search', d === '' ? '.' : d);
      if (result.ok) {
        rec.setNext(cand, 'answer: done');
        return finish(success(result.replies, candidate), plan);
      }
      lastHerrno = result.herrno;
      if (result.errno === 'ECONNREFUSED') {
        rec.setNext(cand, 'every server refused (ICMP port unreachable): glibc aborts the lookup with TRY_AGAIN');
        return finish(failure('TRY_AGAIN'), plan);
      }
      if (result.herrno === 'NO_DATA') {
        gotNodata = true;
        rec.setNext(cand, 'NODATA: glibc keeps searching (and remembers the NODATA)');
        continue;
      }
      if (result.herrno === 'HOST_NOT_FOUND') {
        rec.setNext(cand, 'NXDOMAIN: next search domain');
        continue;
      }
      if (result.herrno === 'TRY_AGAIN' && g.st.ansRcode === 'SERVFAIL') {
        gotServfail = true;
        rec.setNext(cand, 'SERVFAIL: glibc moves on to the next search domain');
        continue;
      }
      rec.setNext(cand, `${herrnoWord(result.herrno)}: glibc stops walking the search list`);
      break;
    }
  }
  if ((dots > 0 || !searched || !conf.noTldQuery) && !(triedAsIs || rootOnList)) {
    const { result, cand } = g.query(asIs(name), types, 'as-is', null);
    if (result.ok) {
      rec.setNext(cand, 'answer: done');
      return finish(success(result.replies, asIs(name)), plan);
    }
    lastHerrno = result.herrno;
    rec.setNext(cand, `${herrnoWord(result.herrno)}: nothing left to try`);
  }
  const h = savedHerrno ?? (gotNodata ? 'NO_DATA' : gotServfail ? 'TRY_AGAIN' : lastHerrno);
  return finish(failure(h), plan);
}

function asIs(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

function herrnoWord(h: HErrno): string {
  return h === 'HOST_NOT_FOUND' ? 'NXDOMAIN' : h === 'NO_DATA' ? 'NODATA' : h === 'TRY_AGAIN' ? 'no usable answer (TRY_AGAIN)' : 'NO_RECOVERY';
}

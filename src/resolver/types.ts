import type { DnsMessage, DnsRcode, DnsRecord, DnsType } from '../net/dns.js';

/**
 * The stub resolvers are pure functions of (resolv.conf text, /etc/hosts, the name, a
 * transport). The transport is the seam to the network: it gets every datagram the libc sends
 * and says what comes back (a reply after some latency, nothing, or an ICMP port unreachable).
 * The `dns` command's transport asks the modelled CoreDNS; the packet walk can route the same
 * datagrams through kube-proxy's DNAT instead.
 */

export type Libc = 'glibc' | 'musl';

export const LIBCS: readonly Libc[] = ['glibc', 'musl'];

/** One datagram a resolver sends. */
export interface OutgoingQuery {
  readonly message: DnsMessage;
  readonly name: string;
  readonly type: DnsType;
  /** Index into the nameservers the libc uses (file order). */
  readonly server: number;
  readonly serverIp: string;
  readonly sourcePort: number;
  /** Milliseconds since the lookup started. */
  readonly t: number;
  /** 1 the first time this (name, type, server) is sent in the lookup, then 2, 3, ... */
  readonly transmission: number;
}

export type Delivery =
  | { readonly kind: 'reply'; readonly message: DnsMessage; readonly latencyMs?: number }
  /** Nothing comes back (dropped on the way there or back). */
  | { readonly kind: 'lost' }
  /** ICMP port unreachable (e.g. kube-proxy's REJECT for a service without endpoints). */
  | { readonly kind: 'unreachable'; readonly latencyMs?: number };

export type Transport = (q: OutgoingQuery) => Delivery;

/** Why a datagram was sent. */
export type SendReason =
  | 'query'
  /** glibc: the same query again on the next attempt/server; musl: the retry interval passed. */
  | 'retransmit'
  /** musl: an immediate re-send after a SERVFAIL. */
  | 'servfail-retry'
  /** glibc: re-sent one at a time after a reply was lost (automatic single-request). */
  | 'single-request';

export type QueryResult =
  | { readonly kind: 'reply'; readonly at: number; readonly message: DnsMessage; readonly use: 'used' | 'ignored'; readonly note: string | null }
  | { readonly kind: 'lost' }
  | { readonly kind: 'unreachable'; readonly at: number; readonly note: string | null };

export interface SentQuery {
  /** 1-based, in send order. */
  readonly seq: number;
  readonly t: number;
  /** Index into `candidates`. */
  readonly candidate: number;
  readonly name: string;
  readonly type: DnsType;
  readonly server: number;
  readonly serverIp: string;
  readonly id: number;
  readonly sourcePort: number;
  readonly transmission: number;
  readonly why: SendReason;
  readonly result: QueryResult;
}

/** What became of one candidate name. */
export type CandidateOutcome = 'answer' | 'NXDOMAIN' | 'NODATA' | 'SERVFAIL' | 'REFUSED' | 'timeout' | 'unreachable' | 'skipped';

export interface CandidateTrace {
  readonly index: number;
  /** Absolute, with the trailing dot. */
  readonly name: string;
  /** as-is: the name as written (with a root dot); search: name + search domain. */
  readonly origin: 'as-is' | 'search';
  readonly searchDomain: string | null;
  readonly outcome: CandidateOutcome;
  /** The final rcode per query type (null: no usable reply). */
  readonly rcodes: readonly { readonly type: DnsType; readonly rcode: DnsRcode | null }[];
  readonly datagrams: number;
  readonly start: number;
  readonly end: number;
  /** What the libc does next, and why. */
  readonly next: string;
}

/** getaddrinfo / res_search / getnameinfo failures, named as the libc names them. */
export type LookupError = 'EAI_NONAME' | 'EAI_NODATA' | 'EAI_AGAIN' | 'EAI_FAIL' | 'HOST_NOT_FOUND' | 'NO_DATA' | 'TRY_AGAIN' | 'NO_RECOVERY';

export type LookupOutcome =
  | {
      readonly ok: true;
      /** Addresses (A first, then AAAA) for getaddrinfo; empty for other calls. */
      readonly addresses: readonly string[];
      /** The canonical name (the end of a CNAME chain), without trailing dot. */
      readonly canonicalName: string | null;
      /** The answer records of the successful reply (SRV, PTR, ...). */
      readonly records: readonly DnsRecord[];
      readonly source: 'dns' | 'hosts' | 'literal';
    }
  | { readonly ok: false; readonly error: LookupError; readonly message: string };

/** Which libc call is made. */
export type LookupCall =
  | { readonly kind: 'getaddrinfo'; readonly family: 'AF_UNSPEC' | 'AF_INET' | 'AF_INET6' }
  | { readonly kind: 'res_search'; readonly type: DnsType }
  | { readonly kind: 'getnameinfo' };

export interface LookupRequest {
  readonly name: string;
  readonly call: LookupCall;
}

export interface ResolverEnv {
  /** The text of /etc/resolv.conf. */
  readonly resolvConf: string;
  /** The text of /etc/hosts (checked first by getaddrinfo); empty when absent. */
  readonly hosts?: string;
  readonly transport: Transport;
  /** Seeds query IDs and source ports (deterministic). */
  readonly seed?: number;
  /** musl 1.2.4 changed NODATA from EAI_NONAME to EAI_NODATA. Default 1.2.5. */
  readonly muslVersion?: '1.2.3' | '1.2.5';
}

/** The configuration the libc actually used, as it read resolv.conf. */
export interface EffectiveConfig {
  readonly nameservers: readonly string[];
  readonly search: readonly string[];
  readonly ndots: number;
  readonly timeout: number;
  readonly attempts: number;
  /** Options the libc honoured, as written (`single-request-reopen`, ...). */
  readonly flags: readonly string[];
  /** Lines or options the libc skipped or capped. */
  readonly notes: readonly string[];
}

export interface LookupTrace {
  readonly libc: Libc;
  readonly version: string;
  /** e.g. `getaddrinfo("web", AF_UNSPEC)`. */
  readonly callText: string;
  readonly request: LookupRequest;
  readonly config: EffectiveConfig;
  readonly dots: number;
  readonly trailingDot: boolean;
  /** One sentence: why the walk has the order it has. */
  readonly plan: string;
  readonly candidates: readonly CandidateTrace[];
  readonly queries: readonly SentQuery[];
  /** Query datagrams sent, retransmissions included. */
  readonly datagrams: number;
  /** Time until the call returned (simulated). */
  readonly elapsedMs: number;
  readonly result: LookupOutcome;
  readonly notes: readonly string[];
}

/** gai_strerror / hstrerror texts. */
export function errorMessage(libc: Libc, e: LookupError): string {
  const glibc: Record<LookupError, string> = {
    EAI_NONAME: 'Name or service not known',
    EAI_NODATA: 'No address associated with hostname',
    EAI_AGAIN: 'Temporary failure in name resolution',
    EAI_FAIL: 'Non-recoverable failure in name resolution',
    HOST_NOT_FOUND: 'Unknown host',
    NO_DATA: 'No address associated with name',
    TRY_AGAIN: 'Host name lookup failure',
    NO_RECOVERY: 'Unknown server error',
  };
  const musl: Record<LookupError, string> = {
    EAI_NONAME: 'Name does not resolve',
    EAI_NODATA: 'Name has no usable address',
    EAI_AGAIN: 'Try again',
    EAI_FAIL: 'Non-recoverable error',
    HOST_NOT_FOUND: 'Unknown host',
    NO_DATA: 'No address associated with name',
    TRY_AGAIN: 'Host name lookup failure',
    NO_RECOVERY: 'Unknown server error',
  };
  return (libc === 'glibc' ? glibc : musl)[e];
}

import type { Recorder } from './sim.js';
import { errorMessage, type LookupError, type LookupOutcome, type LookupRequest, type LookupTrace } from './types.js';

/** What a LookupTrace says before the walk starts: which libc, which call, which config. */
export type LookupHeader = Pick<LookupTrace, 'libc' | 'version' | 'callText' | 'request' | 'config' | 'dots' | 'trailingDot'>;

/** The call as a C programmer would write it; musl's res_search gets a note that it is res_query. */
export function callTextOf(req: LookupRequest, resSearchNote = ''): string {
  const c = req.call;
  if (c.kind === 'getaddrinfo') return `getaddrinfo("${req.name}", ${c.family})`;
  if (c.kind === 'res_search') return `res_search("${req.name}", ${c.type})${resSearchNote}`;
  return `getnameinfo(${req.name}, NI_NAMEREQD)`;
}

/**
 * How both stub resolvers end a walk: `finish` seals the header, what the recorder logged and the
 * result into a LookupTrace; `fail` is an error result in that libc's own words.
 */
export function lookupEnd(header: LookupHeader, rec: Recorder, notes: () => readonly string[]) {
  return {
    finish: (result: LookupOutcome, plan: string): LookupTrace => ({
      ...header,
      plan,
      candidates: rec.candidates,
      queries: rec.queries,
      datagrams: rec.sentCount,
      elapsedMs: rec.t,
      result,
      notes: notes(),
    }),
    fail: (e: LookupError): LookupOutcome => ({ ok: false, error: e, message: errorMessage(header.libc, e) }),
  };
}

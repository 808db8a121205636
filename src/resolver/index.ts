import { match } from 'ts-pattern';
import { glibcLookup } from './glibc.js';
import { muslLookup } from './musl.js';
import type { Libc, LookupRequest, LookupTrace, ResolverEnv } from './types.js';

export * from './types.js';
export * from './resolv-conf.js';
export * from './kubelet.js';
export * from './libc-config.js';
export { glibcLookup, GLIBC_VERSION } from './glibc.js';
export { muslLookup, MUSL_VERSION } from './musl.js';
export * from './hints.js';

/** Run a lookup with the given libc's stub resolver. */
export function lookup(libc: Libc, req: LookupRequest, env: ResolverEnv): LookupTrace {
  return match(libc)
    .with('glibc', () => glibcLookup(req, env))
    .with('musl', () => muslLookup(req, env))
    .exhaustive();
}

import { relative } from '../net/dns.js';
import type { LookupTrace } from './types.js';

/**
 * Advice on a finished lookup: how many datagrams went to names that could never be the answer,
 * and what would have avoided them (a trailing dot, a lower ndots, the full name), plus the
 * libc-specific traps the trace fell into.
 */

export type HintKind = 'trailing-dot' | 'lower-ndots' | 'full-name' | 'musl-no-fallback' | 'musl-nodata-stop' | 'musl-skipped-line' | 'stall';

export interface WalkHint {
  readonly kind: HintKind;
  readonly text: string;
  /** Datagrams the suggestion would save on this lookup (0 when it is about correctness or time). */
  readonly saves: number;
}

export interface WasteSummary {
  /** Datagrams spent on candidates before the one that answered (all of them on failure). */
  readonly wasted: number;
  readonly total: number;
  readonly hints: readonly WalkHint[];
}

/** Relative cluster names by dot count, for examples. */
const SHORT_NAMES: Readonly<Record<number, string>> = { 1: 'web.prod', 2: 'web.prod.svc', 3: 'web-0.nginx.prod.svc', 4: '_http._tcp.web.prod.svc' };

export function walkHints(trace: LookupTrace): WasteSummary {
  const hints: WalkHint[] = [];
  const total = trace.datagrams;
  const last = trace.candidates[trace.candidates.length - 1];
  const ok = trace.result.ok && trace.result.source === 'dns';
  const wasted = ok && last ? total - last.datagrams : total;
  const perName = trace.request.call.kind === 'getaddrinfo' && trace.request.call.family === 'AF_UNSPEC' ? 2 : 1;
  const name = trace.request.name;

  if (ok && last && wasted > 0) {
    const answered = relative(last.name);
    if (last.origin === 'as-is') {
      hints.push({
        kind: 'trailing-dot',
        text: `${wasted} of ${total} queries went to search-list names that do not exist. Write "${answered}." with a trailing dot: ${last.datagrams} ${last.datagrams === 1 ? 'query' : 'queries'} instead of ${total}.`,
        saves: wasted,
      });
      if (trace.dots > 0 && trace.dots < trace.config.ndots) {
        hints.push({
          kind: 'lower-ndots',
          text: `Or lower ndots to ${trace.dots} for this pod (spec.dnsConfig.options: [{name: ndots, value: "${trace.dots}"}]) so names with ${trace.dots}+ dots go out as written first. Short cluster names with that many dots (like "${SHORT_NAMES[trace.dots] ?? 'web-0.nginx.prod.svc'}") then ${trace.libc === 'musl' ? 'stop resolving: musl never falls back to the search list' : 'cost one extra (forwarded, NXDOMAIN) query first'}.`,
          saves: wasted,
        });
      }
    } else if (last.origin === 'search') {
      hints.push({
        kind: 'full-name',
        text: `${wasted} of ${total} queries went to search-list names before "${answered}" answered. Use the full name with a trailing dot ("${answered}.") for ${perName === 2 ? 'one A+AAAA pair' : 'one query'}.`,
        saves: wasted,
      });
    }
  }

  if (trace.libc === 'musl' && !trace.result.ok) {
    const first = trace.candidates[0];
    if (!trace.trailingDot && trace.dots >= trace.config.ndots && trace.config.search.length > 0 && first?.outcome === 'NXDOMAIN') {
      hints.push({
        kind: 'musl-no-fallback',
        text: `"${name}" has ${trace.dots} dot${trace.dots === 1 ? '' : 's'} >= ndots ${trace.config.ndots}, so musl sent it only as written; glibc would go on to the search list (${trace.config.search.map((d) => `${name}.${d}`).join(', ')}).`,
        saves: 0,
      });
    }
    const stop = trace.candidates.find((c) => c.outcome === 'NODATA' && c.origin === 'search');
    if (stop) {
      hints.push({
        kind: 'musl-nodata-stop',
        text: `${relative(stop.name)} exists but has no address (NODATA), and musl ends the search there; glibc would keep walking the list and then try "${name}" as written.`,
        saves: 0,
      });
    }
  }
  if (trace.libc === 'musl' && trace.config.notes.some((n) => n.startsWith('musl skips'))) {
    hints.push({ kind: 'musl-skipped-line', text: 'musl ignored a resolv.conf line of 255 or more bytes (its line buffer is 256 bytes); a long search line means no search list at all under musl.', saves: 0 });
  }
  if (trace.elapsedMs >= 1000) {
    const glibcSwitch = trace.notes.some((n) => n.includes('single-request'));
    hints.push({
      kind: 'stall',
      text: `The lookup took ${(trace.elapsedMs / 1000).toFixed(1)} s waiting for replies${glibcSwitch ? ' (a lost reply: glibc waited out its timeout, then re-sent one query at a time; "options single-request-reopen" or NodeLocal DNSCache avoid the conntrack race behind it)' : ''}.`,
      saves: 0,
    });
  }
  return { wasted, total, hints };
}

/**
 * /etc/resolv.conf as the kubelet and the container runtime handle it: parsed the way kubelet's
 * `parseResolvConf` does (pkg/kubelet/network/dns/dns.go) and printed the way containerd writes a
 * pod's file (`search`, then one `nameserver` line each, then `options`). How each libc reads the
 * same text is in ./libc-config.ts: they disagree on limits and on what they ignore.
 */

export interface ResolvConf {
  readonly nameservers: readonly string[];
  readonly searches: readonly string[];
  /** As written: `ndots:5`, `edns0`, `single-request-reopen`. */
  readonly options: readonly string[];
}

export const EMPTY_RESOLV_CONF: ResolvConf = { nameservers: [], searches: [], options: [] };

/**
 * kubelet's parser: `nameserver` lines accumulate, the last `search` line wins (each entry's
 * trailing dot trimmed, so `.` vanishes), the last `options` line wins; `domain` and everything
 * else is ignored.
 */
export function parseResolvConf(text: string): ResolvConf {
  const nameservers: string[] = [];
  let searches: string[] = [];
  let options: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#')) continue;
    const f = line.split(/\s+/).filter((x) => x !== '');
    const [kw, ...rest] = f;
    if (kw === 'nameserver' && rest[0] !== undefined) nameservers.push(rest[0]);
    // TrimSuffix(s, "."): a lone `.` becomes an empty entry, which the runtime's join drops.
    if (kw === 'search') searches = rest.map((s) => s.replace(/\.$/, '')).filter((s) => s !== '');
    if (kw === 'options') options = rest;
  }
  return { nameservers, searches, options };
}

/** The file containerd writes from the kubelet's DNSConfig (pkg/cri .. parseDNSOptions). */
export function printResolvConf(c: ResolvConf): string {
  const lines: string[] = [];
  if (c.searches.length > 0) lines.push(`search ${c.searches.join(' ')}`);
  for (const ns of c.nameservers) lines.push(`nameserver ${ns}`);
  if (c.options.length > 0) lines.push(`options ${c.options.join(' ')}`);
  return lines.map((l) => `${l}\n`).join('');
}

/** The value of `name:value` in an options list (last wins), or null. */
export function optionValue(options: readonly string[], name: string): string | null {
  let v: string | null = null;
  for (const o of options) {
    const i = o.indexOf(':');
    if ((i < 0 ? o : o.slice(0, i)) === name) v = i < 0 ? '' : o.slice(i + 1);
  }
  return v;
}

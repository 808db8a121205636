import type { Netns } from '../netns.js';
import { sysctlValue } from '../sysctl.js';

/**
 * `sysctl KEY...`: `key = value` per line (multi-value keys such as ip_local_port_range keep
 * their tab). Without keys: every key the model has set, in the order they were set.
 *
 * sysctl(8) treats dots as path separators, so a device with a dot in its name (`flannel.1`)
 * shows up as `net.ipv6.conf.flannel/1.accept_ra` (procps swaps `.` and `/`), and has to be asked
 * for as `net/ipv6/conf/flannel.1/accept_ra` (sysctlPath). Model keys keep the plain dotted form.
 */
export function printSysctl(ns: Netns, keys?: readonly string[]): string {
  return (keys ?? [...ns.sysctls.keys()]).map((k) => `${sysctlDisplayName(k)} = ${sysctlValue(ns.sysctls, k)}\n`).join('');
}

/** `net.ipv4.conf.flannel.1.forwarding` -> prefix `net.ipv4.conf`, dev `flannel.1`, leaf `forwarding`. */
function splitDeviceKey(key: string): { prefix: string; dev: string; leaf: string } | null {
  const m = /^(net\.ipv[46]\.(?:conf|neigh))\.(.+)\.([a-z0-9_]+)$/.exec(key);
  if (!m || !m[2]?.includes('.')) return null;
  return { prefix: m[1] ?? '', dev: m[2], leaf: m[3] ?? '' };
}

/** The name `sysctl` prints for a key. */
export function sysctlDisplayName(key: string): string {
  const s = splitDeviceKey(key);
  return s ? `${s.prefix}.${s.dev.replace(/\./g, '/')}.${s.leaf}` : key;
}

/** A key in the form `sysctl` accepts (slash-separated when the device name has a dot). */
export function sysctlPath(key: string): string {
  const s = splitDeviceKey(key);
  return s ? `${s.prefix.replace(/\./g, '/')}/${s.dev}/${s.leaf}` : key;
}

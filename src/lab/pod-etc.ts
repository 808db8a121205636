import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '../cluster/cluster.js';
import type { Pod } from '../cluster/pod.js';
import { err, ok, type Result } from '../lib/result.js';
import { kubeletDnsSettings, podHostsText, podResolvConf } from '../resolver/index.js';

/** The files the kubelet and runtime give a pod: /etc/resolv.conf and /etc/hosts. */
export interface PodEtc {
  readonly resolvConf: string;
  readonly hosts: string;
}

export function podEtc(cluster: Cluster, pod: Pod): Result<PodEtc, string> {
  const rc = podResolvConf(pod, kubeletDnsSettings(cluster, pod.nodeName));
  if (!rc.ok) return err(`pod ${pod.namespace}/${pod.name}: ${rc.error}`);
  return ok({ resolvConf: rc.value.text, hosts: podHostsText(pod, cluster.header.clusterDomain) });
}

/** Where a lab keeps a pod's files (the lab's work dir, removed with it). */
export function podEtcPaths(dir: string, netnsName: string): { readonly resolvConf: string; readonly hosts: string; readonly nsswitch: string } {
  return { resolvConf: join(dir, `${netnsName}.resolv.conf`), hosts: join(dir, `${netnsName}.hosts`), nsswitch: join(dir, 'nsswitch.conf') };
}

export function writePodEtc(dir: string, netnsName: string, etc: PodEtc): ReturnType<typeof podEtcPaths> {
  const p = podEtcPaths(dir, netnsName);
  writeFileSync(p.resolvConf, etc.resolvConf);
  writeFileSync(p.hosts, etc.hosts);
  // Files, then DNS, as in container images: no host-specific NSS modules (myhostname, mdns).
  writeFileSync(p.nsswitch, 'hosts: files dns\n');
  return p;
}

/**
 * argv that runs `argv` with the pod's files over /etc/resolv.conf, /etc/hosts and
 * /etc/nsswitch.conf, in a private mount namespace (the host's files are never touched).
 */
export function withPodEtc(paths: ReturnType<typeof podEtcPaths>, argv: readonly string[]): string[] {
  const script = 'mount --bind "$1" /etc/resolv.conf && mount --bind "$2" /etc/hosts && mount --bind "$3" /etc/nsswitch.conf && shift 3 && exec "$@"';
  return ['unshare', '-m', '--propagation', 'private', 'sh', '-c', script, 'sh', paths.resolvConf, paths.hosts, paths.nsswitch, ...argv];
}

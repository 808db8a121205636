import { match } from 'ts-pattern';
import type { Cluster } from '../../cluster/cluster.js';
import { coreDnsPods } from '../../controllers/coredns/config.js';
import { formatIpv4 } from '../../net/ipv4.js';
import { err, ok, type Result } from '../../lib/result.js';
import type { System } from '../../topology/system.js';
import { parseEndpointSpec, type EndpointSpec } from '../../trace/endpoint.js';

/** One thing `podnet lab check` does for real and predicts with the model. */
export type LabFlow =
  | { readonly kind: 'ping'; readonly from: EndpointSpec; readonly to: EndpointSpec; readonly text: string }
  | { readonly kind: 'tcp' | 'udp'; readonly from: EndpointSpec; readonly to: EndpointSpec; readonly port: number; readonly text: string }
  | { readonly kind: 'dns'; readonly from: PodSpec; readonly name: string; readonly text: string };

type PodSpec = Extract<EndpointSpec, { kind: 'pod' }>;

export const FLOW_SYNTAX = 'ping:SRC->DST, tcp:SRC->DST:PORT, udp:SRC->DST:PORT or dns:NS/POD->NAME (SRC/DST: NS/POD, node/NAME, svc/NS/NAME or an IPv4 address)';

export function endpointText(e: EndpointSpec): string {
  return match(e)
    .with({ kind: 'pod' }, (p) => `${p.namespace}/${p.name}`)
    .with({ kind: 'service' }, (s) => `svc/${s.namespace}/${s.name}`)
    .with({ kind: 'node' }, (n) => `node/${n.name}`)
    .with({ kind: 'ip' }, (i) => formatIpv4(i.ip))
    .with({ kind: 'external' }, (x) => `external:${formatIpv4(x.ip)}`)
    .exhaustive();
}

/** `ping:default/pod-a->default/pod-b`, `tcp:default/pod-a->svc/default/web:80`, `dns:default/debian->web.prod`. */
export function parseFlow(text: string): Result<LabFlow, string> {
  const m = /^(ping|tcp|udp|dns):(.+?)->(.+)$/.exec(text.trim());
  if (!m || m[1] === undefined || m[2] === undefined || m[3] === undefined) return err(`flow "${text}": expected ${FLOW_SYNTAX}`);
  const [, kind, fromText, toText] = m;
  const from = parseEndpointSpec(fromText);
  if (!from.ok) return err(`flow "${text}": source ${from.error}`);
  if (kind === 'dns') {
    if (from.value.kind !== 'pod') return err(`flow "${text}": a DNS lookup runs in a pod (NS/POD), not ${fromText}`);
    if (!/^[A-Za-z0-9_.-]+$/.test(toText)) return err(`flow "${text}": "${toText}" is not a DNS name`);
    return ok({ kind: 'dns', from: from.value, name: toText, text: `dns:${endpointText(from.value)}->${toText}` });
  }
  const portMatch = /^(.*):(\d+)$/.exec(toText);
  if (kind === 'ping') {
    if (portMatch) return err(`flow "${text}": ping has no port; write ping:SRC->DST`);
    const to = parseEndpointSpec(toText);
    if (!to.ok) return err(`flow "${text}": destination ${to.error}`);
    return ok({ kind: 'ping', from: from.value, to: to.value, text: `ping:${endpointText(from.value)}->${endpointText(to.value)}` });
  }
  if (!portMatch || portMatch[1] === undefined || portMatch[2] === undefined) return err(`flow "${text}": ${kind} needs a destination port: ${kind}:SRC->DST:PORT`);
  const port = Number(portMatch[2]);
  if (port < 1 || port > 65535) return err(`flow "${text}": port ${portMatch[2]} is not 1 to 65535`);
  const to = parseEndpointSpec(portMatch[1]);
  if (!to.ok) return err(`flow "${text}": destination ${to.error}`);
  const k = kind === 'tcp' ? 'tcp' : 'udp';
  return ok({ kind: k, from: from.value, to: to.value, port, text: `${k}:${endpointText(from.value)}->${endpointText(to.value)}:${port}` });
}

/** The pod annotation naming the image's C library (as `podnet dns` reads it). */
const LIBC_ANNOTATION = 'podnet.dev/libc';

/**
 * The flows a topology is checked with when none are given: every pod pings every other pod and
 * every node; the first pod on each node connects to every ClusterIP Service port (TCP or UDP as
 * declared); and when the cluster runs CoreDNS, the pods that name their libc (else the first
 * pod) look up every Service as `NAME.NAMESPACE`, which walks the search list.
 */
export function defaultFlows(system: System, cluster: Cluster): LabFlow[] {
  const pods = cluster.pods.filter((p) => !p.hostNetwork);
  const podSpec = (p: (typeof pods)[number]): PodSpec => ({ kind: 'pod', namespace: p.namespace, name: p.name });
  const out: LabFlow[] = [];
  const add = (text: string): void => {
    const f = parseFlow(text);
    if (!f.ok) throw new Error(`default flow: ${f.error}`);
    out.push(f.value);
  };
  for (const a of pods) for (const b of pods) if (a !== b) add(`ping:${a.namespace}/${a.name}->${b.namespace}/${b.name}`);
  for (const a of pods) for (const n of cluster.nodes) add(`ping:${a.namespace}/${a.name}->node/${n.name}`);
  const firstPerNode = cluster.nodes.flatMap((n) => pods.filter((p) => p.nodeName === n.name).slice(0, 1));
  for (const svc of system.services.values()) {
    if (svc.clusterIP === null) continue;
    for (const port of svc.ports) {
      if (port.protocol === 'SCTP') continue;
      for (const c of firstPerNode) add(`${port.protocol.toLowerCase()}:${c.namespace}/${c.name}->svc/${svc.namespace}/${svc.name}:${port.port}`);
    }
  }
  if (coreDnsPods(cluster).length > 0) {
    const dnsPods = new Set(coreDnsPods(cluster));
    const named = pods.filter((p) => p.annotations[LIBC_ANNOTATION] !== undefined && !dnsPods.has(p));
    const clients = named.length > 0 ? named : pods.filter((p) => !dnsPods.has(p)).slice(0, 1);
    for (const c of clients) for (const svc of cluster.services) out.push({ kind: 'dns', from: podSpec(c), name: `${svc.name}.${svc.namespace}`, text: `dns:${c.namespace}/${c.name}->${svc.name}.${svc.namespace}` });
  }
  return out;
}

import { match } from 'ts-pattern';
import { formatIpv4, parseIpv4, type Ipv4 } from '../net/ipv4.js';
import { err, ok, type Result } from '../lib/result.js';
import type { NetnsInfo, System } from '../topology/system.js';
import { DEFAULT_EXTERNAL_CLIENT, EXTERNAL_CLIENT_NETNS } from '../topology/underlay.js';

/** A source or destination as the user names it: `NS/POD`, `node/NAME`, or an IP address. */
export type EndpointSpec =
  | { readonly kind: 'pod'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'service'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'node'; readonly name: string }
  | { readonly kind: 'ip'; readonly ip: Ipv4 }
  /** A client outside the cluster, behind the underlay router (`external[:IP]`). */
  | { readonly kind: 'external'; readonly ip: Ipv4 };

/** A resolved endpoint: where packets start from or are aimed at. */
export interface Endpoint {
  readonly spec: EndpointSpec;
  /** The netns that owns the address, when one does (an external IP has none). */
  readonly netns: NetnsInfo | null;
  readonly ip: Ipv4;
  readonly label: string;
}

export function parseEndpointSpec(text: string): Result<EndpointSpec, string> {
  if (text === 'external' || text.startsWith('external:')) {
    const ip = parseIpv4(text === 'external' ? DEFAULT_EXTERNAL_CLIENT : text.slice('external:'.length));
    return ip.ok ? ok({ kind: 'external', ip: ip.value }) : err(`"${text}": expected external or external:IPV4 (${ip.error})`);
  }
  if (text.startsWith('svc/')) {
    const parts = text.slice(4).split('/');
    if (parts.length === 2 && parts[0] && parts[1]) return ok({ kind: 'service', namespace: parts[0], name: parts[1] });
    if (parts.length === 1 && parts[0]) return ok({ kind: 'service', namespace: 'default', name: parts[0] });
    return err(`"${text}": expected svc/NS/NAME`);
  }
  if (text.startsWith('node/')) {
    const name = text.slice(5);
    return name ? ok({ kind: 'node', name }) : err(`"${text}": expected node/NAME`);
  }
  const ip = parseIpv4(text);
  if (ip.ok) return ok({ kind: 'ip', ip: ip.value });
  const parts = text.split('/');
  if (parts.length === 2 && parts[0] && parts[1]) return ok({ kind: 'pod', namespace: parts[0], name: parts[1] });
  if (parts.length === 1 && parts[0] && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(parts[0])) return ok({ kind: 'pod', namespace: 'default', name: parts[0] });
  return err(`"${text}" is not an endpoint; expected NS/POD, svc/NS/NAME, node/NAME, external[:IP] or an IPv4 address`);
}

export function resolveEndpoint(system: System, spec: EndpointSpec): Result<Endpoint, string> {
  const infos = [...system.netns.values()];
  return match(spec)
    .with({ kind: 'pod' }, (s): Result<Endpoint, string> => {
      const info = infos.find((i) => i.role.kind === 'pod' && i.role.namespace === s.namespace && i.role.name === s.name);
      const host = system.hostNetworkPods.get(`${s.namespace}/${s.name}`);
      if (!info && host) {
        const nodeInfo = system.netns.get(host.netns) ?? null;
        return ok({ spec, netns: nodeInfo, ip: host.ip, label: `hostNetwork pod ${s.namespace}/${s.name} (${formatIpv4(host.ip)}, in ${nodeInfo?.where ?? host.netns}'s netns)` });
      }
      if (!info || info.ip === null) {
        const known = infos.filter((i) => i.role.kind === 'pod').map((i) => i.where.replace(/^pod /, ''));
        return err(`no pod ${s.namespace}/${s.name} in ${system.name}; pods: ${known.join(', ') || 'none'}`);
      }
      return ok({ spec, netns: info, ip: info.ip, label: `${info.where} (${formatIpv4(info.ip)})` });
    })
    .with({ kind: 'service' }, (s): Result<Endpoint, string> => {
      const svc = system.services.get(`${s.namespace}/${s.name}`);
      if (!svc) return err(`no service ${s.namespace}/${s.name} in ${system.name}; services: ${[...system.services.keys()].join(', ') || 'none'}`);
      if (svc.clusterIP === null) return err(`service ${s.namespace}/${s.name} is headless (clusterIP: None): it has no address of its own; trace to one of its pods`);
      return ok({ spec, netns: null, ip: svc.clusterIP, label: `service ${s.namespace}/${s.name} (ClusterIP ${formatIpv4(svc.clusterIP)})` });
    })
    .with({ kind: 'node' }, (s): Result<Endpoint, string> => {
      const info = infos.find((i) => i.role.kind === 'node' && i.role.node === s.name);
      if (!info || info.ip === null) {
        const known = infos.filter((i) => i.role.kind === 'node').map((i) => i.where);
        return err(`no node ${s.name} in ${system.name}; nodes: ${known.join(', ')}`);
      }
      return ok({ spec, netns: info, ip: info.ip, label: `node ${s.name} (${formatIpv4(info.ip)})` });
    })
    .with({ kind: 'external' }, (s): Result<Endpoint, string> => {
      const info = system.netns.get(EXTERNAL_CLIENT_NETNS);
      if (!info || info.ip !== s.ip) return err(`no external client ${formatIpv4(s.ip)} in ${system.name} (it is added for a trace that starts or ends there)`);
      return ok({ spec, netns: info, ip: s.ip, label: `external client ${formatIpv4(s.ip)}` });
    })
    .with({ kind: 'ip' }, (s): Result<Endpoint, string> => {
      // A pod's own netns owns its IP; hostNetwork pods share the node's.
      const owner = infos.find((i) => i.ip === s.ip && i.role.kind === 'pod') ?? infos.find((i) => i.ip === s.ip) ?? null;
      return ok({ spec, netns: owner, ip: s.ip, label: owner ? `${owner.where} (${formatIpv4(s.ip)})` : formatIpv4(s.ip) });
    })
    .exhaustive();
}

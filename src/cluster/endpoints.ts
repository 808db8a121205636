import { fnv32 } from '../lib/hash.js';
import {
  ENDPOINTSLICE_CONTROLLER,
  MANAGED_BY_LABEL,
  SERVICE_NAME_LABEL,
  type Endpoint,
  type EndpointPort,
  type EndpointSlice,
} from './endpoint-slice.js';
import type { Labels } from './meta.js';
import type { Pod } from './pod.js';
import type { Service, ServicePort } from './service.js';
import { kubeSuffix } from './names.js';

/** A Service's selector: every key must be present with the same value (set-based selectors are for workloads). */
export function serviceSelects(selector: Labels, labels: Labels): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/**
 * `podutil.FindPort`: a numeric targetPort is used as is; a named one is looked up among the
 * pod's container ports with the same protocol. null when the pod has no such named port.
 */
export function findPodPort(pod: Pod, sp: ServicePort): number | null {
  if (typeof sp.targetPort === 'number') return sp.targetPort;
  for (const c of pod.containers) {
    for (const p of c.ports) if (p.name === sp.targetPort && p.protocol === sp.protocol) return p.containerPort;
  }
  return null;
}

/** The most endpoints the controller puts in one slice (`--max-endpoints-per-slice`). */
export const MAX_ENDPOINTS_PER_SLICE = 100;

/**
 * What the EndpointSlice controller (k8s.io/endpointslice reconciler) creates for a Service
 * with a selector: one endpoint per matching pod that has an IP, grouped into slices by the set
 * of resolved ports. Conditions follow the controller: `serving` is the pod's Ready condition;
 * `ready` is Ready and not terminating, or always true with publishNotReadyAddresses.
 * Returns [] for services without a selector (their slices are managed by hand) and for
 * ExternalName services.
 */
export function deriveEndpointSlices(service: Service, pods: readonly Pod[]): EndpointSlice[] {
  if (service.selector === null || service.type === 'ExternalName') return [];
  const selector = service.selector;
  const groups = new Map<string, { ports: EndpointPort[]; endpoints: Endpoint[] }>();
  for (const pod of pods) {
    if (pod.namespace !== service.namespace || !serviceSelects(selector, pod.labels)) continue;
    const ports: EndpointPort[] = [];
    for (const sp of service.ports) {
      const port = findPodPort(pod, sp);
      if (port !== null) ports.push({ name: sp.name, protocol: sp.protocol, port });
    }
    const serving = pod.ready;
    const ready = service.publishNotReadyAddresses || (pod.ready && !pod.terminating);
    const endpoint: Endpoint = {
      addresses: [pod.ip],
      conditions: { ready, serving, terminating: pod.terminating },
      nodeName: pod.nodeName,
      hostname: pod.hostname !== null && pod.subdomain === service.name ? pod.hostname : null,
      targetRef: { kind: 'Pod', namespace: pod.namespace, name: pod.name },
    };
    const key = JSON.stringify(ports);
    const group = groups.get(key) ?? { ports, endpoints: [] };
    group.endpoints.push(endpoint);
    groups.set(key, group);
  }
  const labels: Labels = { ...service.labels, [SERVICE_NAME_LABEL]: service.name, [MANAGED_BY_LABEL]: ENDPOINTSLICE_CONTROLLER };
  const slices: EndpointSlice[] = [];
  const names = new Set<string>();
  const make = (ports: EndpointPort[], endpoints: Endpoint[]): void => {
    // generateName: "<service>-" (truncated to leave room) plus five random characters.
    const prefix = `${service.name.slice(0, 57)}-`;
    let name = '';
    for (let attempt = 0; name === '' || names.has(name); attempt++) {
      name = prefix + kubeSuffix(fnv32(`${service.namespace}/${service.name}/${slices.length}/${attempt}`));
    }
    names.add(name);
    slices.push({
      namespace: service.namespace,
      name,
      serviceName: service.name,
      labels,
      addressType: 'IPv4',
      endpoints,
      ports,
      derived: true,
      source: null,
    });
  };
  for (const { ports, endpoints } of groups.values()) {
    for (let i = 0; i < endpoints.length; i += MAX_ENDPOINTS_PER_SLICE) make(ports, endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE));
  }
  // A service with a selector and no matching pods still gets one empty slice with its ports.
  if (slices.length === 0) {
    make(
      service.ports.flatMap((sp) => (typeof sp.targetPort === 'number' ? [{ name: sp.name, protocol: sp.protocol, port: sp.targetPort }] : [])),
      [],
    );
  }
  return slices;
}

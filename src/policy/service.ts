import type { EndpointSlice } from '../cluster/endpoint-slice.js';
import type { Protocol } from '../cluster/meta.js';
import type { Service, ServicePort } from '../cluster/service.js';
import { err, ok, type Result } from '../lib/result.js';
import { podKey, type PolicyPod } from './model.js';

/**
 * NetworkPolicy knows nothing of Services: traffic to a ClusterIP / NodePort is judged on the
 * backend pod IP and targetPort, after kube-proxy's DNAT (netpol.md rule 29). This resolves a
 * Service port to those backends from the EndpointSlices, as kube-proxy would (ready endpoints).
 */

export interface ServiceBackend {
  readonly pod: PolicyPod;
  /** The port after DNAT (the resolved targetPort). */
  readonly port: number;
}

export interface ServiceTargets {
  readonly service: Service;
  readonly servicePort: ServicePort;
  readonly backends: readonly ServiceBackend[];
}

export interface ServiceData {
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
}

export function serviceTargets(data: ServiceData, pods: readonly PolicyPod[], namespace: string, name: string, port: number, protocol: Protocol): Result<ServiceTargets, string> {
  const service = data.services.find((s) => s.namespace === namespace && s.name === name);
  if (!service) return err(`no service ${namespace}/${name}; services: ${data.services.map((s) => `${s.namespace}/${s.name}`).join(', ') || 'none'}`);
  if (service.type === 'ExternalName') return err(`service ${namespace}/${name} is an ExternalName (a DNS alias for ${service.externalName ?? '?'}): no DNAT, nothing for NetworkPolicy to judge`);
  const servicePort = service.ports.find((p) => p.port === port && p.protocol === protocol);
  if (!servicePort) {
    return err(`service ${namespace}/${name} has no port ${port}/${protocol}; its ports: ${service.ports.map((p) => `${p.port}/${p.protocol}`).join(', ') || 'none'}`);
  }
  const byKey = new Map(pods.map((p) => [podKey(p), p] as const));
  const backends: ServiceBackend[] = [];
  for (const slice of data.endpointSlices) {
    if (slice.namespace !== namespace || slice.serviceName !== name) continue;
    const sp = slice.ports.find((p) => p.name === servicePort.name && p.protocol === protocol);
    if (!sp || sp.port === null) continue;
    for (const ep of slice.endpoints) {
      if (!ep.conditions.ready || ep.targetRef === null) continue;
      const pod = byKey.get(`${ep.targetRef.namespace}/${ep.targetRef.name}`);
      if (pod) backends.push({ pod, port: sp.port });
    }
  }
  return ok({ service, servicePort, backends });
}

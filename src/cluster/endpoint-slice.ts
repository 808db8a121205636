import type { Ipv4 } from '../net/ipv4.js';
import type { Labels, Protocol, SourcePos } from './meta.js';

/** The label tying a slice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** The label the EndpointSlice controller puts on slices it manages. */
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const ENDPOINTSLICE_CONTROLLER = 'endpointslice-controller.k8s.io';

export interface EndpointConditions {
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
}

export interface Endpoint {
  readonly addresses: readonly Ipv4[];
  readonly conditions: EndpointConditions;
  readonly nodeName: string | null;
  readonly hostname: string | null;
  readonly targetRef: { readonly kind: 'Pod'; readonly namespace: string; readonly name: string } | null;
}

export interface EndpointPort {
  readonly name: string | null;
  readonly protocol: Protocol;
  /** null means "all ports" (allowed by the API, used by no controller). */
  readonly port: number | null;
}

export interface EndpointSlice {
  readonly namespace: string;
  readonly name: string;
  /** The `kubernetes.io/service-name` label. */
  readonly serviceName: string;
  readonly labels: Labels;
  readonly addressType: 'IPv4';
  readonly endpoints: readonly Endpoint[];
  readonly ports: readonly EndpointPort[];
  /** True when podnet derived it from a Service selector, as the EndpointSlice controller would. */
  readonly derived: boolean;
  /** null for derived slices. */
  readonly source: SourcePos | null;
}

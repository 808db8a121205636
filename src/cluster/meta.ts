/**
 * Metadata shared by every Kubernetes object podnet models. All cluster types are readonly data:
 * built once by the topology loader, never mutated afterwards.
 */

/** `metadata.labels` / `metadata.annotations`: string keys to string values. */
export type Labels = Readonly<Record<string, string>>;

/** Where an object came from in the user's input, for messages that point back at it. */
export interface SourcePos {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
}

/** L4 protocols Kubernetes allows in container ports, Service ports and EndpointSlices. */
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

/** `namespace/name`, the key kubectl and kube-proxy use for namespaced objects. */
export function qualifiedName(o: { readonly namespace: string; readonly name: string }): string {
  return `${o.namespace}/${o.name}`;
}

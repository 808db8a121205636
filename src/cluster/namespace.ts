import type { Labels, SourcePos } from './meta.js';

/** The label the API server sets on every namespace (Kubernetes 1.22+). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface Namespace {
  readonly name: string;
  /** Always includes `kubernetes.io/metadata.name: <name>`. */
  readonly labels: Labels;
  /** null for namespaces created implicitly (default, kube-system, ones pods refer to). */
  readonly source: SourcePos | null;
}

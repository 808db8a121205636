import { formatInputError } from '../../src/lib/input-error.js';
import { parseTopology, type LoadOptions } from '../../src/topology/load.js';
import type { Cluster } from '../../src/cluster/cluster.js';

/** Strip the common indentation of a template literal and its first newline. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = String.raw({ raw: strings }, ...values).replace(/^\n/, '');
  const indent = Math.min(...text.split('\n').filter((l) => l.trim() !== '').map((l) => l.match(/^ */)?.[0].length ?? 0));
  return text
    .split('\n')
    .map((l) => l.slice(indent))
    .join('\n');
}

export function loadOk(text: string, options: LoadOptions = {}): Cluster {
  const r = parseTopology(text, 'test.yaml', options);
  if (!r.ok) throw new Error(`expected the topology to load, got: ${formatInputError(r.error)}`);
  return r.value;
}

/** The error as the CLI prints it: `test.yaml:LINE:COL: message`. */
export function loadErr(text: string): string {
  const r = parseTopology(text, 'test.yaml');
  if (r.ok) throw new Error('expected an error, but the topology loaded');
  return formatInputError(r.error);
}

/** A header with two nodes on 192.168.1.0/24, for tests that add manifests after it. */
export const HEADER = yaml`
  apiVersion: podnet.dev/v1alpha1
  kind: Topology
  metadata: {name: t}
  spec:
    nodes:
      - {name: node1, ip: 192.168.1.101}
      - {name: node2, ip: 192.168.1.102}
`;

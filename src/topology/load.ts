import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { isMap, isScalar, LineCounter, parseAllDocuments, type Document, type Node as YNode } from 'yaml';
import { err, ok, type Result } from '../lib/result.js';
import { inputError, type InputError } from '../lib/input-error.js';
import type { Cluster } from '../cluster/cluster.js';
import type { EndpointSlice } from '../cluster/endpoint-slice.js';
import type { CniConfig, CniKind } from '../cluster/header.js';
import type { Namespace } from '../cluster/namespace.js';
import { defaultHeader, HEADER_KIND, parseHeader, type RawHeader, type RawNode } from './parse-header.js';
import { manifestKind, parseManifest, type RawNetworkPolicy, type RawService } from './parse-manifests.js';
import { describe, fail, failAt, isNull, LoadFailure, mapOf, posAt, rootVal, seqOf, str, type Src, type Val } from './parse-yaml.js';
import { assembleCluster, type RawInput } from './load-cluster.js';

export interface LoadOptions {
  /**
   * Run the topology with this CNI instead of the header's (`podnet compare --cni ...`). A kind
   * alone keeps the header's block when it is for that CNI, else that CNI's defaults apply; a
   * full configuration (e.g. calico with mode ipip) replaces the header's block. Either way the
   * cluster is assembled again, since IPAM depends on it (Calico's tunnel address takes a
   * block's ordinal 0 in IPIP/VXLAN mode).
   */
  readonly cni?: CniKind | CniConfig;
}

/** Read and load a topology file. Never throws for bad input: the first problem is returned. */
export async function loadTopology(path: string, options: LoadOptions = {}): Promise<Result<Cluster, InputError>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : String(e);
    return err(inputError(path, `cannot read the topology file: ${why}`));
  }
  return parseTopology(text, path, options);
}

/**
 * Load a topology from text. `fileName` is used in messages and, without a header name, as the
 * topology's name. Pure: same text, same Cluster.
 *
 * The text is a podnet header (`kind: Topology`) followed by Kubernetes manifests, or
 * manifests alone (including a `kind: List` as `kubectl get -o yaml` prints), which load with a
 * kubeadm + Flannel cluster's defaults.
 */
export function parseTopology(text: string, fileName: string, options: LoadOptions = {}): Result<Cluster, InputError> {
  try {
    return ok(load(text, fileName, options));
  } catch (e) {
    if (e instanceof LoadFailure) return err(e.error);
    throw e;
  }
}

function load(text: string, file: string, options: LoadOptions): Cluster {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false });
  if (!Array.isArray(docs)) throw new LoadFailure(inputError(file, 'the file is empty (no YAML documents); expected a podnet header (kind: Topology) or Kubernetes manifests'));
  const parsed: Document.Parsed[] = docs;
  // YAML syntax first: nothing is read from a file that does not parse.
  for (const doc of parsed) {
    const e = doc.errors[0];
    if (e) {
      const src: Src = { file, lc, doc };
      failAt(posAt(src, e.pos[0]), `invalid YAML: ${yamlMessage(e.message)}`);
    }
  }

  let header: RawHeader | null = null;
  let seenDocument = false;
  const namespaces: Namespace[] = [];
  const workloads: RawInput['workloads'][number][] = [];
  const services: RawService[] = [];
  const endpointSlices: EndpointSlice[] = [];
  const networkPolicies: RawNetworkPolicy[] = [];
  const nodes: RawNode[] = [];

  const take = (v: Val): void => {
    const m = parseManifest(v);
    switch (m.kind) {
      case 'Namespace':
        namespaces.push(m.namespace);
        break;
      case 'Pod':
        workloads.push({ kind: 'pod', pod: m.pod });
        break;
      case 'Workload':
        workloads.push({ kind: 'workload', workload: m.workload });
        break;
      case 'Service':
        services.push(m.service);
        break;
      case 'EndpointSlice':
        endpointSlices.push(m.slice);
        break;
      case 'NetworkPolicy':
        networkPolicies.push(m.policy);
        break;
      case 'Node':
        nodes.push(m.node);
        break;
      case 'Ignored':
        break;
    }
  };

  for (const doc of parsed) {
    const src: Src = { file, lc, doc };
    const contents = doc.contents as YNode | null;
    if (contents === null || isNull(contents)) continue;
    const root = rootVal(src, contents, 'manifest');
    if (!seenDocument && isMap(root.node) && kindOf(root.node) === HEADER_KIND) {
      const parsed = parseHeader(rootVal(src, contents, HEADER_KIND), overrideKind(options));
      header = typeof options.cni === 'object' ? { ...parsed, cni: options.cni } : parsed;
      seenDocument = true;
      continue;
    }
    seenDocument = true;
    if (!isMap(root.node)) fail(root, `expected a Kubernetes manifest (a mapping with apiVersion and kind), found ${describe(root.node)}`);
    const kind = manifestKind(mapOf(root, null));
    if (kind !== 'List') {
      take(root);
      continue;
    }
    const list = mapOf({ ...root, path: 'List' }, { read: ['apiVersion', 'kind', 'items'], ignore: ['metadata'] });
    const av = list.require('apiVersion');
    if (str(av) !== 'v1') fail(av, `expected apiVersion v1 for a List, found ${JSON.stringify(str(av))}`);
    const items = list.get('items');
    for (const item of items ? seqOf(items) : []) {
      if (isNull(item.node)) continue;
      take(item);
    }
  }
  if (!seenDocument) throw new LoadFailure(inputError(file, 'the file is empty (no YAML documents); expected a podnet header (kind: Topology) or Kubernetes manifests'));

  const ext = extname(file);
  return assembleCluster({
    file,
    baseName: basename(file, ext === '.yaml' || ext === '.yml' ? ext : ''),
    header: header ?? headerlessDefaults(options),
    hasHeader: header !== null,
    namespaces,
    workloads,
    services,
    endpointSlices,
    networkPolicies,
    nodes,
  });
}

function kindOf(node: YNode): string | null {
  if (!isMap(node)) return null;
  for (const pair of node.items) {
    const k = pair.key as YNode | null;
    const v = pair.value as YNode | null;
    if (k && isScalar(k) && k.value === 'kind' && v && isScalar(v) && typeof v.value === 'string') return v.value;
  }
  return null;
}

function overrideKind(options: LoadOptions): CniKind | null {
  if (options.cni === undefined) return null;
  return typeof options.cni === 'string' ? options.cni : options.cni.kind;
}

/** The header a file without one gets, running the CNI the options ask for. */
function headerlessDefaults(options: LoadOptions): RawHeader {
  if (typeof options.cni === 'object') return { ...defaultHeader(), cni: options.cni };
  return options.cni === 'calico' ? parseHeaderDefaultsFor('calico') : defaultHeader();
}

/** A default header running Calico (for `--cni calico` on a file without a header). */
function parseHeaderDefaultsFor(cni: 'calico'): RawHeader {
  const base = defaultHeader();
  return {
    ...base,
    cni: { kind: cni, mode: 'bgp', crossSubnet: false, bgp: { asNumber: 64512, topology: { kind: 'full-mesh' } }, blockSize: 26, natOutgoing: true },
  };
}

/** The yaml library's message without its own position suffix (we print file:line:col). */
function yamlMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?\s*$/, '');
}

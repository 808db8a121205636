import type { Cidr } from '../net/cidr.js';
import type { Ipv4 } from '../net/ipv4.js';
import type { Endpoint, EndpointPort, EndpointSlice } from '../cluster/endpoint-slice.js';
import { SERVICE_NAME_LABEL } from '../cluster/endpoint-slice.js';
import type { Labels, Protocol, SourcePos } from '../cluster/meta.js';
import { PROTOCOLS } from '../cluster/meta.js';
import type { Namespace } from '../cluster/namespace.js';
import { selectorMatches, type LabelSelector } from '../cluster/label-selector.js';
import { NAMESPACE_NAME_LABEL } from '../cluster/namespace.js';
import { DEFAULT_NODE_MTU, DEFAULT_NODE_SUBNET_PREFIX } from '../cluster/node.js';
import type { Container, ContainerPort, DnsPolicy, PodDnsConfig, PodOwner } from '../cluster/pod.js';
import { DNS_POLICIES } from '../cluster/pod.js';
import type { SessionAffinity, ServiceType } from '../cluster/service.js';
import { DEFAULT_AFFINITY_TIMEOUT_SECONDS, SERVICE_TYPES } from '../cluster/service.js';
import type { RawNode } from './parse-header.js';
import {
  CONTAINER_IGNORED,
  DEPLOYMENT_SPEC_IGNORED,
  IGNORED_KINDS,
  NODE_SPEC_IGNORED,
  NODE_STATUS_IGNORED,
  OBJECT_META_IGNORED,
  POD_SPEC_IGNORED,
  POD_STATUS_IGNORED,
  SERVICE_SPEC_IGNORED,
  STATEFULSET_SPEC_IGNORED,
} from './parse-k8s-fields.js';
import {
  bool,
  cidrOfVal,
  closest,
  expected,
  fail,
  int,
  ipv4Of,
  k8sName,
  mapOf,
  nonEmptyStr,
  oneOf,
  posOf,
  seqOf,
  str,
  stringMap,
  LoadFailure,
  type MapView,
  type Val,
} from './parse-yaml.js';
import type { NetworkPolicy } from '../cluster/network-policy.js';
import { networkPolicyFromManifest } from '../policy/manifest.js';
import { yamlPositionOf } from '../policy/manifest-positions.js';

/** A value together with where it was written. */
export interface At<T> {
  readonly value: T;
  readonly pos: SourcePos;
}

/** The scheduling- and network-relevant parts of a pod spec (a Pod's or a template's). */
export interface RawPodSpec {
  readonly nodeName: At<string> | null;
  readonly nodeSelector: Labels;
  readonly hostNetwork: boolean;
  readonly containers: readonly Container[];
  readonly hostname: string | null;
  readonly subdomain: string | null;
  readonly dnsPolicy: DnsPolicy;
  readonly dnsConfig: PodDnsConfig | null;
}

export interface RawPod {
  /** For messages: "Pod default/a", or "Deployment default/web" for the pods it expands to. */
  readonly what: string;
  /** Where the pod spec is in that object: "spec" or "spec.template.spec". */
  readonly specPath: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string | null;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly spec: RawPodSpec;
  /** `status.podIP`. */
  readonly ip: At<Ipv4> | null;
  /** `status.hostIP`: tells which address a node inferred from a dump has. */
  readonly hostIP: Ipv4 | null;
  readonly owner: PodOwner | null;
  /** `metadata.ownerReferences` (kind, name): a dumped pod that belongs to a Deployment/StatefulSet. */
  readonly ownerRefs: readonly { readonly kind: string; readonly name: string }[];
  readonly ready: boolean;
  readonly terminating: boolean;
  /** `status.phase` Succeeded or Failed: the pod has finished and its sandbox and IP are gone. */
  readonly finished: boolean;
  readonly source: SourcePos;
}

export interface RawWorkload {
  readonly kind: 'Deployment' | 'StatefulSet';
  readonly namespace: string;
  readonly name: string;
  readonly replicas: number;
  /** metav1.LabelSelector, as Deployments and StatefulSets carry it. */
  readonly selector: LabelSelector;
  readonly templateLabels: Labels;
  readonly templateAnnotations: Labels;
  readonly spec: RawPodSpec;
  /** StatefulSet `serviceName`; null for Deployments. */
  readonly serviceName: string | null;
  /** A stable text of the pod template, the input of the pod-template-hash. */
  readonly templateText: string;
  readonly source: SourcePos;
}

export interface RawServicePort {
  readonly name: string | null;
  readonly protocol: Protocol;
  readonly port: number;
  readonly targetPort: number | string;
  readonly nodePort: At<number> | null;
}

export interface RawService {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly type: ServiceType;
  /** As written: null = allocate one; 'None' = headless. */
  readonly clusterIP: At<Ipv4 | 'None'> | null;
  readonly ports: readonly RawServicePort[];
  readonly selector: Labels | null;
  readonly sessionAffinity: SessionAffinity;
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  readonly internalTrafficPolicy: 'Cluster' | 'Local';
  readonly loadBalancerIngress: readonly Ipv4[];
  readonly loadBalancerSourceRanges: readonly Cidr[];
  readonly externalIPs: readonly Ipv4[];
  readonly externalName: string | null;
  readonly publishNotReadyAddresses: boolean;
  readonly healthCheckNodePort: At<number> | null;
  readonly source: SourcePos;
}

/** A NetworkPolicy typed by policy/manifest.ts, with its position for duplicate checks. */
export interface RawNetworkPolicy {
  readonly namespace: string;
  readonly name: string;
  readonly policy: NetworkPolicy;
  readonly source: SourcePos;
}

export type Manifest =
  | { readonly kind: 'Namespace'; readonly namespace: Namespace }
  | { readonly kind: 'Pod'; readonly pod: RawPod }
  | { readonly kind: 'Workload'; readonly workload: RawWorkload }
  | { readonly kind: 'Service'; readonly service: RawService }
  | { readonly kind: 'EndpointSlice'; readonly slice: EndpointSlice }
  | { readonly kind: 'NetworkPolicy'; readonly policy: RawNetworkPolicy }
  | { readonly kind: 'Node'; readonly node: RawNode }
  | { readonly kind: 'Ignored' };

/** apiVersion of each kind podnet reads. */
export const MODELLED_KINDS: Readonly<Record<string, string>> = {
  Namespace: 'v1',
  Pod: 'v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  Service: 'v1',
  EndpointSlice: 'discovery.k8s.io/v1',
  NetworkPolicy: 'networking.k8s.io/v1',
  Node: 'v1',
};

const TOP_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];

/** `kind` and `apiVersion` of a manifest, checked. */
export function manifestKind(m: MapView): string {
  const kindVal = m.require('kind');
  const kind = nonEmptyStr(kindVal);
  if (kind === 'Topology') {
    fail(kindVal, 'the podnet header (kind: Topology) must be the first document of the file');
  }
  if (kind === 'List') return kind;
  const want = MODELLED_KINDS[kind];
  if (want === undefined) {
    if (IGNORED_KINDS.includes(kind)) return kind;
    const hint = closest(kind, Object.keys(MODELLED_KINDS));
    fail(
      kindVal,
      `unknown kind "${kind}"${hint ? ` (did you mean "${hint}"?)` : ''}; podnet reads ${Object.keys(MODELLED_KINDS).join(', ')} and skips ${IGNORED_KINDS.slice(0, 6).join(', ')} and other kinds that do not change the data path`,
    );
  }
  const av = m.require('apiVersion');
  if (str(av) !== want) fail(av, `expected apiVersion ${want} for a ${kind}, found ${JSON.stringify(str(av))}`);
  return kind;
}

/** Read one manifest (a mapping with apiVersion and kind, not a List). */
export function parseManifest(v: Val): Manifest {
  const probe = mapOf(v, null);
  const kind = manifestKind(probe);
  const root: Val = { ...v, path: kind };
  switch (kind) {
    case 'Namespace':
      return { kind, namespace: parseNamespace(root) };
    case 'Pod':
      return { kind, pod: parsePod(root) };
    case 'Deployment':
    case 'StatefulSet':
      return { kind: 'Workload', workload: parseWorkload(root, kind) };
    case 'Service':
      return { kind, service: parseService(root) };
    case 'EndpointSlice':
      return { kind, slice: parseEndpointSlice(root) };
    case 'NetworkPolicy':
      return { kind, policy: parseNetworkPolicy(root) };
    case 'Node':
      return { kind, node: parseNode(root) };
    default:
      return { kind: 'Ignored' };
  }
}

interface Meta {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly uid: string | null;
  readonly ownerRefs: readonly { readonly kind: string; readonly name: string }[];
  readonly terminating: boolean;
}

type NameRule = Parameters<typeof k8sName>[1];

function parseMeta(top: MapView, opts: { namespaced: boolean; nameRule: NameRule }): Meta {
  const v = top.require('metadata');
  const read = ['name', 'labels', 'annotations', 'deletionTimestamp', ...(opts.namespaced ? ['namespace'] : [])];
  const m = mapOf(v, { read, ignore: OBJECT_META_IGNORED });
  const nameVal = m.get('name');
  if (!nameVal) {
    const gen = m.get('generateName');
    return fail(gen ?? v, `${v.path}: missing required field "name"${gen ? ' (podnet needs a fixed name; generateName is not enough)' : ''}`);
  }
  const name = k8sName(nameVal, opts.nameRule);
  const nsVal = m.get('namespace');
  const namespace = nsVal ? k8sName(nsVal, 'dns1123-label') : 'default';
  const labelsVal = m.get('labels');
  const annVal = m.get('annotations');
  const uidVal = m.get('uid');
  const ownerRefs: { kind: string; name: string }[] = [];
  const ownersVal = m.get('ownerReferences');
  if (ownersVal) {
    for (const o of seqOf(ownersVal)) {
      const om = mapOf(o, null);
      const k = om.get('kind');
      const n = om.get('name');
      if (k && n) ownerRefs.push({ kind: str(k), name: str(n) });
    }
  }
  return {
    name,
    namespace,
    labels: labelsVal ? stringMap(labelsVal, 'label') : {},
    annotations: annVal ? stringMap(annVal, 'annotation') : {},
    uid: uidVal ? str(uidVal) : null,
    ownerRefs,
    terminating: m.has('deletionTimestamp'),
  };
}

function parseNamespace(v: Val): Namespace {
  const top = mapOf(v, { read: TOP_FIELDS });
  const meta = parseMeta(top, { namespaced: false, nameRule: 'dns1123-label' });
  const spec = top.get('spec');
  if (spec) mapOf(spec, { read: [], ignore: ['finalizers'] });
  return { name: meta.name, labels: { ...meta.labels, [NAMESPACE_NAME_LABEL]: meta.name }, source: posOf(v) };
}

const POD_SPEC_READ = ['containers', 'nodeName', 'nodeSelector', 'hostNetwork', 'hostname', 'subdomain', 'dnsPolicy', 'dnsConfig'];

function parsePodSpec(v: Val): RawPodSpec {
  const m = mapOf(v, { read: POD_SPEC_READ, ignore: POD_SPEC_IGNORED });
  const containersVal = m.require('containers');
  const items = seqOf(containersVal);
  if (items.length === 0) expected(containersVal, 'at least one container');
  const names = new Set<string>();
  const containers = items.map((c) => {
    const container = parseContainer(c);
    if (names.has(container.name)) fail(c, `${c.path}: duplicate container name "${container.name}"`);
    names.add(container.name);
    return container;
  });
  const nodeNameVal = m.get('nodeName');
  const selVal = m.get('nodeSelector');
  const hnVal = m.get('hostNetwork');
  const hostnameVal = m.get('hostname');
  const subVal = m.get('subdomain');
  const policyVal = m.get('dnsPolicy');
  const dnsPolicy = policyVal ? oneOf(policyVal, DNS_POLICIES) : 'ClusterFirst';
  const dnsConfigVal = m.get('dnsConfig');
  const dnsConfig = dnsConfigVal ? parseDnsConfig(dnsConfigVal) : null;
  if (dnsPolicy === 'None' && (!dnsConfig || dnsConfig.nameservers.length === 0) && policyVal) {
    fail(policyVal, `${policyVal.path}: dnsPolicy None needs spec.dnsConfig with at least one nameserver`);
  }
  return {
    nodeName: nodeNameVal ? { value: k8sName(nodeNameVal, 'dns1123-subdomain'), pos: posOf(nodeNameVal) } : null,
    nodeSelector: selVal ? stringMap(selVal, 'selector') : {},
    hostNetwork: hnVal ? bool(hnVal) : false,
    containers,
    hostname: hostnameVal ? k8sName(hostnameVal, 'dns1123-label') : null,
    subdomain: subVal ? k8sName(subVal, 'dns1123-label') : null,
    dnsPolicy,
    dnsConfig,
  };
}

function parseContainer(v: Val): Container {
  const m = mapOf(v, { read: ['name', 'ports'], ignore: CONTAINER_IGNORED });
  const name = k8sName(m.require('name'), 'dns1123-label');
  const portsVal = m.get('ports');
  const ports: ContainerPort[] = portsVal ? seqOf(portsVal).map(parseContainerPort) : [];
  return { name, ports };
}

const IANA_SVC_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function portName(v: Val): string {
  const s = str(v);
  if (s.length > 15 || !IANA_SVC_NAME.test(s) || s.includes('--')) {
    return expected(v, 'a port name of up to 15 lower-case letters, digits and \'-\' with at least one letter');
  }
  return s;
}

function protocolOf(m: MapView): Protocol {
  const p = m.get('protocol');
  return p ? oneOf(p, PROTOCOLS) : 'TCP';
}

function parseContainerPort(v: Val): ContainerPort {
  const m = mapOf(v, { read: ['name', 'containerPort', 'protocol', 'hostPort'], ignore: ['hostIP'] });
  const nameVal = m.get('name');
  const hostPortVal = m.get('hostPort');
  return {
    name: nameVal ? portName(nameVal) : null,
    containerPort: int(m.require('containerPort'), 1, 65535),
    protocol: protocolOf(m),
    hostPort: hostPortVal ? int(hostPortVal, 1, 65535) : null,
  };
}

function parseDnsConfig(v: Val): PodDnsConfig {
  const m = mapOf(v, { read: ['nameservers', 'searches', 'options'] });
  const nsVal = m.get('nameservers');
  const nameservers = nsVal ? seqOf(nsVal).map(ipv4Of) : [];
  if (nsVal && nameservers.length > 3) expected(nsVal, 'at most 3 nameservers');
  const sVal = m.get('searches');
  const searches = sVal ? seqOf(sVal).map(nonEmptyStr) : [];
  if (sVal && searches.length > 32) expected(sVal, 'at most 32 search domains');
  const oVal = m.get('options');
  const options = oVal
    ? seqOf(oVal).map((o) => {
        const om = mapOf(o, { read: ['name', 'value'] });
        const value = om.get('value');
        return { name: nonEmptyStr(om.require('name')), value: value ? str(value) : null };
      })
    : [];
  return { nameservers, searches, options };
}

function parsePod(v: Val): RawPod {
  const top = mapOf(v, { read: TOP_FIELDS });
  const meta = parseMeta(top, { namespaced: true, nameRule: 'dns1123-subdomain' });
  const spec = parsePodSpec(top.require('spec'));
  let ip: At<Ipv4> | null = null;
  let hostIP: Ipv4 | null = null;
  let ready = true;
  let finished = false;
  const statusVal = top.get('status');
  if (statusVal) {
    const s = mapOf(statusVal, { read: ['podIP', 'podIPs', 'hostIP', 'phase', 'conditions'], ignore: POD_STATUS_IGNORED });
    const ipVal = s.get('podIP');
    if (ipVal) ip = { value: ipv4Of(ipVal), pos: posOf(ipVal) };
    const ipsVal = s.get('podIPs');
    if (ipsVal) {
      for (const item of seqOf(ipsVal)) {
        const a = ipv4Of(mapOf(item, { read: ['ip'] }).require('ip'));
        if (ip && a !== ip.value) fail(item, `${item.path}: podIPs must start with status.podIP; podnet models one IPv4 address per pod`);
        if (!ip) ip = { value: a, pos: posOf(item) };
      }
    }
    const hostVal = s.get('hostIP');
    if (hostVal) hostIP = ipv4Of(hostVal);
    const phaseVal = s.get('phase');
    const phase = phaseVal ? oneOf(phaseVal, ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const) : null;
    if (phase !== null) ready = phase === 'Running';
    finished = phase === 'Succeeded' || phase === 'Failed';
    const condVal = s.get('conditions');
    if (condVal) {
      for (const c of seqOf(condVal)) {
        const cm = mapOf(c, {
          read: ['type', 'status'],
          ignore: ['lastProbeTime', 'lastTransitionTime', 'reason', 'message', 'observedGeneration'],
        });
        if (str(cm.require('type')) === 'Ready') ready = oneOf(cm.require('status'), ['True', 'False', 'Unknown'] as const) === 'True';
      }
    }
  }
  const ownerRef = meta.ownerRefs.find((o) => ['ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'Deployment'].includes(o.kind));
  return {
    what: `Pod ${meta.namespace}/${meta.name}`,
    specPath: 'spec',
    namespace: meta.namespace,
    name: meta.name,
    uid: meta.uid,
    labels: meta.labels,
    annotations: meta.annotations,
    spec,
    ip,
    hostIP,
    owner: ownerRef ? { kind: ownerRef.kind as PodOwner['kind'], name: ownerRef.name } : null,
    ownerRefs: meta.ownerRefs,
    ready,
    terminating: meta.terminating,
    finished,
    source: posOf(v),
  };
}

function parseSelector(v: Val): LabelSelector {
  const m = mapOf(v, { read: ['matchLabels', 'matchExpressions'] });
  const ml = m.get('matchLabels');
  const me = m.get('matchExpressions');
  const matchExpressions = me
    ? seqOf(me).map((e) => {
        const em = mapOf(e, { read: ['key', 'operator', 'values'] });
        const key = nonEmptyStr(em.require('key'));
        const operatorVal = em.require('operator');
        const operator = oneOf(operatorVal, ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const);
        const valuesVal = em.get('values');
        const values = valuesVal ? seqOf(valuesVal).map(str) : [];
        if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
          fail(operatorVal, `${operatorVal.path}: operator ${operator} needs a non-empty values list`);
        }
        if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0 && valuesVal) {
          fail(valuesVal, `${valuesVal.path}: operator ${operator} takes no values`);
        }
        return { key, operator, values };
      })
    : [];
  const selector = { matchLabels: ml ? stringMap(ml, 'selector') : {}, matchExpressions };
  if (Object.keys(selector.matchLabels).length === 0 && matchExpressions.length === 0) {
    expected(v, 'a non-empty selector (matchLabels or matchExpressions)');
  }
  return selector;
}

function parseWorkload(v: Val, kind: 'Deployment' | 'StatefulSet'): RawWorkload {
  const top = mapOf(v, { read: TOP_FIELDS });
  const meta = parseMeta(top, { namespaced: true, nameRule: kind === 'StatefulSet' ? 'dns1123-label' : 'dns1123-subdomain' });
  const specVal = top.require('spec');
  const read = ['replicas', 'selector', 'template', ...(kind === 'StatefulSet' ? ['serviceName'] : [])];
  const spec = mapOf(specVal, { read, ignore: kind === 'StatefulSet' ? STATEFULSET_SPEC_IGNORED : DEPLOYMENT_SPEC_IGNORED });
  const replicasVal = spec.get('replicas');
  const replicas = replicasVal ? int(replicasVal, 0, 1000) : 1;
  const selectorVal = spec.require('selector');
  const selector = parseSelector(selectorVal);
  const templateVal = spec.require('template');
  const template = mapOf(templateVal, { read: ['metadata', 'spec'] });
  const tmetaVal = template.get('metadata');
  const tmeta = tmetaVal ? mapOf(tmetaVal, { read: ['labels', 'annotations'], ignore: ['name', 'namespace', ...OBJECT_META_IGNORED] }) : null;
  const tlabelsVal = tmeta?.get('labels');
  const templateLabels = tlabelsVal ? stringMap(tlabelsVal, 'label') : {};
  const tannVal = tmeta?.get('annotations');
  if (!selectorMatches(selector, templateLabels)) {
    fail(selectorVal, `${selectorVal.path}: the selector does not match the template's labels (spec.template.metadata.labels), so the ${kind} would own none of its pods`);
  }
  const podSpec = parsePodSpec(template.require('spec'));
  const serviceNameVal = spec.get('serviceName');
  return {
    kind,
    namespace: meta.namespace,
    name: meta.name,
    replicas,
    selector,
    templateLabels,
    templateAnnotations: tannVal ? stringMap(tannVal, 'annotation') : {},
    spec: podSpec,
    serviceName: serviceNameVal ? k8sName(serviceNameVal, 'dns1123-label') : null,
    templateText: JSON.stringify(templateVal.node.toJSON()),
    source: posOf(v),
  };
}

const SERVICE_SPEC_READ = [
  'type',
  'clusterIP',
  'ports',
  'selector',
  'sessionAffinity',
  'sessionAffinityConfig',
  'externalTrafficPolicy',
  'internalTrafficPolicy',
  'externalIPs',
  'externalName',
  'publishNotReadyAddresses',
  'loadBalancerSourceRanges',
  'healthCheckNodePort',
];

/** The default `--service-node-port-range`. */
export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;

function parseService(v: Val): RawService {
  const top = mapOf(v, { read: TOP_FIELDS });
  const meta = parseMeta(top, { namespaced: true, nameRule: 'dns1035-label' });
  const specVal = top.require('spec');
  const spec = mapOf(specVal, { read: SERVICE_SPEC_READ, ignore: SERVICE_SPEC_IGNORED });
  const typeVal = spec.get('type');
  const type: ServiceType = typeVal ? oneOf(typeVal, SERVICE_TYPES) : 'ClusterIP';
  const external = type === 'NodePort' || type === 'LoadBalancer';

  let clusterIP: At<Ipv4 | 'None'> | null = null;
  const cipVal = spec.get('clusterIP');
  if (cipVal) {
    const text = str(cipVal);
    if (text === 'None') {
      if (type !== 'ClusterIP' && type !== 'ExternalName') fail(cipVal, `${cipVal.path}: a headless service (clusterIP: None) must have type ClusterIP, but type is ${type}`);
      clusterIP = { value: 'None', pos: posOf(cipVal) };
    } else if (text !== '') {
      if (type === 'ExternalName') fail(cipVal, `${cipVal.path}: an ExternalName service has no cluster IP; remove clusterIP`);
      clusterIP = { value: ipv4Of(cipVal), pos: posOf(cipVal) };
    }
  }

  const portsVal = spec.get('ports');
  const portItems = portsVal ? seqOf(portsVal) : [];
  if (portItems.length === 0 && type !== 'ExternalName' && clusterIP?.value !== 'None') {
    fail(portsVal ?? specVal, `${(portsVal ?? specVal).path}: expected at least one port (only headless and ExternalName services may have none)`);
  }
  const ports: RawServicePort[] = [];
  for (const item of portItems) {
    const pm = mapOf(item, { read: ['name', 'protocol', 'port', 'targetPort', 'nodePort'], ignore: ['appProtocol'] });
    const nameVal = pm.get('name');
    const name = nameVal ? portName(nameVal) : null;
    if (portItems.length > 1 && name === null) fail(item, `${item.path}: missing required field "name" (every port needs a name when a service has more than one)`);
    if (name !== null && ports.some((p) => p.name === name)) fail(nameVal ?? item, `${item.path}.name: duplicate port name "${name}"`);
    const protocol = protocolOf(pm);
    const portVal = pm.require('port');
    const port = int(portVal, 1, 65535);
    if (ports.some((p) => p.port === port && p.protocol === protocol)) fail(portVal, `${portVal.path}: duplicate port ${port}/${protocol}`);
    const tpVal = pm.get('targetPort');
    let targetPort: number | string = port;
    if (tpVal) targetPort = typeof (tpVal.node as { value?: unknown }).value === 'number' ? int(tpVal, 1, 65535) : portName(tpVal);
    const npVal = pm.get('nodePort');
    let nodePort: At<number> | null = null;
    if (npVal) {
      if (!external) fail(npVal, `${npVal.path}: nodePort applies only to type NodePort or LoadBalancer, but type is ${type}`);
      nodePort = { value: int(npVal, NODE_PORT_MIN, NODE_PORT_MAX), pos: posOf(npVal) };
    }
    ports.push({ name, protocol, port, targetPort, nodePort });
  }

  const selVal = spec.get('selector');
  const affVal = spec.get('sessionAffinity');
  const affinityKind = affVal ? oneOf(affVal, ['None', 'ClientIP'] as const) : 'None';
  let timeoutSeconds = DEFAULT_AFFINITY_TIMEOUT_SECONDS;
  const affCfgVal = spec.get('sessionAffinityConfig');
  if (affCfgVal) {
    const clientIP = mapOf(affCfgVal, { read: ['clientIP'] }).get('clientIP');
    const t = clientIP ? mapOf(clientIP, { read: ['timeoutSeconds'] }).get('timeoutSeconds') : undefined;
    if (t) {
      if (affinityKind !== 'ClientIP') fail(t, `${t.path}: applies only to sessionAffinity: ClientIP`);
      timeoutSeconds = int(t, 1, 86400);
    }
  }
  const etpVal = spec.get('externalTrafficPolicy');
  const externalIPsVal = spec.get('externalIPs');
  const externalIPs = externalIPsVal ? seqOf(externalIPsVal).map(ipv4Of) : [];
  const externalTrafficPolicy = etpVal ? oneOf(etpVal, ['Cluster', 'Local'] as const) : 'Cluster';
  if (etpVal && externalTrafficPolicy === 'Local' && !external && externalIPs.length === 0) {
    fail(etpVal, `${etpVal.path}: externalTrafficPolicy Local applies only to externally reachable services (type NodePort or LoadBalancer, or with externalIPs)`);
  }
  const itpVal = spec.get('internalTrafficPolicy');
  const extNameVal = spec.get('externalName');
  if (type === 'ExternalName' && !extNameVal) fail(specVal, `${specVal.path}: missing required field "externalName" for type ExternalName`);
  if (type !== 'ExternalName' && extNameVal) fail(extNameVal, `${extNameVal.path}: applies only to type ExternalName, but type is ${type}`);
  const pnraVal = spec.get('publishNotReadyAddresses');
  const lbsrVal = spec.get('loadBalancerSourceRanges');
  const hcVal = spec.get('healthCheckNodePort');
  let healthCheckNodePort: At<number> | null = null;
  if (hcVal) {
    if (type !== 'LoadBalancer' || externalTrafficPolicy !== 'Local') {
      fail(hcVal, `${hcVal.path}: applies only to type LoadBalancer with externalTrafficPolicy Local`);
    }
    healthCheckNodePort = { value: int(hcVal, NODE_PORT_MIN, NODE_PORT_MAX), pos: posOf(hcVal) };
  }

  const loadBalancerIngress: Ipv4[] = [];
  const statusVal = top.get('status');
  if (statusVal) {
    const st = mapOf(statusVal, { read: ['loadBalancer'], ignore: ['conditions'] });
    const lb = st.get('loadBalancer');
    const ingress = lb ? mapOf(lb, { read: ['ingress'] }).get('ingress') : undefined;
    if (ingress) {
      for (const item of seqOf(ingress)) {
        const im = mapOf(item, { read: ['ip'], ignore: ['hostname', 'ipMode', 'ports'] });
        const ipVal = im.get('ip');
        if (ipVal) loadBalancerIngress.push(ipv4Of(ipVal));
      }
    }
  }

  return {
    namespace: meta.namespace,
    name: meta.name,
    labels: meta.labels,
    type,
    clusterIP: type === 'ExternalName' ? { value: 'None', pos: posOf(specVal) } : clusterIP,
    ports,
    selector: selVal && type !== 'ExternalName' ? stringMap(selVal, 'selector') : null,
    sessionAffinity: affinityKind === 'None' ? { kind: 'None' } : { kind: 'ClientIP', timeoutSeconds },
    externalTrafficPolicy,
    internalTrafficPolicy: itpVal ? oneOf(itpVal, ['Cluster', 'Local'] as const) : 'Cluster',
    loadBalancerIngress,
    loadBalancerSourceRanges: lbsrVal ? seqOf(lbsrVal).map(cidrOfVal) : [],
    externalIPs,
    externalName: extNameVal ? nonEmptyStr(extNameVal) : null,
    publishNotReadyAddresses: pnraVal ? bool(pnraVal) : false,
    healthCheckNodePort,
    source: posOf(v),
  };
}

function parseEndpointSlice(v: Val): EndpointSlice {
  const top = mapOf(v, { read: ['apiVersion', 'kind', 'metadata', 'addressType', 'endpoints', 'ports'] });
  const meta = parseMeta(top, { namespaced: true, nameRule: 'dns1123-subdomain' });
  const serviceName = meta.labels[SERVICE_NAME_LABEL];
  if (serviceName === undefined) {
    fail(top.require('metadata'), `EndpointSlice metadata: missing label "${SERVICE_NAME_LABEL}" naming the Service the slice belongs to`);
  }
  const atVal = top.require('addressType');
  const addressType = oneOf(atVal, ['IPv4', 'IPv6', 'FQDN'] as const);
  if (addressType !== 'IPv4') fail(atVal, `${atVal.path}: podnet models IPv4 only, found addressType ${addressType}`);
  const epsVal = top.get('endpoints');
  const endpoints: Endpoint[] = epsVal
    ? seqOf(epsVal).map((e) => {
        const em = mapOf(e, {
          read: ['addresses', 'conditions', 'hostname', 'nodeName', 'targetRef'],
          ignore: ['zone', 'hints', 'deprecatedTopology'],
        });
        const addrsVal = em.require('addresses');
        const addresses = seqOf(addrsVal).map(ipv4Of);
        if (addresses.length === 0) expected(addrsVal, 'at least one address');
        const condVal = em.get('conditions');
        const cm = condVal ? mapOf(condVal, { read: ['ready', 'serving', 'terminating'] }) : null;
        const readyVal = cm?.get('ready');
        const servingVal = cm?.get('serving');
        const termVal = cm?.get('terminating');
        // A nil condition means "unknown", which consumers treat as ready (serving follows ready).
        const ready = readyVal ? bool(readyVal) : true;
        const trVal = em.get('targetRef');
        let targetRef: Endpoint['targetRef'] = null;
        if (trVal) {
          const tm = mapOf(trVal, { read: ['kind', 'namespace', 'name'], ignore: ['uid', 'apiVersion', 'resourceVersion', 'fieldPath'] });
          const kindVal = tm.get('kind');
          if (!kindVal || str(kindVal) === 'Pod') {
            const nsVal = tm.get('namespace');
            targetRef = { kind: 'Pod', namespace: nsVal ? str(nsVal) : meta.namespace, name: nonEmptyStr(tm.require('name')) };
          }
        }
        const hostnameVal = em.get('hostname');
        const nodeNameVal = em.get('nodeName');
        return {
          addresses,
          conditions: { ready, serving: servingVal ? bool(servingVal) : ready, terminating: termVal ? bool(termVal) : false },
          nodeName: nodeNameVal ? k8sName(nodeNameVal, 'dns1123-subdomain') : null,
          hostname: hostnameVal ? k8sName(hostnameVal, 'dns1123-label') : null,
          targetRef,
        };
      })
    : [];
  const portsVal = top.get('ports');
  const ports: EndpointPort[] = portsVal
    ? seqOf(portsVal).map((p) => {
        const pm = mapOf(p, { read: ['name', 'protocol', 'port'], ignore: ['appProtocol'] });
        const nameVal = pm.get('name');
        const portVal = pm.get('port');
        return { name: nameVal && str(nameVal) !== '' ? portName(nameVal) : null, protocol: protocolOf(pm), port: portVal ? int(portVal, 1, 65535) : null };
      })
    : [];
  return {
    namespace: meta.namespace,
    name: meta.name,
    serviceName,
    labels: meta.labels,
    addressType: 'IPv4',
    endpoints,
    ports,
    derived: false,
    source: posOf(v),
  };
}

function parseNetworkPolicy(v: Val): RawNetworkPolicy {
  const top = mapOf(v, { read: TOP_FIELDS });
  const meta = parseMeta(top, { namespaced: true, nameRule: 'dns1123-subdomain' });
  top.require('spec');
  const source = posOf(v);
  // The policy model reads the manifest as data; positions of its fields come from the YAML.
  const typed = networkPolicyFromManifest(v.node.toJSON(), source, { namespace: meta.namespace, positionOf: yamlPositionOf(v.node, v.src.lc, v.src.file, v.src.doc) });
  if (!typed.ok) throw new LoadFailure(typed.error);
  return { namespace: meta.namespace, name: meta.name, policy: typed.value, source };
}

function parseNode(v: Val): RawNode {
  const top = mapOf(v, { read: TOP_FIELDS });
  const metaVal = top.require('metadata');
  const meta = parseMeta(top, { namespaced: false, nameRule: 'dns1123-subdomain' });
  const nameVal = mapOf(metaVal, null).require('name');
  const specVal = top.get('spec');
  const spec = specVal ? mapOf(specVal, { read: ['podCIDR', 'unschedulable'], ignore: NODE_SPEC_IGNORED }) : null;
  const podVal = spec?.get('podCIDR');
  const unschedVal = spec?.get('unschedulable');
  let ip: Ipv4 | null = null;
  let ipPos: SourcePos | null = null;
  const statusVal = top.get('status');
  if (statusVal) {
    const st = mapOf(statusVal, { read: ['addresses'], ignore: NODE_STATUS_IGNORED });
    const addrs = st.get('addresses');
    for (const a of addrs ? seqOf(addrs) : []) {
      const am = mapOf(a, { read: ['type', 'address'] });
      if (str(am.require('type')) === 'InternalIP' && ip === null) {
        const addrVal = am.require('address');
        ip = ipv4Of(addrVal);
        ipPos = posOf(addrVal);
      }
    }
  }
  return {
    name: meta.name,
    ip,
    subnetPrefix: DEFAULT_NODE_SUBNET_PREFIX,
    gateway: null,
    podCIDR: podVal ? cidrOfVal(podVal) : null,
    mtu: DEFAULT_NODE_MTU,
    labels: meta.labels,
    unschedulable: unschedVal ? bool(unschedVal) : false,
    source: posOf(v),
    at: { name: posOf(nameVal), ip: ipPos, gateway: null, podCIDR: podVal ? posOf(podVal) : null },
  };
}

import { cidrOf, cidrContains, formatCidr, type Cidr } from '../net/cidr.js';
import { formatIpv4, ipv4FromNumber, type Ipv4 } from '../net/ipv4.js';
import type { Cluster } from '../cluster/cluster.js';
import type { NetworkPolicy } from '../cluster/network-policy.js';
import { deriveEndpointSlices, serviceSelects } from '../cluster/endpoints.js';
import type { EndpointSlice } from '../cluster/endpoint-slice.js';
import { SERVICE_NAME_LABEL } from '../cluster/endpoint-slice.js';
import type { TopologyHeader } from '../cluster/header.js';
import type { SourcePos } from '../cluster/meta.js';
import type { Namespace } from '../cluster/namespace.js';
import { NAMESPACE_NAME_LABEL } from '../cluster/namespace.js';
import type { Node } from '../cluster/node.js';
import type { Pod } from '../cluster/pod.js';
import type { Service, ServicePort } from '../cluster/service.js';
import { HostLocalRange, NodeCidrAllocator, NodePortAllocator, ServiceIpAllocator } from './ipam.js';
import { assignCalicoIps } from './ipam-calico.js';
import type { RawHeader, RawNode } from './parse-header.js';
import { NODE_PORT_MAX, NODE_PORT_MIN, type RawNetworkPolicy, type RawPod, type RawService, type RawWorkload } from './parse-manifests.js';
import { checkClusterRanges, checkNodeCIDR, failNear, lineRef, podRef, reserveGivenPodIps, resolveNodes } from './validate.js';
import { dumpedPodOwner, expandWorkload, podsAlreadyPresent } from './load-workloads.js';

/** Everything read from the input, in input order, before defaults and allocation. */
export interface RawInput {
  readonly file: string;
  /** The file's base name, the topology's name when the header gives none. */
  readonly baseName: string;
  readonly header: RawHeader;
  readonly hasHeader: boolean;
  readonly namespaces: readonly Namespace[];
  /** Pods and workloads in input order (workloads expand in place). */
  readonly workloads: readonly ({ readonly kind: 'pod'; readonly pod: RawPod } | { readonly kind: 'workload'; readonly workload: RawWorkload })[];
  readonly services: readonly RawService[];
  readonly endpointSlices: readonly EndpointSlice[];
  readonly networkPolicies: readonly RawNetworkPolicy[];
  readonly nodes: readonly RawNode[];
}

/** The namespaces every cluster has, in the order `kubectl get ns` lists them. */
export const BUILTIN_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

/** The label kubeadm's CoreDNS Deployment and the kube-dns Service use. */
export const KUBE_DNS_LABEL = { key: 'k8s-app', value: 'kube-dns' } as const;

/** Turn what was read into a Cluster: defaults, allocation and cross-object checks. */
export function assembleCluster(input: RawInput): Cluster {
  const { file, header } = input;

  // ---- Pods from Pods, Deployments and StatefulSets, in input order.
  const dumped = input.workloads.flatMap((w) => (w.kind === 'pod' ? [w.pod] : []));
  const rawPods: RawPod[] = [];
  for (const w of input.workloads) {
    // A finished pod (a completed Job's, in a dump) has no sandbox; its old IP may be reused.
    if (w.kind === 'pod') {
      if (!w.pod.finished) rawPods.push({ ...w.pod, owner: dumpedPodOwner(w.pod) });
    }
    else if (!podsAlreadyPresent(w.workload, dumped)) rawPods.push(...expandWorkload(w.workload));
  }
  const podPos = new Map<string, SourcePos>();
  for (const p of rawPods) {
    const key = `${p.namespace}/${p.name}`;
    const first = podPos.get(key);
    if (first) failNear(file, p.source, p.what === `Pod ${key}` ? `Pod ${key} is defined twice; the first definition is at ${lineRef(first)}` : `${p.what} creates pod ${key}, which is already defined at ${lineRef(first)}`);
    podPos.set(key, p.source);
  }

  // ---- Nodes: declared, inferred from pods (files without a header), or the default two.
  const declared: RawNode[] = [...header.nodes, ...input.nodes];
  const nodePos = new Map<string, RawNode>();
  for (const n of declared) {
    const first = nodePos.get(n.name);
    if (first) failNear(file, n.at.name ?? n.source, `node ${n.name} is defined twice; the first definition is at ${lineRef(first.at.name ?? first.source)}`);
    nodePos.set(n.name, n);
  }
  if (!input.hasHeader) {
    for (const p of rawPods) {
      const name = p.spec.nodeName?.value;
      if (name === undefined || nodePos.has(name)) continue;
      const inferred = inferredNode(name, p.hostIP !== null && !declared.some((n) => n.ip === p.hostIP) ? p.hostIP : null);
      declared.push(inferred);
      nodePos.set(name, inferred);
    }
  }
  if (declared.length === 0) declared.push(inferredNode('node1', null), inferredNode('node2', null));
  const resolved = resolveNodes(file, declared);
  checkClusterRanges(file, header, resolved);

  // ---- Node podCIDRs: given ones first, then kube-controller-manager's allocator in node order.
  const allocator = new NodeCidrAllocator(header.podCIDR, header.nodeCIDRMaskSize);
  const taken: { name: string; cidr: Cidr; pos: SourcePos | null }[] = [];
  const podCIDRs = new Map<string, Cidr>();
  for (const { raw } of resolved) {
    if (raw.podCIDR === null) continue;
    checkNodeCIDR(file, raw, raw.podCIDR, header.podCIDR, taken);
    taken.push({ name: raw.name, cidr: raw.podCIDR, pos: raw.at.podCIDR ?? raw.source });
    allocator.occupy(raw.podCIDR);
    podCIDRs.set(raw.name, raw.podCIDR);
  }
  // A node inferred from a dump takes the subnet its pods' addresses are in.
  for (const { raw } of resolved) {
    if (raw.source !== null || podCIDRs.has(raw.name)) continue;
    const ip = rawPods.find((p) => p.spec.nodeName?.value === raw.name && p.ip !== null && !p.spec.hostNetwork)?.ip?.value;
    if (ip === undefined || !cidrContains(header.podCIDR, ip)) continue;
    const c = cidrOf(ip, header.nodeCIDRMaskSize);
    if (!allocator.isFree(c)) continue;
    allocator.occupy(c);
    podCIDRs.set(raw.name, c);
  }
  const nodes: Node[] = resolved.map(({ node, raw }) => {
    let podCIDR = podCIDRs.get(node.name) ?? null;
    if (podCIDR === null) {
      podCIDR = allocator.allocate();
      if (podCIDR === null) {
        failNear(
          file,
          raw.source ?? header.at.podCIDR,
          `no free /${header.nodeCIDRMaskSize} left in the pod CIDR ${formatCidr(header.podCIDR)} for node ${node.name} (it holds ${allocator.capacity}); use a larger podCIDR or nodeCIDRMaskSize`,
        );
      }
    }
    return { ...node, podCIDR };
  });
  for (const r of header.at.routeReflectors) {
    if (!nodes.some((n) => n.name === r.name)) failNear(file, r.pos, `${r.path}: unknown node "${r.name}"; the nodes are ${nodeList(nodes)}`);
  }

  // ---- Scheduling: a given nodeName must exist; the rest are spread over schedulable nodes.
  const load = new Map<string, number>(nodes.map((n) => [n.name, 0]));
  const placed = new Map<RawPod, Node>();
  for (const p of rawPods) {
    const want = p.spec.nodeName;
    if (want === null) continue;
    const node = nodes.find((n) => n.name === want.value);
    if (!node) failNear(file, want.pos, `${p.what} ${p.specPath}.nodeName: unknown node "${want.value}"; the nodes are ${nodeList(nodes)}`);
    placed.set(p, node);
    load.set(node.name, (load.get(node.name) ?? 0) + 1);
  }
  for (const p of rawPods) {
    if (placed.has(p)) continue;
    const candidates = nodes.filter((n) => !n.unschedulable && serviceSelects(p.spec.nodeSelector, n.labels));
    let best: Node | null = null;
    for (const n of candidates) if (best === null || (load.get(n.name) ?? 0) < (load.get(best.name) ?? 0)) best = n;
    if (best === null) {
      const sel = Object.entries(p.spec.nodeSelector).map(([k, v]) => `${k}=${v}`).join(',');
      failNear(file, p.source, `${podRef(p)} cannot be scheduled: no schedulable node${sel ? ` matches nodeSelector ${sel}` : ''}`);
    }
    placed.set(p, best);
    load.set(best.name, (load.get(best.name) ?? 0) + 1);
  }

  // ---- Pod IPs.
  const podIps =
    header.cni.kind === 'calico'
      ? assignCalicoIps(file, header.cni, header.podCIDR, nodes, rawPods, placed)
      : { ips: assignHostLocalIps(file, nodes, rawPods, placed), ipam: null };
  const pods: Pod[] = rawPods.map((p) => {
    const node = placed.get(p);
    const ip = podIps.ips.get(p);
    if (!node || ip === undefined) throw new Error(`bug: pod ${p.namespace}/${p.name} was not placed`);
    return {
      namespace: p.namespace,
      name: p.name,
      uid: p.uid,
      labels: p.labels,
      annotations: p.annotations,
      nodeName: node.name,
      hostNetwork: p.spec.hostNetwork,
      ip,
      containers: p.spec.containers,
      hostname: p.spec.hostname,
      subdomain: p.spec.subdomain,
      dnsPolicy: p.spec.dnsPolicy,
      dnsConfig: p.spec.dnsConfig,
      owner: p.owner,
      ready: p.ready,
      terminating: p.terminating,
      source: p.source,
    };
  });

  // ---- Services.
  const services = assembleServices(input, pods);

  // ---- EndpointSlices: given ones, else derived from each selector as the controller would.
  const slicePos = new Map<string, SourcePos | null>();
  for (const s of input.endpointSlices) {
    const key = `${s.namespace}/${s.name}`;
    if (slicePos.has(key)) failNear(file, s.source, `EndpointSlice ${key} is defined twice; the first definition is at ${lineRef(slicePos.get(key))}`);
    slicePos.set(key, s.source);
  }
  const endpointSlices: EndpointSlice[] = [];
  for (const svc of services) {
    const given = input.endpointSlices.filter((s) => s.namespace === svc.namespace && s.serviceName === svc.name);
    if (given.length > 0) continue;
    if (svc.source === null && svc.namespace === 'default' && svc.name === 'kubernetes') {
      endpointSlices.push(apiServerSlice(nodes[0]?.ip ?? ipv4FromNumber(0)));
    } else {
      endpointSlices.push(...deriveEndpointSlices(svc, pods));
    }
  }
  // Given slices keep their input order after the derived ones.
  endpointSlices.push(...input.endpointSlices);

  // ---- NetworkPolicies.
  const policyPos = new Map<string, SourcePos>();
  const networkPolicies: NetworkPolicy[] = [];
  for (const np of input.networkPolicies) {
    const key = `${np.namespace}/${np.name}`;
    const first = policyPos.get(key);
    if (first) failNear(file, np.source, `NetworkPolicy ${key} is defined twice; the first definition is at ${lineRef(first)}`);
    policyPos.set(key, np.source);
    networkPolicies.push(np.policy);
  }

  // ---- Namespaces: built-in, given, and any an object refers to.
  const namespaces = assembleNamespaces(input, [
    ...pods.map((p) => p.namespace),
    ...services.map((s) => s.namespace),
    ...endpointSlices.map((s) => s.namespace),
    ...input.networkPolicies.map((p) => p.namespace),
  ]);

  const firstNode = nodes[0];
  const finalHeader: TopologyHeader = {
    name: header.name ?? input.baseName,
    cni: header.cni,
    kubeProxy: header.kubeProxy,
    podCIDR: header.podCIDR,
    nodeCIDRMaskSize: header.nodeCIDRMaskSize,
    serviceCIDR: header.serviceCIDR,
    clusterDomain: header.clusterDomain,
    dns: {
      upstream: header.dnsUpstream ?? (firstNode ? [firstNode.gateway] : []),
      nodeSearches: header.dnsNodeSearches,
    },
    source: input.hasHeader ? header.source : null,
  };

  return { header: finalHeader, nodes, namespaces, pods, services, endpointSlices, networkPolicies, calicoIpam: podIps.ipam };
}

function inferredNode(name: string, ip: Ipv4 | null): RawNode {
  return {
    name,
    ip,
    subnetPrefix: 24,
    gateway: null,
    podCIDR: null,
    mtu: 1500,
    labels: {},
    unschedulable: false,
    source: null,
    at: { name: null, ip: null, gateway: null, podCIDR: null },
  };
}

function nodeList(nodes: readonly Node[]): string {
  return nodes.map((n) => n.name).join(', ');
}

/**
 * host-local IPAM per node (Flannel delegates to the bridge plugin with host-local over the
 * node's podCIDR). Addresses given in `status.podIP` are reserved first; hostNetwork pods have
 * their node's address.
 */
function assignHostLocalIps(file: string, nodes: readonly Node[], pods: readonly RawPod[], placed: ReadonlyMap<RawPod, Node>): Map<RawPod, Ipv4> {
  const ranges = new Map<string, HostLocalRange>();
  for (const n of nodes) if (n.podCIDR) ranges.set(n.name, new HostLocalRange(n.podCIDR));
  const ips = reserveGivenPodIps(file, pods, placed, (p, node, ip, pos) => {
    const range = ranges.get(node.name);
    if (!range) return;
    const problem = range.problem(ip);
    if (problem === 'outside') {
      failNear(file, pos, `${p.what} status.podIP: ${formatIpv4(ip)} is outside node ${node.name}'s podCIDR ${formatCidr(range.subnet)}; pods get addresses from their node's podCIDR`);
    }
    if (problem !== null) failNear(file, pos, `${p.what} status.podIP: ${formatIpv4(ip)} is ${problem} of node ${node.name}'s podCIDR ${formatCidr(range.subnet)}`);
    range.reserve(ip);
  });
  for (const p of pods) {
    if (ips.has(p)) continue;
    const node = placed.get(p);
    const range = node ? ranges.get(node.name) : undefined;
    if (!node || !range) continue;
    const ip = range.allocate();
    if (ip === null) {
      failNear(
        file,
        p.source,
        `IPAM exhausted: node ${node.name}'s podCIDR ${formatCidr(range.subnet)} has no free address for ${podRef(p)} (all ${range.capacity} in use)`,
      );
    }
    ips.set(p, ip);
  }
  return ips;
}

/** The `kubernetes` service the API server creates in `default`: 443 -> the API server's 6443. */
function kubernetesService(ip: Ipv4): Service {
  return {
    ...serviceDefaults,
    namespace: 'default',
    name: 'kubernetes',
    labels: { component: 'apiserver', provider: 'kubernetes' },
    clusterIP: ip,
    ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: 6443, nodePort: null }],
    selector: null,
  };
}

/** kubeadm's CoreDNS Service (`kube-system/kube-dns`). */
function kubeDnsService(ip: Ipv4): Service {
  return {
    ...serviceDefaults,
    namespace: 'kube-system',
    name: 'kube-dns',
    labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
    clusterIP: ip,
    ports: [
      { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53, nodePort: null },
      { name: 'dns-tcp', protocol: 'TCP', port: 53, targetPort: 53, nodePort: null },
      { name: 'metrics', protocol: 'TCP', port: 9153, targetPort: 9153, nodePort: null },
    ],
    selector: { 'k8s-app': 'kube-dns' },
  };
}

const serviceDefaults = {
  type: 'ClusterIP',
  sessionAffinity: { kind: 'None' },
  externalTrafficPolicy: 'Cluster',
  internalTrafficPolicy: 'Cluster',
  loadBalancerIngress: [],
  loadBalancerSourceRanges: [],
  externalIPs: [],
  externalName: null,
  publishNotReadyAddresses: false,
  healthCheckNodePort: null,
  source: null,
} as const satisfies Partial<Service>;

/** The API server's endpoint: the first node is the control plane, port 6443. */
function apiServerSlice(ip: Ipv4): EndpointSlice {
  return {
    namespace: 'default',
    name: 'kubernetes',
    serviceName: 'kubernetes',
    labels: { [SERVICE_NAME_LABEL]: 'kubernetes' },
    addressType: 'IPv4',
    endpoints: [{ addresses: [ip], conditions: { ready: true, serving: true, terminating: false }, nodeName: null, hostname: null, targetRef: null }],
    ports: [{ name: 'https', protocol: 'TCP', port: 6443 }],
    derived: true,
    source: null,
  };
}

function assembleServices(input: RawInput, pods: readonly Pod[]): Service[] {
  const { file, header } = input;
  const seen = new Map<string, SourcePos>();
  for (const s of input.services) {
    const key = `${s.namespace}/${s.name}`;
    const first = seen.get(key);
    if (first) failNear(file, s.source, `Service ${key} is defined twice; the first definition is at ${lineRef(first)}`);
    seen.set(key, s.source);
  }
  const ips = new ServiceIpAllocator(header.serviceCIDR);
  const owners = new Map<number, string>();
  const kubernetesIp = ips.nth(1);
  const kubeDnsIp = ips.nth(10);
  const needKubernetes = !seen.has('default/kubernetes');
  const hasCoreDns = pods.some((p) => p.namespace === 'kube-system' && p.labels[KUBE_DNS_LABEL.key] === KUBE_DNS_LABEL.value);
  const needKubeDns = hasCoreDns && !seen.has('kube-system/kube-dns');
  if (needKubernetes) owners.set(kubernetesIp, 'default/kubernetes (the API server\'s service)');
  if (needKubeDns) owners.set(kubeDnsIp, 'kube-system/kube-dns (CoreDNS)');
  for (const ip of owners.keys()) ips.reserve(ipv4FromNumber(ip));

  // Given cluster IPs first.
  for (const s of input.services) {
    const c = s.clusterIP;
    if (c === null || c.value === 'None') continue;
    const ip = c.value;
    const owner = owners.get(ip);
    if (owner) failNear(file, c.pos, `Service ${s.namespace}/${s.name} spec.clusterIP: ${formatIpv4(ip)} is already the cluster IP of ${owner}`);
    const problem = ips.problem(ip);
    if (problem === 'outside') failNear(file, c.pos, `Service ${s.namespace}/${s.name} spec.clusterIP: ${formatIpv4(ip)} is outside the service CIDR ${formatCidr(header.serviceCIDR)}`);
    if (problem !== null) failNear(file, c.pos, `Service ${s.namespace}/${s.name} spec.clusterIP: ${formatIpv4(ip)} is ${problem} of the service CIDR ${formatCidr(header.serviceCIDR)}`);
    ips.reserve(ip);
    owners.set(ip, `${s.namespace}/${s.name} (line ${s.source.line})`);
  }

  // Given NodePorts, then allocated ones.
  const nodePorts = new NodePortAllocator(NODE_PORT_MIN, NODE_PORT_MAX);
  const portOwners = new Map<number, string>();
  for (const s of input.services) {
    const mine = new Set<number>();
    const claims = [...s.ports.map((p) => p.nodePort), s.healthCheckNodePort];
    for (const np of claims) {
      if (np === null || mine.has(np.value)) continue;
      const owner = portOwners.get(np.value);
      if (owner) failNear(file, np.pos, `Service ${s.namespace}/${s.name}: nodePort ${np.value} is already used by service ${owner}`);
      nodePorts.reserve(np.value);
      portOwners.set(np.value, `${s.namespace}/${s.name} (line ${np.pos.line})`);
      mine.add(np.value);
    }
  }

  const out: Service[] = [];
  if (needKubernetes) out.push(kubernetesService(kubernetesIp));
  if (needKubeDns) out.push(kubeDnsService(kubeDnsIp));
  for (const s of input.services) {
    let clusterIP: Ipv4 | 'None';
    if (s.clusterIP !== null) clusterIP = s.clusterIP.value;
    else {
      const ip = ips.allocate(`${s.namespace}/${s.name}`);
      if (ip === null) failNear(file, s.source, `the service CIDR ${formatCidr(header.serviceCIDR)} has no free address left for service ${s.namespace}/${s.name}`);
      clusterIP = ip;
    }
    const external = s.type === 'NodePort' || s.type === 'LoadBalancer';
    const ports: ServicePort[] = s.ports.map((p) => {
      let nodePort = p.nodePort?.value ?? null;
      if (external && nodePort === null) {
        nodePort = nodePorts.allocate(`${s.namespace}/${s.name}/${p.name ?? ''}/${p.port}/${p.protocol}`);
        if (nodePort === null) failNear(file, s.source, `no free nodePort left in ${NODE_PORT_MIN}-${NODE_PORT_MAX} for service ${s.namespace}/${s.name}`);
      }
      return { name: p.name, protocol: p.protocol, port: p.port, targetPort: p.targetPort, nodePort };
    });
    let healthCheckNodePort = s.healthCheckNodePort?.value ?? null;
    if (s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local' && healthCheckNodePort === null) {
      healthCheckNodePort = nodePorts.allocate(`${s.namespace}/${s.name}/healthCheck`);
    }
    out.push({
      namespace: s.namespace,
      name: s.name,
      labels: s.labels,
      type: s.type,
      clusterIP,
      ports,
      selector: s.selector,
      sessionAffinity: s.sessionAffinity,
      externalTrafficPolicy: s.externalTrafficPolicy,
      internalTrafficPolicy: s.internalTrafficPolicy,
      loadBalancerIngress: s.loadBalancerIngress,
      loadBalancerSourceRanges: s.loadBalancerSourceRanges,
      externalIPs: s.externalIPs,
      externalName: s.externalName,
      publishNotReadyAddresses: s.publishNotReadyAddresses,
      healthCheckNodePort,
      source: s.source,
    });
  }
  return out;
}

function assembleNamespaces(input: RawInput, referenced: readonly string[]): Namespace[] {
  const given = new Map<string, Namespace>();
  for (const ns of input.namespaces) {
    const first = given.get(ns.name);
    if (first) failNear(input.file, ns.source, `Namespace ${ns.name} is defined twice; the first definition is at ${lineRef(first.source)}`);
    given.set(ns.name, ns);
  }
  const out: Namespace[] = [];
  const add = (name: string): void => {
    if (out.some((n) => n.name === name)) return;
    out.push(given.get(name) ?? { name, labels: { [NAMESPACE_NAME_LABEL]: name }, source: null });
  };
  for (const name of BUILTIN_NAMESPACES) add(name);
  for (const ns of input.namespaces) add(ns.name);
  for (const name of referenced) add(name);
  return out;
}

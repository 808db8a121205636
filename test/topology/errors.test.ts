import { describe, expect, it } from 'vitest';
import { HEADER, loadErr, yaml } from './helpers.js';

const pod = (name: string, extra = '', node = 'node1') => `---
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  nodeName: ${node}
  containers: [{name: c}]${extra}
`;

/** Each bad input and the exact error the CLI prints for it (file:line:col: message). */
const inputs: Record<string, string> = {
  malformed: 'a: [1,\nb: 2\n',
  empty: '',
  emptyDocs: '---\n---\n',
  unknownSpec: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      cni: flannel
      flanel: {backend: vxlan}
  `,
  unknownHeaderTop: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    specs: {}
  `,
  badApi: yaml`
    apiVersion: podnet.dev/v1
    kind: Topology
  `,
  cni: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      cni: cilium
  `,
  backend: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      flannel: {backend: udp}
  `,
  hostgwVni: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      flannel:
        backend: host-gw
        vni: 4
  `,
  vniRange: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      flannel: {vni: 0}
  `,
  calicoCross: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      cni: calico
      calico: {mode: bgp, crossSubnet: true}
  `,
  flannelWithCalico: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      cni: calico
      flannel: {backend: vxlan}
  `,
  rrUnknown: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      cni: calico
      calico:
        bgp: {mesh: routeReflectors, routeReflectors: [node9]}
      nodes:
        - {name: node1, ip: 192.168.1.101}
  `,
  sched: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      kubeProxy: {mode: iptables, scheduler: rr}
  `,
  badCidr: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      podCIDR: 10.244.0.0/33
  `,
  hostBits: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      podCIDR: 10.244.1.0/16
  `,
  badNodeIp: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      nodes:
        - {name: node1, ip: 192.168.1.300}
  `,
  nodeCidrOutside: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      nodes:
        - {name: node1, ip: 192.168.1.101, podCIDR: 10.245.1.0/24}
  `,
  nodeCidrOverlap: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      nodes:
        - {name: node1, ip: 192.168.1.101, podCIDR: 10.244.0.0/23}
        - {name: node2, ip: 192.168.1.102, podCIDR: 10.244.1.0/24}
  `,
  podSvcOverlap: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      podCIDR: 10.0.0.0/8
      serviceCIDR: 10.96.0.0/12
  `,
  underlayOverlap: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      nodes:
        - {name: node1, ip: 10.244.200.5}
  `,
  dupNode: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      nodes:
        - {name: node1, ip: 192.168.1.101}
        - {name: node1, ip: 192.168.1.102}
  `,
  dupNodeIp: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      nodes:
        - {name: node1, ip: 192.168.1.101}
        - {name: node2, ip: 192.168.1.101}
  `,
  gwMismatch: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      nodes:
        - {name: node1, ip: 192.168.1.101}
        - {name: node2, ip: 192.168.1.102, gateway: 192.168.1.254}
  `,
  gwOutside: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      nodes:
        - {name: node1, ip: 192.168.1.101, gateway: 192.168.2.1}
  `,
  headerNotFirst: HEADER + pod('a') + '---\n' + HEADER,
  unknownPodField: HEADER + yaml`
    ---
    apiVersion: v1
    kind: Pod
    metadata: {name: a}
    spec:
      hostNetwrok: true
      containers: [{name: c}]
  `,
  ignoredPodField: HEADER + yaml`
    ---
    apiVersion: v1
    kind: Pod
    metadata: {name: a, creationTimestamp: null, uid: abc}
    spec:
      restartPolicy: Always
      containers: [{name: c, image: nginx, imagePullPolicy: Always}]
    status: {phase: Running, qosClass: BestEffort}
  ` + yaml`
    ---
    apiVersion: v1
    kind: Pod
    metadata: {name: a}
    spec: {containers: [{name: c}]}
  `,
  unknownKind: HEADER + yaml`
    ---
    apiVersion: v1
    kind: Pd
    metadata: {name: a}
  `,
  unknownKind2: HEADER + yaml`
    ---
    apiVersion: cilium.io/v2
    kind: CiliumNetworkPolicy
    metadata: {name: a}
  `,
  badApiVersion: HEADER + yaml`
    ---
    apiVersion: v1
    kind: Deployment
    metadata: {name: a}
  `,
  labelNumber: HEADER + yaml`
    ---
    apiVersion: v1
    kind: Pod
    metadata:
      name: a
      labels: {version: 2}
    spec: {containers: [{name: c}]}
  `,
  dupPod: HEADER + pod('a') + pod('a'),
  unknownNode: HEADER + pod('a', '', 'node3'),
  dupIp: HEADER + pod('a', '\nstatus: {podIP: 10.244.0.7}') + pod('b', '\nstatus: {podIP: 10.244.0.7}'),
  ipOutside: HEADER + pod('a', '\nstatus: {podIP: 10.244.1.7}'),
  ipGateway: HEADER + pod('a', '\nstatus: {podIP: 10.244.0.1}'),
  exhaustion: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      nodeCIDRMaskSize: 30
      nodes: [{name: node1, ip: 192.168.1.101}]
  ` + pod('a') + pod('b'),
  selectorMismatch: HEADER + yaml`
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: webb}}
        spec: {containers: [{name: c}]}
  `,
  svcOutside: HEADER + yaml`
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec:
      clusterIP: 10.0.0.10
      ports: [{port: 80}]
  `,
  svcDup: HEADER + yaml`
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec:
      clusterIP: 10.96.5.5
      ports: [{port: 80}]
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web2}
    spec:
      clusterIP: 10.96.5.5
      ports: [{port: 80}]
  `,
  svcKube: HEADER + yaml`
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec:
      clusterIP: 10.96.0.1
      ports: [{port: 80}]
  `,
  svcPortsNoName: HEADER + yaml`
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec:
      ports: [{port: 80}, {port: 443}]
  `,
  svcName: HEADER + yaml`
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: 1web}
    spec:
      ports: [{port: 80}]
  `,
  nodePortDup: HEADER + yaml`
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: a}
    spec:
      type: NodePort
      ports: [{port: 80, nodePort: 30080}]
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: b}
    spec:
      type: NodePort
      ports: [{port: 80, nodePort: 30080}]
  `,
  sliceNoLabel: HEADER + yaml`
    ---
    apiVersion: discovery.k8s.io/v1
    kind: EndpointSlice
    metadata: {name: web-abc}
    addressType: IPv4
    endpoints: []
  `,
  notAMap: HEADER + '---\n- a\n- b\n',
  containerPortStr: HEADER + yaml`
    ---
    apiVersion: v1
    kind: Pod
    metadata: {name: a}
    spec:
      containers:
        - name: c
          ports:
            - containerPort: "80"
  `,
  hostNetIp: HEADER + pod('a', '\n  hostNetwork: true\nstatus: {podIP: 10.244.0.5}'),
  duplicateKey: HEADER + yaml`
    ---
    apiVersion: v1
    kind: Pod
    metadata: {name: a}
    metadata: {name: b}
  `,
  missingName: HEADER + yaml`
    ---
    apiVersion: v1
    kind: Pod
    metadata: {generateName: web-}
    spec: {containers: [{name: c}]}
  `,
  missingKind: HEADER + yaml`
    ---
    apiVersion: v1
    metadata: {name: a}
  `,
  listItemUnknownField: yaml`
    apiVersion: v1
    kind: List
    items:
      - apiVersion: v1
        kind: Service
        metadata: {name: a}
        spec:
          ports: [{port: 80, targetport: 8080}]
  `,
  headlessNodePort: HEADER + yaml`
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec:
      type: NodePort
      clusterIP: None
      ports: [{port: 80}]
  `,
  dnsNone: HEADER + yaml`
    ---
    apiVersion: v1
    kind: Pod
    metadata: {name: a}
    spec:
      dnsPolicy: None
      containers: [{name: c}]
  `,
  badLabelKey: HEADER + yaml`
    ---
    apiVersion: v1
    kind: Namespace
    metadata:
      name: team
      labels: {"bad key": x}
  `,
  dupService: HEADER + yaml`
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec: {ports: [{port: 80}]}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web, namespace: default}
    spec: {ports: [{port: 81}]}
  `,
  dupNamespace: HEADER + yaml`
    ---
    apiVersion: v1
    kind: Namespace
    metadata: {name: team}
    ---
    apiVersion: v1
    kind: Namespace
    metadata: {name: team}
  `,
  deploymentUnknownNode: HEADER + yaml`
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          nodeName: node7
          containers: [{name: c}]
  `,
  noNodeMatches: HEADER + yaml`
    ---
    apiVersion: v1
    kind: Pod
    metadata: {name: a}
    spec:
      nodeSelector: {disk: ssd}
      containers: [{name: c}]
  `,
  ipvsScheduler: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      kubeProxy: {mode: ipvs, scheduler: fastest}
  `,
  nodeIpNetwork: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      nodes:
        - {name: node1, ip: 192.168.1.0/24}
  `,
  svcCidrOverlapsUnderlay: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      nodes:
        - {name: node1, ip: 10.96.0.50}
  `,
  emptyNodes: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      nodes: []
  `,
  badPolicyProtocol: HEADER + yaml`
    ---
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: web}
    spec:
      podSelector: {}
      ingress:
      - ports: [{protocol: TCPP, port: 80}]
  `,
  nodeMissingIp: yaml`
    apiVersion: podnet.dev/v1alpha1
    kind: Topology
    spec:
      nodes:
        - {name: node1}
  `,
};

/** Each input's error, exactly as `podnet` prints it (file:line:col: message). */
const expected: Record<string, string> = {
  malformed: 'test.yaml:2:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
  empty: 'test.yaml: the file is empty (no YAML documents); expected a podnet header (kind: Topology) or Kubernetes manifests',
  emptyDocs: 'test.yaml: the file is empty (no YAML documents); expected a podnet header (kind: Topology) or Kubernetes manifests',
  unknownSpec: 'test.yaml:5:3: Topology spec: unknown field "flanel" (did you mean "flannel"?); podnet reads: cni, flannel, calico, kubeProxy, podCIDR, nodeCIDRMaskSize, serviceCIDR, clusterDomain, dns, nodes',
  unknownHeaderTop: 'test.yaml:3:1: Topology: unknown field "specs" (did you mean "spec"?); podnet reads: apiVersion, kind, metadata, spec',
  badApi: 'test.yaml:1:13: Topology apiVersion: expected apiVersion podnet.dev/v1alpha1, found "podnet.dev/v1"',
  cni: 'test.yaml:4:8: Topology spec.cni: expected one of flannel, calico, found "cilium"',
  backend: 'test.yaml:4:22: Topology spec.flannel.backend: expected one of vxlan, host-gw, found "udp"',
  hostgwVni: 'test.yaml:6:5: Topology spec.flannel.vni: applies only to the vxlan backend, but backend is host-gw',
  vniRange: 'test.yaml:4:18: Topology spec.flannel.vni: expected an integer from 1 to 16777215, found 0',
  calicoCross: 'test.yaml:5:36: Topology spec.calico.crossSubnet: applies only to modes ipip and vxlan (CrossSubnet encapsulation), but mode is bgp',
  flannelWithCalico: 'test.yaml:5:12: Topology spec.flannel: applies only to cni: flannel, but cni is calico',
  rrUnknown: 'test.yaml:6:52: Topology spec.calico.bgp.routeReflectors[0]: unknown node "node9"; the nodes are node1',
  sched: 'test.yaml:4:42: Topology spec.kubeProxy.scheduler: applies only to mode: ipvs, but mode is iptables',
  badCidr: 'test.yaml:4:12: Topology spec.podCIDR: "10.244.0.0/33" is not an IPv4 CIDR like 10.244.0.0/16 (A Prefix value cannot be less than 0 or greater than 32)',
  hostBits: 'test.yaml:4:12: Topology spec.podCIDR: "10.244.1.0/16" has host bits set; the network is 10.244.0.0/16',
  badNodeIp: 'test.yaml:5:25: Topology spec.nodes[0].ip: expected an IPv4 address like 192.168.1.101 or 192.168.1.101/24, found "192.168.1.300"',
  nodeCidrOutside: `test.yaml:5:49: node node1's podCIDR 10.245.1.0/24 is outside the cluster pod CIDR 10.244.0.0/16`,
  nodeCidrOverlap: `test.yaml:6:49: node node2's podCIDR 10.244.1.0/24 overlaps node node1's 10.244.0.0/23 (line 5)`,
  podSvcOverlap: 'test.yaml:5:16: the service CIDR 10.96.0.0/12 overlaps the pod CIDR 10.0.0.0/8; pod and service addresses must be distinct',
  underlayOverlap: `test.yaml:5:25: node node1's subnet 10.244.200.0/24 overlaps the cluster's pod CIDR 10.244.0.0/16; the underlay must be outside it`,
  dupNode: 'test.yaml:6:14: node node1 is defined twice; the first definition is at line 5',
  dupNodeIp: 'test.yaml:6:25: node node2 has IP 192.168.1.101, which node node1 (line 5) already has',
  gwMismatch: `test.yaml:6:49: node node2's gateway 192.168.1.254 differs from node node1's 192.168.1.1 on the same subnet 192.168.1.0/24; the underlay has one router per subnet`,
  gwOutside: `test.yaml:5:49: node node1's gateway 192.168.2.1 is outside its subnet 192.168.1.0/24; the default gateway must be on the node's own subnet`,
  headerNotFirst: 'test.yaml:17:7: the podnet header (kind: Topology) must be the first document of the file',
  unknownPodField: 'test.yaml:13:3: Pod spec: unknown field "hostNetwrok" (did you mean "hostNetwork"?); podnet reads: containers, nodeName, nodeSelector, hostNetwork, hostname, subdomain, dnsPolicy, dnsConfig',
  ignoredPodField: 'test.yaml:17:1: Pod default/a is defined twice; the first definition is at line 9',
  unknownKind: 'test.yaml:10:7: unknown kind "Pd" (did you mean "Pod"?); podnet reads Namespace, Pod, Deployment, StatefulSet, Service, EndpointSlice, NetworkPolicy, Node and skips ConfigMap, Secret, ServiceAccount, Endpoints, ReplicaSet, DaemonSet and other kinds that do not change the data path',
  unknownKind2: 'test.yaml:10:7: unknown kind "CiliumNetworkPolicy" (did you mean "NetworkPolicy"?); podnet reads Namespace, Pod, Deployment, StatefulSet, Service, EndpointSlice, NetworkPolicy, Node and skips ConfigMap, Secret, ServiceAccount, Endpoints, ReplicaSet, DaemonSet and other kinds that do not change the data path',
  badApiVersion: 'test.yaml:9:13: expected apiVersion apps/v1 for a Deployment, found "v1"',
  labelNumber: 'test.yaml:13:21: Pod metadata.labels.version: expected a string (quote it: "2"), found 2; label values are strings',
  dupPod: 'test.yaml:16:1: Pod default/a is defined twice; the first definition is at line 9',
  unknownNode: 'test.yaml:13:13: Pod default/a spec.nodeName: unknown node "node3"; the nodes are node1, node2',
  dupIp: `test.yaml:23:17: Pod default/b status.podIP: 10.244.0.7 is already pod default/a's address (line 15)`,
  ipOutside: `test.yaml:15:17: Pod default/a status.podIP: 10.244.1.7 is outside node node1's podCIDR 10.244.0.0/24; pods get addresses from their node's podCIDR`,
  ipGateway: `test.yaml:15:17: Pod default/a status.podIP: 10.244.0.1 is the cni0 gateway address of node node1's podCIDR 10.244.0.0/24`,
  exhaustion: `test.yaml:14:1: IPAM exhausted: node node1's podCIDR 10.244.0.0/30 has no free address for Pod default/b (all 1 in use)`,
  selectorMismatch: `test.yaml:13:13: Deployment spec.selector: the selector does not match the template's labels (spec.template.metadata.labels), so the Deployment would own none of its pods`,
  svcOutside: 'test.yaml:13:14: Service default/web spec.clusterIP: 10.0.0.10 is outside the service CIDR 10.96.0.0/12',
  svcDup: 'test.yaml:20:14: Service default/web2 spec.clusterIP: 10.96.5.5 is already the cluster IP of default/web (line 9)',
  svcKube: `test.yaml:13:14: Service default/web spec.clusterIP: 10.96.0.1 is already the cluster IP of default/kubernetes (the API server's service)`,
  svcPortsNoName: 'test.yaml:13:11: Service spec.ports[0]: missing required field "name" (every port needs a name when a service has more than one)',
  svcName: `test.yaml:11:18: Service metadata.name: expected a name of up to 63 lower-case letters, digits and '-', starting with a letter and ending with a letter or digit, found "1web"`,
  nodePortDup: 'test.yaml:21:32: Service default/b: nodePort 30080 is already used by service default/a (line 14)',
  sliceNoLabel: 'test.yaml:11:11: EndpointSlice metadata: missing label "kubernetes.io/service-name" naming the Service the slice belongs to',
  notAMap: 'test.yaml:9:1: expected a Kubernetes manifest (a mapping with apiVersion and kind), found a list',
  containerPortStr: 'test.yaml:16:26: Pod spec.containers[0].ports[0].containerPort: expected an integer from 1 to 65535, found "80"',
  hostNetIp: `test.yaml:16:17: Pod default/a status.podIP: 10.244.0.5 must be the node's address 192.168.1.101 (node node1); a hostNetwork pod shares its node's network namespace`,
  duplicateKey: 'test.yaml:12:1: invalid YAML: Map keys must be unique',
  missingName: 'test.yaml:11:26: Pod metadata: missing required field "name" (podnet needs a fixed name; generateName is not enough)',
  missingKind: 'test.yaml:9:1: manifest: missing required field "kind"',
  listItemUnknownField: 'test.yaml:8:26: Service spec.ports[0]: unknown field "targetport" (did you mean "targetPort"?); podnet reads: name, protocol, port, targetPort, nodePort',
  headlessNodePort: 'test.yaml:14:14: Service spec.clusterIP: a headless service (clusterIP: None) must have type ClusterIP, but type is NodePort',
  dnsNone: 'test.yaml:13:14: Pod spec.dnsPolicy: dnsPolicy None needs spec.dnsConfig with at least one nameserver',
  badLabelKey: `test.yaml:13:12: Namespace metadata.labels.bad key: label key "bad key" is invalid; expected up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
  dupService: 'test.yaml:14:1: Service default/web is defined twice; the first definition is at line 9',
  dupNamespace: 'test.yaml:13:1: Namespace team is defined twice; the first definition is at line 9',
  deploymentUnknownNode: 'test.yaml:17:17: Deployment default/web spec.template.spec.nodeName: unknown node "node7"; the nodes are node1, node2',
  noNodeMatches: 'test.yaml:9:1: Pod default/a cannot be scheduled: no schedulable node matches nodeSelector disk=ssd',
  ipvsScheduler: 'test.yaml:4:38: Topology spec.kubeProxy.scheduler: expected one of rr, wrr, lc, wlc, lblc, lblcr, sh, dh, sed, nq, mh, found "fastest"',
  nodeIpNetwork: 'test.yaml:5:25: Topology spec.nodes[0].ip: 192.168.1.0/24 is the network or broadcast address of its subnet; expected a host address',
  svcCidrOverlapsUnderlay: `test.yaml:5:25: node node1's subnet 10.96.0.0/24 overlaps the cluster's service CIDR 10.96.0.0/12; the underlay must be outside it`,
  emptyNodes: 'test.yaml:4:10: Topology spec.nodes: expected at least one node (leave nodes out for the default node1 and node2), found an empty list',
  nodeMissingIp: 'test.yaml:5:7: Topology spec.nodes[0]: missing required field "ip"',
  // A NetworkPolicy is typed while the topology loads: nothing half-loads with a bad one.
  badPolicyProtocol: 'test.yaml:15:24: NetworkPolicy default/web spec.ingress[0].ports[0].protocol: expected one of TCP, UDP, SCTP, found "TCPP"',
};

describe('topology errors', () => {
  it('every case has an expectation', () => {
    expect(Object.keys(expected).sort()).toEqual(Object.keys(inputs).sort());
  });
  for (const [name, text] of Object.entries(inputs)) {
    it(name, () => {
      expect(loadErr(text)).toBe(expected[name]);
    });
  }
});

describe('errors about pods a Deployment creates', () => {
  it('name the generated pod and point at the Deployment', () => {
    const text =
      yaml`
        apiVersion: podnet.dev/v1alpha1
        kind: Topology
        spec:
          nodeCIDRMaskSize: 30
          nodes: [{name: node1, ip: 192.168.1.101}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: c}]}
      `;
    expect(loadErr(text)).toMatch(
      /^test\.yaml:7:1: IPAM exhausted: node node1's podCIDR 10\.244\.0\.0\/30 has no free address for pod default\/web-[a-z0-9]+-[a-z0-9]{5} of Deployment default\/web \(all 1 in use\)$/,
    );
  });
});

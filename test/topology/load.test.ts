import { describe, expect, it } from 'vitest';
import { formatIpv4 } from '../../src/net/ipv4.js';
import { formatCidr } from '../../src/net/cidr.js';
import type { Cluster } from '../../src/cluster/cluster.js';
import { parseTopology } from '../../src/topology/load.js';
import { HEADER, loadOk, yaml } from './helpers.js';

const ip = formatIpv4;
const podsOf = (c: Cluster) => c.pods.map((p) => `${p.namespace}/${p.name} ${p.nodeName} ${ip(p.ip)}`);
const pod = (name: string, node: string | null, extra = '') => `---
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
${node ? `  nodeName: ${node}\n` : ''}  containers: [{name: c}]
${extra}`;

describe('defaults', () => {
  it('a header with nothing but kind gets a kubeadm + Flannel cluster', () => {
    const c = loadOk(yaml`
      apiVersion: podnet.dev/v1alpha1
      kind: Topology
    `);
    expect(c.header.name).toBe('test'); // the file's base name
    expect(c.header.cni).toEqual({ kind: 'flannel', backend: { type: 'vxlan', vni: 1, port: 0, directRouting: false, mtu: null } });
    expect(c.header.kubeProxy).toEqual({ mode: 'iptables', masqueradeAll: false });
    expect(formatCidr(c.header.podCIDR)).toBe('10.244.0.0/16');
    expect(formatCidr(c.header.serviceCIDR)).toBe('10.96.0.0/12');
    expect(c.header.nodeCIDRMaskSize).toBe(24);
    expect(c.header.clusterDomain).toBe('cluster.local');
    expect(c.header.dns.upstream.map(ip)).toEqual(['192.168.1.1']);
    expect(c.nodes.map((n) => `${n.name} ${ip(n.ip)}/${n.subnetPrefix} gw ${ip(n.gateway)} ${n.podCIDR ? formatCidr(n.podCIDR) : ''} ${n.mtu}`)).toEqual([
      'node1 192.168.1.101/24 gw 192.168.1.1 10.244.0.0/24 1500',
      'node2 192.168.1.102/24 gw 192.168.1.1 10.244.1.0/24 1500',
    ]);
    expect(c.nodes[0]?.labels).toEqual({ 'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': 'node1', 'kubernetes.io/os': 'linux' });
    expect(c.namespaces.map((n) => n.name)).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    expect(c.namespaces[0]?.labels).toEqual({ 'kubernetes.io/metadata.name': 'default' });
    expect(c.pods).toEqual([]);
    expect(c.calicoIpam).toBeNull();
  });

  it('creates the kubernetes Service (10.96.0.1:443 -> the control plane :6443)', () => {
    const c = loadOk(HEADER);
    expect(c.services).toHaveLength(1);
    const k = c.services[0];
    expect(k?.namespace).toBe('default');
    expect(k?.name).toBe('kubernetes');
    expect(k?.clusterIP === 'None' ? 'None' : ip(k?.clusterIP ?? 0 as never)).toBe('10.96.0.1');
    expect(k?.ports).toEqual([{ name: 'https', protocol: 'TCP', port: 443, targetPort: 6443, nodePort: null }]);
    expect(k?.selector).toBeNull();
    const slice = c.endpointSlices.find((s) => s.serviceName === 'kubernetes');
    expect(slice?.endpoints.map((e) => e.addresses.map(ip))).toEqual([['192.168.1.101']]);
    expect(slice?.ports).toEqual([{ name: 'https', protocol: 'TCP', port: 6443 }]);
  });

  it('creates kube-system/kube-dns at 10.96.0.10 only when the file has CoreDNS pods', () => {
    expect(loadOk(HEADER).services.some((s) => s.name === 'kube-dns')).toBe(false);
    const c = loadOk(
      HEADER +
        yaml`
          ---
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: coredns, namespace: kube-system}
          spec:
            replicas: 2
            selector: {matchLabels: {k8s-app: kube-dns}}
            template:
              metadata: {labels: {k8s-app: kube-dns}}
              spec:
                containers:
                  - name: coredns
                    ports:
                      - {name: dns, containerPort: 53, protocol: UDP}
                      - {name: dns-tcp, containerPort: 53, protocol: TCP}
                      - {name: metrics, containerPort: 9153, protocol: TCP}
        `,
    );
    const dns = c.services.find((s) => s.name === 'kube-dns');
    expect(dns?.namespace).toBe('kube-system');
    expect(dns?.clusterIP === 'None' ? 'None' : ip(dns!.clusterIP)).toBe('10.96.0.10');
    expect(dns?.ports.map((p) => `${p.name} ${p.port}/${p.protocol}`)).toEqual(['dns 53/UDP', 'dns-tcp 53/TCP', 'metrics 9153/TCP']);
    expect(dns?.selector).toEqual({ 'k8s-app': 'kube-dns' });
    const slice = c.endpointSlices.find((s) => s.serviceName === 'kube-dns');
    expect(slice?.endpoints).toHaveLength(2);
    expect(slice?.ports.map((p) => `${p.name} ${p.port}/${p.protocol}`)).toEqual(['dns 53/UDP', 'dns-tcp 53/TCP', 'metrics 9153/TCP']);
  });

  it('creates namespaces objects refer to, with the metadata.name label; keeps given labels', () => {
    const c = loadOk(
      HEADER +
        yaml`
          ---
          apiVersion: v1
          kind: Namespace
          metadata: {name: prod, labels: {team: a}}
          ---
          apiVersion: v1
          kind: Pod
          metadata: {name: x, namespace: staging}
          spec: {containers: [{name: c}]}
        `,
    );
    expect(c.namespaces.map((n) => n.name)).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system', 'prod', 'staging']);
    expect(c.namespaces.find((n) => n.name === 'prod')?.labels).toEqual({ team: 'a', 'kubernetes.io/metadata.name': 'prod' });
    expect(c.namespaces.find((n) => n.name === 'staging')?.labels).toEqual({ 'kubernetes.io/metadata.name': 'staging' });
  });

  it('pod defaults: namespace default, ClusterFirst, ready, no owner', () => {
    const c = loadOk(HEADER + pod('a', 'node1'));
    const p = c.pods[0];
    expect(p?.namespace).toBe('default');
    expect(p?.dnsPolicy).toBe('ClusterFirst');
    expect(p?.dnsConfig).toBeNull();
    expect(p?.ready).toBe(true);
    expect(p?.terminating).toBe(false);
    expect(p?.hostNetwork).toBe(false);
    expect(p?.owner).toBeNull();
    expect(p?.source).toEqual({ file: 'test.yaml', line: 9, col: 1 });
  });

  it('reads the flannel, calico, kube-proxy and dns blocks', () => {
    const c = loadOk(yaml`
      apiVersion: podnet.dev/v1alpha1
      kind: Topology
      metadata: {name: custom}
      spec:
        cni: flannel
        flannel: {backend: vxlan, vni: 4096, port: 4789, directRouting: true, mtu: 9000}
        kubeProxy: {mode: ipvs, scheduler: lc}
        podCIDR: 10.32.0.0/16
        nodeCIDRMaskSize: 25
        serviceCIDR: 10.100.0.0/16
        clusterDomain: corp.local
        dns: {upstream: [8.8.8.8, 1.1.1.1], nodeSearches: [corp.example.com]}
        nodes:
          - {name: a, ip: 10.0.0.11/16, gateway: 10.0.255.254, mtu: 9000, labels: {zone: z1}}
          - {name: b, ip: 10.0.1.12/16, gateway: 10.0.255.254, unschedulable: true}
    `);
    expect(c.header.name).toBe('custom');
    expect(c.header.cni).toEqual({ kind: 'flannel', backend: { type: 'vxlan', vni: 4096, port: 4789, directRouting: true, mtu: 9000 } });
    expect(c.header.kubeProxy).toEqual({ mode: 'ipvs', scheduler: 'lc', masqueradeAll: false });
    expect(c.header.clusterDomain).toBe('corp.local');
    expect(c.header.dns).toEqual({ upstream: [0x08080808, 0x01010101], nodeSearches: ['corp.example.com'] });
    expect(c.nodes.map((n) => `${n.name} ${ip(n.ip)}/${n.subnetPrefix} gw ${ip(n.gateway)} ${formatCidr(n.podCIDR!)} ${n.mtu} ${n.unschedulable}`)).toEqual([
      'a 10.0.0.11/16 gw 10.0.255.254 10.32.0.0/25 9000 false',
      'b 10.0.1.12/16 gw 10.0.255.254 10.32.0.128/25 1500 true',
    ]);
    expect(c.nodes[0]?.labels['zone']).toBe('z1');
    expect(c.services[0]?.clusterIP).toBe(0x0a640001); // 10.100.0.1

    const calico = loadOk(yaml`
      apiVersion: podnet.dev/v1alpha1
      kind: Topology
      spec:
        cni: calico
        calico:
          mode: ipip
          crossSubnet: true
          blockSize: 28
          natOutgoing: false
          bgp: {mesh: routeReflectors, routeReflectors: [node1], asNumber: 65001}
        nodes:
          - {name: node1, ip: 192.168.1.101}
          - {name: node2, ip: 192.168.1.102}
    `);
    expect(calico.header.cni).toEqual({
      kind: 'calico',
      mode: 'ipip',
      crossSubnet: true,
      blockSize: 28,
      natOutgoing: false,
      bgp: { asNumber: 65001, topology: { kind: 'route-reflectors', reflectors: ['node1'], clusterId: 0xf4000001 } },
    });
  });

  it('calico defaults: bgp mode, full mesh, AS 64512, /26 blocks; vxlan mode runs without BGP', () => {
    const bgp = loadOk(yaml`
      apiVersion: podnet.dev/v1alpha1
      kind: Topology
      spec: {cni: calico}
    `);
    expect(bgp.header.cni).toEqual({
      kind: 'calico',
      mode: 'bgp',
      crossSubnet: false,
      blockSize: 26,
      natOutgoing: true,
      bgp: { asNumber: 64512, topology: { kind: 'full-mesh' } },
    });
    const vx = loadOk(yaml`
      apiVersion: podnet.dev/v1alpha1
      kind: Topology
      spec: {cni: calico, calico: {mode: vxlan}}
    `);
    expect(vx.header.cni.kind === 'calico' && vx.header.cni.bgp).toBeNull();
  });
});

describe('IPAM', () => {
  it('kube-controller-manager gives nodes /24s in node order, skipping ones already given', () => {
    const c = loadOk(yaml`
      apiVersion: podnet.dev/v1alpha1
      kind: Topology
      spec:
        nodes:
          - {name: n1, ip: 192.168.1.11}
          - {name: n2, ip: 192.168.1.12, podCIDR: 10.244.1.0/24}
          - {name: n3, ip: 192.168.1.13}
          - {name: n4, ip: 192.168.1.14}
    `);
    expect(c.nodes.map((n) => formatCidr(n.podCIDR!))).toEqual(['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24', '10.244.3.0/24']);
    const d = loadOk(yaml`
      apiVersion: podnet.dev/v1alpha1
      kind: Topology
      spec:
        nodes:
          - {name: n1, ip: 192.168.1.11}
          - {name: n2, ip: 192.168.1.12, podCIDR: 10.244.0.0/24}
    `);
    expect(d.nodes.map((n) => formatCidr(n.podCIDR!))).toEqual(['10.244.1.0/24', '10.244.0.0/24']);
  });

  it('host-local: each node hands out .2, .3, ... in file order; given podIPs are kept and skipped', () => {
    const c = loadOk(
      HEADER +
        pod('a', 'node1') +
        pod('b', 'node2') +
        pod('c', 'node1', 'status: {podIP: 10.244.0.3}\n') +
        pod('d', 'node1') +
        pod('e', 'node2') +
        pod('host', 'node1', '') .replace('nodeName: node1', 'nodeName: node1\n  hostNetwork: true'),
    );
    expect(podsOf(c)).toEqual([
      'default/a node1 10.244.0.2',
      'default/b node2 10.244.1.2',
      'default/c node1 10.244.0.3',
      'default/d node1 10.244.0.4',
      'default/e node2 10.244.1.3',
      'default/host node1 192.168.1.101',
    ]);
    expect(c.pods[5]?.hostNetwork).toBe(true);
  });

  it('Service cluster IPs are deterministic, in the service CIDR, and keep given ones', () => {
    const svc = (name: string, extra = '') => yaml`
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: ${name}}
      spec:
        ports: [{port: 80}]
    ` + extra;
    const c = loadOk(HEADER + svc('a') + svc('b') + svc('c', '  clusterIP: 10.96.100.100\n'));
    const again = loadOk(HEADER + svc('b') + svc('a'));
    const ipOf = (cl: Cluster, name: string) => {
      const s = cl.services.find((x) => x.name === name);
      return s && s.clusterIP !== 'None' ? ip(s.clusterIP) : null;
    };
    expect(ipOf(c, 'c')).toBe('10.96.100.100');
    for (const name of ['a', 'b']) {
      const a = ipOf(c, name);
      expect(a).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\./);
      expect(a).not.toMatch(/^10\.96\.0\./); // the lower band is left for static addresses
      expect(ipOf(again, name)).toBe(a); // adding or reordering services moves nothing
    }
    expect(ipOf(c, 'a')).not.toBe(ipOf(c, 'b'));
  });

  it('NodePorts are allocated in 30000-32767 for NodePort and LoadBalancer services', () => {
    const c = loadOk(
      HEADER +
        yaml`
          ---
          apiVersion: v1
          kind: Service
          metadata: {name: np}
          spec:
            type: NodePort
            selector: {app: x}
            ports: [{name: http, port: 80}, {name: https, port: 443, nodePort: 30443}]
          ---
          apiVersion: v1
          kind: Service
          metadata: {name: lb}
          spec:
            type: LoadBalancer
            externalTrafficPolicy: Local
            ports: [{port: 80}]
          status:
            loadBalancer: {ingress: [{ip: 203.0.113.10}]}
        `,
    );
    const np = c.services.find((s) => s.name === 'np');
    const [http, https] = np?.ports ?? [];
    expect(http?.nodePort).toBeGreaterThanOrEqual(30000);
    expect(http?.nodePort).toBeLessThanOrEqual(32767);
    expect(https?.nodePort).toBe(30443);
    const lb = c.services.find((s) => s.name === 'lb');
    expect(lb?.ports[0]?.nodePort).toBeGreaterThanOrEqual(30000);
    expect(lb?.healthCheckNodePort).toBeGreaterThanOrEqual(30000);
    expect(lb?.externalTrafficPolicy).toBe('Local');
    expect(lb?.loadBalancerIngress.map(ip)).toEqual(['203.0.113.10']);
  });

  it('Calico IPAM: blocks per node, first pod on the block base (bgp), tunnel address first (ipip)', () => {
    const text = (mode: string) =>
      yaml`
        apiVersion: podnet.dev/v1alpha1
        kind: Topology
        spec:
          cni: calico
          calico: {mode: ${mode}}
          nodes:
            - {name: node1, ip: 192.168.1.101}
            - {name: node2, ip: 192.168.1.102}
      ` +
      pod('a', 'node1') +
      pod('b', 'node2') +
      pod('c', 'node1');
    const bgp = loadOk(text('bgp'));
    const blocks = bgp.calicoIpam?.blocks ?? [];
    expect(blocks.map((b) => b.node)).toEqual(['node1', 'node2']);
    expect(blocks.every((b) => b.cidr.prefix === 26)).toBe(true);
    const [b1, b2] = blocks;
    expect(bgp.pods.map((p) => p.ip)).toEqual([b1!.cidr.network, b2!.cidr.network, b1!.cidr.network + 1]);
    expect(bgp.calicoIpam?.tunnelAddresses.size).toBe(0);

    const ipip = loadOk(text('ipip'));
    const t1 = ipip.calicoIpam?.tunnelAddresses.get('node1');
    expect(t1).toBe(ipip.calicoIpam?.blocks[0]?.cidr.network);
    expect(ipip.pods[0]?.ip).toBe((t1 ?? 0) + 1);
    // Deterministic: the same file gives the same blocks.
    expect(loadOk(text('bgp')).calicoIpam?.blocks).toEqual(blocks);
  });
});

describe('workloads', () => {
  const deployment = (extra = '', replicas = 3) => yaml`
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      replicas: ${replicas}
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers: [{name: nginx, image: nginx, ports: [{containerPort: 80}]}]
  ` + extra;

  it('a Deployment becomes <name>-<pod-template-hash>-<5 chars> pods spread over the nodes', () => {
    const c = loadOk(HEADER + deployment());
    expect(c.pods).toHaveLength(3);
    const alphabet = '[bcdfghjklmnpqrstvwxz2456789]';
    const hash = c.pods[0]?.labels['pod-template-hash'] ?? '';
    expect(hash).toMatch(new RegExp(`^${alphabet}{6,10}$`));
    for (const p of c.pods) {
      expect(p.name).toMatch(new RegExp(`^web-${hash}-${alphabet}{5}$`));
      expect(p.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
      expect(p.owner).toEqual({ kind: 'Deployment', name: 'web' });
    }
    expect(new Set(c.pods.map((p) => p.name)).size).toBe(3);
    expect(c.pods.map((p) => p.nodeName)).toEqual(['node1', 'node2', 'node1']);
    expect(c.pods.map((p) => ip(p.ip))).toEqual(['10.244.0.2', '10.244.1.2', '10.244.0.3']);
    // Same input, same names.
    expect(loadOk(HEADER + deployment()).pods.map((p) => p.name)).toEqual(c.pods.map((p) => p.name));
  });

  it('spreads by pod count, counting pinned pods, and honours nodeSelector and unschedulable nodes', () => {
    const c = loadOk(HEADER + pod('pinned', 'node1') + deployment('', 3));
    // pinned on node1, then the least-loaded node, ties to the first: node2, node1, node2.
    expect(c.pods.map((p) => p.nodeName)).toEqual(['node1', 'node2', 'node1', 'node2']);
    const sel = loadOk(
      HEADER +
        deployment('', 2).replace('      containers:', '      nodeSelector: {kubernetes.io/hostname: node2}\n      containers:'),
    );
    expect(sel.pods.map((p) => p.nodeName)).toEqual(['node2', 'node2']);
    const cordoned = loadOk(
      yaml`
        apiVersion: podnet.dev/v1alpha1
        kind: Topology
        spec:
          nodes:
            - {name: node1, ip: 192.168.1.101, unschedulable: true}
            - {name: node2, ip: 192.168.1.102}
      ` + deployment('', 2),
    );
    expect(cordoned.pods.map((p) => p.nodeName)).toEqual(['node2', 'node2']);
  });

  it('a StatefulSet becomes <name>-0..N-1 with hostname and subdomain', () => {
    const c = loadOk(
      HEADER +
        yaml`
          ---
          apiVersion: apps/v1
          kind: StatefulSet
          metadata: {name: db}
          spec:
            serviceName: db
            replicas: 2
            selector: {matchLabels: {app: db}}
            template:
              metadata: {labels: {app: db}}
              spec: {containers: [{name: pg, ports: [{name: pg, containerPort: 5432}]}]}
          ---
          apiVersion: v1
          kind: Service
          metadata: {name: db}
          spec:
            clusterIP: None
            selector: {app: db}
            ports: [{port: 5432, targetPort: pg}]
        `,
    );
    expect(c.pods.map((p) => `${p.name} ${p.hostname}.${p.subdomain} ${p.nodeName}`)).toEqual(['db-0 db-0.db node1', 'db-1 db-1.db node2']);
    expect(c.pods[1]?.labels['statefulset.kubernetes.io/pod-name']).toBe('db-1');
    expect(c.pods[1]?.labels['apps.kubernetes.io/pod-index']).toBe('1');
    expect(c.pods[0]?.owner).toEqual({ kind: 'StatefulSet', name: 'db' });
    const svc = c.services.find((s) => s.name === 'db');
    expect(svc?.clusterIP).toBe('None');
    const slice = c.endpointSlices.find((s) => s.serviceName === 'db');
    expect(slice?.endpoints.map((e) => e.hostname)).toEqual(['db-0', 'db-1']);
    expect(slice?.ports).toEqual([{ name: null, protocol: 'TCP', port: 5432 }]);
  });
});

describe('services and endpoints', () => {
  it('reads service fields with their API defaults', () => {
    const c = loadOk(
      HEADER +
        yaml`
          ---
          apiVersion: v1
          kind: Service
          metadata: {name: sticky, labels: {tier: fe}}
          spec:
            sessionAffinity: ClientIP
            externalIPs: [192.168.1.200]
            ports: [{port: 53, protocol: UDP}]
          ---
          apiVersion: v1
          kind: Service
          metadata: {name: ext}
          spec:
            type: ExternalName
            externalName: example.com
        `,
    );
    const sticky = c.services.find((s) => s.name === 'sticky');
    expect(sticky?.sessionAffinity).toEqual({ kind: 'ClientIP', timeoutSeconds: 10800 });
    expect(sticky?.externalIPs.map(ip)).toEqual(['192.168.1.200']);
    expect(sticky?.ports).toEqual([{ name: null, protocol: 'UDP', port: 53, targetPort: 53, nodePort: null }]);
    expect(sticky?.internalTrafficPolicy).toBe('Cluster');
    expect(sticky?.selector).toBeNull();
    expect(sticky?.labels).toEqual({ tier: 'fe' });
    expect(c.endpointSlices.some((s) => s.serviceName === 'sticky')).toBe(false); // no selector: no derived slice
    const ext = c.services.find((s) => s.name === 'ext');
    expect(ext?.type).toBe('ExternalName');
    expect(ext?.clusterIP).toBe('None');
    expect(ext?.externalName).toBe('example.com');
  });

  it('derives slices with the controller conditions; given slices replace derived ones', () => {
    const c = loadOk(
      HEADER +
        pod('ready', 'node1').replace('metadata: {name: ready}', 'metadata: {name: ready, labels: {app: x}}') +
        pod('notready', 'node2', 'status:\n  conditions: [{type: Ready, status: "False"}]\n').replace(
          'metadata: {name: notready}',
          'metadata: {name: notready, labels: {app: x}}',
        ) +
        pod('leaving', 'node2', '').replace('metadata: {name: leaving}', 'metadata: {name: leaving, labels: {app: x}, deletionTimestamp: "2024-01-01T00:00:00Z"}') +
        yaml`
          ---
          apiVersion: v1
          kind: Service
          metadata: {name: x}
          spec:
            selector: {app: x}
            ports: [{port: 80, targetPort: 8080}]
          ---
          apiVersion: v1
          kind: Service
          metadata: {name: manual}
          spec:
            selector: {app: x}
            ports: [{port: 80}]
          ---
          apiVersion: discovery.k8s.io/v1
          kind: EndpointSlice
          metadata:
            name: manual-1
            labels: {kubernetes.io/service-name: manual}
          addressType: IPv4
          endpoints:
            - addresses: [10.244.9.9]
              conditions: {ready: false}
          ports: [{port: 80}]
        `,
    );
    const x = c.endpointSlices.filter((s) => s.serviceName === 'x');
    expect(x).toHaveLength(1);
    expect(x[0]?.derived).toBe(true);
    expect(x[0]?.name).toMatch(/^x-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(x[0]?.labels).toEqual({ 'kubernetes.io/service-name': 'x', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    expect(x[0]?.endpoints.map((e) => `${e.targetRef?.name} ${JSON.stringify(e.conditions)}`)).toEqual([
      'ready {"ready":true,"serving":true,"terminating":false}',
      'notready {"ready":false,"serving":false,"terminating":false}',
      'leaving {"ready":false,"serving":true,"terminating":true}',
    ]);
    expect(x[0]?.ports).toEqual([{ name: null, protocol: 'TCP', port: 8080 }]);
    const manual = c.endpointSlices.filter((s) => s.serviceName === 'manual');
    expect(manual.map((s) => `${s.name} ${s.derived}`)).toEqual(['manual-1 false']);
    expect(manual[0]?.endpoints[0]?.conditions).toEqual({ ready: false, serving: false, terminating: false });
  });
});

describe('a kubectl List with no header', () => {
  const dump = yaml`
    apiVersion: v1
    kind: List
    metadata: {resourceVersion: ""}
    items:
      - apiVersion: v1
        kind: ConfigMap
        metadata: {name: kube-root-ca.crt, namespace: default}
        data: {ca.crt: "..."}
      - apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop, uid: 1a2b, generation: 1, creationTimestamp: "2024-05-01T10:00:00Z"}
        spec:
          replicas: 2
          revisionHistoryLimit: 10
          selector: {matchLabels: {app: web}}
          strategy: {type: RollingUpdate}
          template:
            metadata: {creationTimestamp: null, labels: {app: web}}
            spec:
              containers: [{name: nginx, image: nginx, imagePullPolicy: Always, resources: {}}]
              restartPolicy: Always
        status: {replicas: 2, readyReplicas: 2}
      - apiVersion: v1
        kind: Pod
        metadata:
          name: web-5d78c9b6f4-abcde
          namespace: shop
          labels: {app: web, pod-template-hash: 5d78c9b6f4}
          ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d78c9b6f4, uid: x, controller: true}]
        spec:
          nodeName: worker-b
          containers: [{name: nginx, image: nginx}]
        status: {phase: Running, hostIP: 10.0.0.12, podIP: 10.244.3.7, podIPs: [{ip: 10.244.3.7}], conditions: [{type: Ready, status: "True"}]}
      - apiVersion: v1
        kind: Pod
        metadata:
          name: web-5d78c9b6f4-fghij
          namespace: shop
          labels: {app: web, pod-template-hash: 5d78c9b6f4}
          ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d78c9b6f4, uid: x, controller: true}]
        spec:
          nodeName: worker-a
          containers: [{name: nginx, image: nginx}]
        status: {phase: Running, hostIP: 10.0.0.11, podIP: 10.244.5.20}
      - apiVersion: v1
        kind: Pod
        metadata: {name: migrate-x7k2q, namespace: shop, ownerReferences: [{kind: Job, name: migrate}]}
        spec:
          nodeName: worker-b
          restartPolicy: Never
          containers: [{name: m, image: migrate}]
        status: {phase: Succeeded, hostIP: 10.0.0.12, podIP: 10.244.3.7}
      - apiVersion: v1
        kind: Pod
        metadata: {name: debug, namespace: shop}
        spec:
          nodeName: worker-c
          containers: [{name: sh, image: busybox}]
  `;

  it('loads with defaults, inferring nodes from the pods', () => {
    const r = parseTopology(dump, 'dump.yaml');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const c = r.value;
    expect(c.header.name).toBe('dump');
    expect(c.header.source).toBeNull();
    expect(c.header.cni.kind).toBe('flannel');
    // Node addresses from the pods' hostIP, else 192.168.1.101 onwards; podCIDRs from the pods' IPs.
    expect(c.nodes.map((n) => `${n.name} ${ip(n.ip)} ${formatCidr(n.podCIDR!)}`)).toEqual([
      'worker-b 10.0.0.12 10.244.3.0/24',
      'worker-a 10.0.0.11 10.244.5.0/24',
      'worker-c 192.168.1.101 10.244.0.0/24',
    ]);
    // The Deployment is not expanded again: its pods are in the dump. The finished Job pod is
    // left out (its sandbox is gone and its IP was reused).
    expect(podsOf(c)).toEqual(['shop/web-5d78c9b6f4-abcde worker-b 10.244.3.7', 'shop/web-5d78c9b6f4-fghij worker-a 10.244.5.20', 'shop/debug worker-c 10.244.0.2']);
    expect(c.pods[0]?.owner).toEqual({ kind: 'Deployment', name: 'web' });
    expect(c.namespaces.map((n) => n.name)).toContain('shop');
  });

  it('loads a bare sequence of manifests without a List too', () => {
    const c = loadOk(pod('a', 'n1').replace(/^---\n/, '') + pod('b', 'n2'));
    expect(c.nodes.map((n) => `${n.name} ${ip(n.ip)}`)).toEqual(['n1 192.168.1.101', 'n2 192.168.1.102']);
    expect(podsOf(c)).toEqual(['default/a n1 10.244.0.2', 'default/b n2 10.244.1.2']);
  });

  it('schedules pods without nodeName on the two default nodes', () => {
    const c = loadOk(pod('a', null).replace(/^---\n/, '') + pod('b', null));
    expect(podsOf(c)).toEqual(['default/a node1 10.244.0.2', 'default/b node2 10.244.1.2']);
  });

  it('reads Node manifests (InternalIP, podCIDR) as kubectl prints them', () => {
    const c = loadOk(yaml`
      apiVersion: v1
      kind: Node
      metadata:
        name: cp
        labels: {node-role.kubernetes.io/control-plane: ""}
      spec:
        podCIDR: 10.244.0.0/24
        podCIDRs: [10.244.0.0/24]
        taints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]
      status:
        addresses: [{type: InternalIP, address: 172.18.0.2}, {type: Hostname, address: cp}]
        capacity: {cpu: "4"}
    `);
    expect(c.nodes.map((n) => `${n.name} ${ip(n.ip)} ${formatCidr(n.podCIDR!)} gw ${ip(n.gateway)}`)).toEqual(['cp 172.18.0.2 10.244.0.0/24 gw 172.18.0.1']);
    expect(c.nodes[0]?.labels['node-role.kubernetes.io/control-plane']).toBe('');
  });
});

describe('options', () => {
  it('cni: calico overrides the header (and ignores its flannel block)', () => {
    const r = parseTopology(HEADER.replace('spec:\n', 'spec:\n  flannel: {backend: host-gw}\n'), 'x.yaml', { cni: 'calico' });
    expect(r.ok && r.value.header.cni.kind).toBe('calico');
  });
});

import { readFileSync } from 'node:fs';
import { cidr } from '../../../src/net/cidr.js';
import { ipv4 } from '../../../src/net/ipv4.js';
import { unwrap } from '../../../src/lib/result.js';
import type { KpEndpoint, KpServicePort, KubeProxyConfig } from '../../../src/controllers/kube-proxy/config.js';
import { kubeProxyIptables } from '../../../src/controllers/kube-proxy/iptables-rules.js';
import { ensureKubeProxyJumps } from '../../../src/controllers/kube-proxy/jumps.js';
import { parseIptablesSave } from '../../../src/kernel/netfilter/parse.js';
import type { Ruleset } from '../../../src/kernel/netfilter/ruleset.js';

/**
 * kube-proxy's NewFakeProxier (pkg/proxy/iptables/proxier_test.go), reference/kubeproxy.md §2:
 * node `test-node` at 192.168.0.2, DetectLocalByCIDR 10.0.0.0/8, mark 0x4000,
 * localhostNodePorts, every address a NodePort address, nfacct counters, no --random-fully.
 */
export const FAKE_PROXIER: KubeProxyConfig = {
  nodeName: 'test-node',
  nodeIPs: [ipv4('192.168.0.2'), ipv4('192.168.1.2'), ipv4('192.168.99.11')],
  localDetector: cidr('10.0.0.0/8'),
  masqueradeAll: false,
  masqueradeBit: 14,
  localhostNodePorts: true,
  randomFully: false,
  nfacct: true,
};

/** testNodeIPs (IPv4 ones): what the tests' tracer treats as LOCAL, with 127.0.0.0/8. */
export const TEST_NODE_IPS = FAKE_PROXIER.nodeIPs;

type Where = 'loc' | 'rem';
type State = 'ready' | 'serving-terminating' | 'not-serving';

/** An endpoint; `loc` = on test-node, `rem` = elsewhere (no nodeName or another node). */
export function ep(ip: string, where: Where = 'rem', state: State = 'ready', port = 80): KpEndpoint {
  return {
    ip: ipv4(ip),
    port,
    nodeName: where === 'loc' ? 'test-node' : 'host-1',
    ready: state === 'ready',
    serving: state !== 'not-serving',
    terminating: state !== 'ready',
  };
}

export function svcPort(ns: string, name: string, clusterIP: string, over: Partial<KpServicePort> = {}): KpServicePort {
  return {
    namespace: ns,
    name,
    portName: 'p80',
    protocol: 'TCP',
    clusterIP: ipv4(clusterIP),
    port: 80,
    nodePort: null,
    externalIPs: [],
    loadBalancerIPs: [],
    loadBalancerSourceRanges: [],
    externalTrafficPolicy: 'Cluster',
    internalTrafficPolicy: 'Cluster',
    sessionAffinitySeconds: null,
    healthCheckNodePort: null,
    endpoints: [],
    ...over,
  };
}

export const ips = (...xs: string[]) => xs.map(ipv4);

/**
 * What the node's kernel holds after kube-proxy synced these ports: its restore input applied to
 * empty tables, then the jumps from the built-in chains (kubelet's and kube-proxy's).
 */
export function syncedRuleset(ports: readonly KpServicePort[], over: Partial<KubeProxyConfig> = {}): Ruleset {
  const restore = kubeProxyIptables({ ...FAKE_PROXIER, ...over }, ports).restore;
  return unwrap(ensureKubeProxyJumps(unwrap(parseIptablesSave(restore, 'generated'))));
}

export const fixturePath = (name: string) => `test/fixtures/kube-proxy/${name}`;

/** A literal dump from the fixtures; `jumps` adds the built-in chain jumps kube-proxy installs separately. */
export function fixtureRuleset(name: string, jumps: boolean): Ruleset {
  const rs = unwrap(parseIptablesSave(readFileSync(fixturePath(name), 'utf8'), name));
  return jumps ? unwrap(ensureKubeProxyJumps(rs)) : rs;
}

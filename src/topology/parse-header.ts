import { cidr, cidrOf, type Cidr } from '../net/cidr.js';
import { ipv4, type Ipv4 } from '../net/ipv4.js';
import { parseIfAddr } from '../net/cidr.js';
import type {
  CalicoBgpConfig,
  CalicoConfig,
  CalicoMode,
  CniConfig,
  CniKind,
  FlannelConfig,
  IpvsScheduler,
  KubeProxyConfigHeader,
} from '../cluster/header.js';
import { IPVS_SCHEDULERS } from '../cluster/header.js';
import type { Labels, SourcePos } from '../cluster/meta.js';
import { DEFAULT_NODE_MTU, DEFAULT_NODE_SUBNET_PREFIX } from '../cluster/node.js';
import {
  bool,
  cidrOfVal,
  expected,
  fail,
  int,
  ipv4Of,
  isDns1123Subdomain,
  k8sName,
  mapOf,
  nonEmptyStr,
  oneOf,
  posOf,
  seqOf,
  str,
  stringMap,
  type MapView,
  type Val,
} from './parse-yaml.js';

export const HEADER_API_VERSION = 'podnet.dev/v1alpha1';
export const HEADER_KIND = 'Topology';

/** What kubeadm + kube-flannel.yml / calico.yaml set when the header says nothing. */
export const DEFAULT_POD_CIDR: Cidr = cidr('10.244.0.0/16');
export const DEFAULT_SERVICE_CIDR: Cidr = cidr('10.96.0.0/12');
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
export const DEFAULT_NODE_CIDR_MASK_SIZE = 24;
export const DEFAULT_FLANNEL_VNI = 1;
export const DEFAULT_CALICO_AS = 64512;
export const DEFAULT_CALICO_BLOCK_SIZE = 26;
export const DEFAULT_RR_CLUSTER_ID: Ipv4 = ipv4('244.0.0.1');

export const DEFAULT_FLANNEL: FlannelConfig = {
  kind: 'flannel',
  backend: { type: 'vxlan', vni: DEFAULT_FLANNEL_VNI, port: 0, directRouting: false, mtu: null },
};

export const DEFAULT_KUBE_PROXY: KubeProxyConfigHeader = { mode: 'iptables', masqueradeAll: false };

/** A node as the input describes it, before podCIDR allocation. */
export interface RawNode {
  readonly name: string;
  /** null: a Node manifest without an InternalIP; the loader assigns one. */
  readonly ip: Ipv4 | null;
  readonly subnetPrefix: number;
  /** null: the .1 of the node's subnet. */
  readonly gateway: Ipv4 | null;
  readonly podCIDR: Cidr | null;
  readonly mtu: number;
  readonly labels: Labels;
  readonly unschedulable: boolean;
  /** Where the node is; for header nodes, the list item. */
  readonly source: SourcePos | null;
  /** Positions of individual fields, for cross-object errors. */
  readonly at: { readonly name: SourcePos | null; readonly ip: SourcePos | null; readonly gateway: SourcePos | null; readonly podCIDR: SourcePos | null };
}

/** The header as written: null where the user said nothing and the default depends on the rest. */
export interface RawHeader {
  readonly name: string | null;
  readonly cni: CniConfig;
  readonly kubeProxy: KubeProxyConfigHeader;
  readonly podCIDR: Cidr;
  readonly nodeCIDRMaskSize: number;
  readonly serviceCIDR: Cidr;
  readonly clusterDomain: string;
  readonly dnsUpstream: readonly Ipv4[] | null;
  readonly dnsNodeSearches: readonly string[];
  readonly nodes: readonly RawNode[];
  readonly source: SourcePos | null;
  readonly at: {
    readonly podCIDR: SourcePos | null;
    readonly serviceCIDR: SourcePos | null;
    /** The `calico.bgp.routeReflectors` entries, to check they name nodes. */
    readonly routeReflectors: readonly { readonly name: string; readonly pos: SourcePos; readonly path: string }[];
  };
}

/** The header a file without one (a plain manifest list) gets. */
export function defaultHeader(): RawHeader {
  return {
    name: null,
    cni: DEFAULT_FLANNEL,
    kubeProxy: DEFAULT_KUBE_PROXY,
    podCIDR: DEFAULT_POD_CIDR,
    nodeCIDRMaskSize: DEFAULT_NODE_CIDR_MASK_SIZE,
    serviceCIDR: DEFAULT_SERVICE_CIDR,
    clusterDomain: DEFAULT_CLUSTER_DOMAIN,
    dnsUpstream: null,
    dnsNodeSearches: [],
    nodes: [],
    source: null,
    at: { podCIDR: null, serviceCIDR: null, routeReflectors: [] },
  };
}

const SPEC_FIELDS = ['cni', 'flannel', 'calico', 'kubeProxy', 'podCIDR', 'nodeCIDRMaskSize', 'serviceCIDR', 'clusterDomain', 'dns', 'nodes'];

/** Read the podnet header document (`kind: Topology`). `root` is the document's mapping. */
export function parseHeader(root: Val, cniOverride: CniKind | null): RawHeader {
  const top = mapOf(root, { read: ['apiVersion', 'kind', 'metadata', 'spec'] });
  const apiVersion = top.require('apiVersion');
  if (str(apiVersion) !== HEADER_API_VERSION) expected(apiVersion, `apiVersion ${HEADER_API_VERSION}`);
  const metadata = top.get('metadata');
  const name = metadata ? k8sNameOpt(mapOf(metadata, { read: ['name'] }).get('name')) : null;
  const specVal = top.get('spec');
  const spec = specVal ? mapOf(specVal, { read: SPEC_FIELDS }) : null;
  const get = (k: string): Val | undefined => spec?.get(k);

  const podCIDRVal = get('podCIDR');
  const podCIDR = podCIDRVal ? cidrOfVal(podCIDRVal) : DEFAULT_POD_CIDR;
  const serviceCIDRVal = get('serviceCIDR');
  const serviceCIDR = serviceCIDRVal ? cidrOfVal(serviceCIDRVal) : DEFAULT_SERVICE_CIDR;
  if (serviceCIDRVal && serviceCIDR.prefix > 30) expected(serviceCIDRVal, 'a service CIDR of /30 or larger');
  const maskVal = get('nodeCIDRMaskSize');
  const nodeCIDRMaskSize = maskVal ? int(maskVal, podCIDR.prefix, 30) : DEFAULT_NODE_CIDR_MASK_SIZE;
  if (!maskVal && nodeCIDRMaskSize < podCIDR.prefix && podCIDRVal) {
    fail(podCIDRVal, `${podCIDRVal.path}: a pod CIDR smaller than /${DEFAULT_NODE_CIDR_MASK_SIZE} needs spec.nodeCIDRMaskSize (the per-node /${DEFAULT_NODE_CIDR_MASK_SIZE} does not fit)`);
  }

  const cniVal = get('cni');
  const cniKind: CniKind = cniOverride ?? (cniVal ? oneOf(cniVal, ['flannel', 'calico'] as const) : 'flannel');
  const flannelVal = get('flannel');
  const calicoVal = get('calico');
  if (cniKind === 'flannel' && calicoVal && !cniOverride) fail(calicoVal, `${calicoVal.path}: applies only to cni: calico, but cni is flannel`);
  if (cniKind === 'calico' && flannelVal && !cniOverride) fail(flannelVal, `${flannelVal.path}: applies only to cni: flannel, but cni is calico`);
  const routeReflectors: { name: string; pos: SourcePos; path: string }[] = [];
  const cni: CniConfig = cniKind === 'flannel' ? parseFlannel(flannelVal) : parseCalico(calicoVal, routeReflectors);

  const kpVal = get('kubeProxy');
  const kubeProxy = kpVal ? parseKubeProxy(kpVal) : DEFAULT_KUBE_PROXY;

  const domainVal = get('clusterDomain');
  const clusterDomain = domainVal ? str(domainVal) : DEFAULT_CLUSTER_DOMAIN;
  if (domainVal && !isDns1123Subdomain(clusterDomain)) expected(domainVal, 'a DNS domain like cluster.local');

  let dnsUpstream: Ipv4[] | null = null;
  let dnsNodeSearches: string[] = [];
  const dnsVal = get('dns');
  if (dnsVal) {
    const dns = mapOf(dnsVal, { read: ['upstream', 'nodeSearches'] });
    const up = dns.get('upstream');
    if (up) {
      const items = seqOf(up);
      if (items.length === 0 || items.length > 3) expected(up, 'a list of 1 to 3 nameserver addresses (resolv.conf reads at most 3)');
      dnsUpstream = items.map(ipv4Of);
    }
    const searches = dns.get('nodeSearches');
    if (searches) dnsNodeSearches = seqOf(searches).map(nonEmptyStr);
  }

  const nodesVal = get('nodes');
  const nodeItems = nodesVal ? seqOf(nodesVal) : [];
  if (nodesVal && nodeItems.length === 0) expected(nodesVal, 'at least one node (leave nodes out for the default node1 and node2)');
  const nodes = nodeItems.map(parseHeaderNode);

  return {
    name,
    cni,
    kubeProxy,
    podCIDR,
    nodeCIDRMaskSize,
    serviceCIDR,
    clusterDomain,
    dnsUpstream,
    dnsNodeSearches,
    nodes,
    source: posOf(root),
    at: { podCIDR: podCIDRVal ? posOf(podCIDRVal) : null, serviceCIDR: serviceCIDRVal ? posOf(serviceCIDRVal) : null, routeReflectors },
  };
}

function k8sNameOpt(v: Val | undefined): string | null {
  return v ? k8sName(v, 'dns1123-subdomain') : null;
}

function parseFlannel(v: Val | undefined): FlannelConfig {
  if (!v) return DEFAULT_FLANNEL;
  const m = mapOf(v, { read: ['backend', 'directRouting', 'vni', 'port', 'mtu'] });
  const backendVal = m.get('backend');
  const backend = backendVal ? oneOf(backendVal, ['vxlan', 'host-gw'] as const) : 'vxlan';
  if (backend === 'host-gw') {
    for (const k of ['directRouting', 'vni', 'port', 'mtu']) {
      const kv = m.keyVal(k);
      if (kv && m.has(k)) fail(kv, `${v.path}.${k}: applies only to the vxlan backend, but backend is host-gw`);
    }
    return { kind: 'flannel', backend: { type: 'host-gw' } };
  }
  const dr = m.get('directRouting');
  const vni = m.get('vni');
  const port = m.get('port');
  const mtu = m.get('mtu');
  return {
    kind: 'flannel',
    backend: {
      type: 'vxlan',
      directRouting: dr ? bool(dr) : false,
      vni: vni ? int(vni, 1, 16777215) : DEFAULT_FLANNEL_VNI,
      port: port ? int(port, 0, 65535) : 0,
      mtu: mtu ? int(mtu, 576, 65535) : null,
    },
  };
}

function parseCalico(v: Val | undefined, reflectors: { name: string; pos: SourcePos; path: string }[]): CalicoConfig {
  const m = v ? mapOf(v, { read: ['mode', 'crossSubnet', 'bgp', 'blockSize', 'natOutgoing'] }) : null;
  const modeVal = m?.get('mode');
  const mode: CalicoMode = modeVal ? oneOf(modeVal, ['bgp', 'ipip', 'vxlan'] as const) : 'bgp';
  const csVal = m?.get('crossSubnet');
  const crossSubnet = csVal ? bool(csVal) : false;
  if (csVal && crossSubnet && mode === 'bgp') {
    fail(csVal, `${csVal.path}: applies only to modes ipip and vxlan (CrossSubnet encapsulation), but mode is bgp`);
  }
  const bsVal = m?.get('blockSize');
  const blockSize = bsVal ? int(bsVal, 20, 32) : 26;
  const natVal = m?.get('natOutgoing');
  const natOutgoing = natVal ? bool(natVal) : true;
  const bgpVal = m?.get('bgp');
  let bgp: CalicoBgpConfig | null = mode === 'vxlan' ? null : { asNumber: DEFAULT_CALICO_AS, topology: { kind: 'full-mesh' } };
  if (bgpVal) {
    const b = mapOf(bgpVal, { read: ['mesh', 'asNumber', 'routeReflectors', 'clusterId'] });
    const meshVal = b.get('mesh');
    const mesh = meshVal ? oneOf(meshVal, ['full', 'routeReflectors'] as const) : 'full';
    const asVal = b.get('asNumber');
    const asNumber = asVal ? int(asVal, 1, 4294967295) : DEFAULT_CALICO_AS;
    const rrVal = b.get('routeReflectors');
    const idVal = b.get('clusterId');
    if (mesh === 'full') {
      for (const kv of [rrVal, idVal]) {
        if (kv) fail(kv, `${kv.path}: applies only to mesh: routeReflectors, but mesh is full`);
      }
      bgp = { asNumber, topology: { kind: 'full-mesh' } };
    } else {
      if (!rrVal) fail(bgpVal, `${bgpVal.path}: mesh: routeReflectors needs routeReflectors, the list of node names acting as route reflectors`);
      const items = seqOf(rrVal);
      if (items.length === 0) expected(rrVal, 'at least one node name');
      for (const it of items) reflectors.push({ name: k8sName(it, 'dns1123-subdomain'), pos: posOf(it), path: it.path });
      bgp = {
        asNumber,
        topology: { kind: 'route-reflectors', reflectors: reflectors.map((r) => r.name), clusterId: idVal ? ipv4Of(idVal) : DEFAULT_RR_CLUSTER_ID },
      };
    }
  }
  return { kind: 'calico', mode, crossSubnet: mode === 'bgp' ? false : crossSubnet, bgp, blockSize, natOutgoing };
}

function parseKubeProxy(v: Val): KubeProxyConfigHeader {
  const m = mapOf(v, { read: ['mode', 'scheduler', 'masqueradeAll'] });
  const modeVal = m.get('mode');
  const mode = modeVal ? oneOf(modeVal, ['iptables', 'ipvs'] as const) : 'iptables';
  const maVal = m.get('masqueradeAll');
  const masqueradeAll = maVal ? bool(maVal) : false;
  const schedVal = m.get('scheduler');
  if (mode === 'iptables') {
    if (schedVal) fail(schedVal, `${schedVal.path}: applies only to mode: ipvs, but mode is iptables`);
    return { mode, masqueradeAll };
  }
  const scheduler: IpvsScheduler = schedVal ? oneOf(schedVal, IPVS_SCHEDULERS) : 'rr';
  return { mode, scheduler, masqueradeAll };
}

const NODE_FIELDS = ['name', 'ip', 'gateway', 'podCIDR', 'mtu', 'labels', 'unschedulable'];

/**
 * A node in the header's `nodes` list. `ip` is the address on eth0, optionally with its prefix
 * length as `ip addr` prints it (192.168.2.102/24); /24 when not given.
 */
function parseHeaderNode(v: Val): RawNode {
  const m: MapView = mapOf(v, { read: NODE_FIELDS });
  const nameVal = m.require('name');
  const name = k8sName(nameVal, 'dns1123-subdomain');
  const ipVal = m.require('ip');
  const ipText = str(ipVal);
  const spec = parseIfAddr(ipText);
  if (!spec.ok) fail(ipVal, `${ipVal.path}: expected an IPv4 address like 192.168.1.101 or 192.168.1.101/24, found "${ipText}"`);
  const { addr, prefix } = spec.value;
  const subnetPrefix = ipText.includes('/') ? prefix : DEFAULT_NODE_SUBNET_PREFIX;
  if (subnetPrefix < 8 || subnetPrefix > 30) expected(ipVal, 'a node address with a prefix length from /8 to /30');
  const subnet = cidrOf(addr, subnetPrefix);
  if (addr === subnet.network || addr === (subnet.network | (0xffffffff >>> subnetPrefix)) >>> 0) {
    fail(ipVal, `${ipVal.path}: ${ipText} is the network or broadcast address of its subnet; expected a host address`);
  }
  const gwVal = m.get('gateway');
  const podVal = m.get('podCIDR');
  const mtuVal = m.get('mtu');
  const labelsVal = m.get('labels');
  const unschedVal = m.get('unschedulable');
  return {
    name,
    ip: addr,
    subnetPrefix,
    gateway: gwVal ? ipv4Of(gwVal) : null,
    podCIDR: podVal ? cidrOfVal(podVal) : null,
    mtu: mtuVal ? int(mtuVal, 576, 65535) : DEFAULT_NODE_MTU,
    labels: labelsVal ? stringMap(labelsVal, 'label') : {},
    unschedulable: unschedVal ? bool(unschedVal) : false,
    source: posOf(v),
    at: {
      name: posOf(nameVal),
      ip: posOf(ipVal),
      gateway: gwVal ? posOf(gwVal) : null,
      podCIDR: podVal ? posOf(podVal) : null,
    },
  };
}

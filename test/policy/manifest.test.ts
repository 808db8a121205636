import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument, type Node as YNode } from 'yaml';
import { formatCidr } from '../../src/net/cidr.js';
import { networkPolicyFromManifest } from '../../src/policy/manifest.js';
import { yamlPositionOf } from '../../src/policy/manifest-positions.js';
import { formatInputError } from '../../src/lib/input-error.js';

const POS = { file: 'np.yaml', line: 3, col: 1 };

function convert(yaml: string) {
  const lc = new LineCounter();
  const doc = parseDocument(yaml, { lineCounter: lc });
  const root = doc.contents as YNode;
  return networkPolicyFromManifest(doc.toJSON(), POS, { positionOf: yamlPositionOf(root, lc, 'np.yaml', doc) });
}

function ok(yaml: string) {
  const r = convert(yaml);
  if (!r.ok) throw new Error(formatInputError(r.error));
  return r.value;
}

function error(yaml: string): string {
  const r = convert(yaml);
  if (r.ok) throw new Error('expected an error');
  return formatInputError(r.error);
}

const head = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\n';

describe('NetworkPolicy manifests: API defaulting', () => {
  it('policyTypes defaults to [Ingress], plus Egress only when egress has rules', () => {
    expect(ok(`${head}spec: {podSelector: {}}`).policyTypes).toEqual(['Ingress']);
    expect(ok(`${head}spec: {podSelector: {}, egress: []}`).policyTypes).toEqual(['Ingress']);
    const p = ok(`${head}spec:\n  podSelector: {}\n  egress: [{}]`);
    expect(p.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(p.policyTypesDefaulted).toBe(true);
    const q = ok(`${head}spec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{}]`);
    expect(q.policyTypes).toEqual(['Egress']);
    expect(q.policyTypesDefaulted).toBe(false);
  });

  it('a port without protocol is TCP; `ports: [{}]` means all TCP ports', () => {
    const p = ok(`${head}spec:\n  podSelector: {}\n  ingress:\n  - ports: [{}]`);
    expect(p.ingress[0]?.ports[0]).toMatchObject({ protocol: 'TCP', protocolDefaulted: true, port: null, endPort: null });
  });

  it('missing and empty from/ports both mean "everything"; a missing namespace is default', () => {
    const p = ok('metadata: {name: p}\nspec:\n  ingress:\n  - {}\n  - from: []\n    ports: []');
    expect(p.namespace).toBe('default');
    expect(p.podSelector).toEqual({ matchLabels: {}, matchExpressions: [] });
    expect(p.ingress.map((r) => [r.peers.length, r.ports.length])).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  it('ipBlock keeps host bits as written (legacy parsing) and means the network', () => {
    const p = ok(`${head}spec:\n  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 192.168.242.213/24, except: [192.168.242.0/28]}`);
    const peer = p.ingress[0]?.peers[0];
    if (peer?.kind !== 'ipBlock' || peer.ipBlock.family !== 'IPv4') throw new Error('ipBlock');
    expect(formatCidr(peer.ipBlock.cidr)).toBe('192.168.242.0/24');
    expect(peer.ipBlock.cidrText).toBe('192.168.242.213/24');
  });

  it('keeps IPv6 blocks (they never match an IPv4 cluster)', () => {
    const p = ok(`${head}spec:\n  podSelector: {}\n  egress:\n  - to:\n    - ipBlock: {cidr: "2001:db8::/32", except: ["2001:db8:1::/48"]}`);
    expect(p.egress[0]?.peers[0]).toMatchObject({ kind: 'ipBlock', ipBlock: { family: 'IPv6', cidrText: '2001:db8::/32' } });
  });

  it('rules and peers carry their own line', () => {
    const p = ok(`${head}spec:\n  podSelector: {}\n  ingress:\n  - from:\n    - podSelector: {}\n    - namespaceSelector: {}\n    ports:\n    - port: 80`);
    expect(p.ingress[0]?.source.line).toBe(7);
    expect(p.ingress[0]?.peers[1]?.source.line).toBe(9);
    expect(p.ingress[0]?.ports[0]?.source.line).toBe(11);
  });
});

describe('NetworkPolicy manifests: what the API server rejects', () => {
  const cases: [string, string, string][] = [
    ['ipBlock with a selector', `- from:\n    - ipBlock: {cidr: 10.0.0.0/8}\n      podSelector: {}`, 'np.yaml:8:7: NetworkPolicy x/p spec.ingress[0].from[0]: may not specify both ipBlock and another peer (podSelector/namespaceSelector)'],
    ['an empty peer', `- from:\n    - {}`, 'np.yaml:8:7: NetworkPolicy x/p spec.ingress[0].from[0]: must specify a peer: podSelector, namespaceSelector or ipBlock'],
    ['except outside cidr', `- from:\n    - ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}`, 'np.yaml:8:45: NetworkPolicy x/p spec.ingress[0].from[0].ipBlock.except[0]: "10.1.0.0/24" must be a strict subset of cidr 10.0.0.0/16'],
    ['except equal to cidr', `- from:\n    - ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.0/16]}`, 'np.yaml:8:45: NetworkPolicy x/p spec.ingress[0].from[0].ipBlock.except[0]: "10.0.0.0/16" must be a strict subset of cidr 10.0.0.0/16'],
    ['a cidr without prefix', `- from:\n    - ipBlock: {cidr: 10.0.0.1}`, 'np.yaml:8:23: NetworkPolicy x/p spec.ingress[0].from[0].ipBlock.cidr: "10.0.0.1" is not a CIDR: it needs a prefix length, e.g. 10.0.0.1/32'],
    ['a quoted port number', `- ports:\n    - port: "80"`, 'np.yaml:8:13: NetworkPolicy x/p spec.ingress[0].ports[0].port: "80" is not a valid port name: up to 15 lower-case letters, digits and \'-\', with at least one letter (a quoted number is a port name; write 80 without quotes for a port number)'],
    ['endPort with a named port', `- ports:\n    - {port: http, endPort: 90}`, 'np.yaml:8:29: NetworkPolicy x/p spec.ingress[0].ports[0].endPort: endPort may not be used with a named port ("http")'],
    ['endPort below port', `- ports:\n    - {port: 90, endPort: 80}`, 'np.yaml:8:27: NetworkPolicy x/p spec.ingress[0].ports[0].endPort: endPort 80 must be greater than or equal to port 90'],
    ['lower-case protocol', `- ports:\n    - {protocol: tcp, port: 80}`, 'np.yaml:8:18: NetworkPolicy x/p spec.ingress[0].ports[0].protocol: expected one of TCP, UDP, SCTP, found "tcp" (write TCP)'],
    ['In without values', `- from:\n    - podSelector: {matchExpressions: [{key: app, operator: In}]}`, 'np.yaml:8:40: NetworkPolicy x/p spec.ingress[0].from[0].podSelector.matchExpressions[0]: operator In needs at least one value in "values"'],
    ['an unknown operator', `- from:\n    - podSelector: {matchExpressions: [{key: app, operator: in, values: [a]}]}`, 'np.yaml:8:61: NetworkPolicy x/p spec.ingress[0].from[0].podSelector.matchExpressions[0].operator: expected one of In, NotIn, Exists, DoesNotExist, found "in" (operators are case-sensitive)'],
    ['a misspelt field', `- form:\n    - podSelector: {}`, 'np.yaml:8:5: NetworkPolicy x/p spec.ingress[0].form: unknown field "form"; a NetworkPolicy has here: from, ports'],
  ];
  for (const [what, rules, want] of cases) {
    it(what, () => {
      expect(error(`${head}spec:\n  podSelector: {}\n  ingress:\n  ${rules}`)).toBe(want);
    });
  }

  it('policyTypes values', () => {
    expect(error(`${head}spec:\n  podSelector: {}\n  policyTypes: [ingress]`)).toBe('np.yaml:6:17: NetworkPolicy x/p spec.policyTypes[0]: expected Ingress or Egress, found "ingress"');
  });
});

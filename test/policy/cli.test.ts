import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { explainAction, matrixAction, matrixText, policyCommand } from '../../src/cli/commands/policy.js';
import { UsageError } from '../../src/cli/exit.js';
import { computeMatrix } from '../../src/policy/matrix.js';
import { indexWorld } from '../../src/policy/model.js';
import { e2eWorld, policies } from './helpers.js';

const DEMO = fileURLToPath(new URL('./fixtures/policy-demo.yaml', import.meta.url));

async function usageError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof UsageError) return e.detail;
    throw e;
  }
  throw new Error('expected a UsageError');
}

function tmpFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-policy-'));
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

describe('podnet policy explain', () => {
  it('explains a denial in both directions, naming policies, rules, peers and ports', async () => {
    const out = await explainAction(DEMO, { from: 'shop/web', to: 'shop/db:5432' });
    expect(out).toContain('verdict: DENIED by the egress of shop/web and by the ingress of shop/db');
    expect(out).toContain('shop/web is isolated for egress by shop/default-deny, shop/allow-dns, shop/web-public and no egress rule of them allows shop/db on 5432/TCP');
    expect(out).toMatch(/ports\[0\] http\/TCP \(named\): no - shop\/db has no TCP container port named "http"/);
    expect(out).toMatch(/from\[0\] podSelector app=api: no - shop\/web is in the policy's namespace but podSelector did not match: label app=web != api/);
    expect(out).toMatch(/shop\/allow-dns \(.*policy-demo.yaml:\d+\) selects shop\/db \(podSelector \{\}\), but its policyTypes \[Egress\] lack Ingress/);
  });

  it('resolves named ports on the destination and follows a Service through DNAT', async () => {
    const out = await explainAction(DEMO, { from: 'shop/web', to: 'svc/shop/api:80' });
    expect(out).toContain('svc/shop/api port 80/TCP (targetPort http) is DNATed by kube-proxy to 1 backend');
    expect(out).toContain('== backend 1 of 1: shop/api');
    expect(out).toContain('port 8080/TCP ==');
    expect(out).toContain('verdict: ALLOWED');
    expect(out).toContain('yes - matches: "http" is port 8080 on shop/api');
  });

  it('the OR-by-mistake policy lets a lookalike in; ipBlock except keeps private ranges out', async () => {
    const or = await explainAction(DEMO, { from: 'dev/debug', to: 'payments/ledger:50051' });
    expect(or).toContain('from[0] namespaceSelector team=shop: yes - matches dev/debug: namespaceSelector matched namespace dev, any pod');
    const ex = await explainAction(DEMO, { from: 'payments/auditor', to: '10.96.0.10:443' });
    expect(ex).toContain('no - 10.96.0.10 is inside the block but excluded by except 10.0.0.0/8');
    expect(ex).toContain('note: 10.96.0.10 is in the service CIDR 10.96.0.0/12 but no Service has it');
    expect(await explainAction(DEMO, { from: 'payments/auditor', to: '203.0.113.7:443' })).toContain('verdict: ALLOWED');
  });

  it('prints JSON with the same facts', async () => {
    const j = JSON.parse(await explainAction(DEMO, { from: 'monitoring/prometheus', to: 'shop/api:9090', json: true })) as {
      allowed: boolean;
      verdicts: { ingress: { decision: string; allowedBy: { policy: string; rule: number }[]; policies: { name: string; applies: boolean }[] } }[];
    };
    expect(j.allowed).toBe(true);
    expect(j.verdicts[0]?.ingress.decision).toBe('allowed-by-rules');
    expect(j.verdicts[0]?.ingress.allowedBy).toEqual([{ policy: 'shop/api-metrics', rule: 0 }]);
  });

  it('bad endpoints and ports are usage errors', async () => {
    expect(await usageError(explainAction(DEMO, { from: 'shop/nope', to: 'shop/api:80' }))).toMatch(/^--from: no pod shop\/nope; pods: /);
    expect(await usageError(explainAction(DEMO, { from: 'shop/web', to: 'shop/api:70000' }))).toBe('--to: port 70000 in "70000": expected 1 to 65535');
    expect(await usageError(explainAction(DEMO, { from: 'shop/web', to: 'shop/api:80/icmp' }))).toBe('--to: protocol "icmp" in "80/icmp": expected tcp, udp or sctp');
  });

  it('a policy the API server would reject is bad input with file:line:col', async () => {
    const f = tmpFile(
      'bad.yaml',
      `apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x}
spec: {containers: [{name: c, image: i}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: x}
spec:
  podSelector: {}
  ingress:
  - from:
    - ipBlock: {cidr: 10.0.0.0/8}
      namespaceSelector: {}
`,
    );
    expect(await usageError(matrixAction(f, {}))).toBe(`${f}:13:7: NetworkPolicy x/p spec.ingress[0].from[0]: may not specify both ipBlock and another peer (podSelector/namespaceSelector)`);
  });
});

describe('podnet policy matrix', () => {
  it('reads a kubectl List with no podnet header', async () => {
    const f = tmpFile(
      'dump.yaml',
      `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: a, namespace: x, labels: {pod: a}}
  spec: {nodeName: node1, containers: [{name: c, image: i, ports: [{containerPort: 80}]}]}
  status: {podIP: 10.244.1.2, hostIP: 192.168.1.101}
- apiVersion: v1
  kind: Pod
  metadata: {name: b, namespace: x, labels: {pod: b}}
  spec: {nodeName: node1, containers: [{name: c, image: i, ports: [{containerPort: 80}]}]}
  status: {podIP: 10.244.1.3, hostIP: 192.168.1.101}
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: a-from-b, namespace: x}
  spec:
    podSelector: {matchLabels: {pod: a}}
    ingress:
    - from: [{podSelector: {matchLabels: {pod: b}}}]
`,
    );
    const text = await matrixAction(f, {});
    expect(text.split('\n')).toEqual([
      "NetworkPolicy matrix: 2 pods, 1 policies (rows: from, columns: to; . allowed, I denied by the destination's ingress, E denied by the source's egress, X denied by both)",
      'ports: every container port the pods declare (choose with --port, e.g. --port 80/tcp,53/udp)',
      '',
      '80/TCP: 3 of 4 allowed; denied by ingress 1, by egress 0, by both 0',
      '     x',
      '     a b',
      'x/a  I .',
      'x/b  . .',
    ]);
    const csv = (await matrixAction(f, { csv: true, port: '80/tcp,53/udp' })).split('\n');
    expect(csv).toEqual(['port,from\\to,x/a,x/b', '80/TCP,x/a,deny-ingress,allow', '80/TCP,x/b,allow,allow', '53/UDP,x/a,deny-ingress,allow', '53/UDP,x/b,allow,allow']);
    const json = JSON.parse(await matrixAction(f, { json: true, port: '80' })) as { pods: { name: string }[]; matrices: { cells: string[][] }[] };
    expect(json.pods.map((p) => p.name)).toEqual(['a', 'b']);
    expect(json.matrices[0]?.cells).toEqual([
      ['deny-ingress', 'allow'],
      ['allow', 'allow'],
    ]);
  });

  it('groups by namespace and filters with --namespace', async () => {
    const all = await matrixAction(DEMO, { port: '8080/tcp' });
    expect(all).toContain('8080/TCP: 13 of 49 allowed');
    const shop = await matrixAction(DEMO, { port: '8080/tcp', namespace: 'shop' });
    expect(shop.split('\n').slice(-6)).toEqual([
      '8080/TCP: 1 of 9 allowed; denied by ingress 0, by egress 3, by both 5',
      '          shop',
      '          api db  web',
      'shop/api  X   X   E',
      'shop/db   X   X   E',
      'shop/web  .   X   E',
    ]);
    expect(await usageError(matrixAction(DEMO, { namespace: 'nope' }))).toMatch(/^--namespace: no pods in nope; namespaces with pods: dev, monitoring, payments, shop$/);
  });

  it('prints the upstream e2e table the way upstream reads it', () => {
    const index = indexWorld(e2eWorld(policies(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: x}\nspec: {podSelector: {}, policyTypes: [Ingress]}`)));
    const m = computeMatrix(index, { kind: 'l4', protocol: 'TCP', port: 80 });
    expect(matrixText(m)).toEqual([
      '80/TCP: 54 of 81 allowed; denied by ingress 27, by egress 0, by both 0',
      '     x      y      z',
      '     a b c  a b c  a b c',
      'x/a  I I I  . . .  . . .',
      'x/b  I I I  . . .  . . .',
      'x/c  I I I  . . .  . . .',
      '',
      'y/a  I I I  . . .  . . .',
      'y/b  I I I  . . .  . . .',
      'y/c  I I I  . . .  . . .',
      '',
      'z/a  I I I  . . .  . . .',
      'z/b  I I I  . . .  . . .',
      'z/c  I I I  . . .  . . .',
    ]);
  });

  it('is a commander command with explain and matrix', () => {
    const c = policyCommand();
    expect(c.name()).toBe('policy');
    expect(c.commands.map((s) => s.name())).toEqual(['explain', 'matrix']);
  });
});

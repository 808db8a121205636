import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIpv4, ipv4 } from '../../src/net/ipv4.js';
import { unwrap } from '../../src/lib/result.js';
import { podNetns } from '../../src/controllers/names.js';
import { loadTopology } from '../../src/topology/load.js';
import { buildSystem } from '../../src/topology/build.js';
import { withExternalClient } from '../../src/topology/external-client.js';
import { EXTERNAL_CLIENT_NETNS } from '../../src/topology/underlay.js';
import type { System } from '../../src/topology/system.js';
import { createLab, execIn, formatFailure, labAvailable, listLabNetns, newLabPrefix, recordProcess, teardownLab, waitSettled, type Lab } from '../../src/lab/index.js';
import { parseEndpointSpec } from '../../src/trace/endpoint.js';
import { runTrace } from '../../src/trace/run.js';
import { summarize } from '../../src/trace/summary.js';

/**
 * The real kernel judges podnet's Service traces from outside the cluster:
 * topologies/services-iptables.yaml with the external client 203.0.113.7, made real in network
 * namespaces (kube-proxy's rules loaded with iptables-restore, the router's routes to the
 * LoadBalancer IPs, route_localnet, ...). Each pod runs a TCP server that answers with its name
 * and the peer address it sees; the client connects. The endpoint and the source it sees must be
 * one of the outcomes podnet predicts; a DROP must time out.
 */
const env = await labAvailable();
const CLIENT = ipv4('203.0.113.7');
const SERVERS = [
  { pod: 'web-1', port: 8080 },
  { pod: 'web-2', port: 8080 },
  { pod: 'api-1', port: 9090 },
];
const SERVER = (name: string, port: number) =>
  `import socket\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\ns.bind(("0.0.0.0",${port}))\ns.listen(64)\nwhile True:\n  c,a=s.accept()\n  c.sendall(("${name} "+a[0]+"\\n").encode())\n  c.close()\n`;
const CLIENT_PY = (ip: string, port: number) =>
  `import socket\ns=socket.socket()\ns.settimeout(1.5)\ntry:\n  s.connect(("${ip}",${port}))\n  print(s.recv(100).decode().strip())\nexcept Exception as e:\n  print("error "+type(e).__name__)\n`;

describe.skipIf(!env.ok)(`Service traces from an external client agree with the real kernel${env.ok ? '' : ` (skipped: ${env.reason})`}`, () => {
  let system: System;
  let lab: Lab;
  const prefix = newLabPrefix();
  const servers: ChildProcess[] = [];

  beforeAll(async () => {
    const base = unwrap(buildSystem(unwrap(await loadTopology('topologies/services-iptables.yaml'))));
    system = unwrap(withExternalClient(base, CLIENT));
    const l = await createLab(system.world, { prefix });
    if (!l.ok) throw new Error(formatFailure(l.error));
    lab = l.value;
    await waitSettled(lab);
    for (const s of SERVERS) {
      const p = spawn('ip', ['netns', 'exec', lab.netnsName(podNetns('default', s.pod)), 'python3', '-c', SERVER(`default/${s.pod}`, s.port)], { stdio: 'ignore' });
      if (p.pid !== undefined) recordProcess(prefix, p.pid, `test server in ${s.pod}`);
      servers.push(p);
    }
    // Wait until every server listens.
    for (const s of SERVERS) {
      for (let i = 0; i < 50; i++) {
        const r = await execIn(lab, podNetns('default', s.pod), ['python3', '-c', CLIENT_PY('127.0.0.1', s.port)]);
        if (r.stdout.startsWith('default/')) break;
        await new Promise((res) => setTimeout(res, 100));
      }
    }
  }, 120_000);

  afterAll(async () => {
    for (const p of servers) p.kill('SIGKILL');
    await teardownLab(prefix);
    expect(await listLabNetns(prefix)).toEqual([]);
  }, 120_000);

  /** What podnet predicts: `endpoint seenSource` per delivered outcome, or the disposition. */
  function predicted(to: string, port: number): Set<string> {
    const run = unwrap(runTrace(system, { from: { kind: 'external', ip: CLIENT }, to: unwrap(parseEndpointSpec(to)), kind: { proto: 'tcp', dport: port } }));
    return new Set(
      run.outcomes.map((o) => {
        const d = o.request.disposition;
        if (d.kind !== 'DELIVERED') return d.kind;
        const seen = summarize(o.request, (id) => id).sourceSeen;
        return `${d.netns.replace(/^pod:/, '')} ${seen === null ? '?' : formatIpv4(seen)}`;
      }),
    );
  }

  async function observed(ip: string, port: number, tries: number): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < tries; i++) {
      const r = await execIn(lab, EXTERNAL_CLIENT_NETNS, ['python3', '-c', CLIENT_PY(ip, port)]);
      const line = r.stdout.trim();
      // A connect that times out is what a DROP does; REJECT would be a refusal at once.
      out.add(line === 'error TimeoutError' ? 'DROPPED' : line);
    }
    return out;
  }

  it.each([
    ['eTP Local NodePort on the endpoint node: client address preserved', 'node/node2', '192.168.1.102', 30081, 1],
    ['eTP Local NodePort on a node without endpoint: dropped', 'node/node1', '192.168.1.101', 30081, 1],
    ['eTP Local LoadBalancer routed to node2: client address preserved', '198.51.100.11', '198.51.100.11', 80, 1],
    ['eTP Cluster NodePort: masqueraded to cni0 / flannel.1', 'node/node1', '192.168.1.101', 30080, 12],
    ['LoadBalancer inside its source ranges: masqueraded', '198.51.100.10', '198.51.100.10', 80, 12],
    ['externalIPs: masqueraded', '198.51.100.20', '198.51.100.20', 80, 12],
  ])('%s', async (_name, to, ip, port, tries) => {
    const model = predicted(to, port);
    const real = await observed(ip, port, tries);
    for (const r of real) expect(model).toContain(r);
    // Several endpoints: with 12 connections both should show up (the chance of missing one is 2 * 0.5^12).
    if (tries > 1) expect(real).toEqual(model);
  }, 60_000);
});

import { describe, expect, it } from 'vitest';
import { traceAction } from '../../src/cli/commands/trace.js';
import { UsageError } from '../../src/cli/exit.js';

const FILE = 'topologies/two-node-flannel.yaml';

describe('podnet trace (command layer)', () => {
  it('prints one line per hop and the facts of the cross-node walk', async () => {
    const out = await traceAction(FILE, { from: 'default/pod-a', to: 'default/pod-b' });
    expect(out).toMatch(/^trace pod default\/pod-a \(10\.244\.1\.2\) -> pod default\/pod-b \(10\.244\.2\.2\): ICMP echo/);
    expect(out).toMatch(/encapsulation: VXLAN VNI 1 on flannel\.1 \(node1\): outer 192\.168\.1\.101 -> 192\.168\.1\.102 UDP \d+ -> 8472/);
    expect(out).toMatch(/\+50 bytes/);
    expect(out).toMatch(/ttl on arrival: 62/);
    expect(out).toMatch(/NAT: none/);
    expect(out).toMatch(/verdict: OK - echo reply received/);
    // The route that decided the first hop, as `ip route` prints it.
    expect(out).toMatch(/10\.244\.2\.0\/24 via 10\.244\.2\.0 dev flannel\.1 onlink/);
  });

  it('is deterministic', async () => {
    const a = await traceAction(FILE, { from: 'default/pod-a', to: 'default/pod-b:80' });
    const b = await traceAction(FILE, { from: 'default/pod-a', to: 'default/pod-b:80' });
    expect(a).toBe(b);
  });

  it('prints JSON with addresses as strings', async () => {
    const j = JSON.parse(await traceAction(FILE, { from: 'default/pod-a', to: 'default/pod-b:80', json: true }));
    expect(j.from.ip).toBe('10.244.1.2');
    expect(j.outcomes).toHaveLength(1);
    expect(j.outcomes[0].verdict.kind).toBe('ok');
    expect(j.outcomes[0].request.disposition.kind).toBe('DELIVERED');
    expect(j.outcomes[0].request.summary.encapsulations[0]).toMatchObject({ outerSrc: '192.168.1.101', outerDst: '192.168.1.102', udpDstPort: 8472, vni: 1, overhead: 50 });
    expect(j.outcomes[0].request.steps[0].packet.tcp.flags).toBe('S');
  });

  it('reports a closed port as REFUSED with the RST walked back', async () => {
    const out = await traceAction(FILE, { from: 'default/pod-a', to: 'default/pod-b:81' });
    expect(out).toMatch(/REFUSED by pod default\/pod-b/);
    expect(out).toMatch(/verdict: REFUSED/);
  });

  it.each([
    [{ from: 'default/nope', to: 'default/pod-b' }, /no pod default\/nope/],
    [{ from: 'default/pod-a', to: 'default/pod-b:99999' }, /port 99999/],
    [{ from: 'default/pod-a', to: 'default/pod-b', proto: 'tcp' }, /needs a destination port/],
    [{ from: 'default/pod-a', to: 'default/pod-b:80', proto: 'icmp' }, /ICMP has no ports/],
    [{ from: 'a/b/c', to: 'default/pod-b' }, /not an endpoint/],
  ])('rejects bad input %j with a UsageError', async (opts, msg) => {
    await expect(traceAction(FILE, opts)).rejects.toThrow(UsageError);
    await expect(traceAction(FILE, opts)).rejects.toThrow(msg);
  });

  it('names file and line for a malformed topology', async () => {
    const e = await traceAction('test/fixtures/topologies/bad-cidr.yaml', { from: 'default/pod-a', to: 'default/pod-b' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).detail).toMatch(/^test\/fixtures\/topologies\/bad-cidr\.yaml:\d+:\d+: .*10\.244\.1\.0\/33/);
  });

  it('gives the NetworkPolicy verdict of the flow and says plainly that Flannel does not enforce it', async () => {
    const denied = await traceAction('topologies/policy-demo.yaml', { from: 'shop/web', to: 'shop/db:5432' });
    expect(denied).toMatch(/NetworkPolicy: POLICY_DENIED - denied \(5432\/TCP\): by the egress of shop\/web/);
    expect(denied).toMatch(/Flannel does not enforce NetworkPolicy.*the packet above was not filtered/);
    expect(denied).toMatch(/verdict: OK/);
    const allowed = await traceAction('topologies/policy-demo.yaml', { from: 'shop/api', to: 'shop/db:5432' });
    expect(allowed).toMatch(/NetworkPolicy: ALLOWED - allowed \(5432\/TCP\): allowed by shop\/api-from-web egress\[0\]; allowed by shop\/db-from-api ingress\[0\]/);
  });

  it('same-node pod -> ClusterIP -> pod is DNATed in the bridge path and arrives with TTL 64', async () => {
    const out = await traceAction('test/fixtures/topologies/same-node-service.yaml', { from: 'default/client', to: 'svc/default/server:80' });
    const request = out.slice(out.indexOf('request:'), out.indexOf('reply:'));
    expect(request).toMatch(/netfilter PREROUTING \(br_netfilter\)|netfilter PREROUTING: ACCEPT, DNAT 10\.\d+\.\d+\.\d+:80 -> 10\.244\.1\.3:80/);
    expect(request).toMatch(/br_netfilter: DNAT target is on this bridge/);
    expect(request).not.toMatch(/forward cni0 -> /);
    expect(request).toMatch(/ttl on arrival: 64/);
    expect(out).toMatch(/verdict: OK - connected/);
  });
});

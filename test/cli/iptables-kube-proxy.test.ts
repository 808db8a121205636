import { describe, expect, it } from 'vitest';
import { iptablesTraceAction } from '../../src/cli/commands/iptables.js';
import { UsageError } from '../../src/cli/exit.js';

// kube-proxy's own expected dumps (test/fixtures/kube-proxy) through the command itself.
const B = 'test/fixtures/kube-proxy/dump-b-overall.txt';
const NODE = '192.168.0.2,192.168.1.2,192.168.99.11';

const json = async (o: Parameters<typeof iptablesTraceAction>[0]) => JSON.parse(await iptablesTraceAction({ ...o, json: true })) as { origin: string; verdict: string; destination: string; masqueraded: boolean; source: string; rule: string | null; probability: number }[];

describe('podnet iptables trace --kube-proxy-jumps on kube-proxy restore input', () => {
  it('external client -> NodePort (eTP Cluster): DNAT to the endpoint, masqueraded to the node address', async () => {
    const out = await iptablesTraceAction({ rules: B, kubeProxyJumps: true, src: '203.0.113.2', dst: '192.168.0.2:3003', localIp: NODE });
    expect(out).toMatch(/origin: arrived on eth0 \(PREROUTING first\)/);
    expect(out).toContain('[nat] -A KUBE-EXT-X27LE4BHSL4DOUIK -m comment --comment "masquerade traffic for ns3/svc3:p80 external destinations" -j KUBE-MARK-MASQ');
    expect(out).toMatch(/destination: 10\.180\.0\.3:80 \(DNAT\)/);
    expect(out).toMatch(/masquerade: yes, MASQUERADE in KUBE-POSTROUTING: source 203\.0\.113\.2 -> 192\.168\.0\.2/);
  });

  it('localhost -> NodePort is sent by the host (OUTPUT) and masqueraded: localhostNodePorts', async () => {
    const [o, ...rest] = await json({ rules: B, kubeProxyJumps: true, src: '127.0.0.1', dst: '127.0.0.1:3001', localIp: NODE });
    expect(rest).toEqual([]);
    expect(o).toMatchObject({ origin: 'sent', verdict: 'accept', destination: '10.180.0.2:80', masqueraded: true, source: '192.168.0.2' });
  });

  it('a ClusterIP with two endpoints: both outcomes, p=0.5 each, pod source kept', async () => {
    const out = await json({ rules: B, kubeProxyJumps: true, src: '10.0.0.2', dst: '172.30.0.44:80', localIp: NODE });
    expect(out.map((o) => [o.destination, o.probability, o.masqueraded, o.source])).toEqual([
      ['10.180.0.4:80', 0.5, false, '10.0.0.2'],
      ['10.180.0.5:80', 0.5, false, '10.0.0.2'],
    ]);
  });

  it('eTP Local without a local endpoint: the external client is dropped by KUBE-EXTERNAL-SERVICES', async () => {
    const [o] = await json({ rules: B, kubeProxyJumps: true, src: '203.0.113.2', dst: '192.168.99.22:80', localIp: NODE });
    expect(o).toMatchObject({ verdict: 'drop', rule: '-A KUBE-EXTERNAL-SERVICES -d 192.168.99.22/32 -p tcp -m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp --dport 80 -j DROP' });
  });

  it('loadBalancerSourceRanges: a client outside them is dropped by KUBE-PROXY-FIREWALL', async () => {
    const [o] = await json({ rules: B, kubeProxyJumps: true, src: '203.0.113.130', dst: '5.6.7.8:80', localIp: NODE });
    expect(o).toMatchObject({ verdict: 'drop', destination: '5.6.7.8:80' });
    expect(o?.rule).toMatch(/^-A KUBE-PROXY-FIREWALL .*traffic not accepted by KUBE-FW-NUKIZ6OKUXPJNT4C.* -j DROP$/);
  });

  it('the health check node port is accepted in INPUT, also from the node itself (looped back through lo)', async () => {
    const out = await iptablesTraceAction({ rules: B, kubeProxyJumps: true, src: '192.168.0.2', dst: '192.168.0.2:30000', localIp: NODE });
    expect(out).toMatch(/origin: sent by the host itself/);
    expect(out).toMatch(/INPUT \(in lo, out -, ctstate NEW/);
    expect(out).toContain('[filter] -A KUBE-NODEPORTS -p tcp -m comment --comment "ns2/svc2:p80 health check node port" -m tcp --dport 30000 -j ACCEPT');
  });

  it('without the flag nothing reaches the KUBE-* chains of a restore input', async () => {
    const [o] = await json({ rules: B, src: '203.0.113.2', dst: '192.168.0.2:3003', localIp: NODE });
    expect(o).toMatchObject({ verdict: 'accept', destination: '192.168.0.2:3003', masqueraded: false });
  });
});

describe('podnet iptables trace: bad input', () => {
  const fail = (o: Parameters<typeof iptablesTraceAction>[0]) => iptablesTraceAction(o).then(
    () => {
      throw new Error('expected a UsageError');
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(UsageError);
      return (e as UsageError).detail;
    },
  );

  it('names file, line and column of a rule iptables-restore would refuse', async () => {
    expect(await fail({ rules: 'test/fixtures/kube-proxy/dump-a-trace-packet.txt', src: '10.0.0.2', dst: '172.30.0.41:80' })).toMatch(/^test\/fixtures\/kube-proxy\/dump-a-trace-packet\.txt:11:42: unexpected "health"/);
  });

  it.each([
    [{ src: 'ten', dst: '1.2.3.4:80' }, /^--src: /],
    [{ src: '1.1.1.1', dst: '1.2.3.4:80', localIp: '1.2.3' }, /^--local-ip: /],
    [{ src: '1.1.1.1', dst: '1.2.3.4:80', sport: '70000' }, /--sport 70000: expected 1 to 65535/],
    [{ src: '1.1.1.1', dst: '1.2.3.4', proto: 'udp' }, /--proto udp needs a destination port/],
  ])('%j', async (o, re) => {
    expect(await fail({ rules: B, ...o })).toMatch(re);
  });

  it('a missing rules file', async () => {
    expect(await fail({ rules: 'test/fixtures/kube-proxy/nope.txt', src: '1.1.1.1', dst: '2.2.2.2:80' })).toMatch(/nope\.txt: cannot read the rules file \(ENOENT\)/);
  });
});

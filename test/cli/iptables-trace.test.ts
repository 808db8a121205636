import { describe, expect, it } from 'vitest';
import { iptablesTraceAction } from '../../src/cli/commands/iptables.js';
import { UsageError } from '../../src/cli/exit.js';
import { main } from '../../src/cli/main.js';

const RULES = 'test/fixtures/iptables/two-endpoints.rules';

describe('podnet iptables trace', () => {
  it('lists both endpoints of a two-endpoint ClusterIP with probability 0.5 each', async () => {
    const out = await iptablesTraceAction({ rules: RULES, src: '10.244.3.9', dst: '10.96.0.50:80', localIp: '192.168.1.103' });
    expect(out).toMatch(/2 outcomes/);
    expect(out).toMatch(/\[1\] p=0\.5000 -> 10\.244\.1\.5:8080 ACCEPT/);
    expect(out).toMatch(/\[2\] p=0\.5000 -> 10\.244\.2\.7:8080 ACCEPT/);
    expect(out).toMatch(/masquerade: no, the source address is kept/);
  });

  it('masquerades traffic from outside the pod network (KUBE-MARK-MASQ, mark 0x4000)', async () => {
    const j = JSON.parse(await iptablesTraceAction({ rules: RULES, src: '192.168.1.50', dst: '10.96.0.50:80', localIp: '192.168.1.103', json: true }));
    expect(j).toHaveLength(2);
    for (const o of j) {
      expect(o.masqueraded).toBe(true);
      expect(o.source).toBe('192.168.1.103');
    }
  });

  it('traces --proto sctp as an SCTP INIT: only the -p sctp -m sctp rule matches, DNAT keeps SCTP, conntrack COOKIE_WAIT', async () => {
    const rules = 'test/fixtures/iptables/sctp-same-port.rules';
    const out = await iptablesTraceAction({ rules, src: '10.244.3.9', dst: '10.96.0.10:53', proto: 'sctp', localIp: '192.168.1.103' });
    expect(out).toMatch(/^iptables trace SCTP 10\.244\.3\.9:40000 > 10\.96\.0\.10:53 \[INIT\] \[init tag: 1\] through .*: 1 outcome$/m);
    expect(out).toContain('  [nat] -A KUBE-SERVICES -d 10.96.0.10/32 -p sctp -m comment --comment "ns/dns:dns-sctp cluster IP" -m sctp --dport 53 -j KUBE-SEP-SCTP');
    expect(out).not.toContain('dns-tcp');
    expect(out).toContain('=> DNAT to 10.244.1.5:5354: SCTP 10.244.3.9:40000 > 10.96.0.10:53 [INIT] [init tag: 1]  ->  SCTP 10.244.3.9:40000 > 10.244.1.5:5354 [INIT] [init tag: 1]');
    expect(out).toMatch(/^destination: 10\.244\.1\.5:5354 \(DNAT\)$/m);
    expect(out).toMatch(/^conntrack: sctp +132 3 COOKIE_WAIT src=10\.244\.3\.9 dst=10\.96\.0\.10 sport=40000 dport=53 \[UNREPLIED\] src=10\.244\.1\.5 dst=10\.244\.3\.9 sport=5354 dport=40000 /m);
    // The same destination over TCP takes the TCP rule instead.
    const tcp = await iptablesTraceAction({ rules, src: '10.244.3.9', dst: '10.96.0.10:53', proto: 'tcp', localIp: '192.168.1.103' });
    expect(tcp).toMatch(/^destination: 10\.244\.1\.5:5353 \(DNAT\)$/m);
  });

  it('accepts --proto sctp on the command line (commander choices)', async () => {
    const chunks: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((c: string | Uint8Array) => (chunks.push(String(c)), true)) as typeof process.stdout.write;
    let code: number;
    try {
      code = await main(['iptables', 'trace', '--rules', 'test/fixtures/iptables/sctp-same-port.rules', '--src', '10.244.3.9', '--dst', '10.96.0.10:53', '--proto', 'sctp']);
    } finally {
      process.stdout.write = write;
    }
    expect(code).toBe(0);
    expect(chunks.join('')).toMatch(/^destination: 10\.244\.1\.5:5354 \(DNAT\)$/m);
  });

  it('rejects an unknown --proto and an SCTP trace without a port', async () => {
    await expect(iptablesTraceAction({ rules: RULES, src: '1.1.1.1', dst: '2.2.2.2:80', proto: 'dccp' })).rejects.toThrow(/--proto dccp: expected one of tcp, udp, sctp, icmp/);
    await expect(iptablesTraceAction({ rules: RULES, src: '1.1.1.1', dst: '2.2.2.2', proto: 'sctp' })).rejects.toThrow(/--proto sctp needs a destination port/);
  });

  it('reports a jump to a missing chain with the file and line', async () => {
    const e = await iptablesTraceAction({ rules: 'test/fixtures/iptables/bad-jump.rules', src: '1.1.1.1', dst: '2.2.2.2:80' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).detail).toMatch(/^test\/fixtures\/iptables\/bad-jump\.rules:3:\d+: .*NOSUCHCHAIN/);
  });
});

import { describe, expect, it } from 'vitest';
import { iptablesTraceAction } from '../../src/cli/commands/iptables.js';
import { UsageError } from '../../src/cli/exit.js';

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

  it('reports a jump to a missing chain with the file and line', async () => {
    const e = await iptablesTraceAction({ rules: 'test/fixtures/iptables/bad-jump.rules', src: '1.1.1.1', dst: '2.2.2.2:80' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).detail).toMatch(/^test\/fixtures\/iptables\/bad-jump\.rules:3:\d+: .*NOSUCHCHAIN/);
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { unwrap } from '../../../src/lib/result.js';
import { iptablesCommand, iptablesRestore, parseIptablesSave } from '../../../src/kernel/netfilter/parse.js';
import { printRuleset } from '../../../src/kernel/netfilter/print.js';
import { EMPTY_RULESET, type TableName } from '../../../src/kernel/netfilter/ruleset.js';
import { EXTRA_FORMS, NODE_RULES } from './fixtures.js';
import { addNs, canRunRealNetfilter, deleteNsWithPrefix, inNs, nsPrefix, saveWithoutComments, SKIP_REASON } from './real-kernel.js';

/**
 * The real iptables (1.8.9, nf_tables backend) is the oracle for the text model: restore the
 * same input into a fresh network namespace and into the model, and compare what iptables-save
 * prints with what the model prints.
 */

const prefix = nsPrefix('ipt');
let n = 0;
const freshNs = () => {
  const name = `${prefix}-${n++}`;
  addNs(name);
  return name;
};

afterAll(() => {
  if (canRunRealNetfilter()) expect(deleteNsWithPrefix(prefix)).toEqual([]);
});

const withoutCounters = (s: string) => s.replace(/\[\d+:\d+\]/g, '[0:0]');

describe.skipIf(!canRunRealNetfilter())(`iptables-save text matches the real kernel (${SKIP_REASON})`, () => {
  it.each([
    ['Flannel + kube-proxy node rules', NODE_RULES],
    ['every supported extension form', EXTRA_FORMS],
  ])('%s: parse -> print equals iptables-restore -> iptables-save', (_name, text) => {
    const ns = freshNs();
    const r = inNs(ns, 'iptables-restore', [], text);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const real = withoutCounters(saveWithoutComments(ns));
    const model = printRuleset(unwrap(parseIptablesSave(text)));
    expect(model).toBe(real);
    // And the model reads iptables-save's own output back unchanged.
    expect(printRuleset(unwrap(parseIptablesSave(real)))).toBe(real);
  });

  it('iptables-restore --noflush: declared user chains are flushed, everything else kept', () => {
    const ns = freshNs();
    expect(inNs(ns, 'iptables-restore', [], NODE_RULES).status).toBe(0);
    const update = [
      '*nat',
      ':KUBE-SERVICES - [0:0]',
      ':KUBE-SEP-CCCCCCCCCCCCCCCC - [0:0]',
      ':KUBE-SEP-DDDDDDDDDDDDDDDD - [0:0]',
      '-A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK',
      '-A KUBE-SEP-DDDDDDDDDDDDDDDD -m comment --comment ns3/svc3:p80 -m tcp -p tcp -j DNAT --to-destination 10.244.4.8:8080',
      '-I PREROUTING 1 -p udp -j RETURN',
      'COMMIT',
      '*filter',
      ':FORWARD ACCEPT [0:0]',
      '-D FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD',
      'COMMIT',
      '',
    ].join('\n');
    const r = inNs(ns, 'iptables-restore', ['--noflush'], update);
    expect(r.stderr).toBe('');
    const model = unwrap(iptablesRestore(unwrap(parseIptablesSave(NODE_RULES)), update, { noflush: true }));
    expect(printRuleset(model)).toBe(withoutCounters(saveWithoutComments(ns)));
  });

  it('single iptables commands (-N, -I, -A, -D, -P) change the rules the same way', () => {
    const ns = freshNs();
    const cmds: [TableName, string][] = [
      ['nat', '-N KUBE-POSTROUTING'],
      ['nat', '-I POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING'],
      ['nat', '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN'],
      ['filter', '-P FORWARD DROP'],
      ['filter', '-A FORWARD -s 10.244.0.0/16 -j ACCEPT'],
      ['filter', '-I FORWARD -d 10.244.0.0/16 -j ACCEPT'],
      ['filter', '-D FORWARD -s 10.244.0.0/16 -j ACCEPT'],
    ];
    let model = EMPTY_RULESET;
    for (const [table, args] of cmds) {
      const words = args.match(/"[^"]*"|\S+/g)?.map((w) => w.replace(/^"|"$/g, '')) ?? [];
      const r = inNs(ns, 'iptables', ['-t', table, ...words]);
      expect(r.stderr).toBe('');
      model = unwrap(iptablesCommand(model, table, args));
    }
    expect(printRuleset(model)).toBe(withoutCounters(saveWithoutComments(ns)));
  });

  it.each([
    ['a jump to an undeclared chain', '*filter\n-A INPUT -j NOPE\nCOMMIT\n'],
    ['an unknown match', '*filter\n-A INPUT -m nosuchmatch -j ACCEPT\nCOMMIT\n'],
    ['an unknown option', '*filter\n-A INPUT --bogus -j ACCEPT\nCOMMIT\n'],
    ['a bad address', '*filter\n-A INPUT -s 1.2.3.400 -j ACCEPT\nCOMMIT\n'],
    ['a bad prefix length', '*filter\n-A INPUT -s 1.2.3.4/33 -j ACCEPT\nCOMMIT\n'],
    ['a missing COMMIT', '*filter\n-A INPUT -j ACCEPT\n'],
    ['a rule outside a table', '-A INPUT -j ACCEPT\n'],
    ['-o in INPUT', '*filter\n-A INPUT -o eth0 -j ACCEPT\nCOMMIT\n'],
    ['--dport before -p', '*filter\n-A INPUT --dport 80 -p tcp -j ACCEPT\nCOMMIT\n'],
    ['DNAT in the filter table', '*filter\n-A INPUT -j DNAT --to-destination 1.2.3.4\nCOMMIT\n'],
    ['DNAT reached from POSTROUTING', '*nat\n:UX - [0:0]\n-A UX -j DNAT --to-destination 1.2.3.4\n-A POSTROUTING -j UX\nCOMMIT\n'],
    ['MASQUERADE in OUTPUT', '*nat\n-A OUTPUT -j MASQUERADE\nCOMMIT\n'],
    ['REJECT tcp-reset for UDP', '*filter\n-A INPUT -p udp -j REJECT --reject-with tcp-reset\nCOMMIT\n'],
    ['NOTRACK outside raw', '*filter\n-A INPUT -j NOTRACK\nCOMMIT\n'],
    ['--limit-iface-out in INPUT', '*filter\n-A INPUT -m addrtype --dst-type LOCAL --limit-iface-out -j ACCEPT\nCOMMIT\n'],
    ['nth without --packet', '*filter\n-A INPUT -m statistic --mode nth --every 2 -j ACCEPT\nCOMMIT\n'],
    ['icmp match without --icmp-type', '*filter\n-A INPUT -p icmp -m icmp -j ACCEPT\nCOMMIT\n'],
    ['single quotes', "*filter\n-A INPUT -m comment --comment 'a b' -j ACCEPT\nCOMMIT\n"],
    ['! before -j', '*filter\n-A INPUT ! -j ACCEPT\nCOMMIT\n'],
    ['a jump loop', '*filter\n:A - [0:0]\n:B - [0:0]\n-A A -j B\n-A B -j A\n-A INPUT -j A\nCOMMIT\n'],
  ])('the kernel and the model both reject %s', (_what, text) => {
    const ns = freshNs();
    const real = inNs(ns, 'iptables-restore', [], text);
    expect(real.status).not.toBe(0);
    expect(iptablesRestore(EMPTY_RULESET, text).ok).toBe(false);
  });
});

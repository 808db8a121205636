import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIpv4, ipv4 } from '../../../src/net/ipv4.js';
import { UNTRACKED, type CtInfo } from '../../../src/kernel/netfilter/ct-info.js';
import { addMember, createIpset, parseElem } from '../../../src/kernel/netfilter/ipset.js';
import { unwrap } from '../../../src/lib/result.js';
import type { HookOutcome } from '../../../src/kernel/netfilter/evaluate.js';
import { NODE_RULES } from './fixtures.js';
import { newCt, only, rules, run, sctp, tcp, udp } from './helpers.js';

const chains = (o: HookOutcome) => o.hits.map((h) => `${h.rule.chain}#${h.rule.num ?? 'P'}:${h.effect.kind}`);
const dst = (o: HookOutcome) => `${formatIpv4(o.packet.header.dst)}:${o.packet.payload.kind === 'tcp' || o.packet.payload.kind === 'udp' ? o.packet.payload.dport : ''}`;

describe('chain traversal', () => {
  const rs = rules(`*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:A - [0:0]
:B - [0:0]
:G - [0:0]
-A FORWARD -p tcp --dport 1 -j A
-A FORWARD -p tcp --dport 2 -g G
-A FORWARD -p tcp --dport 3 -j RETURN
-A FORWARD -p tcp --dport 4 -j A
-A FORWARD -j ACCEPT
-A A -j B
-A A -p tcp --dport 4 -j REJECT --reject-with tcp-reset
-A B -j RETURN
-A B -j DROP
-A G -j LOG
COMMIT
`);

  it('jumps, returns from the inner chain, continues in the caller after the jump', () => {
    const o = only(run(rs, 'FORWARD', tcp('10.0.0.1', '10.0.0.2', 1)));
    expect(o.verdict).toEqual({ kind: 'accept' });
    expect(chains(o)).toEqual(['FORWARD#1:jump', 'A#1:jump', 'B#1:return', 'FORWARD#5:accept']);
  });

  it('goto does not come back: the end of the goto target applies the policy', () => {
    const o = only(run(rs, 'FORWARD', tcp('10.0.0.1', '10.0.0.2', 2)));
    expect(chains(o)).toEqual(['FORWARD#2:goto', 'G#1:log', 'FORWARD#P:policy']);
    expect(o.verdict).toMatchObject({ kind: 'drop', rule: { chain: 'FORWARD', num: null, text: '-P FORWARD DROP' } });
  });

  it('RETURN in a built-in chain applies its policy', () => {
    const o = only(run(rs, 'FORWARD', tcp('10.0.0.1', '10.0.0.2', 3)));
    expect(o.verdict).toMatchObject({ kind: 'drop', rule: { text: '-P FORWARD DROP' } });
  });

  it('REJECT ends the hook with the reject type and rule', () => {
    const o = only(run(rs, 'FORWARD', tcp('10.0.0.1', '10.0.0.2', 4)));
    expect(o.verdict).toEqual({
      kind: 'reject',
      with: 'tcp-reset',
      rule: { table: 'filter', chain: 'A', num: 2, text: '-A A -p tcp -m tcp --dport 4 -j REJECT --reject-with tcp-reset' },
    });
  });
});

describe('match semantics', () => {
  const mk = (rule: string) => rules(`*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD ${rule} -j ACCEPT\nCOMMIT\n`);
  const accepted = (rule: string, over: Parameters<typeof run>[3] = {}, p = tcp('10.244.1.2', '10.96.0.10', 80)) => only(run(mk(rule), 'FORWARD', p, over)).verdict.kind === 'accept';

  it('negation and CIDRs', () => {
    expect(accepted('-s 10.244.0.0/16')).toBe(true);
    expect(accepted('! -s 10.244.0.0/16')).toBe(false);
    expect(accepted('! -d 10.96.0.10/32')).toBe(false);
    expect(accepted('-d 10.96.0.0/12')).toBe(true);
  });
  it('protocols and port ranges', () => {
    expect(accepted('-p tcp --dport 79:81')).toBe(true);
    expect(accepted('-p tcp ! --dport 79:81')).toBe(false);
    expect(accepted('! -p udp')).toBe(true);
    expect(accepted('-p udp')).toBe(false);
    expect(accepted('-p tcp -m multiport --dports 22,80:90')).toBe(true);
    expect(accepted('-p tcp -m multiport --sports 22,80:90')).toBe(false);
    expect(accepted('-p tcp -m tcp --syn')).toBe(true);
  });
  it('sctp: -p sctp and -m sctp --sport/--dport (xt_sctp) match SCTP packets only', () => {
    const init = sctp('10.244.1.2', '10.96.0.10', 53);
    expect(accepted('-p sctp', {}, init)).toBe(true);
    expect(accepted('-p sctp -m sctp --dport 53', {}, init)).toBe(true);
    expect(accepted('-p sctp --dport 50:60', {}, init)).toBe(true);
    expect(accepted('-p sctp -m sctp ! --dport 53', {}, init)).toBe(false);
    expect(accepted('-p sctp -m sctp --sport 40000 --dport 54', {}, init)).toBe(false);
    expect(accepted('-p sctp -m sctp --sport 40000 --dport 53', {}, init)).toBe(true);
    expect(accepted('-p sctp -m multiport --dports 22,53', {}, init)).toBe(true);
    // The same port over TCP or UDP is a different protocol.
    expect(accepted('-p tcp --dport 53', {}, init)).toBe(false);
    expect(accepted('-p udp --dport 53', {}, init)).toBe(false);
    expect(accepted('-p sctp --dport 53', {}, tcp('10.244.1.2', '10.96.0.10', 53))).toBe(false);
    expect(accepted('-p sctp --dport 53', {}, udp('10.244.1.2', '10.96.0.10', 53))).toBe(false);
  });
  it('interfaces with the + wildcard', () => {
    expect(accepted('-i eth+ -o eth1')).toBe(true);
    expect(accepted('-i eth')).toBe(false);
    expect(accepted('! -o eth+')).toBe(false);
  });
  it('marks with masks', () => {
    expect(accepted('-m mark --mark 0x4000/0x4000', { mark: 0x4001 })).toBe(true);
    expect(accepted('-m mark ! --mark 0x4000/0x4000', { mark: 0x4001 })).toBe(false);
    expect(accepted('-m mark --mark 0x1', { mark: 0x4001 })).toBe(false);
  });
  it('ctstate, including the virtual DNAT state and INVALID without an entry', () => {
    const est: CtInfo = { ...newCt(tcp('10.244.1.2', '10.96.0.10', 80)), state: 'ESTABLISHED', status: ['SEEN_REPLY', 'CONFIRMED', 'DST_NAT', 'DST_NAT_DONE', 'SRC_NAT_DONE'] };
    expect(accepted('-m conntrack --ctstate NEW')).toBe(true);
    expect(accepted('-m conntrack --ctstate RELATED,ESTABLISHED', { ct: est })).toBe(true);
    expect(accepted('-m conntrack --ctstate DNAT', { ct: est })).toBe(true);
    expect(accepted('-m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT', { ct: est })).toBe(false);
    expect(accepted('-m conntrack --ctstatus ASSURED', { ct: est })).toBe(false);
    expect(accepted('-m conntrack --ctorigdst 10.96.0.10 --ctorigdstport 80')).toBe(true);
    expect(accepted('-m state --state INVALID', { ct: UNTRACKED })).toBe(false);
    expect(accepted('-m conntrack --ctstate UNTRACKED', { ct: UNTRACKED })).toBe(true);
    expect(accepted('-m conntrack --ctstate UNTRACKED --ctorigdst 10.96.0.10', { ct: UNTRACKED })).toBe(true);
  });
  it('addrtype asks the caller, with the limiting device', () => {
    const seen: [string, string | null][] = [];
    const addrType = (a: number, dev: string | null) => {
      seen.push([formatIpv4(a as never), dev]);
      return formatIpv4(a as never) === '10.96.0.10' ? ('LOCAL' as const) : ('UNICAST' as const);
    };
    expect(accepted('-m addrtype --dst-type LOCAL --limit-iface-out', { addrType })).toBe(true);
    expect(seen).toEqual([['10.96.0.10', 'eth1']]);
    expect(accepted('-m addrtype ! --src-type UNICAST', { addrType })).toBe(false);
  });
  it('physdev follows xt_physdev, including packets that did not cross a bridge', () => {
    const bridged = { physdev: { in: 'veth1', out: 'veth2' } };
    const routed = { physdev: { in: 'veth1', out: null } };
    expect(accepted('-m physdev --physdev-is-bridged', bridged)).toBe(true);
    expect(accepted('-m physdev --physdev-is-bridged', routed)).toBe(false);
    expect(accepted('-m physdev --physdev-is-bridged')).toBe(false);
    expect(accepted('-m physdev ! --physdev-is-bridged')).toBe(true);
    expect(accepted('-m physdev --physdev-out veth+', bridged)).toBe(true);
    expect(accepted('-m physdev --physdev-out veth2', routed)).toBe(false);
    expect(accepted('-m physdev --physdev-in veth9', { physdev: { in: null, out: 'veth2' } })).toBe(true);
  });
  it('ipsets with src/dst flags per dimension', () => {
    let set = createIpset('KUBE-CLUSTER-IP', 'hash:ip,port');
    set = addMember(set, unwrap(parseElem('hash:ip,port', '10.96.0.10,tcp:80')));
    const ipsets = new Map([[set.name, set]]);
    expect(accepted('-m set --match-set KUBE-CLUSTER-IP dst,dst', { ipsets })).toBe(true);
    expect(accepted('-m set --match-set KUBE-CLUSTER-IP src,dst', { ipsets })).toBe(false);
    expect(accepted('-m set ! --match-set KUBE-CLUSTER-IP dst,dst', { ipsets }, udp('10.244.1.2', '10.96.0.10', 80))).toBe(true);
  });
  it('icmp types', () => {
    const ping = { header: { ...tcp('10.0.0.1', '10.0.0.2', 1).header, protocol: 1 }, payload: { kind: 'icmp' as const, message: { type: 'echo-request' as const, id: 7, seq: 1, data: new Uint8Array() } } };
    expect(accepted('-p icmp --icmp-type echo-request', {}, ping)).toBe(true);
    expect(accepted('-p icmp --icmp-type echo-reply', {}, ping)).toBe(false);
    expect(accepted('-p icmp --icmp-type any', {}, ping)).toBe(true);
  });
});

describe('kube-proxy service rules', () => {
  const rs = rules(NODE_RULES);

  it('branches on -m statistic: three endpoints, one outcome each, probabilities summing to 1', () => {
    const out = run(rs, 'PREROUTING', tcp('10.244.1.2', '172.30.0.43', 80), { inDev: 'cni0' });
    expect(out.map(dst)).toEqual(['10.244.1.5:8080', '10.244.2.6:8080', '10.244.3.7:8080']);
    const p1 = 715827883 / 2 ** 31; // lround(0.3333333333 * 2^31) / 2^31 = 0.33333333349
    expect(out.map((o) => o.probability)).toEqual([p1, (1 - p1) * 0.5, (1 - p1) * 0.5]);
    expect(out.reduce((s, o) => s + o.probability, 0)).toBeCloseTo(1, 15);
    expect(out[1]?.statistic.map((s) => [s.rule.num, s.taken])).toEqual([
      [2, false],
      [3, true],
    ]);
    expect(out[0]?.nat).toMatchObject({ kind: 'dnat', port: 8080, rule: { chain: 'KUBE-SEP-AAAAAAAAAAAAAAAA', num: 2 } });
    // Pod source: no KUBE-MARK-MASQ.
    expect(out.every((o) => o.mark === 0)).toBe(true);
  });

  it('consults the nat table only for the first packet of a connection', () => {
    const p = tcp('10.244.1.2', '172.30.0.43', 80);
    const est: CtInfo = { ...newCt(p), state: 'ESTABLISHED', natDone: { src: true, dst: true } };
    const o = only(run(rs, 'PREROUTING', p, { ct: est, inDev: 'cni0' }));
    expect(o.hits.filter((h) => h.rule.table === 'nat')).toEqual([]);
    expect(o.nat).toBeNull();
    // A new connection that is not DNATed still passes the nat table (no rule matches).
    const other = only(run(rs, 'PREROUTING', tcp('10.244.1.2', '8.8.8.8', 443), { inDev: 'cni0' }));
    expect(other.hits.filter((h) => h.rule.table === 'nat').map((h) => h.rule.text)).toEqual(['-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES', '-P PREROUTING ACCEPT']);
  });

  it('marks traffic from outside the pod network for masquerade, and MASQUERADE clears the bit in POSTROUTING', () => {
    const pre = run(rs, 'PREROUTING', tcp('192.168.1.50', '172.30.0.43', 80));
    expect(pre).toHaveLength(3);
    expect(pre.every((o) => o.mark === 0x4000)).toBe(true);
    const first = pre[0] as HookOutcome;
    const post = only(run(rs, 'POSTROUTING', first.packet, { mark: first.mark, outDev: 'flannel.1', masqueradeAddr: ipv4('10.244.0.0') }));
    expect(post.nat).toMatchObject({ kind: 'masquerade', randomFully: true, rule: { chain: 'KUBE-POSTROUTING', num: 3 } });
    expect(post.mark).toBe(0);
    expect(post.hits.map((h) => h.effect)).toContainEqual({ kind: 'mark', from: 0x4000, to: 0 });
    expect(formatIpv4(post.packet.header.src)).toBe('10.244.0.0');
  });

  it('a NodePort on a local address goes through KUBE-NODEPORTS and KUBE-EXT', () => {
    const out = run(rs, 'PREROUTING', tcp('192.168.1.50', '192.168.1.101', 3003));
    expect(out.map(dst)).toEqual(['10.244.1.5:8080', '10.244.2.6:8080', '10.244.3.7:8080']);
    expect(out[2]?.hits.filter((h) => h.rule.table === 'nat').map((h) => h.rule.chain)).toEqual([
      'PREROUTING',
      'KUBE-SERVICES',
      'KUBE-NODEPORTS',
      'KUBE-EXT-X27LE4BHSL4DOUIK',
      'KUBE-MARK-MASQ',
      'KUBE-EXT-X27LE4BHSL4DOUIK',
      'KUBE-SVC-X27LE4BHSL4DOUIK',
      'KUBE-SEP-CCCCCCCCCCCCCCCC',
    ]);
  });

  it('session affinity: --set records the client, a later --rcheck sends it to the same endpoint', () => {
    const first = only(run(rs, 'PREROUTING', tcp('10.244.1.2', '172.30.0.45', 80), { now: 100 }));
    expect(first.recentUpdates).toEqual([{ list: 'KUBE-SEP-I77PXRDZVX7PMWMN', addr: ipv4('10.244.1.2'), op: 'set', at: 100 }]);
    const again = only(run(rs, 'PREROUTING', tcp('10.244.1.2', '172.30.0.45', 80, 40001), { now: 200, recent: first.recent }));
    expect(again.hits.find((h) => h.rule.chain === 'KUBE-SVC-NUKIZ6OKUXPJNT4C')?.rule.text).toContain('--rcheck --seconds 10800 --reap');
    const late = only(run(rs, 'PREROUTING', tcp('10.244.1.2', '172.30.0.45', 80, 40002), { now: 100 + 10801, recent: first.recent }));
    expect(late.hits.find((h) => h.rule.chain === 'KUBE-SVC-NUKIZ6OKUXPJNT4C')?.rule.num).toBe(3);
  });

  it('filter FORWARD: the INVALID drop, the mark accept, the policy drop', () => {
    const p = tcp('192.168.1.50', '10.1.0.5', 80);
    const invalid = only(run(rs, 'FORWARD', p, { ct: { ...newCt(p), state: 'INVALID', original: null } }));
    expect(invalid.verdict).toMatchObject({ kind: 'drop', rule: { chain: 'KUBE-FORWARD', num: 1 } });
    expect(only(run(rs, 'FORWARD', p, { mark: 0x4000 })).verdict.kind).toBe('accept');
    expect(only(run(rs, 'FORWARD', p)).verdict).toMatchObject({ kind: 'drop', rule: { text: '-P FORWARD DROP' } });
  });

  it('OUTPUT: the filter table sees the DNATed destination (nat -100 runs before filter 0)', () => {
    const withReject = rules(`${NODE_RULES}`.replace('-A KUBE-SERVICES -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT', '-A KUBE-SERVICES -d 10.244.3.7 -j REJECT'));
    const out = run(withReject, 'OUTPUT', tcp('192.168.1.101', '172.30.0.43', 80));
    expect(out.map((o) => o.verdict.kind)).toEqual(['reject', 'accept', 'accept']);
    expect(out.map(dst)).toEqual(['10.244.3.7:8080', '10.244.1.5:8080', '10.244.2.6:8080']);
  });

  it('raw NOTRACK leaves the packet untracked: the nat table is skipped', () => {
    const out = only(run(rs, 'PREROUTING', udp('10.244.1.2', '172.30.0.43', 6081)));
    expect(out.notrack).toBe(true);
    expect(out.ct.state).toBe('UNTRACKED');
    expect(out.hits.map((h) => `${h.rule.table} ${h.effect.kind}`)).toEqual(['raw notrack', 'raw policy', 'mangle policy']);
  });
});

describe('statistic branching (property)', () => {
  it('n endpoints with kube-proxy probabilities: every endpoint reached, probabilities sum to 1, each about 1/n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 25 }), (n) => {
        const lines: string[] = [];
        const chains: string[] = [];
        for (let i = 0; i < n; i++) {
          chains.push(`:SEP${i} - [0:0]`);
          const stat = i < n - 1 ? ` -m statistic --mode random --probability ${(1 / (n - i)).toFixed(10)}` : '';
          lines.push(`-A SVC${stat} -j SEP${i}`, `-A SEP${i} -p tcp -j DNAT --to-destination 10.0.${i}.1:80`);
        }
        const rs = rules(`*nat\n:PREROUTING ACCEPT [0:0]\n:SVC - [0:0]\n${chains.join('\n')}\n-A PREROUTING -j SVC\n${lines.join('\n')}\nCOMMIT\n`);
        const out = run(rs, 'PREROUTING', tcp('10.244.1.2', '10.96.0.1', 80));
        expect(out).toHaveLength(n);
        expect(new Set(out.map(dst)).size).toBe(n);
        expect(out.reduce((s, o) => s + o.probability, 0)).toBeCloseTo(1, 12);
        for (const o of out) expect(o.probability).toBeCloseTo(1 / n, 8);
      }),
      { numRuns: 30 },
    );
  });
});

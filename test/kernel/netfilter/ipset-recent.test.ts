import { describe, expect, it } from 'vitest';
import { ipv4 } from '../../../src/net/ipv4.js';
import { unwrap } from '../../../src/lib/result.js';
import { addMember, createIpset, delMember, formatElem, formatIpsetSave, ipsetTest, parseElem, type IpsetType } from '../../../src/kernel/netfilter/ipset.js';
import type { Match } from '../../../src/kernel/netfilter/match.js';
import { EMPTY_RECENT, evalRecent, type RecentMatch } from '../../../src/kernel/netfilter/recent.js';
import { findChain } from '../../../src/kernel/netfilter/ruleset.js';
import { only, rules, run, tcp } from './helpers.js';

describe('ipset model', () => {
  it.each<[IpsetType, string]>([
    ['hash:ip', '10.96.0.1'],
    ['hash:ip,port', '10.96.0.10,udp:53'],
    ['hash:ip,port,ip', '10.244.1.5,tcp:8080,10.244.1.5'],
    ['hash:ip,port,net', '1.2.3.4,tcp:80,203.0.113.0/25'],
    ['hash:net', '10.244.0.0/16'],
    ['bitmap:port', '30080'],
  ])('%s element %s round-trips', (type, text) => {
    expect(formatElem(unwrap(parseElem(type, text)))).toBe(text);
  });

  it('rejects elements of the wrong shape', () => {
    expect(parseElem('hash:ip,port', '10.96.0.10').ok).toBe(false);
    expect(parseElem('bitmap:port', '70000').ok).toBe(false);
    expect(parseElem('hash:ip', '10.96.0.300').ok).toBe(false);
  });

  it('prints ipset save text, and add is idempotent (-exist)', () => {
    let cip = createIpset('KUBE-CLUSTER-IP', 'hash:ip,port', { comment: true });
    const e = unwrap(parseElem('hash:ip,port', '10.96.0.10,udp:53'));
    cip = addMember(addMember(cip, e, 'kube-dns'), e, 'kube-dns');
    const np = addMember(createIpset('KUBE-NODE-PORT-TCP', 'bitmap:port'), unwrap(parseElem('bitmap:port', '30080')));
    expect(formatIpsetSave([cip, np])).toBe(
      'create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536 comment\n' +
        'add KUBE-CLUSTER-IP 10.96.0.10,udp:53 comment "kube-dns"\n' +
        'create KUBE-NODE-PORT-TCP bitmap:port range 0-65535\n' +
        'add KUBE-NODE-PORT-TCP 30080\n',
    );
    expect(delMember(cip, e).members).toEqual([]);
  });

  it('looks up the dimensions the src/dst flags select (missing flags read the destination)', () => {
    const loop = addMember(createIpset('KUBE-LOOP-BACK', 'hash:ip,port,ip'), unwrap(parseElem('hash:ip,port,ip', '10.244.1.5,tcp:8080,10.244.1.5')));
    const hairpin = { src: ipv4('10.244.1.5'), dst: ipv4('10.244.1.5'), proto: 6, sport: 40000, dport: 8080 };
    expect(ipsetTest(loop, ['dst', 'dst', 'src'], hairpin)).toBe(true);
    expect(ipsetTest(loop, ['dst', 'dst', 'src'], { ...hairpin, src: ipv4('10.244.2.6') })).toBe(false);
    expect(ipsetTest(loop, ['dst', 'dst', 'src'], { ...hairpin, proto: 17 })).toBe(false);
    const ports = addMember(createIpset('P', 'bitmap:port'), unwrap(parseElem('bitmap:port', '30080')));
    expect(ipsetTest(ports, ['dst'], { ...hairpin, dport: 30080 })).toBe(true);
    expect(ipsetTest(ports, [], { ...hairpin, dport: 30080 })).toBe(true);
    const nets = addMember(createIpset('N', 'hash:net'), unwrap(parseElem('hash:net', '10.244.0.0/16')));
    expect(ipsetTest(nets, ['src'], hairpin)).toBe(true);
  });

  it('-m set in a rule: IPVS-mode hairpin masquerade', () => {
    const rs = rules('*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE\nCOMMIT\n');
    expect(findChain(rs, 'nat', 'POSTROUTING')?.rules[0]?.text).toBe('-A POSTROUTING -m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE');
    const loop = addMember(createIpset('KUBE-LOOP-BACK', 'hash:ip,port,ip'), unwrap(parseElem('hash:ip,port,ip', '10.244.1.5,tcp:8080,10.244.1.5')));
    const o = only(run(rs, 'POSTROUTING', tcp('10.244.1.5', '10.244.1.5', 8080), { ipsets: new Map([[loop.name, loop]]), masqueradeAddr: ipv4('10.244.1.1') }));
    expect(o.nat?.kind).toBe('masquerade');
  });
});

describe('-m recent (xt_recent)', () => {
  const base: RecentMatch = { kind: 'recent', negate: false, command: 'set', name: 'L', seconds: null, reap: false, hitcount: null, rttl: false, mask: ipv4('255.255.255.255'), side: 'source' };
  const pkt = { src: ipv4('10.0.0.7'), dst: ipv4('10.96.0.1'), ttl: 64 };
  const m = (over: Partial<RecentMatch>): RecentMatch => ({ ...base, ...over }) satisfies Match;

  it('--set records the source and matches; --rcheck matches within --seconds', () => {
    const s = evalRecent(m({}), EMPTY_RECENT, pkt, 100);
    expect(s.matched).toBe(true);
    expect(evalRecent(m({ command: 'rcheck', seconds: 60 }), s.state, pkt, 150).matched).toBe(true);
    expect(evalRecent(m({ command: 'rcheck', seconds: 60 }), s.state, pkt, 161).matched).toBe(false);
    expect(evalRecent(m({ command: 'rcheck', seconds: 60, negate: true }), s.state, pkt, 161).matched).toBe(true);
    expect(evalRecent(m({ command: 'rcheck' }), EMPTY_RECENT, pkt, 0).matched).toBe(false);
  });

  it('--hitcount needs that many recent packets; --update adds one when it matches', () => {
    let st = evalRecent(m({}), EMPTY_RECENT, pkt, 1).state;
    const upd = m({ command: 'update', seconds: 10, hitcount: 2 });
    const a = evalRecent(upd, st, pkt, 2);
    expect(a.matched).toBe(false);
    st = evalRecent(m({}), st, pkt, 3).state;
    const b = evalRecent(upd, st, pkt, 4);
    expect(b.matched).toBe(true);
    expect(b.state.get('L')?.get(ipv4('10.0.0.7'))?.stamps).toEqual([1, 3, 4]);
  });

  it('--reap drops stamps older than --seconds; --remove forgets the address; --rdest and --mask pick the key', () => {
    let st = evalRecent(m({}), EMPTY_RECENT, pkt, 1).state;
    st = evalRecent(m({}), st, pkt, 50).state;
    const reaped = evalRecent(m({ command: 'rcheck', seconds: 20, reap: true }), st, pkt, 60);
    expect(reaped.matched).toBe(true);
    expect(reaped.state.get('L')?.get(ipv4('10.0.0.7'))?.stamps).toEqual([50]);
    expect(evalRecent(m({ command: 'remove' }), st, pkt, 61).state.get('L')?.has(ipv4('10.0.0.7'))).toBe(false);
    const dest = evalRecent(m({ side: 'dest', mask: ipv4('255.255.0.0') }), EMPTY_RECENT, pkt, 1);
    expect([...(dest.state.get('L')?.keys() ?? [])]).toEqual([ipv4('10.96.0.0')]);
  });
});

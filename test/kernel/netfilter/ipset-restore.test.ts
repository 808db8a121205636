import { describe, expect, it } from 'vitest';
import { ipsetRestore } from '../../../src/kernel/netfilter/ipset-restore.js';
import { EMPTY_IPSETS, formatIpsetSave, ipsetTest } from '../../../src/kernel/netfilter/ipset.js';
import { ipv4 } from '../../../src/net/ipv4.js';

const ok = (text: string, from = EMPTY_IPSETS) => {
  const r = ipsetRestore(from, text, 'sets.txt');
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('ipset restore', () => {
  it('creates, fills, flushes, swaps and destroys sets', () => {
    const sets = ok(
      [
        'create a hash:net family inet hashsize 1024 maxelem 1048576',
        'add a 10.244.0.0/16',
        'add a 192.168.1.101',
        'create b hash:ip,port family inet hashsize 1024 maxelem 1048576',
        'add b 10.244.1.2,tcp:8080',
        'create c hash:net',
        'add c 10.0.0.0/8',
        'swap a c',
        'flush c',
        'create d hash:net',
        'destroy d',
      ].join('\n'),
    );
    expect(formatIpsetSave(sets.values())).toBe(
      [
        // swap exchanges everything but the names: a now has c's defaults.
        'create a hash:net family inet hashsize 1024 maxelem 65536',
        'add a 10.0.0.0/8',
        'create b hash:ip,port family inet hashsize 1024 maxelem 1048576',
        'add b 10.244.1.2,tcp:8080',
        'create c hash:net family inet hashsize 1024 maxelem 1048576',
        '',
      ].join('\n'),
    );
    const b = sets.get('b');
    if (!b) throw new Error('b');
    const keys = { src: ipv4('10.244.2.2'), dst: ipv4('10.244.1.2'), proto: 6, sport: 40000, dport: 8080 };
    expect(ipsetTest(b, ['dst', 'dst'], keys)).toBe(true);
    expect(ipsetTest(b, ['dst', 'dst'], { ...keys, dport: 80 })).toBe(false);
    expect(ipsetTest(b, ['dst', 'dst'], { ...keys, proto: 17 })).toBe(false);
  });

  it('-exist makes create and add idempotent; without it a repeat is an error naming the line', () => {
    const sets = ok('create a hash:net -exist\nadd a 10.0.0.1\nadd a 10.0.0.1 -exist\ncreate a hash:net -exist\n');
    expect(sets.get('a')?.members).toHaveLength(1);
    const dup = ipsetRestore(sets, 'add a 10.0.0.2\nadd a 10.0.0.1\n', 'sets.txt');
    expect(dup.ok ? null : dup.error).toEqual({ file: 'sets.txt', line: 2, message: "Element cannot be added to the set: it's already added" });
    const again = ipsetRestore(sets, 'create a hash:net\n', 'sets.txt');
    expect(again.ok).toBe(false);
  });

  it('rejects unknown sets, types and bad elements, applying nothing', () => {
    for (const [text, msg] of [
      ['add nope 10.0.0.1', 'does not exist'],
      ['create x hash:mac', 'not modelled'],
      ['create x hash:net\nadd x 10.0.0.300', 'IPv4'],
      ['frobnicate x', 'expected create'],
      [`create ${'x'.repeat(32)} hash:net`, 'longer than 31'],
    ] as const) {
      const r = ipsetRestore(EMPTY_IPSETS, text, 'f');
      expect(r.ok ? '' : r.error.message, text).toContain(msg);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { formatIpv4, ipv4, type Ipv4 } from '../../../src/net/ipv4.js';
import { dhHashKey, shBuckets, shHashKey } from '../../../src/kernel/ipvs/hash-schedulers.js';
import { schedule } from '../../../src/kernel/ipvs/schedule.js';
import { addDest, addService, EMPTY_IPVS, findService, NO_SCHED_FLAGS, type IpvsSchedulerName, type IpvsService } from '../../../src/kernel/ipvs/table.js';

const VIP = ipv4('10.96.0.20');

/** A service with real servers added in this order (the kernel keeps the newest first). */
function svc(scheduler: IpvsSchedulerName, dests: readonly [string, number][], flags = NO_SCHED_FLAGS): IpvsService {
  let t = addService(EMPTY_IPVS, { protocol: 'TCP', vip: VIP, port: 80, scheduler, schedFlags: flags, persistentTimeout: null });
  for (const [ip, weight] of dests) t = addDest(t, 'TCP', VIP, 80, { ip: ipv4(ip), port: 8080, weight });
  return findService(t, 'TCP', VIP, 80) as IpvsService;
}

const pkt = { src: ipv4('10.244.1.2'), dst: VIP, sport: 40000 };
const picked = (s: IpvsService, p = pkt) => schedule(s, p).picks.map((x) => [formatIpv4(x.dest.ip), x.probability]);

/** hash_32() of include/linux/hash.h, computed independently with BigInt. */
function hash32Big(val: number, bits: number): number {
  return Number(((BigInt(val >>> 0) * 0x61c88647n) & 0xffffffffn) >> BigInt(32 - bits));
}

describe('IPVS table', () => {
  it('adds destinations at the head of the list (list_add_rcu)', () => {
    const s = svc('rr', [['10.244.1.3', 1], ['10.244.2.2', 1], ['10.244.3.2', 1]]);
    expect(s.dests.map((d) => formatIpv4(d.ip))).toEqual(['10.244.3.2', '10.244.2.2', '10.244.1.3']);
  });

  it('refuses a second service or destination with the same address (EEXIST)', () => {
    const t = addService(EMPTY_IPVS, { protocol: 'TCP', vip: VIP, port: 80, scheduler: 'rr', schedFlags: NO_SCHED_FLAGS, persistentTimeout: null });
    expect(() => addService(t, { protocol: 'TCP', vip: VIP, port: 80, scheduler: 'rr', schedFlags: NO_SCHED_FLAGS, persistentTimeout: null })).toThrow(/exists/);
    const t2 = addDest(t, 'TCP', VIP, 80, { ip: ipv4('10.0.0.1'), port: 80, weight: 1 });
    expect(() => addDest(t2, 'TCP', VIP, 80, { ip: ipv4('10.0.0.1'), port: 80, weight: 1 })).toThrow(/exists/);
  });
});

describe('schedulers', () => {
  it('rr: every server with weight > 0 at 1/n', () => {
    const s = svc('rr', [['10.0.0.1', 1], ['10.0.0.2', 1], ['10.0.0.3', 0], ['10.0.0.4', 1]]);
    const p = picked(s);
    expect(p).toHaveLength(3);
    for (const [, prob] of p) expect(prob).toBeCloseTo(1 / 3, 12);
    expect(p.map(([ip]) => ip)).not.toContain('10.0.0.3');
  });

  it('wrr: shares proportional to the weights', () => {
    const p = Object.fromEntries(picked(svc('wrr', [['10.0.0.1', 1], ['10.0.0.2', 3]])));
    expect(p).toEqual({ '10.0.0.1': 0.25, '10.0.0.2': 0.75 });
  });

  it('lc/wlc/nq on an idle service take the head of the list; sed prefers the heavier server', () => {
    const dests: [string, number][] = [['10.0.0.1', 1], ['10.0.0.2', 2]];
    // Head of the list = last added = 10.0.0.2.
    for (const sched of ['lc', 'wlc', 'nq', 'lblc', 'lblcr'] as const) expect(picked(svc(sched, dests))).toEqual([['10.0.0.2', 1]]);
    expect(picked(svc('sed', [['10.0.0.2', 2], ['10.0.0.1', 1]]))).toEqual([['10.0.0.2', 1]]);
  });

  it('sh: the bucket of hash_32(src) in a table filled round the list by weight', () => {
    const dests: [string, number][] = [['10.244.1.3', 1], ['10.244.2.2', 1], ['10.244.3.2', 1]];
    const s = svc('sh', dests);
    for (const src of ['10.244.1.2', '10.244.2.7', '192.168.1.102', '10.244.3.9']) {
      const a = ipv4(src);
      const bucket = hash32Big(a, 8);
      expect(shHashKey(a, 0, 0)).toBe(bucket);
      // Buckets go round the list (newest first): bucket b holds dests[b % 3] for weight 1.
      const expected = s.dests[bucket % 3];
      expect(picked(s, { ...pkt, src: a })).toEqual([[formatIpv4(expected?.ip as Ipv4), 1]]);
    }
  });

  it('sh with weights gives a server `weight` consecutive buckets; sh-port hashes the source port too', () => {
    const s = svc('sh', [['10.0.0.1', 1], ['10.0.0.2', 2]]);
    const table = shBuckets(s.dests).map((d) => (d ? formatIpv4(d.ip) : null));
    expect(table.slice(0, 6)).toEqual(['10.0.0.2', '10.0.0.2', '10.0.0.1', '10.0.0.2', '10.0.0.2', '10.0.0.1']);
    const a = ipv4('10.244.1.2');
    expect(shHashKey(a, 40000, 0)).toBe(hash32Big((a + 40000) >>> 0, 8));
  });

  it('sh returns no server when the hashed one has weight 0, unless sh-fallback', () => {
    // One server of weight 0: every bucket holds it.
    expect(schedule(svc('sh', [['10.0.0.1', 0]]), pkt).picks).toEqual([]);
    const two = svc('sh', [['10.0.0.1', 0], ['10.0.0.2', 1]], { fallback: true, port: false });
    expect(picked(two)).toEqual([['10.0.0.2', 1]]);
  });

  it('dh: the bucket of (daddr * 2654435761) & 255', () => {
    const s = svc('dh', [['10.0.0.1', 1], ['10.0.0.2', 1]]);
    const bucket = Number((BigInt(VIP) * 2654435761n) & 255n);
    expect(dhHashKey(VIP)).toBe(bucket);
    expect(picked(s)).toEqual([[formatIpv4(s.dests[bucket % 2]?.ip as Ipv4), 1]]);
  });

  it('no real server: no pick (ip_vs_leave answers port unreachable)', () => {
    for (const sched of ['rr', 'wrr', 'lc', 'sh', 'dh', 'mh'] as const) expect(schedule(svc(sched, []), pkt).picks).toEqual([]);
  });
});

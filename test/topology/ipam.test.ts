import { describe, expect, it } from 'vitest';
import { cidr, formatCidr } from '../../src/net/cidr.js';
import { formatIpv4, ipv4 } from '../../src/net/ipv4.js';
import { HostLocalRange, NodeCidrAllocator, NodePortAllocator, ServiceIpAllocator } from '../../src/topology/ipam.js';

describe('NodeCidrAllocator (kube-controller-manager --allocate-node-cidrs)', () => {
  it('hands out /24s in order, skipping occupied ones, until the cluster CIDR is full', () => {
    const a = new NodeCidrAllocator(cidr('10.244.0.0/22'), 24);
    a.occupy(cidr('10.244.1.0/24'));
    const got = [a.allocate(), a.allocate(), a.allocate(), a.allocate()].map((c) => (c ? formatCidr(c) : null));
    expect(got).toEqual(['10.244.0.0/24', '10.244.2.0/24', '10.244.3.0/24', null]);
    expect(a.capacity).toBe(4);
  });
});

describe('HostLocalRange (CNI host-local)', () => {
  it('skips the network, gateway (.1) and broadcast addresses and continues after the last one given', () => {
    const r = new HostLocalRange(cidr('10.244.1.0/29'));
    expect(formatIpv4(r.gateway)).toBe('10.244.1.1');
    r.reserve(ipv4('10.244.1.3'));
    const got: string[] = [];
    for (let ip = r.allocate(); ip !== null; ip = r.allocate()) got.push(formatIpv4(ip));
    expect(got).toEqual(['10.244.1.2', '10.244.1.4', '10.244.1.5', '10.244.1.6']);
    expect(r.capacity).toBe(5);
    expect(r.inUse).toBe(5);
    expect(r.problem(ipv4('10.244.1.7'))).toBe('the broadcast address');
    expect(r.problem(ipv4('10.244.1.0'))).toBe('the network address');
    expect(r.problem(ipv4('10.244.1.1'))).toBe('the cni0 gateway address');
    expect(r.problem(ipv4('10.244.2.1'))).toBe('outside');
    expect(r.problem(ipv4('10.244.1.4'))).toBe('in use');
  });
});

describe('ServiceIpAllocator', () => {
  it('reserves nothing by itself, allocates from the upper band by a hash of the key', () => {
    const a = new ServiceIpAllocator(cidr('10.96.0.0/12'));
    expect(formatIpv4(a.nth(1))).toBe('10.96.0.1');
    expect(formatIpv4(a.nth(10))).toBe('10.96.0.10');
    const x = a.allocate('default/web');
    const b = new ServiceIpAllocator(cidr('10.96.0.0/12'));
    expect(b.allocate('default/web')).toBe(x);
    expect(x).not.toBeNull();
    expect(x! - ipv4('10.96.0.0')).toBeGreaterThanOrEqual(257); // above the 256-address static band
    expect(a.problem(x!)).toBe('in use');
  });

  it('uses every address of a small range, then the lower band, then gives up', () => {
    const a = new ServiceIpAllocator(cidr('10.96.0.0/28')); // 14 usable, static band 16 -> all lower
    const got = new Set<number>();
    for (let i = 0; i < 14; i++) {
      const ip = a.allocate(`s${i}`);
      expect(ip).not.toBeNull();
      got.add(ip!);
    }
    expect(got.size).toBe(14);
    expect(a.allocate('one-more')).toBeNull();
  });
});

describe('NodePortAllocator', () => {
  it('stays in range, skips reserved ports, and is deterministic', () => {
    const a = new NodePortAllocator(30000, 32767);
    const p = a.allocate('default/web/http/80/TCP');
    expect(p).toBeGreaterThanOrEqual(30086); // upper band first
    expect(p).toBeLessThanOrEqual(32767);
    const b = new NodePortAllocator(30000, 32767);
    b.reserve(p!);
    expect(b.allocate('default/web/http/80/TCP')).toBe(p! + 1 > 32767 ? 30086 : p! + 1);
  });
});

import { describe, expect, test } from 'vitest';
import { ipv4 } from '../../src/net/ipv4.js';
import { mac } from '../../src/net/mac.js';
import { IPPROTO_ICMP, IPPROTO_UDP, type Frame, type Ipv4Packet } from '../../src/net/packet.js';
import { changedRows, frameRows, packetRows } from '../../src/tui/headers.js';

const inner: Ipv4Packet = {
  header: { src: ipv4('10.244.1.2'), dst: ipv4('10.244.2.2'), ttl: 63, protocol: IPPROTO_ICMP, id: 0, df: true, tos: 0 },
  payload: { kind: 'icmp', message: { type: 'echo-request', id: 7, seq: 1, data: new Uint8Array(56) } },
};
const innerFrame: Frame = { eth: { src: mac('0a:58:0a:f4:01:00'), dst: mac('0a:58:0a:f4:02:00') }, payload: { kind: 'ipv4', packet: inner } };
const outer: Ipv4Packet = {
  header: { src: ipv4('192.168.1.101'), dst: ipv4('192.168.1.102'), ttl: 64, protocol: IPPROTO_UDP, id: 0, df: false, tos: 0 },
  payload: { kind: 'udp', sport: 40000, dport: 8472, payload: { kind: 'vxlan', vni: 1, frame: innerFrame } },
};

describe('header rows', () => {
  test('a plain packet: ip and icmp', () => {
    expect(packetRows(inner)).toEqual([
      { layer: 'ip', text: '10.244.1.2 > 10.244.2.2  ttl 63  proto icmp  id 0  DF' },
      { layer: 'icmp', text: 'echo-request id 7 seq 1, 56 data bytes' },
    ]);
  });

  test('VXLAN: outer ip/udp, the vni, then the inner frame', () => {
    expect(packetRows(outer).map((r) => r.layer)).toEqual(['outer ip', 'outer udp', 'vxlan', 'inner eth', 'inner ip', 'inner icmp']);
    expect(packetRows(outer)[1]?.text).toBe('40000 > 8472');
    const wire: Frame = { eth: { src: mac('52:54:00:00:00:01'), dst: mac('52:54:00:00:00:02') }, payload: { kind: 'ipv4', packet: outer } };
    expect(frameRows(wire)[0]).toEqual({ layer: 'outer eth', text: '52:54:00:00:00:01 > 52:54:00:00:00:02' });
  });

  test('an outer source not chosen yet says who chooses it', () => {
    const unset = { ...outer, header: { ...outer.header, src: 0 as typeof outer.header.src } };
    expect(packetRows(unset)[0]?.text).toMatch(/^0\.0\.0\.0 \(set by the route lookup\) > 192\.168\.1\.102/);
  });

  test('changed rows: a TTL rewrite marks the ip row only; encapsulation marks the new layers', () => {
    const after = { ...inner, header: { ...inner.header, ttl: 62 } };
    expect(changedRows(packetRows(inner), packetRows(after))).toEqual([true, false]);
    expect(changedRows(packetRows(inner), packetRows(outer)).every(Boolean)).toBe(true);
  });

  test('ARP frames', () => {
    const arp: Frame = { eth: { src: mac('0a:58:0a:f4:01:02'), dst: mac('ff:ff:ff:ff:ff:ff') }, payload: { kind: 'arp', arp: { op: 'request', senderMac: mac('0a:58:0a:f4:01:02'), senderIp: ipv4('10.244.1.2'), targetMac: mac('00:00:00:00:00:00'), targetIp: ipv4('10.244.1.1') } } };
    expect(frameRows(arp)[1]).toEqual({ layer: 'arp', text: 'who-has 10.244.1.1 tell 10.244.1.2' });
  });
});

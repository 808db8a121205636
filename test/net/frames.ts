import { ipv4 } from '../../src/net/ipv4.js';
import { mac } from '../../src/net/mac.js';
import { IPPROTO_ICMP, IPPROTO_UDP, type Frame } from '../../src/net/packet.js';

/** Fixed frames shaped like the seed case: pod 10.244.1.2 on node1 pings 10.244.2.2 on node2. */

/** `ping` from a pod: 56 data bytes, so 98 bytes on the veth. */
export function podPing(ttl = 64): Frame {
  const data = Uint8Array.from({ length: 56 }, (_, i) => (i + 0x10) & 0xff);
  return {
    eth: { src: mac('0a:58:0a:f4:01:02'), dst: mac('0a:58:0a:f4:01:01') },
    payload: {
      kind: 'ipv4',
      packet: {
        header: { src: ipv4('10.244.1.2'), dst: ipv4('10.244.2.2'), ttl, protocol: IPPROTO_ICMP, id: 0x1c46, df: true, tos: 0 },
        payload: { kind: 'icmp', message: { type: 'echo-request', id: 0x0b4d, seq: 1, data } },
      },
    },
  };
}

/** The same ping after one hop, VXLAN-encapsulated by flannel.1 between the nodes: 148 bytes. */
export function vxlanPodPing(): Frame {
  const inner: Frame = { ...podPing(63), eth: { src: mac('6e:1a:3c:00:00:01'), dst: mac('6e:1a:3c:00:00:02') } };
  return {
    eth: { src: mac('52:54:00:00:01:01'), dst: mac('52:54:00:00:01:02') },
    payload: {
      kind: 'ipv4',
      packet: {
        header: { src: ipv4('192.168.1.101'), dst: ipv4('192.168.1.102'), ttl: 64, protocol: IPPROTO_UDP, id: 0, df: false, tos: 0 },
        payload: { kind: 'udp', sport: 40000, dport: 8472, payload: { kind: 'vxlan', vni: 1, frame: inner } },
      },
    },
  };
}

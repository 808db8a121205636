import { match } from 'ts-pattern';
import { formatIpv4 } from '../../net/ipv4.js';
import type { Disposition, DropReason } from '../../trace/types.js';

export function dropReasonText(r: DropReason, where: (netns: string) => string): string {
  return match(r)
    .with({ kind: 'netfilter' }, (x) => `by netfilter in ${where(x.rule.netns)}: [${x.rule.table}] ${x.rule.rule}`)
    .with({ kind: 'policy-chain' }, (x) => `by policy in ${where(x.rule.netns)}: ${x.policy}; rule [${x.rule.table}] ${x.rule.rule}`)
    .with({ kind: 'otherhost' }, (x) => `frame not addressed to ${x.dev} in ${where(x.netns)} (PACKET_OTHERHOST)`)
    .with({ kind: 'vxlan-no-fdb' }, (x) => `${x.dev} in ${where(x.netns)} has no fdb entry for the inner destination MAC`)
    .with({ kind: 'hairpin-off' }, (x) => `bridge port ${x.port} in ${where(x.netns)} would send the frame back where it came from, and hairpin is off`)
    .with({ kind: 'no-vxlan-device' }, (x) => `no vxlan device for VNI ${x.vni} on UDP ${x.port} in ${where(x.netns)}`)
    .with({ kind: 'no-ipip-tunnel' }, (x) => `IPIP from ${formatIpv4(x.from)} in ${where(x.netns)}, but no ipip tunnel device (tunl0) is up`)
    .with({ kind: 'link-down' }, (x) => `${x.dev} in ${where(x.netns)} is down`)
    .with({ kind: 'dummy-xmit' }, (x) => `sent out ${x.dev} in ${where(x.netns)}, a dummy device: its driver discards every frame`)
    .with({ kind: 'martian' }, (x) => `martian packet in ${where(x.netns)}: ${x.detail}`)
    .exhaustive();
}

/** `DELIVERED to pod default/pod-b (eth0)`-style one-liner. */
export function dispositionText(d: Disposition, where: (netns: string) => string): string {
  return match(d)
    .with({ kind: 'DELIVERED' }, (x) => `DELIVERED to ${where(x.netns)} (${x.dev}): ${x.to}`)
    .with({ kind: 'DROPPED' }, (x) => `DROPPED ${dropReasonText(x.reason, where)}`)
    .with({ kind: 'REJECTED' }, (x) => `REJECTED (${x.with}) in ${where(x.rule.netns)} by [${x.rule.table}] ${x.rule.rule}`)
    .with({ kind: 'REFUSED' }, (x) => `REFUSED by ${where(x.netns)}: ${x.detail}`)
    .with({ kind: 'NO_ROUTE' }, (x) => `NO_ROUTE to ${formatIpv4(x.dst)} in ${where(x.netns)}: ${x.detail}`)
    .with({ kind: 'BLACKHOLE' }, (x) => `BLACKHOLE in ${where(x.netns)}: ${x.route}`)
    .with({ kind: 'TTL_EXCEEDED' }, (x) => `TTL_EXCEEDED in ${where(x.netns)}`)
    .with({ kind: 'NEIGH_FAILED' }, (x) => `NEIGH_FAILED in ${where(x.netns)}: no ARP answer for ${formatIpv4(x.nexthop)} on ${x.dev}`)
    .with({ kind: 'MTU_EXCEEDED' }, (x) => `MTU_EXCEEDED in ${where(x.netns)}: ${x.size} bytes > mtu ${x.mtu} on ${x.dev}`)
    .with({ kind: 'LOOP' }, (x) => `LOOP: the packet keeps circulating (seen last in ${where(x.netns)})`)
    .exhaustive();
}

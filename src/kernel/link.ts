import type { Ipv4 } from '../net/ipv4.js';
import type { Mac } from '../net/mac.js';

/** Where the other end of a veth pair lives. */
export interface VethPeer {
  readonly netns: string;
  readonly ifname: string;
}

/** The kinds of link the model supports, with the attributes `ip -d link` shows. */
export type LinkKind =
  | { readonly type: 'loopback' }
  | { readonly type: 'veth'; readonly peer: VethPeer }
  | { readonly type: 'bridge'; readonly ageingTime: number; readonly stp: boolean }
  | {
      readonly type: 'vxlan';
      readonly vni: number;
      /** UDP destination port; Linux's module default is 8472, IANA's 4789. */
      readonly dstport: number;
      readonly local: Ipv4 | null;
      /** Underlay device (`dev eth0`), or null. */
      readonly dev: string | null;
      /** Learn remote MAC -> VTEP mappings from received frames (`learning`/`nolearning`). */
      readonly learning: boolean;
      /** Outer TTL; 0 = `ttl auto`, which means the route's hop limit (64). */
      readonly ttl: number;
      /** udp_flow_src_port() range for the outer source port. */
      readonly srcPortRange: readonly [number, number];
    }
  | {
      /** IPIP tunnel (`tunl0` in Calico); remote null = any (fallback device). */
      readonly type: 'ipip';
      readonly local: Ipv4 | null;
      readonly remote: Ipv4 | null;
      readonly ttl: number;
    }
  | { readonly type: 'dummy' };

/** Per-port bridge settings (`bridge link show`). */
export interface BridgePortSettings {
  readonly hairpin: boolean;
  readonly learning: boolean;
  readonly isolated: boolean;
}

export interface Link {
  readonly ifindex: number;
  readonly name: string;
  readonly kind: LinkKind;
  readonly mtu: number;
  /** Loopback has 00:00:00:00:00:00; IPIP has no link-layer address (null). */
  readonly mac: Mac | null;
  /** Administratively up (`ip link set X up`). */
  readonly up: boolean;
  /** The bridge this link is a port of (`master cni0`), or null. */
  readonly master: string | null;
  readonly bridgePort: BridgePortSettings | null;
}

export const DEFAULT_BRIDGE_PORT: BridgePortSettings = { hairpin: false, learning: true, isolated: false };

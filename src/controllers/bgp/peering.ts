import { formatIpv4 } from '../../net/ipv4.js';
import type { BgpNetworkInput } from './types.js';

/** One configured BGP session between speakers `a` and `b` (indexes into input.speakers). */
export interface Peering {
  readonly a: number;
  readonly b: number;
  /** The speaker that opens TCP to the other's port 179; the other has `passive on`. */
  readonly active: number;
  /** The reflector side when the other is its `rr client`, else null. */
  readonly reflector: number | null;
}

/**
 * Which speakers peer, and who connects.
 *
 * Full mesh: every pair once (confd renders `protocol bgp Mesh_<ip>` for every other node).
 * Route reflectors (cni.md §2.6): each reflector peers with every client (`rr client` on the
 * reflector's side) and with the other reflectors; clients do not peer with each other.
 * Reflectors sharing a cluster id are not each other's clients (Calico renders `rr client` only
 * for a peer outside the reflector's cluster), so they peer as plain iBGP neighbours.
 *
 * Direction: confd writes `passive on` when `gt $onode_ip $node_ip`, a string comparison, so the
 * node whose address *string* is greater opens the connection (node2 "192.168.1.102" connects to
 * node1 "192.168.1.101"). podnet applies the same rule to reflector sessions (one TCP connection
 * per pair; an assumption, Calico's BGPPeer rendering is not modelled in more detail).
 */
export function peeringsOf(input: BgpNetworkInput): readonly Peering[] {
  const n = input.speakers.length;
  const ipText = input.speakers.map((s) => formatIpv4(s.address));
  const activeOf = (a: number, b: number): number => ((ipText[a] ?? '') > (ipText[b] ?? '') ? a : b);
  const out: Peering[] = [];
  const peering = input.peering;
  if (peering.kind === 'full-mesh') {
    for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) out.push({ a, b, active: activeOf(a, b), reflector: null });
    return out;
  }
  const isRr = new Set(peering.reflectors);
  const rr = input.speakers.map((s) => isRr.has(s.node));
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const ra = rr[a] === true;
      const rb = rr[b] === true;
      if (!ra && !rb) continue;
      const reflector = ra && rb ? null : ra ? a : b;
      out.push({ a, b, active: activeOf(a, b), reflector });
    }
  }
  return out;
}

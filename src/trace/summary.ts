import type { Ipv4 } from '../net/ipv4.js';
import type { Mac } from '../net/mac.js';
import type { Outcome } from './types.js';
import { frameLength } from '../net/length.js';

/** One tunnel crossing seen in an outcome. */
export interface EncapSummary {
  readonly kind: 'vxlan';
  readonly netns: string;
  readonly dev: string;
  readonly outerSrc: Ipv4;
  readonly outerDst: Ipv4;
  readonly udpSrcPort: number;
  readonly udpDstPort: number;
  readonly vni: number;
  readonly innerSrcMac: Mac;
  readonly innerDstMac: Mac;
  readonly outerTtl: number;
  readonly outerDf: boolean;
  /** Bytes the tunnel adds to the frame on the wire. */
  readonly overhead: number;
}

export interface NatSummary {
  readonly netns: string;
  readonly what: string;
}

/** The facts a user asks of a trace, derived from its steps. */
export interface OutcomeSummary {
  /** The netns sequence the packet crossed, without repeats. */
  readonly path: readonly string[];
  readonly encapsulations: readonly EncapSummary[];
  readonly nat: readonly NatSummary[];
  /** TTL of the packet when it was delivered, when it was. */
  readonly ttlOnArrival: number | null;
  /** Source address the destination saw, and whether it is the one the client sent. */
  readonly sourceSeen: Ipv4 | null;
  readonly sourcePreserved: boolean | null;
  /** Largest frame the packet needed on any link (including encapsulation). */
  readonly largestFrame: number;
}

export function summarize(o: Outcome, label: (netns: string) => string): OutcomeSummary {
  const path: string[] = [];
  for (const s of o.steps) {
    const l = label(s.netns);
    if (path[path.length - 1] !== l) path.push(l);
  }
  const encapsulations: EncapSummary[] = [];
  for (const s of o.steps) {
    if (s.stage !== 'encap' || !s.packet || s.packet.payload.kind !== 'udp' || s.packet.payload.payload.kind !== 'vxlan') continue;
    const u = s.packet.payload;
    const vx = u.payload;
    if (vx.kind !== 'vxlan') continue;
    // The outer header's source is filled in by the route lookup after encapsulation.
    const wire = o.frames.find((f) => f.frame.payload.kind === 'ipv4' && f.frame.payload.packet.payload.kind === 'udp' && f.frame.payload.packet.payload.payload.kind === 'vxlan' && f.frame.payload.packet.payload.payload.frame === vx.frame);
    const outer = wire && wire.frame.payload.kind === 'ipv4' ? wire.frame.payload.packet : s.packet;
    encapsulations.push({
      kind: 'vxlan',
      netns: s.netns,
      dev: s.dev ?? '',
      outerSrc: outer.header.src,
      outerDst: outer.header.dst,
      udpSrcPort: u.sport,
      udpDstPort: u.dport,
      vni: vx.vni,
      innerSrcMac: vx.frame.eth.src,
      innerDstMac: vx.frame.eth.dst,
      outerTtl: outer.header.ttl,
      outerDf: outer.header.df,
      overhead: wire ? frameLength(wire.frame) - frameLength(vx.frame) : 50,
    });
  }
  const nat = o.steps.filter((s) => s.rewrite && /NAT|MASQUERADE|REDIRECT/.test(s.rewrite.what)).map((s) => ({ netns: label(s.netns), what: s.rewrite?.what ?? '' }));
  const delivered = o.disposition.kind === 'DELIVERED' && o.packet !== null;
  const sent = o.steps.find((s) => s.stage === 'send')?.packet ?? null;
  return {
    path,
    encapsulations,
    nat,
    ttlOnArrival: delivered && o.packet ? o.packet.header.ttl : null,
    sourceSeen: delivered && o.packet ? o.packet.header.src : null,
    sourcePreserved: delivered && o.packet && sent ? o.packet.header.src === sent.header.src : null,
    largestFrame: o.frames.reduce((m, f) => Math.max(m, frameLength(f.frame)), 0),
  };
}

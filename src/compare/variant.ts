import { err, ok, type Result } from '../lib/result.js';
import type { CalicoConfig, CniConfig } from '../cluster/header.js';
import { DEFAULT_CALICO_AS, DEFAULT_CALICO_BLOCK_SIZE, DEFAULT_FLANNEL } from '../topology/parse-header.js';

/**
 * A CNI configuration to compare, as `--cni` names it. Only the knobs that change the data
 * path are named: Flannel's backend (and VXLAN's DirectRouting), Calico's pool encapsulation
 * (and CrossSubnet). Everything else (VNI, port, block size, BGP peering) comes from the
 * topology file's own block for that CNI, or the CNI's defaults.
 */
export type CniVariant =
  | { readonly kind: 'flannel'; readonly backend: 'vxlan'; readonly directRouting: boolean }
  | { readonly kind: 'flannel'; readonly backend: 'host-gw' }
  | { readonly kind: 'calico'; readonly mode: 'bgp' }
  | { readonly kind: 'calico'; readonly mode: 'ipip' | 'vxlan'; readonly crossSubnet: boolean };

/** A variant with the name the user gave it (the column heading). */
export interface NamedVariant {
  readonly name: string;
  readonly variant: CniVariant;
}

/**
 * The grammar: `KIND[/MODE[-crosssubnet|-directrouting]]`, case-insensitive. A bare KIND is the
 * CNI's default data path (Flannel: VXLAN; Calico as podnet's header defaults it: BGP, no
 * encapsulation). Canonical names first, aliases after; `VARIANT_NAMES` lists them in this order.
 */
const VARIANTS: readonly (readonly [string, CniVariant])[] = [
  ['flannel', { kind: 'flannel', backend: 'vxlan', directRouting: false }],
  ['flannel/host-gw', { kind: 'flannel', backend: 'host-gw' }],
  ['flannel/vxlan-directrouting', { kind: 'flannel', backend: 'vxlan', directRouting: true }],
  ['calico', { kind: 'calico', mode: 'bgp' }],
  ['calico/ipip', { kind: 'calico', mode: 'ipip', crossSubnet: false }],
  ['calico/vxlan', { kind: 'calico', mode: 'vxlan', crossSubnet: false }],
  ['calico/ipip-crosssubnet', { kind: 'calico', mode: 'ipip', crossSubnet: true }],
  ['calico/vxlan-crosssubnet', { kind: 'calico', mode: 'vxlan', crossSubnet: true }],
  ['flannel/vxlan', { kind: 'flannel', backend: 'vxlan', directRouting: false }],
  ['calico/bgp', { kind: 'calico', mode: 'bgp' }],
];

export const VARIANT_NAMES: readonly string[] = VARIANTS.map(([n]) => n);

/** What `podnet compare` compares when `--cni` is not given (issue #5). */
export const DEFAULT_VARIANTS = 'flannel,flannel/host-gw,calico,calico/ipip,calico/vxlan';

/** A stable key: two names for the same variant have the same key. */
export function variantKey(v: CniVariant): string {
  return JSON.stringify(v);
}

export function parseVariant(text: string): Result<NamedVariant, string> {
  const name = text.trim().toLowerCase();
  const hit = VARIANTS.find(([n]) => n === name);
  if (!hit) return err(`unknown CNI variant "${text.trim()}"; expected one of ${VARIANT_NAMES.join(', ')}`);
  return ok({ name, variant: hit[1] });
}

/** A comma-separated `--cni` list; empty items and a variant named twice are errors. */
export function parseVariantList(text: string): Result<readonly NamedVariant[], string> {
  const out: NamedVariant[] = [];
  for (const item of text.split(',')) {
    if (item.trim() === '') return err(`"${text}": empty item in the list; expected comma-separated variants like ${DEFAULT_VARIANTS}`);
    const v = parseVariant(item);
    if (!v.ok) return v;
    const twin = out.find((o) => variantKey(o.variant) === variantKey(v.value.variant));
    if (twin) return err(`${v.value.name} is listed twice${twin.name === v.value.name ? '' : ` (it is the same as ${twin.name})`}`);
    out.push(v.value);
  }
  return ok(out);
}

/** The variant a CNI configuration is an instance of (for labelling the file's own CNI). */
export function variantOf(c: CniConfig): CniVariant {
  if (c.kind === 'flannel') return c.backend.type === 'host-gw' ? { kind: 'flannel', backend: 'host-gw' } : { kind: 'flannel', backend: 'vxlan', directRouting: c.backend.directRouting };
  return c.mode === 'bgp' ? { kind: 'calico', mode: 'bgp' } : { kind: 'calico', mode: c.mode, crossSubnet: c.crossSubnet };
}

/** The shortest name of a variant (the canonical one). */
export function variantName(v: CniVariant): string {
  const key = variantKey(v);
  const hit = VARIANTS.find(([, x]) => variantKey(x) === key);
  if (!hit) throw new Error(`bug: variant ${key} has no name`);
  return hit[0];
}

/**
 * The full CNI configuration for a variant. `own` is the topology's own CNI block; its other
 * settings are kept when it is the same CNI, else that CNI's defaults apply.
 */
export function variantConfig(v: CniVariant, own: CniConfig): CniConfig {
  if (v.kind === 'flannel') {
    if (v.backend === 'host-gw') return { kind: 'flannel', backend: { type: 'host-gw' } };
    const fallback = DEFAULT_FLANNEL.backend;
    if (fallback.type !== 'vxlan') throw new Error('bug: flannel defaults to the vxlan backend');
    const base = own.kind === 'flannel' && own.backend.type === 'vxlan' ? own.backend : fallback;
    return { kind: 'flannel', backend: { ...base, directRouting: v.directRouting } };
  }
  const mine: CalicoConfig | null = own.kind === 'calico' ? own : null;
  const fullMesh = { asNumber: DEFAULT_CALICO_AS, topology: { kind: 'full-mesh' as const } };
  const base = { blockSize: mine?.blockSize ?? DEFAULT_CALICO_BLOCK_SIZE, natOutgoing: mine?.natOutgoing ?? true };
  if (v.mode === 'bgp') return { kind: 'calico', mode: 'bgp', crossSubnet: false, bgp: mine?.bgp ?? fullMesh, ...base };
  // VXLAN mode needs no BGP (calico_backend: vxlan) unless the file itself runs VXLAN with BIRD.
  const bgp = v.mode === 'vxlan' ? (mine?.mode === 'vxlan' ? mine.bgp : null) : (mine?.bgp ?? fullMesh);
  return { kind: 'calico', mode: v.mode, crossSubnet: v.crossSubnet, bgp, ...base };
}

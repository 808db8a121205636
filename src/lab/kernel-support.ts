import { existsSync } from 'node:fs';
import { match } from 'ts-pattern';
import type { Cluster } from '../cluster/cluster.js';
import type { World } from '../kernel/netns.js';
import { cmd } from './command.js';
import { run } from './exec.js';
import { newLabPrefix } from './names.js';

/** What this machine's kernel can build. Kernels without a module say `Unknown device type`. */
export interface KernelFeatures {
  readonly vxlan: boolean;
  readonly ipip: boolean;
  readonly dummy: boolean;
  /** IPVS (ip_vs): /proc/net/ip_vs exists once the module is in. */
  readonly ipvs: boolean;
}

/**
 * Ask the kernel itself: create each link kind in a scratch netns (named like a lab, so a crash
 * leaves nothing `lab down --all` would not find), then delete the netns.
 */
export async function probeKernelFeatures(): Promise<KernelFeatures> {
  const ns = `${newLabPrefix()}probe`;
  const add = await run(cmd('ip', 'netns', 'add', ns));
  if (add.code !== 0) throw new Error(`ip netns add ${ns}: ${add.stderr.trim()}`);
  try {
    const can = async (...args: string[]): Promise<boolean> => (await run(cmd('ip', '-n', ns, 'link', 'add', ...args))).code === 0;
    return {
      vxlan: await can('vx0', 'type', 'vxlan', 'id', '1', 'dstport', '4789'),
      ipip: await can('tun0', 'type', 'ipip', 'local', '192.0.2.1', 'remote', '192.0.2.2'),
      dummy: await can('dum0', 'type', 'dummy'),
      ipvs: existsSync('/proc/net/ip_vs'),
    };
  } finally {
    await run(cmd('ip', 'netns', 'del', ns));
  }
}

/**
 * Why the kernel here cannot build this topology as podnet models it; empty when it can. A lab
 * never fakes a missing feature: such topologies are refused and their flows are not checked.
 */
export function unsupportedReasons(cluster: Cluster, world: World | null, f: KernelFeatures): string[] {
  const out: string[] = [];
  if (cluster.header.kubeProxy.mode === 'ipvs' && !f.ipvs) out.push('kube-proxy mode ipvs needs IPVS (the ip_vs module: /proc/net/ip_vs), which this kernel lacks');
  const cni = cluster.header.cni;
  match(cni)
    .with({ kind: 'calico' }, (c) => {
      if (c.mode === 'ipip' && !f.ipip) out.push('Calico IPIP needs ipip tunnel devices (tunl0), which this kernel lacks (`ip link add type ipip`: Unknown device type)');
      if (c.mode === 'vxlan' && !f.vxlan) out.push('Calico VXLAN needs vxlan devices, which this kernel lacks');
    })
    .with({ kind: 'flannel' }, (c) => {
      if (c.backend.type === 'vxlan' && !f.vxlan) out.push('flannel vxlan needs vxlan devices, which this kernel lacks');
    })
    .exhaustive();
  const kinds = new Set([...(world?.netns.values() ?? [])].flatMap((ns) => ns.links.map((l) => l.kind.type)));
  for (const [kind, have] of [['ipip', f.ipip], ['dummy', f.dummy], ['vxlan', f.vxlan]] as const) {
    if (kinds.has(kind) && !have && !out.some((r) => r.includes(kind))) out.push(`the model has ${kind} links, which this kernel cannot create`);
  }
  return out;
}

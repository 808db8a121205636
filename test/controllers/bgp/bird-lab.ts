import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '../../../src/cluster/cluster.js';
import type { BgpNetworkInput } from '../../../src/controllers/bgp/types.js';
import { peeringsOf } from '../../../src/controllers/bgp/peering.js';
import { formatCidr } from '../../../src/net/cidr.js';
import { formatIpv4 } from '../../../src/net/ipv4.js';
import { calicoBgpInput } from '../../../src/controllers/bgp/calico-input.js';
import { unwrap } from '../../../src/lib/result.js';
import { loadTopology } from '../../../src/topology/load.js';
import { canUseNetns, deleteNetnsWithPrefix, NETNS_SKIP_REASON, sh, uniquePrefix } from '../../support/netns.js';

/**
 * Real BIRD 2 for the BGP fidelity tests: one netns per node (eth0 on a bridge per subnet in a
 * router netns that forwards between them), and a bird.cfg per node written the way Calico's
 * confd renders it for the topology.
 */
export const hasBird = spawnSync('sh', ['-c', 'command -v bird && command -v birdc'], { stdio: 'ignore' }).status === 0;
export const canRunBird = canUseNetns() && hasBird;
/** No BIRD started by these tests lives longer than this, whatever happens to the test process. */
export const BIRD_MAX_SECONDS = 120;
export const BIRD_SKIP = !canUseNetns() ? NETNS_SKIP_REASON : 'needs BIRD 2 (apt-get install bird2)';

/** A BirdLab for a Calico BGP topology file, its namespaces built when BIRD can run here. */
export async function openBirdLab(topology: string, tag: string, dir: string): Promise<BirdLab> {
  const cluster = unwrap(await loadTopology(topology));
  const input = calicoBgpInput(cluster);
  if (!input) throw new Error(`${topology}: expected Calico with BGP`);
  const lab = new BirdLab(uniquePrefix(tag), dir, cluster, input);
  if (canRunBird) lab.build();
  return lab;
}

export class BirdLab {
  constructor(
    readonly prefix: string,
    readonly dir: string,
    readonly cluster: Cluster,
    readonly input: BgpNetworkInput,
  ) {}

  ns(name: string): string {
    return `${this.prefix}${name}`;
  }

  exec(node: string, ...args: string[]): string {
    return sh('ip', ['netns', 'exec', this.ns(node), ...args]);
  }

  /** Router netns with one bridge per gateway, a node netns per node with eth0, address, default route. */
  build(): void {
    deleteNetnsWithPrefix(this.prefix);
    sh('ip', ['netns', 'add', this.ns('r')]);
    this.exec('r', 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    const bridges = new Map<string, string>();
    for (const node of this.cluster.nodes) {
      const gw = formatIpv4(node.gateway);
      let br = bridges.get(gw);
      if (br === undefined) {
        br = `br${bridges.size}`;
        this.exec('r', 'ip', 'link', 'add', br, 'type', 'bridge');
        this.exec('r', 'ip', 'addr', 'add', `${gw}/${node.subnetPrefix}`, 'dev', br);
        this.exec('r', 'ip', 'link', 'set', br, 'up');
        bridges.set(gw, br);
      }
      const n = node.name;
      sh('ip', ['netns', 'add', this.ns(n)]);
      sh('ip', ['link', 'add', 'eth0', 'netns', this.ns(n), 'type', 'veth', 'peer', 'name', `p-${n}`, 'netns', this.ns('r')]);
      this.exec('r', 'ip', 'link', 'set', `p-${n}`, 'master', br, 'up');
      this.exec(n, 'ip', 'link', 'set', 'lo', 'up');
      this.exec(n, 'ip', 'addr', 'add', `${formatIpv4(node.ip)}/${node.subnetPrefix}`, 'dev', 'eth0');
      this.exec(n, 'ip', 'link', 'set', 'eth0', 'up');
      this.exec(n, 'ip', 'route', 'add', 'default', 'via', gw);
    }
  }

  /** bird.cfg as confd writes it (cni.md §2.5-2.6), in BIRD 2 syntax. */
  config(i: number): string {
    const input = this.input;
    const me = input.speakers[i];
    if (!me) throw new Error(`no speaker ${i}`);
    const myIp = formatIpv4(me.address);
    const clusterId = input.peering.kind === 'route-reflectors' ? formatIpv4(input.peering.clusterId) : null;
    const peers = peeringsOf(input)
      .filter((p) => p.a === i || p.b === i)
      .map((p) => {
        const other = input.speakers[p.a === i ? p.b : p.a];
        if (!other) throw new Error('peer');
        const ip = formatIpv4(other.address);
        return [
          `protocol bgp Node_${ip.replaceAll('.', '_')} from bgp_template {`,
          `  neighbor ${ip} as ${input.asNumber};`,
          `  source address ${myIp};`,
          // confd: passive when `gt $onode_ip $node_ip` (a string comparison).
          p.active !== i ? '  passive on;' : '',
          p.reflector === i ? `  rr client;\n  rr cluster id ${clusterId};` : '',
          '}',
        ].join('\n');
      });
    return [
      `router id ${myIp};`,
      'protocol device { scan time 2; }',
      'protocol direct { ipv4; interface -"cali*", "*"; }',
      // metric 0: Calico's BIRD writes no metric (v3.31); BIRD 2 alone would use 32.
      'protocol kernel { learn; scan time 2; metric 0; graceful restart; merge paths on; ipv4 { import all; export where net ~ [ 10.244.0.0/16+ ]; }; }',
      `protocol static { ipv4; ${me.originates.map((b) => `route ${formatCidr(b)} blackhole;`).join(' ')} }`,
      'template bgp bgp_template {',
      `  local as ${input.asNumber};`,
      '  graceful restart;',
      '  connect delay time 2;',
      '  connect retry time 5;',
      '  error wait time 5,30;',
      '  ipv4 { gateway recursive; add paths on; import all; export where net ~ [ 10.244.0.0/16+ ]; };',
      '}',
      ...peers,
      '',
    ].join('\n');
  }

  /**
   * Start BIRD in the foreground under `timeout`, so that even a test worker killed before its
   * afterAll cannot leave a BIRD behind for longer than BIRD_MAX_SECONDS.
   */
  start(node: string): void {
    const i = this.input.speakers.findIndex((s) => s.node === node);
    writeFileSync(join(this.dir, `${node}.conf`), this.config(i));
    const args = ['netns', 'exec', this.ns(node), 'timeout', String(BIRD_MAX_SECONDS), 'bird', '-f', '-c', join(this.dir, `${node}.conf`), '-s', this.ctl(node), '-P', join(this.dir, `${node}.pid`)];
    const child = spawn('ip', args, { stdio: 'ignore' });
    this.children.push(child);
  }

  private readonly children: ChildProcess[] = [];

  ctl(node: string): string {
    return join(this.dir, `${node}.ctl`);
  }

  pid(node: string): number | null {
    try {
      return Number(readFileSync(join(this.dir, `${node}.pid`), 'utf8').trim());
    } catch {
      return null;
    }
  }

  /** `ip route` lines BIRD installed (not `show proto bird`: that filter drops "proto bird" from the lines). */
  routes(node: string): string[] {
    return this.exec(node, 'ip', '-4', 'route', 'show')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => / proto bird\b/.test(l))
      .sort();
  }

  birdc(node: string, ...args: string[]): string {
    return sh('birdc', ['-s', this.ctl(node), ...args]);
  }

  /**
   * Stop every BIRD this lab started and delete its namespaces; returns the namespaces left.
   * SIGTERM goes to our own `timeout` children, which pass it on to BIRD (never a pid read from a
   * pid file, which could have been reused by now).
   */
  async teardown(): Promise<string[]> {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await waitFor(() => this.children.every((c) => c.exitCode !== null || c.signalCode !== null), 10).catch(() => 0);
    return deleteNetnsWithPrefix(this.prefix);
  }
}

export async function waitFor(check: () => boolean, seconds: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < seconds * 1000) {
    if (check()) return (Date.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${seconds} s`);
}

/** One route of `birdc show route all`: prefix, best or not, the BGP neighbor it came from, attributes. */
export interface BirdRoute {
  readonly prefix: string;
  readonly best: boolean;
  /** Neighbor address from the protocol name `Node_a_b_c_d`; null for non-BGP routes. */
  readonly neighbor: string | null;
  readonly originatorId: string | null;
  readonly clusterList: string | null;
}

/** Parse BIRD 2.0's `show route all` (a prefix line, continuation lines for more paths, attribute lines). */
export function parseShowRouteAll(text: string): BirdRoute[] {
  const out: BirdRoute[] = [];
  let prefix = '';
  let cur: { prefix: string; best: boolean; neighbor: string | null; originatorId: string | null; clusterList: string | null } | null = null;
  for (const line of text.split('\n')) {
    const head = /^(\d+\.\d+\.\d+\.\d+\/\d+)?\s+(?:unicast|blackhole|unreachable|prohibited)\s+\[(\S+)[^\]]*\]\s+(\*)?/.exec(line);
    if (head) {
      if (head[1] !== undefined) prefix = head[1];
      if (cur) out.push(cur);
      const node = /^Node_(\d+)_(\d+)_(\d+)_(\d+)$/.exec(head[2] ?? '');
      cur = { prefix, best: head[3] === '*', neighbor: node ? node.slice(1).join('.') : null, originatorId: null, clusterList: null };
      continue;
    }
    const attr = /^\s+BGP\.(originator_id|cluster_list):\s*(.*)$/.exec(line);
    if (attr && cur) {
      if (attr[1] === 'originator_id') cur.originatorId = (attr[2] ?? '').trim();
      else cur.clusterList = (attr[2] ?? '').trim();
    }
  }
  if (cur) out.push(cur);
  return out;
}

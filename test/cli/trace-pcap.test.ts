import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { traceAction } from '../../src/cli/commands/trace.js';

const hasTshark = spawnSync('sh', ['-c', 'command -v tshark'], { stdio: 'ignore' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'podnet-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tshark(file: string, args: string[]): string {
  return execFileSync('tshark', ['-n', '-r', file, '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-d', 'udp.port==8472,vxlan', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe.skipIf(!hasTshark)('podnet trace --pcap, read back by tshark (needs tshark)', () => {
  it('writes every frame; tshark decodes the VXLAN frame into the same outer and inner headers', async () => {
    const file = join(dir, 'cross.pcap');
    const text = await traceAction('topologies/two-node-flannel.yaml', { from: 'default/pod-a', to: 'default/pod-b', pcap: file });
    const rows = tshark(file, ['-Y', 'vxlan && icmp.type == 8', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'udp.dstport', '-e', 'vxlan.vni', '-e', 'eth.src', '-e', 'eth.dst', '-e', 'ip.ttl', '-e', 'frame.len', '-e', 'ip.checksum.status'])
      .trim()
      .split('\n');
    expect(rows).toHaveLength(1);
    const [src = '', dst = '', dport, vni, ethSrc = '', ethDst = '', ttl, len, csum] = rows[0]!.split('\t');
    expect(src.split('|')).toEqual(['192.168.1.101', '10.244.1.2']);
    expect(dst.split('|')).toEqual(['192.168.1.102', '10.244.2.2']);
    expect(dport).toBe('8472');
    expect(vni).toBe('1');
    expect(ttl).toBe('64|63');
    expect(len).toBe('148');
    // Both IP header checksums verified by tshark: status 1 = Good (0 Bad, 2 Unverified).
    expect(csum?.split('|')).toEqual(['1', '1']);
    // The inner MACs are the two flannel.1 devices the trace printed.
    const inner = /inner MACs (\S+) -> (\S+);/.exec(text);
    expect([ethSrc.split('|')[1], ethDst.split('|')[1]]).toEqual([inner?.[1], inner?.[2]]);
  });

  it('has no malformed frames or bad checksums anywhere in a TCP exchange', async () => {
    const file = join(dir, 'tcp.pcap');
    await traceAction('topologies/two-node-flannel.yaml', { from: 'default/pod-a', to: 'default/pod-b:80', pcap: file });
    const all = tshark(file, []);
    expect(all.split('\n').filter(Boolean).length).toBeGreaterThan(8);
    const expert = tshark(file, ['-Y', '_ws.malformed || _ws.expert.severity >= error || ip.checksum.status == 0 || tcp.checksum.status == 0']);
    expect(expert.trim()).toBe('');
    expect(all).toMatch(/SYN, ACK/);
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCommand } from '../../src/lab/command.js';
import { parsePingReplies } from '../../src/lab/icmp.js';
import { isLabPrefix, netnsName, netnsNames, newLabPrefix } from '../../src/lab/names.js';
import { dropLearnedFdb, stripLinkDetails } from '../../src/lab/normalize.js';
import { listLabStates, readLabState, removeLabState, updateLabState, writeLabState } from '../../src/lab/state-file.js';

describe('lab names', () => {
  it('prefixes are pn + 4 hex + dash; ids become file-safe names', () => {
    const p = newLabPrefix();
    expect(isLabPrefix(p)).toBe(true);
    expect(netnsName('pn1a2b-', 'pod:default/web-0')).toBe('pn1a2b-pod_default_web-0');
    expect(() => netnsNames('pn1a2b-', ['a/b', 'a:b'])).toThrow(/both map to/);
    expect(() => netnsNames('bad', ['a'])).toThrow(/not like/);
  });
});

describe('lab state file', () => {
  it('writes, updates, lists and removes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'podnet-state-'));
    writeLabState({ prefix: 'pn0001-', createdAt: 'now', ownerPid: 1, netns: ['pn0001-a'], processes: [] }, dir);
    updateLabState('pn0001-', (s) => ({ ...s, processes: [{ pid: 5, startTime: '9', what: 'tshark' }] }), dir);
    expect(readLabState('pn0001-', dir)?.processes).toEqual([{ pid: 5, startTime: '9', what: 'tshark' }]);
    expect(listLabStates(dir)).toEqual(['pn0001-']);
    removeLabState('pn0001-', dir);
    removeLabState('pn0001-', dir);
    expect(readLabState('pn0001-', dir)).toBeNull();
  });
});

describe('lab helpers', () => {
  it('formats commands as shell lines with here-documents', () => {
    expect(formatCommand({ argv: ['ip', 'netns', 'exec', 'x', 'iptables-restore'], stdin: '*filter\nCOMMIT\n' })).toBe("ip netns exec x iptables-restore <<'EOF'\n*filter\nCOMMIT\nEOF");
    expect(formatCommand({ argv: ['echo', "it's here"] })).toBe(`echo 'it'\\''s here'`);
  });

  it('parses ping replies (iputils and the Python fallback print the same)', () => {
    const out = 'PING 10.2.0.1 (10.2.0.1) 56(84) bytes of data.\n64 bytes from 10.2.0.1: icmp_seq=1 ttl=62 time=0.081 ms\n64 bytes from 10.2.0.1: icmp_seq=2 ttl=62 time=0.05 ms\n';
    expect(parsePingReplies(out)).toEqual([
      { bytes: 64, from: '10.2.0.1', seq: 1, ttl: 62 },
      { bytes: 64, from: '10.2.0.1', seq: 2, ttl: 62 },
    ]);
  });

  it('normalises ip -d link and learned FDB entries', () => {
    const real =
      '2: eth0@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n' +
      '    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff link-netns x promiscuity 1  allmulti 1 minmtu 68 maxmtu 65535 \n' +
      '    veth \n    bridge_slave state forwarding hold_timer    0.00 message_age_timer    0.00 locked off addrgenmode eui64 numtxqueues 2 \n';
    expect(stripLinkDetails(real)).toBe(
      '2: eth0@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n' +
        '    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff link-netns x\n    veth \n    bridge_slave state forwarding locked off \n',
    );
    expect(dropLearnedFdb('a dev v master br \nb dev v master br permanent\n')).toBe('b dev v master br permanent\n');
  });
});

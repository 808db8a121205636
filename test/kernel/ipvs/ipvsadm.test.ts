import { describe, expect, it } from 'vitest';
import { ipv4 } from '../../../src/net/ipv4.js';
import { addDest, addService, EMPTY_IPVS, NO_SCHED_FLAGS } from '../../../src/kernel/ipvs/table.js';
import { printIpvsadm } from '../../../src/kernel/print/ipvsadm.js';

describe('ipvsadm -Ln', () => {
  it('prints the header, sorted services and destinations in ipvsadm columns', () => {
    let t = EMPTY_IPVS;
    t = addService(t, { protocol: 'UDP', vip: ipv4('10.0.0.10'), port: 53, scheduler: 'rr', schedFlags: NO_SCHED_FLAGS, persistentTimeout: null });
    t = addService(t, { protocol: 'TCP', vip: ipv4('10.0.0.10'), port: 53, scheduler: 'rr', schedFlags: NO_SCHED_FLAGS, persistentTimeout: null });
    t = addService(t, { protocol: 'TCP', vip: ipv4('10.0.0.1'), port: 443, scheduler: 'rr', schedFlags: NO_SCHED_FLAGS, persistentTimeout: 10800 });
    t = addDest(t, 'TCP', ipv4('10.0.0.1'), 443, { ip: ipv4('192.168.0.1'), port: 6443, weight: 1 });
    t = addDest(t, 'TCP', ipv4('10.0.0.10'), 53, { ip: ipv4('172.17.0.3'), port: 53, weight: 1 });
    t = addDest(t, 'TCP', ipv4('10.0.0.10'), 53, { ip: ipv4('172.17.0.2'), port: 53, weight: 1 });
    t = addDest(t, 'UDP', ipv4('10.0.0.10'), 53, { ip: ipv4('172.17.0.2'), port: 53, weight: 1 });
    expect(printIpvsadm(t)).toBe(
      [
        'IP Virtual Server version 1.2.1 (size=4096)',
        'Prot LocalAddress:Port Scheduler Flags',
        '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
        'TCP  10.0.0.1:443 rr persistent 10800',
        '  -> 192.168.0.1:6443             Masq    1      0          0         ',
        'TCP  10.0.0.10:53 rr',
        '  -> 172.17.0.2:53                Masq    1      0          0         ',
        '  -> 172.17.0.3:53                Masq    1      0          0         ',
        'UDP  10.0.0.10:53 rr',
        '  -> 172.17.0.2:53                Masq    1      0          0         ',
        '',
      ].join('\n'),
    );
  });

  it('shows mh-port for kube-proxy\'s mh services and an empty table without services', () => {
    const t = addService(EMPTY_IPVS, { protocol: 'TCP', vip: ipv4('10.96.0.1'), port: 443, scheduler: 'mh', schedFlags: { fallback: false, port: true }, persistentTimeout: null });
    expect(printIpvsadm(t).split('\n')[3]).toBe('TCP  10.96.0.1:443 mh (mh-port)');
    expect(printIpvsadm(EMPTY_IPVS).split('\n')).toHaveLength(4);
  });
});

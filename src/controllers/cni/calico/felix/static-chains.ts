import type { CalicoMode } from '../../../../cluster/header.js';
import type { TableName } from '../../../../kernel/netfilter/ruleset.js';
import { rule, type FelixChain, type FelixRule } from './chain.js';
import { VXLAN_PORT } from './endpoint-chains.js';
import { ALL_CALICO_MARKS, clearMark, markClear, markSet, MARK_ACCEPT, MARK_SCRATCH0, setMark } from './marks.js';
import { IPSET_ALL_HOSTS, IPSET_ALL_POOLS, IPSET_ALL_VXLAN, IPSET_MASQ_POOLS, IPSET_THIS_HOST, mainIpsetName } from './names.js';

/**
 * Felix's static chains per table (rules/static.go and rules/nat.go, v3.31.4), as a
 * calico.yaml install configures it: DefaultEndpointToHostAction ACCEPT, filter allow action
 * ACCEPT, no IPVS support (kube-proxy in iptables mode), no WireGuard, no host endpoints, no
 * flow logs. Chains are programmed only when something references them (so the empty
 * host-endpoint chains exist, failsafe chains do not), as in felix/fv/cali-iptables-dump.txt.
 */

export interface StaticOptions {
  readonly mode: CalicoMode;
  readonly natOutgoing: boolean;
}

/** What Felix puts in one table: rules inserted at the top of built-in chains, rules appended to them, and its own chains. */
export interface TableProgram {
  readonly table: TableName;
  readonly insert: readonly { readonly chain: string; readonly rules: readonly FelixRule[] }[];
  readonly append: readonly { readonly chain: string; readonly rules: readonly FelixRule[] }[];
  readonly chains: readonly FelixChain[];
}

const jump = (c: string): FelixRule => rule([], `-j ${c}`);
const empty = (name: string): FelixChain => ({ name, rules: [] });
const HEP_ACCEPTED = 'Host endpoint policy accepted packet.';
const IPSET_DSCP = mainIpsetName('dscp-src-net');
const udpVxlan = ['-p 17', `-m multiport --destination-ports ${VXLAN_PORT}`];

export function rawTable(o: StaticOptions): TableProgram {
  const vxlan = o.mode === 'vxlan';
  // VXLAN uses different source ports in each direction, so tracking would leave unreplied flows.
  const notrack = vxlan ? [rule(['-p udp', `--dport ${VXLAN_PORT}`], '-j NOTRACK')] : [];
  const prerouting: FelixRule[] = [
    rule([], clearMark(ALL_CALICO_MARKS)),
    ...notrack,
    rule(['--in-interface cali+'], setMark(MARK_SCRATCH0)),
    rule([markSet(MARK_SCRATCH0)], '-j cali-rpf-skip'),
    // Anti-spoofing: a workload's packet must come in on the interface its source routes out of.
    rule([markSet(MARK_SCRATCH0), '-m rpfilter --invert --validmark'], '-j DROP'),
    rule([markClear(MARK_SCRATCH0)], '-j cali-from-host-endpoint'),
    rule([markSet(MARK_ACCEPT)], '-j ACCEPT'),
  ];
  const output: FelixRule[] = [rule([], clearMark(ALL_CALICO_MARKS)), jump('cali-to-host-endpoint'), ...notrack, rule([markSet(MARK_ACCEPT)], '-j ACCEPT')];
  return {
    table: 'raw',
    insert: [
      { chain: 'PREROUTING', rules: [jump('cali-PREROUTING')] },
      { chain: 'OUTPUT', rules: [jump('cali-OUTPUT')] },
    ],
    append: [],
    chains: [
      { name: 'cali-PREROUTING', rules: prerouting },
      { name: 'cali-OUTPUT', rules: output },
      empty('cali-rpf-skip'),
      empty('cali-from-host-endpoint'),
      empty('cali-to-host-endpoint'),
    ],
  };
}

export function mangleTable(): TableProgram {
  return {
    table: 'mangle',
    insert: [
      { chain: 'PREROUTING', rules: [jump('cali-PREROUTING')] },
      { chain: 'POSTROUTING', rules: [jump('cali-POSTROUTING')] },
    ],
    append: [],
    chains: [
      {
        name: 'cali-PREROUTING',
        rules: [
          rule(['-m conntrack --ctstate RELATED,ESTABLISHED'], '-j ACCEPT'),
          rule([markSet(MARK_ACCEPT)], '-j ACCEPT'),
          jump('cali-from-host-endpoint'),
          rule([markSet(MARK_ACCEPT)], '-j ACCEPT', HEP_ACCEPTED),
        ],
      },
      {
        name: 'cali-POSTROUTING',
        rules: [
          rule([`-m set --match-set ${IPSET_DSCP} src`, `-m set ! --match-set ${IPSET_ALL_POOLS} dst`, `-m set ! --match-set ${IPSET_THIS_HOST} dst`], '-j cali-egress-dscp', 'set dscp for traffic leaving cluster.'),
          rule([markSet(MARK_ACCEPT)], '-j RETURN'),
          rule([], clearMark(ALL_CALICO_MARKS)),
          rule(['-m conntrack --ctstate DNAT'], '-j cali-to-host-endpoint'),
          rule([markSet(MARK_ACCEPT)], '-j RETURN', HEP_ACCEPTED),
        ],
      },
      empty('cali-egress-dscp'),
      empty('cali-from-host-endpoint'),
      empty('cali-to-host-endpoint'),
    ],
  };
}

export function natTable(o: StaticOptions): TableProgram {
  const tunnel = o.mode === 'ipip' ? 'tunl0' : o.mode === 'vxlan' ? 'vxlan.calico' : null;
  const postrouting: FelixRule[] = [jump('cali-fip-snat'), jump('cali-nat-outgoing')];
  // Host traffic that picked a wrong local source for the tunnel is masqueraded to the tunnel address.
  if (tunnel) postrouting.push(rule([`--out-interface ${tunnel}`, '-m addrtype ! --src-type LOCAL --limit-iface-out', '-m addrtype --src-type LOCAL'], '-j MASQUERADE --random-fully'));
  const natOutgoing = o.natOutgoing ? [rule([`-m set --match-set ${IPSET_MASQ_POOLS} src`, `-m set ! --match-set ${IPSET_ALL_POOLS} dst`], '-j MASQUERADE --random-fully')] : [];
  return {
    table: 'nat',
    insert: [
      { chain: 'PREROUTING', rules: [jump('cali-PREROUTING')] },
      { chain: 'OUTPUT', rules: [jump('cali-OUTPUT')] },
      { chain: 'POSTROUTING', rules: [jump('cali-POSTROUTING')] },
    ],
    append: [],
    chains: [
      { name: 'cali-PREROUTING', rules: [jump('cali-fip-dnat')] },
      { name: 'cali-OUTPUT', rules: [jump('cali-fip-dnat')] },
      { name: 'cali-POSTROUTING', rules: postrouting },
      { name: 'cali-nat-outgoing', rules: natOutgoing },
      empty('cali-fip-dnat'),
      empty('cali-fip-snat'),
    ],
  };
}

/** The filter table's static part; the workload, dispatch, policy and profile chains come on top. */
export function filterStatic(o: StaticOptions): TableProgram {
  const input: FelixRule[] = [];
  const output: FelixRule[] = [rule([markSet(MARK_ACCEPT)], '-j ACCEPT'), rule(['--out-interface cali+'], '-j RETURN')];
  if (o.mode === 'ipip') {
    input.push(
      rule(['-p 4', `-m set --match-set ${IPSET_ALL_HOSTS} src`, '-m addrtype --dst-type LOCAL'], '-j ACCEPT', 'Allow IPIP packets from Calico hosts'),
      rule(['-p 4'], '-j DROP', 'Drop IPIP packets from non-Calico hosts'),
    );
    output.push(rule(['-p 4', `-m set --match-set ${IPSET_ALL_HOSTS} dst`, '-m addrtype --src-type LOCAL'], '-j ACCEPT', 'Allow IPIP packets to other Calico hosts'));
  }
  if (o.mode === 'vxlan') {
    input.push(
      rule([...udpVxlan, `-m set --match-set ${IPSET_ALL_VXLAN} src`, '-m addrtype --dst-type LOCAL'], '-j ACCEPT', 'Allow IPv4 VXLAN packets from allowed hosts'),
      rule([...udpVxlan, '-m addrtype --dst-type LOCAL'], '-j DROP', 'Drop IPv4 VXLAN packets from non-allowed hosts'),
    );
    output.push(rule([...udpVxlan, '-m addrtype --src-type LOCAL', `-m set --match-set ${IPSET_ALL_VXLAN} dst`], '-j ACCEPT', 'Allow IPv4 VXLAN packets to other allowed hosts'));
  }
  input.push(
    rule(['--in-interface cali+'], '-g cali-wl-to-host'),
    rule([markSet(MARK_ACCEPT)], '-j ACCEPT'),
    rule([], clearMark(ALL_CALICO_MARKS)),
    jump('cali-from-host-endpoint'),
    rule([markSet(MARK_ACCEPT)], '-j ACCEPT', HEP_ACCEPTED),
  );
  output.push(rule([], clearMark(ALL_CALICO_MARKS)), rule(['-m conntrack ! --ctstate DNAT'], '-j cali-to-host-endpoint'), rule([markSet(MARK_ACCEPT)], '-j ACCEPT', HEP_ACCEPTED));
  const forward: FelixRule[] = [
    // Clear everything but Accept, which raw/pre-DNAT policy may have set.
    rule([], clearMark(ALL_CALICO_MARKS & ~MARK_ACCEPT)),
    rule([markClear(MARK_ACCEPT)], '-j cali-from-hep-forward'),
    rule(['--in-interface cali+'], '-j cali-from-wl-dispatch'),
    rule(['--out-interface cali+'], '-j cali-to-wl-dispatch'),
    jump('cali-to-hep-forward'),
    jump('cali-cidr-block'),
  ];
  return {
    table: 'filter',
    insert: [
      { chain: 'INPUT', rules: [jump('cali-INPUT')] },
      { chain: 'FORWARD', rules: [jump('cali-FORWARD')] },
      { chain: 'OUTPUT', rules: [jump('cali-OUTPUT')] },
    ],
    append: [
      {
        chain: 'FORWARD',
        rules: [
          rule([markSet(MARK_ACCEPT)], '-j ACCEPT', 'Policy explicitly accepted packet.'),
          // Tells mangle POSTROUTING this was forwarded, so host endpoint policy is skipped.
          rule([], setMark(MARK_ACCEPT)),
        ],
      },
    ],
    chains: [
      { name: 'cali-FORWARD', rules: forward },
      { name: 'cali-INPUT', rules: input },
      { name: 'cali-OUTPUT', rules: output },
      { name: 'cali-wl-to-host', rules: [jump('cali-from-wl-dispatch'), rule([], '-j ACCEPT', 'Configured DefaultEndpointToHostAction')] },
      empty('cali-from-hep-forward'),
      empty('cali-to-hep-forward'),
      empty('cali-cidr-block'),
      empty('cali-from-host-endpoint'),
      empty('cali-to-host-endpoint'),
    ],
  };
}

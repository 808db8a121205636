import { match } from 'ts-pattern';
import { formatIpv4 } from '../../net/ipv4.js';
import type { AddrTypeSel, Match, NegatedNet, NegatedPorts, PortRange } from './match.js';
import { protoName, TCP_FLAG_BITS } from './names.js';
import { saveString } from './quote.js';
import type { NatRange, Target } from './target.js';
import { formatHex, formatNet, formatNetShort, formatPortRange, formatProbability } from './values.js';

/**
 * One rule in iptables-save's canonical form (iptables 1.8.9, nf_tables backend): the ipt_ip
 * fields first (-s -d -i -o -p, nft_ipv4_save_rule), then each match's save() output in rule
 * order, then the target. Each printer mirrors the extension's save function in libxtables'
 * extensions/ directory; the fidelity test checks them against the real iptables-save.
 */

const neg = (n: boolean) => (n ? '! ' : '');
/** Options inside a match print their `!` right before the option. */
const inv = (n: boolean) => (n ? ' !' : '');

function ports(opt: string, p: NegatedPorts | null): string {
  return p ? `${inv(p.negate)} --${opt} ${formatPortRange(p.range)}` : '';
}

function tcpFlags(bits: number): string {
  if (bits === 0) return 'NONE';
  return TCP_FLAG_BITS.filter(([, b]) => (bits & b) !== 0)
    .map(([n]) => n)
    .join(',');
}

function addrType(opt: string, s: AddrTypeSel | null): string {
  return s ? `${inv(s.negate)} --${opt} ${s.types.join(',')}` : '';
}

function ctNet(opt: string, n: NegatedNet | null): string {
  return n ? `${inv(n.negate)} --${opt} ${formatNetShort(n.net)}` : '';
}

/** libxt_limit print_rate: the largest unit that divides evenly enough. */
function limitRate(avg: number): string {
  const rates: readonly [string, number][] = [
    ['day', 10000 * 24 * 60 * 60],
    ['hour', 10000 * 60 * 60],
    ['min', 10000 * 60],
    ['sec', 10000],
  ];
  let i = 1;
  for (; i < rates.length; i++) {
    const mult = (rates[i] as [string, number])[1];
    if (avg > mult || Math.floor(mult / avg) < mult % avg) break;
  }
  const [name, mult] = rates[i - 1] as [string, number];
  return `${Math.floor(mult / avg)}/${name}`;
}

export function printMatch(m: Match): string {
  return match(m)
    .with({ kind: 'src' }, (x) => `${neg(x.negate)}-s ${formatNet(x.net)}`)
    .with({ kind: 'dst' }, (x) => `${neg(x.negate)}-d ${formatNet(x.net)}`)
    .with({ kind: 'in-iface' }, (x) => `${neg(x.negate)}-i ${x.name}`)
    .with({ kind: 'out-iface' }, (x) => `${neg(x.negate)}-o ${x.name}`)
    .with({ kind: 'protocol' }, (x) => `${neg(x.negate)}-p ${protoName(x.proto)}`)
    .with({ kind: 'comment' }, (x) => `-m comment --comment ${saveString(x.text)}`)
    .with(
      { kind: 'tcp' },
      (x) =>
        `-m tcp${ports('sport', x.sport)}${ports('dport', x.dport)}${x.flags ? `${inv(x.flags.negate)} --tcp-flags ${tcpFlags(x.flags.mask)} ${tcpFlags(x.flags.comp)}` : ''}`,
    )
    .with({ kind: 'udp' }, { kind: 'sctp' }, (x) => `-m ${x.kind}${ports('sport', x.sport)}${ports('dport', x.dport)}`)
    .with({ kind: 'icmp' }, (x) => {
      const t = x.type === 0xff ? 'any' : `${x.type}${x.codeMin !== 0 || x.codeMax !== 0xff ? `/${x.codeMin}` : ''}`;
      return `-m icmp${inv(x.negate)} --icmp-type ${t}`;
    })
    .with({ kind: 'multiport' }, (x) => {
      const opt = x.dir === 'src' ? 'sports' : x.dir === 'dst' ? 'dports' : 'ports';
      return `-m multiport${inv(x.negate)} --${opt} ${x.ports.map((p: PortRange) => formatPortRange(p)).join(',')}`;
    })
    .with({ kind: 'mark' }, (x) => `-m mark${inv(x.negate)} --mark ${formatHex(x.value)}${x.mask === 0xffffffff ? '' : `/${formatHex(x.mask)}`}`)
    .with({ kind: 'conntrack' }, (x) =>
      [
        '-m conntrack',
        x.state ? `${inv(x.state.negate)} --ctstate ${x.state.states.join(',')}` : '',
        x.proto ? `${inv(x.proto.negate)} --ctproto ${x.proto.proto}` : '',
        ctNet('ctorigsrc', x.origSrc),
        ctNet('ctorigdst', x.origDst),
        ctNet('ctreplsrc', x.replSrc),
        ctNet('ctrepldst', x.replDst),
        ports('ctorigsrcport', x.origSrcPort),
        ports('ctorigdstport', x.origDstPort),
        ports('ctreplsrcport', x.replSrcPort),
        ports('ctrepldstport', x.replDstPort),
        x.status ? `${inv(x.status.negate)} --ctstatus ${x.status.flags.join(',')}` : '',
        x.dir ? ` --ctdir ${x.dir}` : '',
      ].join(''),
    )
    .with({ kind: 'state' }, (x) => `-m state${inv(x.negate)} --state ${x.states.join(',')}`)
    // rpfilter_save prints the flags in this order, whatever order they were given in.
    .with(
      { kind: 'rpfilter' },
      (x) => `-m rpfilter${x.loose ? ' --loose' : ''}${x.validmark ? ' --validmark' : ''}${x.acceptLocal ? ' --accept-local' : ''}${x.invert ? ' --invert' : ''}`,
    )
    .with(
      { kind: 'addrtype' },
      (x) =>
        `-m addrtype${addrType('src-type', x.src)}${addrType('dst-type', x.dst)}${x.limitIfaceIn ? ' --limit-iface-in' : ''}${x.limitIfaceOut ? ' --limit-iface-out' : ''}`,
    )
    .with({ kind: 'statistic' }, (x) =>
      match(x.mode)
        .with({ kind: 'random' }, (r) => `-m statistic --mode random${inv(r.negate)} --probability ${formatProbability(r.probability)}`)
        .with({ kind: 'nth' }, (n) => `-m statistic --mode nth${inv(n.negate)} --every ${n.every} --packet ${n.packet}`)
        .exhaustive(),
    )
    .with({ kind: 'recent' }, (x) =>
      [
        `-m recent${inv(x.negate)} --${x.command}`,
        x.seconds !== null ? ` --seconds ${x.seconds}` : '',
        x.reap ? ' --reap' : '',
        x.hitcount !== null ? ` --hitcount ${x.hitcount}` : '',
        x.rttl ? ' --rttl' : '',
        ` --name ${x.name} --mask ${formatIpv4(x.mask)} --${x.side === 'source' ? 'rsource' : 'rdest'}`,
      ].join(''),
    )
    .with({ kind: 'set' }, (x) => `-m set${inv(x.negate)} --match-set ${x.name} ${x.dirs.join(',')}`)
    .with({ kind: 'physdev' }, (x) =>
      [
        '-m physdev',
        x.isIn ? `${inv(x.isIn.negate)} --physdev-is-in` : '',
        x.in ? `${inv(x.in.negate)} --physdev-in ${x.in.name}` : '',
        x.isOut ? `${inv(x.isOut.negate)} --physdev-is-out` : '',
        x.out ? `${inv(x.out.negate)} --physdev-out ${x.out.name}` : '',
        x.isBridged ? `${inv(x.isBridged.negate)} --physdev-is-bridged` : '',
      ].join(''),
    )
    .with({ kind: 'limit' }, (x) => `-m limit --limit ${limitRate(x.avg)}${x.burst !== 5 ? ` --limit-burst ${x.burst}` : ''}`)
    .with({ kind: 'nfacct' }, (x) => `-m nfacct --nfacct-name ${saveString(x.name)}`)
    .exhaustive();
}

function natRange(r: NatRange): string {
  const addrs = r.addrMin === r.addrMax ? formatIpv4(r.addrMin) : `${formatIpv4(r.addrMin)}-${formatIpv4(r.addrMax)}`;
  return `${addrs}${r.ports ? `:${formatPortRange(r.ports, '-')}` : ''}`;
}

const flag = (on: boolean, name: string) => (on ? ` --${name}` : '');

export function printTarget(t: Target): string {
  return match(t)
    .with({ kind: 'none' }, () => '')
    .with({ kind: 'accept' }, () => '-j ACCEPT')
    .with({ kind: 'drop' }, () => '-j DROP')
    .with({ kind: 'return' }, () => '-j RETURN')
    .with({ kind: 'jump' }, (x) => `-j ${x.chain}`)
    .with({ kind: 'goto' }, (x) => `-g ${x.chain}`)
    .with({ kind: 'dnat' }, (x) => `-j DNAT --to-destination ${natRange(x.range)}${flag(x.random, 'random')}${flag(x.persistent, 'persistent')}`)
    .with(
      { kind: 'snat' },
      (x) => `-j SNAT --to-source ${natRange(x.range)}${flag(x.random, 'random')}${flag(x.randomFully, 'random-fully')}${flag(x.persistent, 'persistent')}`,
    )
    .with(
      { kind: 'masquerade' },
      (x) => `-j MASQUERADE${x.ports ? ` --to-ports ${formatPortRange(x.ports, '-')}` : ''}${flag(x.random, 'random')}${flag(x.randomFully, 'random-fully')}`,
    )
    .with({ kind: 'redirect' }, (x) => `-j REDIRECT${x.ports ? ` --to-ports ${formatPortRange(x.ports, '-')}` : ''}${flag(x.random, 'random')}`)
    .with({ kind: 'mark' }, (x) => `-j MARK --set-xmark ${formatHex(x.value)}/${formatHex(x.mask)}`)
    .with({ kind: 'reject' }, (x) => `-j REJECT --reject-with ${x.with}`)
    .with(
      { kind: 'log' },
      (x) =>
        `-j LOG${x.prefix !== '' ? ` --log-prefix ${saveString(x.prefix)}` : ''}${x.level !== 4 ? ` --log-level ${x.level}` : ''}${x.flags.map((f) => ` --log-${f}`).join('')}`,
    )
    .with({ kind: 'notrack' }, (x) => (x.spelling === 'NOTRACK' ? '-j NOTRACK' : '-j CT --notrack'))
    .with({ kind: 'ct' }, () => '-j CT')
    .exhaustive();
}

/** `-A CHAIN [matches] [target]`, as one line of iptables-save. */
export function printRule(chain: string, matches: readonly Match[], target: Target): string {
  return [`-A ${chain}`, ...matches.map(printMatch), printTarget(target)].filter((s) => s !== '').join(' ');
}

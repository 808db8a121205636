import { formatCidr } from '../../../../net/cidr.js';
import type { PortRange } from '../../../../kernel/netfilter/match.js';
import type { CalicoRule } from './calico-policy.js';
import { rule, type FelixRule } from './chain.js';
import { clearMark, markClear, markSet, MARK_ACCEPT, MARK_SCRATCH0, MARK_SCRATCH1, setMark, setMaskedMark } from './marks.js';
import { namedPortSetName, selectorSetName, type PolicyDir } from './names.js';
import { ALL_WORKLOADS } from './selector.js';
import type { SetDemand } from './set-demand.js';

/**
 * One Calico allow rule as Felix's iptables renderer writes it (rules/policy.go
 * ProtoRuleToIptablesRules). What one iptables rule cannot say is split into "match blocks"
 * that leave their verdict in mark bits: Scratch0 is "all blocks passed", Scratch1 "this block
 * passed". More than one multiport split or named port becomes a block of ORed rules; a
 * positive CIDR together with except CIDRs becomes a negated block that clears Scratch0 when an
 * except matches. The final rule carries the rest of the match (plus `-m mark --mark
 * Scratch0` when blocks were used), sets the Accept mark, and a second rule RETURNs on it.
 */

/** SplitPortList: groups of at most 15 multiport slots, a range taking two. */
export function splitPortList(ports: readonly PortRange[]): PortRange[][] {
  const splits: PortRange[][] = [];
  let split: PortRange[] = [];
  let left = 15;
  for (const p of ports) {
    const need = p.min === p.max ? 1 : 2;
    if (left < need) {
      splits.push(split);
      split = [];
      left = 15;
    }
    split.push(p);
    left -= need;
  }
  if (split.length > 0) splits.push(split);
  return splits;
}

const portList = (ps: readonly PortRange[]): string => ps.map((p) => (p.min === p.max ? String(p.min) : `${p.min}:${p.max}`)).join(',');

export interface RenderedRule {
  readonly rules: FelixRule[];
  readonly sets: SetDemand[];
}

export function renderCalicoRule(r: CalicoRule, dir: PolicyDir): RenderedRule {
  const sets: SetDemand[] = [];
  const out: FelixRule[] = [];
  const proto = r.protocol === null ? [] : [`-p ${r.protocol.toLowerCase()}`];
  const peerSide = dir === 'ingress' ? 'src' : 'dst';

  // Named ports are filtered by the positive selector on the destination side (egress: the
  // peer; ingress: none, i.e. all()).
  const dstSel = dir === 'egress' && r.peer !== null ? r.peer : ALL_WORKLOADS;
  const namedSets = r.namedPorts.map((port) => {
    const protocol = r.protocol ?? 'TCP';
    const name = namedPortSetName(dstSel.text, protocol, port);
    sets.push({ kind: 'named-port', name, selector: dstSel, protocol, port });
    return name;
  });
  // The peer selector's own set is dropped when named ports already filter by it and there
  // are no numeric ports (rule_scanner.go's optimisation).
  const useSelectorSet = r.peer !== null && (peerSide === 'src' || r.ports.length > 0 || r.namedPorts.length === 0);
  let selectorSet: string | null = null;
  if (useSelectorSet && r.peer !== null) {
    selectorSet = selectorSetName(r.peer.text);
    sets.push({ kind: 'selector', name: selectorSet, selector: r.peer });
  }

  let usingBlocks = false;
  let doneFirstPositive = false;
  const initial = (bits: number) => {
    if (usingBlocks) return;
    out.push(rule([], setMaskedMark(bits, MARK_SCRATCH0 | MARK_SCRATCH1)));
    usingBlocks = true;
  };
  const positiveMark = () => (doneFirstPositive ? MARK_SCRATCH1 : MARK_SCRATCH0);
  const finishPositive = () => {
    if (!doneFirstPositive) {
      doneFirstPositive = true;
      return;
    }
    out.push(rule([markClear(MARK_SCRATCH1)], clearMark(MARK_SCRATCH0)));
  };

  let dstPorts: readonly PortRange[] = r.ports;
  let dstNamed: readonly string[] = namedSets;
  const splits = splitPortList(r.ports);
  if (splits.length + namedSets.length > 1) {
    initial(0);
    const m = positiveMark();
    for (const s of splits) out.push(rule([...proto, `-m multiport --destination-ports ${portList(s)}`], setMark(m)));
    for (const n of namedSets) out.push(rule([`-m set --match-set ${n} dst,dst`], setMark(m)));
    finishPositive();
    dstPorts = [];
    dstNamed = [];
  }

  // k8s gives at most one positive CIDR; with any except it no longer fits one rule.
  const netFlag = peerSide === 'src' ? '--source' : '--destination';
  let notNets = r.notNets;
  if (r.nets.length + r.notNets.length > 1) {
    initial(MARK_SCRATCH0);
    for (const n of r.notNets) out.push(rule([`${netFlag} ${formatCidr(n)}`], clearMark(MARK_SCRATCH0)));
    notNets = [];
  }

  // CalculateRuleMatch order: protocol, source net, source sets, dest net, dest sets, dest
  // ports, dest named port, then the negated matches.
  const m: string[] = [...proto];
  if (peerSide === 'src') {
    for (const n of r.nets) m.push(`--source ${formatCidr(n)}`);
    if (selectorSet) m.push(`-m set --match-set ${selectorSet} src`);
  } else {
    for (const n of r.nets) m.push(`--destination ${formatCidr(n)}`);
    if (selectorSet) m.push(`-m set --match-set ${selectorSet} dst`);
  }
  if (dstPorts.length > 0) m.push(`-m multiport --destination-ports ${portList(dstPorts)}`);
  for (const n of dstNamed) m.push(`-m set --match-set ${n} dst,dst`);
  for (const n of notNets) m.push(`! ${netFlag} ${formatCidr(n)}`);
  if (usingBlocks) m.push(markSet(MARK_SCRATCH0));

  // Allow: set the Accept bit, then return on it (CombineMatchAndActionsForProtoRule).
  out.push(rule(m, setMark(MARK_ACCEPT)));
  out.push(rule([markSet(MARK_ACCEPT)], '-j RETURN'));
  return { rules: out, sets };
}

/**
 * ProtoRulesToIptablesRules: the chain's rules, trailing RETURN rules stripped ("No matter
 * their match criteria, they're effectively no-ops"), and the chain comment appended to the
 * first rule's comments (an empty chain gets one comment-only rule).
 */
export function finishPolicyChain(rules: readonly FelixRule[], chainComment: string): FelixRule[] {
  const rs = [...rules];
  while (rs.length > 0 && (rs[rs.length - 1] as FelixRule).action === '-j RETURN') rs.pop();
  if (rs.length === 0) return [rule([], null, chainComment)];
  const first = rs[0] as FelixRule;
  rs[0] = { ...first, comments: [...first.comments, chainComment] };
  return rs;
}

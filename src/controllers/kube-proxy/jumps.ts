import type { InputError } from '../../lib/input-error.js';
import { ok, type Result } from '../../lib/result.js';
import { ensureChain, ensureRule } from '../../kernel/netfilter/commands.js';
import { findChain, type Ruleset } from '../../kernel/netfilter/ruleset.js';
import { IPTABLES_JUMP_CHAINS } from './iptables-rules.js';

/**
 * What completes kube-proxy's iptables-restore input on a node: the restore input (as kube-proxy
 * logs it at --v=5 and its unit tests expect it) holds only KUBE-* chains; the jumps from the
 * built-in chains are installed separately. kubelet appends `-j KUBE-FIREWALL` to INPUT and
 * OUTPUT (iptablesKubeletJumpChains) before kube-proxy starts; kube-proxy then runs, for each of
 * iptablesJumpChains, EnsureChain and EnsureRule(Prepend), which inserts a rule only when
 * `iptables -C` does not find it. Rules already in the dump are therefore kept, not doubled.
 */
export function ensureKubeProxyJumps(base: Ruleset): Result<Ruleset, InputError> {
  let rs = base;
  if (findChain(rs, 'filter', 'KUBE-FIREWALL')) {
    for (const chain of ['INPUT', 'OUTPUT']) {
      const r = ensureRule(rs, 'filter', 'append', chain, '-j KUBE-FIREWALL');
      if (!r.ok) return r;
      rs = r.value;
    }
  }
  for (const j of IPTABLES_JUMP_CHAINS) {
    const target = /-j (\S+)$/.exec(j.rule)?.[1];
    if (target) {
      const c = ensureChain(rs, j.table, target);
      if (!c.ok) return c;
      rs = c.value;
    }
    const r = ensureRule(rs, j.table, 'prepend', j.chain, j.rule);
    if (!r.ok) return r;
    rs = r.value;
  }
  return ok(rs);
}

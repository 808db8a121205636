/**
 * sortIPTablesRules from kube-proxy's proxier_test.go, re-implemented from its description: the
 * unit tests compare dumps after sorting chains (KUBE-NODEPORTS, KUBE-SERVICES, then the rest
 * alphabetically) and the rules of KUBE-NODEPORTS / KUBE-SERVICES by service name, keeping the
 * nodeports jump last. Other chains keep their rule order.
 */
export function sortIptablesDump(text: string): string {
  const out: string[] = [];
  const tables = new Map<string, { chains: string[]; rules: string[] }>();
  let cur: { chains: string[]; rules: string[] } | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      cur = { chains: [], rules: [] };
      tables.set(line, cur);
    } else if (line.startsWith(':') && cur) cur.chains.push(line);
    else if (line.startsWith('-A') && cur) cur.rules.push(line);
  }
  const chainName = (l: string) => (l.startsWith(':') ? l.slice(1).split(' ')[0] : l.split(' ')[1]) ?? '';
  const rank = (c: string) => (c === 'KUBE-NODEPORTS' ? '0' : c === 'KUBE-SERVICES' ? '1' : `2${c}`);
  const svcKey = (l: string) => {
    if (l.includes('kubernetes service nodeports')) return '\uffff';
    const m = /--comment "?([^ "]+)/.exec(l);
    return m?.[1] ?? '';
  };
  for (const name of [...tables.keys()].sort()) {
    const t = tables.get(name)!;
    out.push(name);
    out.push(...[...t.chains].sort((a, b) => (rank(chainName(a)) < rank(chainName(b)) ? -1 : 1)));
    const byChain = new Map<string, string[]>();
    for (const r of t.rules) byChain.set(chainName(r), [...(byChain.get(chainName(r)) ?? []), r]);
    for (const c of [...byChain.keys()].sort((a, b) => (rank(a) < rank(b) ? -1 : 1))) {
      const rules = byChain.get(c)!;
      out.push(...(c === 'KUBE-NODEPORTS' || c === 'KUBE-SERVICES' ? [...rules].sort((a, b) => (svcKey(a) < svcKey(b) ? -1 : svcKey(a) > svcKey(b) ? 1 : 0)) : rules));
    }
    out.push('COMMIT');
  }
  return out.join('\n');
}

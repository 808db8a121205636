import { err, ok, type Result } from '../../../lib/result.js';
import { ICMP_TYPES, IPPROTO } from '../names.js';
import { opts, requireProto, type MatchModule } from './common.js';

// `-m icmp --icmp-type TYPE[/CODE]|NAME|any` (ipt_icmp, libipt_icmp.c names).

export function parseIcmpType(text: string): Result<readonly [number, number, number], string> {
  const m = /^(\d+)(?:\/(\d+))?$/.exec(text);
  if (m) {
    const type = Number(m[1]);
    if (type > 255) return err(`invalid ICMP type "${text}"`);
    if (m[2] === undefined) return ok([type, 0, 0xff]);
    const code = Number(m[2]);
    if (code > 255) return err(`invalid ICMP code in "${text}"`);
    return ok([type, code, code]);
  }
  const lower = text.toLowerCase();
  const exact = [...ICMP_TYPES.entries()].find(([n]) => n.toLowerCase() === lower);
  if (exact) return ok(exact[1]);
  const prefixed = [...ICMP_TYPES.entries()].filter(([n]) => n.toLowerCase().startsWith(lower));
  if (prefixed.length === 1 && prefixed[0]) return ok(prefixed[0][1]);
  if (prefixed.length > 1) return err(`ambiguous ICMP type "${text}": ${prefixed.map(([n]) => n).join(', ')}`);
  return err(`invalid ICMP type "${text}"`);
}

export const icmp: MatchModule = {
  name: 'icmp',
  options: opts({ 'icmp-type': [1, true] }),
  create() {
    let v: { negate: boolean; t: readonly [number, number, number] } | null = null;
    return {
      apply(_opt, args, negate) {
        if (v) return 'multiple --icmp-type options are not allowed in one match';
        const r = parseIcmpType(args[0] ?? '');
        if (!r.ok) return r.error;
        v = { negate, t: r.value };
        return null;
      },
      finish(p) {
        if (!v) return err('icmp: option "--icmp-type" must be specified');
        const e = requireProto('icmp', IPPROTO.icmp, p);
        if (e) return err(e);
        return ok({ kind: 'icmp', negate: v.negate, type: v.t[0], codeMin: v.t[1], codeMax: v.t[2] });
      },
    };
  },
};

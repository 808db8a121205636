import { err, ok } from '../../../lib/result.js';
import { CT_STATE_NAMES, CT_STATUS_NAMES, type CtStateName, type CtStatusName, type NegatedNet, type NegatedPorts } from '../match.js';
import { parseProto } from '../names.js';
import { opts, once, ports, net, nameList, type MatchModule } from './common.js';

// `-m conntrack` (xt_conntrack.c) and its `-m state` alias (xt_state.c).

export const conntrack: MatchModule = {
  name: 'conntrack',
  options: opts({
    ctstate: [1, true],
    ctproto: [1, true],
    ctorigsrc: [1, true],
    ctorigdst: [1, true],
    ctreplsrc: [1, true],
    ctrepldst: [1, true],
    ctorigsrcport: [1, true],
    ctorigdstport: [1, true],
    ctreplsrcport: [1, true],
    ctrepldstport: [1, true],
    ctstatus: [1, true],
    ctdir: [1, false],
  }),
  create() {
    const m: {
      dir: 'ORIGINAL' | 'REPLY' | null;
      state: { negate: boolean; states: readonly CtStateName[] } | null;
      proto: { negate: boolean; proto: number } | null;
      origSrc: NegatedNet | null;
      origDst: NegatedNet | null;
      replSrc: NegatedNet | null;
      replDst: NegatedNet | null;
      origSrcPort: NegatedPorts | null;
      origDstPort: NegatedPorts | null;
      replSrcPort: NegatedPorts | null;
      replDstPort: NegatedPorts | null;
      status: { negate: boolean; flags: readonly CtStatusName[] } | null;
    } = {
      dir: null,
      state: null,
      proto: null,
      origSrc: null,
      origDst: null,
      replSrc: null,
      replDst: null,
      origSrcPort: null,
      origDstPort: null,
      replSrcPort: null,
      replDstPort: null,
      status: null,
    };
    const seen = new Set<string>();
    const netKeys = { ctorigsrc: 'origSrc', ctorigdst: 'origDst', ctreplsrc: 'replSrc', ctrepldst: 'replDst' } as const;
    const portKeys = { ctorigsrcport: 'origSrcPort', ctorigdstport: 'origDstPort', ctreplsrcport: 'replSrcPort', ctrepldstport: 'replDstPort' } as const;
    return {
      apply(opt, args, negate) {
        const e = once(seen, opt);
        if (e) return e;
        const a = args[0] ?? '';
        if (opt === 'ctstate') {
          const r = nameList(a, CT_STATE_NAMES, 'ctstate');
          if (!r.ok) return r.error;
          m.state = { negate, states: r.value };
        } else if (opt === 'ctstatus') {
          const r = nameList(a, CT_STATUS_NAMES, 'ctstatus');
          if (!r.ok) return r.error;
          // NONE adds no bit: it only survives alone (an empty mask).
          const flags = r.value.filter((f) => f !== 'NONE');
          m.status = { negate, flags: flags.length > 0 ? flags : ['NONE'] };
        } else if (opt === 'ctproto') {
          const p = parseProto(a);
          if (p === null || p === 0) return `expected a protocol for --ctproto, found "${a}"`;
          m.proto = { negate, proto: p };
        } else if (opt === 'ctdir') {
          const d = a.toUpperCase();
          if (d !== 'ORIGINAL' && d !== 'REPLY') return `--ctdir expects ORIGINAL or REPLY, found "${a}"`;
          m.dir = d;
        } else if (opt in netKeys) {
          const r = net(a, negate);
          if (!r.ok) return r.error;
          m[netKeys[opt as keyof typeof netKeys]] = r.value;
        } else if (opt in portKeys) {
          const r = ports(a, negate);
          if (!r.ok) return r.error;
          m[portKeys[opt as keyof typeof portKeys]] = r.value;
        }
        return null;
      },
      finish() {
        if (seen.size === 0) return err('conntrack: at least one option is required');
        return ok({ kind: 'conntrack', ...m });
      },
    };
  },
};

export const state: MatchModule = {
  name: 'state',
  options: opts({ state: [1, true] }),
  create() {
    let v: { negate: boolean; states: readonly CtStateName[] } | null = null;
    return {
      apply(_opt, args, negate) {
        if (v) return 'multiple --state options are not allowed in one match';
        const r = nameList(args[0] ?? '', ['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED'] as const, 'state');
        if (!r.ok) return r.error;
        v = { negate, states: r.value };
        return null;
      },
      finish() {
        return v ? ok({ kind: 'state', ...v }) : err('state: option "--state" must be specified');
      },
    };
  },
};

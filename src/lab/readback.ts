import type { World } from '../kernel/netns.js';
import { getNetns } from '../kernel/netns.js';
import { printBridgeFdb, printIpAddr, printIpLink, printIpNeigh, printIpNeighProxy, printIpRoute, printIpRule, printSysctl, type PrintOptions } from '../kernel/print/index.js';
import { printRuleset } from '../kernel/netfilter/print.js';
import { sysctlPath } from '../kernel/print/sysctl.js';
import { cmd, inNetns } from './command.js';
import { runOk } from './exec.js';
import type { Lab } from './lab.js';
import { dropDynamicNeigh, dropLearnedFdb, sortLines, stripIptablesSave, stripLinkDetails } from './normalize.js';

export const STATE_SECTIONS = ['link', 'linkDetails', 'addr', 'route', 'routeAll', 'rule', 'neigh', 'neighProxy', 'fdb', 'sysctl', 'iptables'] as const;
export type StateSection = (typeof STATE_SECTIONS)[number];
export type StateText = Readonly<Record<StateSection, string>>;

/** The command that prints each section on a real system. */
export function sectionCommand(section: StateSection, netns: string, sysctlKeys: readonly string[]): readonly string[] {
  const ip = (...a: string[]): string[] => ['ip', '-n', netns, ...a];
  switch (section) {
    case 'link':
      return ip('link', 'show');
    case 'linkDetails':
      return ip('-d', 'link', 'show');
    case 'addr':
      return ip('addr', 'show');
    case 'route':
      return ip('route', 'show');
    case 'routeAll':
      return ip('route', 'show', 'table', 'all');
    case 'rule':
      return ip('rule', 'show');
    case 'neigh':
      return ip('neigh', 'show');
    case 'neighProxy':
      return ip('neigh', 'show', 'proxy');
    case 'fdb':
      return ['bridge', '-n', netns, 'fdb', 'show'];
    case 'sysctl':
      return inNetns(netns, ['sysctl', ...sysctlKeys.map(sysctlPath)]).argv;
    case 'iptables':
      return inNetns(netns, ['iptables-save']).argv;
  }
}

/** How the lab's veth peers print: its namespaces have names, so `link-netns NAME`. */
export function labPrintOptions(lab: Lab): PrintOptions {
  return { peerNetns: (id) => `link-netns ${lab.netnsName(id)}` };
}

/** Every section as the podnet printers print it for the model. */
export function printModelState(world: World, nsId: string, opts: PrintOptions = {}): StateText {
  const ns = getNetns(world, nsId);
  return {
    link: printIpLink(world, nsId, opts),
    linkDetails: printIpLink(world, nsId, { ...opts, details: true }),
    addr: printIpAddr(world, nsId, opts),
    route: printIpRoute(world, nsId, opts),
    routeAll: printIpRoute(world, nsId, { ...opts, table: 'all' }),
    rule: printIpRule(ns),
    neigh: printIpNeigh(ns),
    neighProxy: printIpNeighProxy(ns),
    fdb: printBridgeFdb(world, nsId, opts),
    sysctl: printSysctl(ns),
    iptables: printRuleset(ns.netfilter),
  };
}

/** Every section as the real tools print it inside the lab netns. */
export async function readRealState(lab: Lab, nsId: string): Promise<StateText> {
  const netns = lab.netnsName(nsId);
  const keys = [...getNetns(lab.world, nsId).sysctls.keys()];
  const texts = await Promise.all(STATE_SECTIONS.map((s) => (s === 'sysctl' && keys.length === 0 ? '' : runOk(cmd(...sectionCommand(s, netns, keys))))));
  return Object.fromEntries(STATE_SECTIONS.map((s, i) => [s, texts[i] ?? ''])) as StateText;
}

/** The normalisations of normalize.ts, applied to one side or the other alike. */
export function normalizeState(t: StateText, opts: { readonly ignoreDynamic?: boolean } = {}): StateText {
  const dyn = opts.ignoreDynamic ?? true;
  return {
    ...t,
    linkDetails: stripLinkDetails(t.linkDetails),
    neigh: sortLines(dyn ? dropDynamicNeigh(t.neigh) : t.neigh),
    neighProxy: sortLines(t.neighProxy),
    fdb: dyn ? dropLearnedFdb(t.fdb) : t.fdb,
    iptables: stripIptablesSave(t.iptables),
  };
}

export interface SectionDiff {
  readonly section: StateSection;
  readonly model: string;
  readonly real: string;
}

/** Sections where the printed model and the real kernel differ, after normalisation. */
export async function compareLabState(lab: Lab, nsId: string): Promise<SectionDiff[]> {
  const model = normalizeState(printModelState(lab.world, nsId, labPrintOptions(lab)));
  const real = normalizeState(await readRealState(lab, nsId));
  return STATE_SECTIONS.filter((s) => model[s] !== real[s]).map((s) => ({ section: s, model: model[s], real: real[s] }));
}

/**
 * Wait until no bridge is between states: right after its ports come up a bridge briefly shows
 * `NO-CARRIER` with `LOWER_UP` and `state DOWN`.
 */
export async function waitSettled(lab: Lab, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const id of lab.world.netns.keys()) {
    for (;;) {
      const text = await runOk(cmd('ip', '-n', lab.netnsName(id), 'link', 'show'));
      if (!/NO-CARRIER[^>]*LOWER_UP/.test(text) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node as YNode } from 'yaml';
import { inputError, type InputError } from '../lib/input-error.js';
import { parseCidr, type Cidr } from '../net/cidr.js';
import { parseIpv4, type Ipv4 } from '../net/ipv4.js';
import type { Labels, SourcePos } from '../cluster/meta.js';

/**
 * Typed reading of YAML nodes with positions. Every reader names the field it read by its path
 * (`Pod spec.containers[0].ports[1].containerPort`) and fails with file, line and column.
 *
 * Failing throws a {@link LoadFailure}. It is the loader's internal early exit and never leaves
 * topology/: `parseTopology` catches it and returns the InputError as a value. Anything else
 * thrown is a bug and propagates.
 */
export class LoadFailure {
  constructor(readonly error: InputError) {}
}

/** One YAML document of one file. */
export interface Src {
  readonly file: string;
  readonly lc: LineCounter;
  readonly doc: Document.Parsed;
}

/** A YAML node (or a missing one) with the path that reached it. */
export interface Val {
  readonly src: Src;
  readonly node: YNode;
  /** e.g. `Pod spec.containers[0].name`. */
  readonly path: string;
}

export function posAt(src: Src, offset: number): SourcePos {
  const { line, col } = src.lc.linePos(offset);
  return { file: src.file, line: Math.max(line, 1), col: Math.max(col, 1) };
}

export function posOf(v: Val): SourcePos {
  return posAt(v.src, v.node.range?.[0] ?? 0);
}

export function failAt(pos: SourcePos, message: string): never {
  throw new LoadFailure(inputError(pos.file, message, pos.line, pos.col));
}

export function fail(v: Val, message: string): never {
  return failAt(posOf(v), message);
}

/** "expected X, found Y" at `v`. */
export function expected(v: Val, what: string): never {
  return fail(v, `${v.path}: expected ${what}, found ${describe(v.node)}`);
}

export function rootVal(src: Src, node: YNode, label: string): Val {
  return { src, node: resolve(src, node), path: label };
}

function resolve(src: Src, node: YNode): YNode {
  let n: unknown = node;
  for (let i = 0; i < 32 && isAlias(n); i++) n = n.resolve(src.doc);
  return (n ?? node) as YNode;
}

export function describe(node: YNode): string {
  if (isMap(node)) return node.items.length === 0 ? 'an empty mapping' : 'a mapping';
  if (isSeq(node)) return node.items.length === 0 ? 'an empty list' : 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null || v === undefined) return 'nothing (null)';
    if (typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
    return 'a value';
  }
  return 'something else';
}

export const isNull = (node: YNode): boolean => isScalar(node) && (node.value === null || node.value === undefined);

function child(parent: Val, node: YNode, seg: string): Val {
  const sep = seg.startsWith('[') ? '' : parent.path.includes(' ') || parent.path.includes('.') ? '.' : ' ';
  return { src: parent.src, node: resolve(parent.src, node), path: `${parent.path}${sep}${seg}` };
}

/** The fields a mapping may have: those podnet reads, and valid Kubernetes fields it ignores. */
export interface Fields {
  readonly read: readonly string[];
  readonly ignore?: readonly string[];
}

/** A mapping whose keys were checked against a {@link Fields} list. */
export class MapView {
  constructor(
    readonly val: Val,
    /** value null: a key with no value node at all (`? key` in a flow mapping). */
    private readonly entries: ReadonlyMap<string, { key: YNode; value: Val | null }>,
  ) {}

  /** The field's value; undefined when absent or null (`labels:` / `labels: null`). */
  get(key: string): Val | undefined {
    const e = this.entries.get(key);
    return e?.value && !isNull(e.value.node) ? e.value : undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  require(key: string): Val {
    const v = this.get(key);
    if (v) return v;
    return fail(this.val, `${this.val.path}: missing required field "${key}"`);
  }

  /** Position of a key (for "this field is not allowed here" messages). */
  keyVal(key: string): Val | undefined {
    const e = this.entries.get(key);
    return e ? { src: this.val.src, node: e.key, path: e.value?.path ?? `${this.val.path}.${key}` } : undefined;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }
}

export function mapOf(v: Val, fields: Fields | null): MapView {
  if (!isMap(v.node)) return expected(v, 'a mapping');
  const entries = new Map<string, { key: YNode; value: Val | null }>();
  for (const pair of v.node.items) {
    const keyNode = pair.key as YNode | null;
    const keyVal: Val = keyNode ? { src: v.src, node: keyNode, path: v.path } : v;
    if (!keyNode || !isScalar(keyNode) || typeof keyNode.value !== 'string') {
      return fail(keyVal, `${v.path}: expected field names to be strings, found ${keyNode ? describe(keyNode) : 'an empty key'}`);
    }
    const key = keyNode.value;
    if (fields && !fields.read.includes(key) && !(fields.ignore ?? []).includes(key)) {
      const suggestion = closest(key, [...fields.read, ...(fields.ignore ?? [])]);
      const hint = suggestion ? ` (did you mean "${suggestion}"?)` : '';
      return fail(keyVal, `${v.path}: unknown field "${key}"${hint}; podnet reads: ${fields.read.join(', ')}`);
    }
    const valueNode = pair.value as YNode | null;
    entries.set(key, { key: keyNode, value: valueNode ? child(v, valueNode, key) : null });
  }
  return new MapView(v, entries);
}

export function seqOf(v: Val): Val[] {
  if (!isSeq(v.node)) return expected(v, 'a list');
  return v.node.items.map((n, i) => child(v, n as YNode, `[${i}]`));
}

function scalar(v: Val): unknown {
  return isScalar(v.node) ? v.node.value : undefined;
}

export function str(v: Val): string {
  const s = scalar(v);
  if (typeof s !== 'string') return expected(v, 'a string');
  return s;
}

/** A non-empty string. */
export function nonEmptyStr(v: Val): string {
  const s = str(v);
  if (s === '') return expected(v, 'a non-empty string');
  return s;
}

export function int(v: Val, min: number, max: number): number {
  const n = scalar(v);
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    return expected(v, `an integer from ${min} to ${max}`);
  }
  return n;
}

export function bool(v: Val): boolean {
  const b = scalar(v);
  if (typeof b !== 'boolean') return expected(v, 'true or false');
  return b;
}

export function oneOf<T extends string>(v: Val, allowed: readonly T[]): T {
  const s = scalar(v);
  if (typeof s !== 'string' || !(allowed as readonly string[]).includes(s)) {
    return expected(v, `one of ${allowed.join(', ')}`);
  }
  return s as T;
}

export function ipv4Of(v: Val): Ipv4 {
  const s = scalar(v);
  if (typeof s !== 'string') return expected(v, 'an IPv4 address like 192.168.1.101');
  const r = parseIpv4(s);
  if (!r.ok) return fail(v, `${v.path}: expected an IPv4 address like 192.168.1.101, found "${s}"`);
  return r.value;
}

export function cidrOfVal(v: Val): Cidr {
  const s = scalar(v);
  if (typeof s !== 'string') return expected(v, 'an IPv4 CIDR like 10.244.0.0/16');
  const r = parseCidr(s);
  if (!r.ok) return fail(v, `${v.path}: ${r.error}`);
  return r.value;
}

/** `labels`, `annotations`, `nodeSelector`, `selector`: a map of strings to strings. */
export function stringMap(v: Val, kind: 'label' | 'annotation' | 'selector'): Labels {
  const m = mapOf(v, null);
  const out: Record<string, string> = {};
  for (const key of m.keys()) {
    const entry = m.get(key);
    if (!entry) {
      out[key] = '';
      continue;
    }
    const s = scalar(entry);
    if (typeof s !== 'string') {
      return fail(entry, `${entry.path}: expected a string (quote it: "${String(s)}"), found ${describe(entry.node)}; ${kind} values are strings`);
    }
    if (kind !== 'annotation') {
      const bad = labelKeyProblem(key) ?? labelValueProblem(s);
      if (bad) return fail(m.keyVal(key) ?? entry, `${entry.path}: ${bad}`);
    }
    out[key] = s;
  }
  return out;
}

const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function labelKeyProblem(key: string): string | null {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? null : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== null && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    return `label key "${key}" has an invalid prefix; expected a DNS subdomain like example.com`;
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return `label key "${key}" is invalid; expected up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  }
  return null;
}

function labelValueProblem(value: string): string | null {
  if (value === '') return null;
  if (value.length > 63 || !LABEL_NAME.test(value)) {
    return `label value "${value}" is invalid; expected up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  }
  return null;
}

/** Kubernetes name rules: which validation an object's name gets. */
export type NameRule = 'dns1123-subdomain' | 'dns1123-label' | 'dns1035-label';

export function k8sName(v: Val, rule: NameRule): string {
  const s = str(v);
  const [re, max, what] =
    rule === 'dns1123-subdomain'
      ? [DNS1123_SUBDOMAIN, 253, 'lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit']
      : rule === 'dns1123-label'
        ? [DNS1123_LABEL, 63, 'lower-case letters, digits and \'-\', starting and ending with a letter or digit']
        : [DNS1035_LABEL, 63, 'lower-case letters, digits and \'-\', starting with a letter and ending with a letter or digit'];
  if (s.length === 0 || s.length > max || !re.test(s)) {
    return fail(v, `${v.path}: expected a name of up to ${max} ${what}, found ${JSON.stringify(s)}`);
  }
  return s;
}

export const isDns1123Label = (s: string): boolean => s.length <= 63 && DNS1123_LABEL.test(s);
export const isDns1123Subdomain = (s: string): boolean => s.length <= 253 && DNS1123_SUBDOMAIN.test(s);

/** The allowed name closest to a misspelt one, when it is close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== null && bestD <= Math.max(1, Math.floor(word.length / 3)) ? best : null;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, sub));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

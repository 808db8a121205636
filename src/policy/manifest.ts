import { isIPv6 } from 'node:net';
import { inputError, type InputError } from '../lib/input-error.js';
import { err, ok, type Result } from '../lib/result.js';
import { cidrCovers, cidrOf, formatCidr, parseIfAddr, type Cidr } from '../net/cidr.js';
import { SELECTOR_OPERATORS, type LabelSelector, type LabelSelectorRequirement, type SelectorOperator } from '../cluster/label-selector.js';
import { PROTOCOLS, type Labels, type Protocol, type SourcePos } from '../cluster/meta.js';
import {
  defaultPolicyTypes,
  POLICY_TYPES,
  type IpBlock,
  type NetworkPolicy,
  type PolicyPeer,
  type PolicyPort,
  type PolicyRule,
  type PolicyType,
} from '../cluster/network-policy.js';

/**
 * NetworkPolicy manifests (plain data, as `yaml`'s `toJSON()` or `JSON.parse` gives them) to the
 * typed {@link NetworkPolicy}, applying what the API server does on create: defaulting
 * (`SetDefaults_NetworkPolicy`, `SetDefaults_NetworkPolicyPort`) and validation
 * (`ValidateNetworkPolicy`). Anything the API server would reject is an InputError naming the
 * field, e.g. `NetworkPolicy x/web spec.ingress[0].from[1]: may not specify both ipBlock and
 * another peer`.
 */

/** A path into the manifest, e.g. `['spec', 'ingress', 0, 'from', 1]`. */
export type ManifestPath = readonly (string | number)[];

export interface ManifestOptions {
  /** The namespace a manifest without `metadata.namespace` lands in (default `default`). */
  readonly namespace?: string;
  /**
   * Where a field is in the input, for messages and rule positions; null when unknown (the
   * policy's own position is used then). The YAML loader can answer from the document's nodes.
   */
  readonly positionOf?: (path: ManifestPath) => SourcePos | null;
}

class Invalid {
  constructor(readonly error: InputError) {}
}

type Obj = Readonly<Record<string, unknown>>;

interface Ctx {
  readonly what: string;
  readonly source: SourcePos;
  readonly positionOf: (path: ManifestPath) => SourcePos | null;
}

function pathText(path: ManifestPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

function posFor(ctx: Ctx, path: ManifestPath): SourcePos {
  for (let n = path.length; n >= 0; n--) {
    const p = ctx.positionOf(path.slice(0, n));
    if (p) return p;
  }
  return ctx.source;
}

function fail(ctx: Ctx, path: ManifestPath, message: string): never {
  const pos = posFor(ctx, path);
  const where = path.length > 0 ? ` ${pathText(path)}` : '';
  throw new Invalid(inputError(pos.file, `${ctx.what}${where}: ${message}`, pos.line, pos.col));
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : 'a list';
  if (typeof v === 'object') return 'a mapping';
  return JSON.stringify(v);
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function obj(ctx: Ctx, path: ManifestPath, v: unknown, fields: readonly string[], ignored: readonly string[] = []): Obj {
  if (!isObj(v)) return fail(ctx, path, `expected a mapping, found ${describe(v)}`);
  for (const k of Object.keys(v)) {
    if (!fields.includes(k) && !ignored.includes(k)) {
      return fail(ctx, [...path, k], `unknown field "${k}"; a NetworkPolicy has here: ${fields.join(', ')}`);
    }
  }
  return v;
}

/** A field's value; undefined when absent or null (as the API's JSON decoding treats null). */
function field(o: Obj, k: string): unknown {
  const v = o[k];
  return v === null ? undefined : v;
}

function list(ctx: Ctx, path: ManifestPath, v: unknown): readonly unknown[] {
  if (!Array.isArray(v)) return fail(ctx, path, `expected a list, found ${describe(v)}`);
  return v;
}

function string(ctx: Ctx, path: ManifestPath, v: unknown): string {
  if (typeof v !== 'string') return fail(ctx, path, `expected a string, found ${describe(v)}`);
  return v;
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IANA_SVC_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function labelKey(ctx: Ctx, path: ManifestPath, key: string): string {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? null : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if ((prefix !== null && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) || name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return fail(ctx, path, `"${key}" is not a valid label key (expected [prefix/]name, name up to 63 letters, digits, '-', '_' or '.')`);
  }
  return key;
}

function labelValue(ctx: Ctx, path: ManifestPath, v: unknown): string {
  if (typeof v !== 'string') {
    return fail(ctx, path, `expected a string (quote it: "${String(v)}"), found ${describe(v)}; label values are strings`);
  }
  if (v !== '' && (v.length > 63 || !LABEL_NAME.test(v))) {
    return fail(ctx, path, `"${v}" is not a valid label value (up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)`);
  }
  return v;
}

function selector(ctx: Ctx, path: ManifestPath, v: unknown): LabelSelector {
  const o = obj(ctx, path, v, ['matchLabels', 'matchExpressions']);
  const mlV = field(o, 'matchLabels');
  const matchLabels: Record<string, string> = {};
  if (mlV !== undefined) {
    const ml = obj(ctx, [...path, 'matchLabels'], mlV, Object.keys(isObj(mlV) ? mlV : {}));
    for (const [k, val] of Object.entries(ml)) {
      labelKey(ctx, [...path, 'matchLabels', k], k);
      matchLabels[k] = labelValue(ctx, [...path, 'matchLabels', k], val);
    }
  }
  const meV = field(o, 'matchExpressions');
  const matchExpressions: LabelSelectorRequirement[] = [];
  if (meV !== undefined) {
    list(ctx, [...path, 'matchExpressions'], meV).forEach((e, i) => {
      const p = [...path, 'matchExpressions', i];
      const eo = obj(ctx, p, e, ['key', 'operator', 'values']);
      const keyV = field(eo, 'key');
      if (keyV === undefined) fail(ctx, p, 'missing required field "key"');
      const key = labelKey(ctx, [...p, 'key'], string(ctx, [...p, 'key'], keyV));
      const opV = field(eo, 'operator');
      if (opV === undefined) fail(ctx, p, 'missing required field "operator"');
      if (typeof opV !== 'string' || !(SELECTOR_OPERATORS as readonly string[]).includes(opV)) {
        fail(ctx, [...p, 'operator'], `expected one of ${SELECTOR_OPERATORS.join(', ')}, found ${describe(opV)} (operators are case-sensitive)`);
      }
      const operator = opV as SelectorOperator;
      const valuesV = field(eo, 'values');
      const values = valuesV === undefined ? [] : list(ctx, [...p, 'values'], valuesV).map((x, j) => labelValue(ctx, [...p, 'values', j], x));
      if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
        fail(ctx, p, `operator ${operator} needs at least one value in "values"`);
      }
      if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) {
        fail(ctx, [...p, 'values'], `operator ${operator} takes no values, found ${values.length}`);
      }
      matchExpressions.push({ key, operator, values });
    });
  }
  return { matchLabels, matchExpressions };
}

/** A CIDR as the API's legacy parser reads it: host bits allowed, prefix required. */
function cidrText(ctx: Ctx, path: ManifestPath, v: unknown): { family: 'IPv4'; cidr: Cidr; text: string } | { family: 'IPv6'; text: string } {
  const text = string(ctx, path, v);
  const slash = text.indexOf('/');
  if (slash > 0 && isIPv6(text.slice(0, slash))) {
    const prefix = text.slice(slash + 1);
    if (/^\d{1,3}$/.test(prefix) && Number(prefix) <= 128) return { family: 'IPv6', text };
  }
  if (slash < 0) return fail(ctx, path, `"${text}" is not a CIDR: it needs a prefix length, e.g. ${text}/32`);
  const spec = parseIfAddr(text);
  if (!spec.ok) return fail(ctx, path, `"${text}" is not a valid CIDR (${spec.error})`);
  return { family: 'IPv4', cidr: cidrOf(spec.value.addr, spec.value.prefix), text };
}

function ipBlock(ctx: Ctx, path: ManifestPath, v: unknown): IpBlock {
  const o = obj(ctx, path, v, ['cidr', 'except']);
  const cidrV = field(o, 'cidr');
  if (cidrV === undefined) fail(ctx, path, 'missing required field "cidr"');
  const block = cidrText(ctx, [...path, 'cidr'], cidrV);
  const exV = field(o, 'except');
  const excepts = exV === undefined ? [] : list(ctx, [...path, 'except'], exV).map((x, i) => ({ i, c: cidrText(ctx, [...path, 'except', i], x) }));
  if (block.family === 'IPv6') {
    for (const { i, c } of excepts) if (c.family !== 'IPv6') fail(ctx, [...path, 'except', i], `"${c.text}" is IPv4 but cidr "${block.text}" is IPv6; except must be inside cidr`);
    return { family: 'IPv6', cidrText: block.text, exceptText: excepts.map((e) => e.c.text) };
  }
  const except: Cidr[] = [];
  for (const { i, c } of excepts) {
    if (c.family !== 'IPv4') return fail(ctx, [...path, 'except', i], `"${c.text}" is IPv6 but cidr "${block.text}" is IPv4; except must be inside cidr`);
    if (!cidrCovers(block.cidr, c.cidr) || c.cidr.prefix <= block.cidr.prefix) {
      return fail(ctx, [...path, 'except', i], `"${c.text}" must be a strict subset of cidr ${formatCidr(block.cidr)}`);
    }
    except.push(c.cidr);
  }
  return { family: 'IPv4', cidr: block.cidr, except, cidrText: block.text, exceptText: excepts.map((e) => e.c.text) };
}

function peer(ctx: Ctx, path: ManifestPath, v: unknown): PolicyPeer {
  const o = obj(ctx, path, v, ['podSelector', 'namespaceSelector', 'ipBlock']);
  const podV = field(o, 'podSelector');
  const nsV = field(o, 'namespaceSelector');
  const ipV = field(o, 'ipBlock');
  const source = posFor(ctx, path);
  if (ipV !== undefined) {
    if (podV !== undefined || nsV !== undefined) fail(ctx, path, 'may not specify both ipBlock and another peer (podSelector/namespaceSelector)');
    return { kind: 'ipBlock', ipBlock: ipBlock(ctx, [...path, 'ipBlock'], ipV), source };
  }
  if (podV === undefined && nsV === undefined) fail(ctx, path, 'must specify a peer: podSelector, namespaceSelector or ipBlock');
  return {
    kind: 'selector',
    podSelector: podV === undefined ? null : selector(ctx, [...path, 'podSelector'], podV),
    namespaceSelector: nsV === undefined ? null : selector(ctx, [...path, 'namespaceSelector'], nsV),
    source,
  };
}

function port(ctx: Ctx, path: ManifestPath, v: unknown): PolicyPort {
  const o = obj(ctx, path, v, ['protocol', 'port', 'endPort']);
  const protoV = field(o, 'protocol');
  if (protoV !== undefined && (typeof protoV !== 'string' || !(PROTOCOLS as readonly string[]).includes(protoV))) {
    fail(ctx, [...path, 'protocol'], `expected one of ${PROTOCOLS.join(', ')}, found ${describe(protoV)}${typeof protoV === 'string' && (PROTOCOLS as readonly string[]).includes(protoV.toUpperCase()) ? ` (write ${protoV.toUpperCase()})` : ''}`);
  }
  const protocol = (protoV ?? 'TCP') as Protocol;
  const portV = field(o, 'port');
  let p: number | string | null = null;
  if (typeof portV === 'number') {
    if (!Number.isInteger(portV) || portV < 1 || portV > 65535) fail(ctx, [...path, 'port'], `expected a port number from 1 to 65535, found ${portV}`);
    p = portV;
  } else if (typeof portV === 'string') {
    if (portV.length > 15 || !IANA_SVC_NAME.test(portV) || portV.includes('--')) {
      const hint = /^\d+$/.test(portV) ? ` (a quoted number is a port name; write ${portV} without quotes for a port number)` : '';
      fail(ctx, [...path, 'port'], `"${portV}" is not a valid port name: up to 15 lower-case letters, digits and '-', with at least one letter${hint}`);
    }
    p = portV;
  } else if (portV !== undefined) {
    fail(ctx, [...path, 'port'], `expected a port number or a container port name, found ${describe(portV)}`);
  }
  const endV = field(o, 'endPort');
  let endPort: number | null = null;
  if (endV !== undefined) {
    if (typeof endV !== 'number' || !Number.isInteger(endV) || endV < 1 || endV > 65535) fail(ctx, [...path, 'endPort'], `expected a port number from 1 to 65535, found ${describe(endV)}`);
    if (typeof p !== 'number') fail(ctx, [...path, 'endPort'], p === null ? 'endPort needs a numeric port to start the range' : `endPort may not be used with a named port ("${p}")`);
    if (endV < p) fail(ctx, [...path, 'endPort'], `endPort ${endV} must be greater than or equal to port ${p}`);
    endPort = endV;
  }
  return { protocol, protocolDefaulted: protoV === undefined, port: p, endPort, source: posFor(ctx, path) };
}

function rules(ctx: Ctx, path: ManifestPath, v: unknown, peersKey: 'from' | 'to'): readonly PolicyRule[] {
  if (v === undefined) return [];
  return list(ctx, path, v).map((r, i) => {
    const p = [...path, i];
    const o = r === null ? {} : obj(ctx, p, r, [peersKey, 'ports']);
    const peersV = field(o, peersKey);
    const portsV = field(o, 'ports');
    return {
      peers: peersV === undefined ? [] : list(ctx, [...p, peersKey], peersV).map((x, j) => peer(ctx, [...p, peersKey, j], x)),
      ports: portsV === undefined ? [] : list(ctx, [...p, 'ports'], portsV).map((x, j) => port(ctx, [...p, 'ports', j], x)),
      source: posFor(ctx, p),
    };
  });
}

/**
 * Convert one NetworkPolicy manifest. `source` is where the manifest starts (used when
 * `positionOf` cannot place a field). Reads `metadata.name` / `metadata.namespace` and `spec`;
 * the rest of the object (apiVersion, kind, other metadata) is the loader's business.
 */
export function networkPolicyFromManifest(manifest: unknown, source: SourcePos, options: ManifestOptions = {}): Result<NetworkPolicy, InputError> {
  const positionOf = options.positionOf ?? (() => null);
  try {
    const early: Ctx = { what: 'NetworkPolicy', source, positionOf };
    if (!isObj(manifest)) fail(early, [], `expected a mapping, found ${describe(manifest)}`);
    const metaV = field(manifest, 'metadata');
    const meta = isObj(metaV) ? metaV : {};
    const nameV = field(meta, 'name');
    if (typeof nameV !== 'string' || nameV === '') fail(early, ['metadata'], 'missing required field "name"');
    const nsV = field(meta, 'namespace');
    const namespace = typeof nsV === 'string' && nsV !== '' ? nsV : (options.namespace ?? 'default');
    const ctx: Ctx = { what: `NetworkPolicy ${namespace}/${nameV}`, source, positionOf };
    const specV = field(manifest, 'spec');
    if (specV === undefined) fail(ctx, [], 'missing required field "spec"');
    const spec = obj(ctx, ['spec'], specV, ['podSelector', 'policyTypes', 'ingress', 'egress']);
    const psV = field(spec, 'podSelector');
    const podSelector = psV === undefined ? { matchLabels: {}, matchExpressions: [] } : selector(ctx, ['spec', 'podSelector'], psV);
    const ingress = rules(ctx, ['spec', 'ingress'], field(spec, 'ingress'), 'from');
    const egress = rules(ctx, ['spec', 'egress'], field(spec, 'egress'), 'to');
    const ptV = field(spec, 'policyTypes');
    const written = ptV === undefined ? [] : list(ctx, ['spec', 'policyTypes'], ptV);
    const types: PolicyType[] = written.map((t, i) => {
      if (typeof t !== 'string' || !(POLICY_TYPES as readonly string[]).includes(t)) {
        return fail(ctx, ['spec', 'policyTypes', i], `expected Ingress or Egress, found ${describe(t)}`);
      }
      return t as PolicyType;
    });
    if (types.length > 2) fail(ctx, ['spec', 'policyTypes'], `may list at most 2 policy types, found ${types.length}`);
    const defaulted = types.length === 0;
    return ok({
      namespace,
      name: nameV,
      podSelector,
      policyTypes: defaulted ? defaultPolicyTypes(egress.length) : types,
      policyTypesDefaulted: defaulted,
      ingress,
      egress,
      source,
    });
  } catch (e) {
    if (e instanceof Invalid) return err(e.error);
    throw e;
  }
}

/** Label map helper for callers that build selectors in code (tests, generators). */
export function selectorOf(matchLabels: Labels, matchExpressions: readonly LabelSelectorRequirement[] = []): LabelSelector {
  return { matchLabels, matchExpressions };
}

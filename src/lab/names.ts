import { randomBytes } from 'node:crypto';

/**
 * Real network namespaces get a per-lab prefix, `pn` + 4 hex digits + `-`, so several labs (and
 * other software) can share a machine and teardown finds exactly its own. Netns names may be
 * 255 characters but are file names under /run/netns: model ids (`pod:default/web-0`) keep their
 * letters, digits, `.`, `_` and `-`; anything else becomes `_`. Interface names are the model's
 * own (already at most 15 characters, IFNAMSIZ - 1).
 */
export const LAB_PREFIX_RE = /^pn[0-9a-f]{4}-$/;

export function newLabPrefix(): string {
  return `pn${randomBytes(2).toString('hex')}-`;
}

export function isLabPrefix(prefix: string): boolean {
  return LAB_PREFIX_RE.test(prefix);
}

export function netnsName(prefix: string, modelId: string): string {
  const name = `${prefix}${modelId.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  if (name.length > 255) throw new Error(`netns name for ${modelId} is longer than 255 characters`);
  return name;
}

/** Model id -> real netns name for every id; two ids that would share a name are an error. */
export function netnsNames(prefix: string, modelIds: Iterable<string>): ReadonlyMap<string, string> {
  if (!isLabPrefix(prefix)) throw new Error(`lab prefix "${prefix}" is not like pn1a2b-`);
  const byName = new Map<string, string>();
  const out = new Map<string, string>();
  for (const id of modelIds) {
    const name = netnsName(prefix, id);
    const other = byName.get(name);
    if (other !== undefined && other !== id) throw new Error(`netns ids "${other}" and "${id}" both map to ${name}`);
    byName.set(name, id);
    out.set(id, name);
  }
  return out;
}

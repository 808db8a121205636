import { isAlias, isMap, isScalar, isSeq, type LineCounter, type Document, type Node as YNode } from 'yaml';
import type { SourcePos } from '../cluster/meta.js';
import type { ManifestPath } from './manifest.js';

/**
 * Positions of NetworkPolicy fields in YAML, for `networkPolicyFromManifest`'s `positionOf`:
 * messages and rule positions then point at the exact line and column.
 */

/** Where each path of a manifest is, given the manifest's YAML node. */
export function yamlPositionOf(root: YNode, lc: LineCounter, file: string, doc?: Document): (path: ManifestPath) => SourcePos | null {
  const resolve = (n: unknown): unknown => {
    let cur = n;
    for (let i = 0; i < 16 && isAlias(cur) && doc; i++) cur = cur.resolve(doc);
    return cur;
  };
  const at = (n: YNode): SourcePos | null => {
    const off = n.range?.[0];
    if (off === undefined) return null;
    const { line, col } = lc.linePos(off);
    return { file, line: Math.max(line, 1), col: Math.max(col, 1) };
  };
  return (path) => {
    let node: unknown = resolve(root);
    let keyNode: YNode | null = null;
    for (const seg of path) {
      keyNode = null;
      if (typeof seg === 'number') {
        if (!isSeq(node)) return null;
        node = resolve(node.items[seg]);
      } else {
        if (!isMap(node)) return null;
        const pair = node.items.find((p) => isScalar(p.key) && p.key.value === seg);
        if (!pair) return null;
        keyNode = isScalar(pair.key) ? pair.key : null;
        node = resolve(pair.value);
      }
    }
    if (node && typeof node === 'object' && 'range' in node && (isMap(node) || isSeq(node) || isScalar(node))) {
      const p = at(node);
      if (p) return p;
    }
    return keyNode ? at(keyNode) : null;
  };
}

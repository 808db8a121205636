import { inputError, type InputError } from '../../lib/input-error.js';
import { err, ok, type Result } from '../../lib/result.js';
import { addMember, createIpset, delMember, parseElem, type Ipset, type IpsetMap, type IpsetType } from './ipset.js';

/**
 * `ipset restore`: the batch form daemons (Felix, kube-proxy's IPVS mode) feed the kernel, one
 * command per line: `create NAME TYPE [family inet] [hashsize N] [maxelem N] [comment]`,
 * `add NAME ELEM`, `del NAME ELEM`, `flush [NAME]`, `destroy [NAME]`, `swap A B`. `-exist` on a
 * line makes create/add/del idempotent, as in ipset(8); without it re-creating a set, adding a
 * present element or deleting an absent one is an error ("Element cannot be added to the set:
 * it's already added"). A failing line aborts the whole batch, as ipset does (nothing applies).
 */

const TYPES: readonly IpsetType[] = ['hash:ip', 'hash:ip,port', 'hash:ip,port,ip', 'hash:ip,port,net', 'hash:net', 'bitmap:port'];

function isType(s: string): s is IpsetType {
  return (TYPES as readonly string[]).includes(s);
}

/** `create` options after the type; only the ones the model keeps are checked. */
function createOpts(name: string, type: IpsetType, words: readonly string[]): Result<Ipset, string> {
  let set = createIpset(name, type);
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    const arg = words[i + 1];
    if (w === 'comment') set = { ...set, comment: true };
    else if (w === 'family') {
      if (arg !== 'inet') return err(`family ${arg ?? ''} is not modelled (IPv4 only: inet)`);
      i++;
    } else if (w === 'hashsize' || w === 'maxelem') {
      const n = /^\d+$/.test(arg ?? '') ? Number(arg) : NaN;
      if (!Number.isFinite(n) || n < 1) return err(`${w} needs a positive number, found "${arg ?? ''}"`);
      set = { ...set, [w]: n };
      i++;
    } else if (w === 'range' && type === 'bitmap:port') {
      const m = /^(\d+)-(\d+)$/.exec(arg ?? '');
      if (!m) return err(`range needs FROM-TO, found "${arg ?? ''}"`);
      set = { ...set, range: [Number(m[1]), Number(m[2])] };
      i++;
    } else return err(`unknown create option "${w}"`);
  }
  return ok(set);
}

function apply(sets: Map<string, Ipset>, words: readonly string[], exist: boolean): string | null {
  const [cmd, a, b, ...rest] = words;
  const need = (n: string | undefined): Ipset | string => sets.get(n ?? '') ?? `The set with the given name does not exist: "${n ?? ''}"`;
  switch (cmd) {
    case 'create': {
      if (!a || !b) return 'create needs NAME and TYPE';
      if (a.length > 31) return `set name "${a}" is longer than 31 characters`;
      if (!isType(b)) return `set type "${b}" is not modelled (known: ${TYPES.join(', ')})`;
      if (sets.has(a)) return exist ? null : `Set cannot be created: set with the same name already exists: "${a}"`;
      const s = createOpts(a, b, rest);
      if (!s.ok) return s.error;
      sets.set(a, s.value);
      return null;
    }
    case 'add':
    case 'del': {
      const set = need(a);
      if (typeof set === 'string') return set;
      const e = parseElem(set.type, b ?? '');
      if (!e.ok) return e.error;
      const after = cmd === 'add' ? addMember(set, e.value) : delMember(set, e.value);
      const changed = after.members.length !== set.members.length;
      if (!changed && !exist) return cmd === 'add' ? "Element cannot be added to the set: it's already added" : "Element cannot be deleted from the set: it's not added";
      sets.set(set.name, after);
      return null;
    }
    case 'flush':
    case 'destroy': {
      if (a === undefined) {
        if (cmd === 'flush') for (const s of sets.values()) sets.set(s.name, { ...s, members: [] });
        else sets.clear();
        return null;
      }
      const set = need(a);
      if (typeof set === 'string') return set;
      if (cmd === 'flush') sets.set(a, { ...set, members: [] });
      else sets.delete(a);
      return null;
    }
    case 'swap': {
      const x = need(a);
      const y = need(b);
      if (typeof x === 'string') return x;
      if (typeof y === 'string') return y;
      // The names stay; the contents (and types) change places.
      sets.set(x.name, { ...y, name: x.name });
      sets.set(y.name, { ...x, name: y.name });
      return null;
    }
    default:
      return `expected create, add, del, flush, destroy or swap, found "${cmd ?? ''}"`;
  }
}

/** Apply an `ipset restore` batch to a netns's sets; all or nothing. */
export function ipsetRestore(sets: IpsetMap, text: string, file = 'ipset-restore'): Result<IpsetMap, InputError> {
  const next = new Map(sets);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '' || line.startsWith('#') || line === 'COMMIT') continue;
    const words = line.split(/\s+/);
    const exist = words.includes('-exist') || words.includes('--exist');
    const problem = apply(
      next,
      words.filter((w) => w !== '-exist' && w !== '--exist'),
      exist,
    );
    if (problem !== null) return err(inputError(file, problem, i + 1));
  }
  return ok(next);
}

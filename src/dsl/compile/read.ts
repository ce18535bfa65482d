import { type Node, type Pair, type Scalar, isMap, isScalar, isSeq } from 'yaml';
import { type Source, deref, describe, error } from '../source';
import { didYouMean, listing } from '../suggest';

/** A YAML map's entries by key, keeping the key node (for "unknown key" / "missing" places). */
export interface Entries {
  node: Node;
  get(key: string): Node | null;
  has(key: string): boolean;
  keyNode(key: string): Scalar | undefined;
  keys: string[];
  /** False when some key was reported (unknown or not a name). */
  complete: boolean;
}

/**
 * Reads a map, reporting keys outside `allowed` (with "did you mean" against them).
 * `what` names the map in messages ("campaign", "send step"…).
 */
export function readMap(source: Source, raw: unknown, what: string, allowed: readonly string[] | null): Entries | undefined {
  const node = deref(source, raw);
  if (!isMap(node)) return error(source, node, `${what} must be a map, got ${describe(node)}`, mapHint(allowed));
  const values = new Map<string, Node | null>();
  const keyNodes = new Map<string, Scalar>();
  for (const pair of node.items as Pair<Node | null, Node | null>[]) {
    const key = pair.key;
    if (!isScalar(key) || typeof key.value !== 'string') {
      error(source, key, `a key in ${what} must be a name, got ${describe(key)}`);
      continue;
    }
    const name = key.value;
    if (allowed && !allowed.includes(name)) {
      error(source, key, `unknown key "${name}" in ${what}`, didYouMean(name, allowed, `${what} takes ${listing([...allowed])}`));
      continue;
    }
    values.set(name, deref(source, pair.value));
    keyNodes.set(name, key as Scalar);
  }
  return {
    node,
    keys: [...values.keys()],
    complete: values.size === node.items.length,
    get: (k) => values.get(k) ?? null,
    has: (k) => values.has(k),
    keyNode: (k) => keyNodes.get(k),
  };
}

function mapHint(allowed: readonly string[] | null): string | undefined {
  return allowed && allowed.length ? `write it as key: value lines, e.g. ${allowed[0]}: …` : undefined;
}

/** The place to report a value: the value node, else (for `key:` with nothing) its key. */
export function placeOf(entries: Entries, key: string): Node | null {
  return entries.get(key) ?? entries.keyNode(key) ?? entries.node;
}

/** A required key: reports it missing at the map's first key. */
export function required(source: Source, entries: Entries, key: string, what: string, example: string): Node | undefined {
  if (!entries.has(key)) return error(source, entries.node, `${what} is missing "${key}"`, `add ${example}`);
  const value = entries.get(key);
  if (value === null || (isScalar(value) && value.value === null)) {
    return error(source, entries.keyNode(key), `"${key}" has no value`, `write ${example}`);
  }
  return value;
}

export function readString(source: Source, node: Node | null, what: string, example?: string): string | undefined {
  if (isScalar(node) && typeof node.value === 'string' && node.value.trim() !== '') return node.value;
  if (isScalar(node) && (typeof node.value === 'number' || typeof node.value === 'boolean')) return String(node.value);
  return error(source, node, `${what} must be text, got ${describe(node)}`, example ? `e.g. ${example}` : undefined);
}

/** A name-like string: letters, digits, `.`, `_`, `-` (campaign ids, event types, templates…). */
export function readName(source: Source, node: Node | null, what: string, example: string): string | undefined {
  const s = readString(source, node, what, example);
  if (s === undefined) return undefined;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(s)) {
    return error(source, node, `${what} "${s}" may hold only letters, digits, ".", "_" and "-"`, `e.g. ${example}`);
  }
  return s;
}

export function readInt(source: Source, node: Node | null, what: string, min: number, max: number): number | undefined {
  if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value)) {
    return error(
      source,
      node,
      `${what} must be a whole number, got ${describe(node)}`,
      `use a number from ${min} to ${max === Infinity ? 'up' : max}`,
    );
  }
  if (node.value < min || node.value > max) {
    const range = max === Infinity ? `at least ${min}` : `from ${min} to ${max}`;
    return error(source, node, `${what} ${node.value} is out of range`, `use a number ${range}`);
  }
  return node.value;
}

export function readBool(source: Source, node: Node | null, what: string): boolean | undefined {
  if (isScalar(node) && typeof node.value === 'boolean') return node.value;
  return error(source, node, `${what} must be true or false, got ${describe(node)}`);
}

export function readList(source: Source, node: Node | null, what: string, example: string): Node[] | undefined {
  if (!isSeq(node))
    return error(source, node, `${what} must be a list, got ${describe(node)}`, `write each item on a "- " line, e.g. ${example}`);
  return node.items.map((item) => deref(source, item) ?? (item as Node));
}

/** Plain JSON of a node (data:, update:, properties:), anchors resolved. */
export function toJson(source: Source, node: Node | null): unknown {
  if (node === null) return null;
  return JSON.parse(JSON.stringify(node.toJS(source.doc) ?? null)) as unknown;
}

/** The source offset of the `index`-th character inside a scalar (to point into an rrule). */
export function offsetIn(node: Node, index: number): number {
  const start = node.range?.[0] ?? 0;
  const quoted = isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE');
  const plain = isScalar(node) && (node.type === 'PLAIN' || quoted);
  return plain ? start + (quoted ? 1 : 0) + index : start;
}

import { parse as parseLossless, isSafeNumber } from 'lossless-json';

/**
 * A tiny JSON model for the fuzz test: plain JS values plus `Raw` leaves (JSON text written out
 * verbatim: huge or odd numbers such as 12345678901234567890123 or -0, deep nesting built as a
 * string). Keys are always set as own data properties, so `__proto__` stays a key.
 */
export class Raw {
  constructor(readonly text: string) {}
  toString() {
    return this.text;
  }
}

export type Json = null | boolean | number | string | Raw | Json[] | { [key: string]: Json };

/** Set `key` as an own enumerable property, even `__proto__`. */
export function setKey(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
}

/** JSON text of `value`; strings via JSON.stringify, so NUL and lone surrogates become `\u0000` / `\ud800` escapes. */
export function toJson(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? (Object.is(value, -0) ? '-0' : String(value)) : 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (typeof value === 'object') {
    return `{${Object.keys(value)
      .map((k) => `${JSON.stringify(k)}:${toJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(String(value));
}

/** Parse JSON text keeping unsafe integers as `Raw` digits (for the Shopify fixtures' 18-digit ids). */
export function parseModel(text: string): Json {
  return parseLossless(text, null, (digits) => (isSafeNumber(digits) ? Number(digits) : new Raw(digits))) as Json;
}

/** A deep copy that keeps `__proto__` keys and `Raw` leaves. */
export function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clone) as T;
  if (value !== null && typeof value === 'object' && !(value instanceof Raw)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) setKey(out, k, clone((value as Record<string, unknown>)[k]));
    return out as T;
  }
  return value;
}

export type Path = Array<string | number>;

/** Every node's path (root first), iteratively, at most `limit` of them. */
export function pathsOf(value: unknown, limit = 2000): Path[] {
  const out: Path[] = [];
  const todo: Array<[unknown, Path]> = [[value, []]];
  while (todo.length > 0 && out.length < limit) {
    const [v, path] = todo.shift()!;
    out.push(path);
    if (Array.isArray(v)) v.forEach((child, i) => todo.push([child, [...path, i]]));
    else if (v !== null && typeof v === 'object' && !(v instanceof Raw))
      for (const k of Object.keys(v)) todo.push([(v as Record<string, unknown>)[k], [...path, k]]);
  }
  return out;
}

export function getAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const p of path) v = (v as Record<string | number, unknown>)[p];
  return v;
}

/** `root` with the node at `path` replaced by `replace(node)` (mutates `root`; the root itself may be replaced). */
export function updateAt(root: unknown, path: Path, replace: (node: unknown) => unknown): unknown {
  if (path.length === 0) return replace(root);
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  const next = replace(parent[last]);
  if (Array.isArray(parent)) parent[last as number] = next;
  else setKey(parent, String(last), next);
  return root;
}

export function deleteAt(root: unknown, path: Path): unknown {
  if (path.length === 0) return root;
  const parent = getAt(root, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete (parent as Record<string, unknown>)[String(last)];
  return root;
}

/** `depth` levels of nesting as text, built iteratively (no recursion anywhere). */
export function deepText(depth: number, kind: 'object' | 'array' | 'mixed', inner = '1'): string {
  const open: string[] = [];
  const close: string[] = [];
  for (let i = 0; i < depth; i++) {
    const obj = kind === 'object' || (kind === 'mixed' && i % 2 === 0);
    open.push(obj ? '{"a":' : '[');
    close.push(obj ? '}' : ']');
  }
  return open.join('') + inner + close.reverse().join('');
}

const odd = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Whether a body (as JSON.parse reads it) holds a NUL or lone surrogate in any key or string:
 * the test's own check, independent of src/http/events-input.ts. Iterative.
 */
export function hasOddString(text: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  const todo: unknown[] = [value];
  while (todo.length > 0) {
    const v = todo.pop();
    if (typeof v === 'string') {
      if (odd.test(v)) return true;
    } else if (Array.isArray(v)) {
      for (const child of v) todo.push(child);
    } else if (v !== null && typeof v === 'object') {
      for (const k of Object.keys(v)) {
        if (odd.test(k)) return true;
        todo.push((v as Record<string, unknown>)[k]);
      }
    }
  }
  return false;
}

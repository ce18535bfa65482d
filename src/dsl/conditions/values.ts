import type { TimeValue } from '../condition';

/**
 * Value rules shared by both backends (see the semantics in ./evaluate.ts). Each function here
 * has a SQL twin in ./sql-attribute.ts; change one, change both, and the property test checks it.
 */

/** Present = neither absent nor JSON null. A missing value satisfies only `exists: false` and `is_not`. */
export const isPresent = (v: unknown): boolean => v !== undefined && v !== null;

/** JSON equality as jsonb `=` decides it: numbers by value, objects by key set, arrays in order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  const ak = Object.keys(a as object);
  const bo = b as Record<string, unknown>;
  return ak.length === Object.keys(bo).length && ak.every((k) => k in bo && jsonEqual((a as Record<string, unknown>)[k], bo[k]));
}

/** A finite number: the only kind of operand `gt`/`gte`/`lt`/`lte` compare. */
export const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The one accepted timestamp form: `YYYY-MM-DD[THH:MM[:SS[.f{1,3}]][Z|±HH:MM]]`, year 1000–9999.
 * No offset means UTC. Day/hour overflow (`2026-02-30`) rolls over as `Date.UTC` does, so SQL can
 * compute the same instant with arithmetic that never raises an error.
 */
export const timestampPattern =
  '^([1-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(?:T([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9])(?:\\.([0-9]{1,3}))?)?(Z|([+-])([01][0-9]|2[0-3]):([0-5][0-9]))?)?$';
const timestampRe = new RegExp(timestampPattern);

/** Epoch milliseconds of a string in the accepted form, else undefined. */
export function parseTimestamp(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = timestampRe.exec(v);
  if (!m) return undefined;
  const n = (i: number) => Number(m[i] ?? 0);
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'));
  const offsetMin = m[9] === undefined ? 0 : (m[9] === '-' ? -1 : 1) * (n(10) * 60 + n(11));
  return Date.UTC(n(1), n(2) - 1, n(3), n(4), n(5), n(6), ms) - offsetMin * 60_000;
}

/** The instant a `before`/`after` value names, in epoch ms; undefined when it names none. */
export function thresholdMs(value: unknown, now: Date): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const tv = value as Partial<Record<keyof TimeValue | 'agoMs' | 'at', unknown>>;
  if (isFiniteNumber(tv.agoMs)) return now.getTime() - Math.trunc(tv.agoMs);
  if (typeof tv.at === 'string') return parseTimestamp(tv.at);
  return undefined;
}

/** 0001-01-01T00:00:00Z: a window reaching further back than this has no lower bound. */
const EARLIEST_MS = -62135596800000;

/**
 * Lower bound (inclusive, whole ms) of an `event … within` window, or undefined for none. Whole
 * milliseconds and a floor at year 1 keep the bound a plain timestamptz parameter in SQL.
 */
export function windowStartMs(now: Date, withinMs: number | undefined): number | undefined {
  if (withinMs === undefined || Number.isNaN(withinMs)) return undefined;
  const start = Math.ceil(now.getTime() - withinMs);
  if (start < EARLIEST_MS) return undefined;
  return Math.min(start, now.getTime() + 1);
}

/** A path step that indexes an array: a plain decimal of at most 9 digits (`0`, `12`; not `01`, `-1`). */
export const isIndexSegment = (seg: string): boolean => /^(0|[1-9][0-9]{0,8})$/.test(seg);

/** Walk a JSON path: object keys, and array indexes written as canonical decimals (`items.0`). */
export function atPath(root: unknown, path: readonly string[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (Array.isArray(cur)) {
      if (!isIndexSegment(seg)) return undefined;
      cur = cur[Number(seg)];
    } else if (cur !== null && typeof cur === 'object') {
      cur = Object.hasOwn(cur, seg) ? (cur as Record<string, unknown>)[seg] : undefined;
    } else {
      return undefined;
    }
  }
  return cur;
}

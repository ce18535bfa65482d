import type { Condition, ContactColumn, Evaluate, Facts } from '../condition';
import { contactColumns } from '../condition';
import { anniversaryHolds } from './anniversary';
import { atPath, isFiniteNumber, isPresent, jsonEqual, parseTimestamp, thresholdMs, windowStartMs } from './values';

/**
 * The in-memory backend of the condition language; `toSql` (src/storage/conditions/sql.ts) is its twin over the
 * tables, and tests/dsl/conditions/agree.test.ts proves they agree. The semantics, for both:
 *
 * Scopes. `contact`: one column (`created_at` reads as its ISO string `…T…Z`); a longer path is
 * missing. `attributes`: a path into the contact's attributes json. `trigger` (also `cart.`):
 * a path into the properties of the event that started the run; missing when there is none.
 * `properties`: inside `event … where`, a path into that event's properties (the innermost
 * event's when nested); missing anywhere else. A path step on an array is an index written as a
 * plain decimal (`items.0.price`).
 *
 * Missing. Absent and JSON null are the same: missing. A missing value satisfies only
 * `exists: false` and `is_not` (which is exactly `not is`).
 *
 * Operators on a present value v with the condition's value w:
 * - `exists: true|false` — present / missing (any value but `false` means true);
 * - `is` — JSON equality as jsonb `=` (1 = 1.0, "1" ≠ 1, objects by keys, arrays in order);
 * - `in: [..]` — v equals (as `is`) some element; an empty list matches nothing;
 * - `gt|gte|lt|lte` — only when both v and w are finite numbers; anything else is false;
 * - `contains` — v string and w string: case-sensitive substring; v array: some element equals w;
 * - `before|after` — v is a string `YYYY-MM-DD[THH:MM[:SS[.fff]][Z|±HH:MM]]` (no offset = UTC,
 *   see values.ts), w is `{ at }` (same form) or `{ agoMs }` (now − agoMs); strictly earlier /
 *   later. Anything unparseable is false. `agoMs` and windows count whole milliseconds;
 * - `anniversary` — v's month and day (year ignored, `YYYY-MM-DD…` or `--MM-DD`) fall on one of
 *   the w.days days from today, today being the contact's date at `now` in their own zone, or in
 *   w.zone (the calendar's) without one; 29 February counts on 28 February in other years
 *   (the rules: ./anniversary.ts).
 *
 * `event: T` counts the contact's events of type T with occurred_at ≤ now (never the future),
 * and ≥ now − withinMs when a window is given, whose `where` holds over their properties; the
 * count is compared with `count.op n` (`no_event` is `is 0`).
 * `consent: P` holds when the newest ledger row for P at or before now, by (occurred_at, id),
 * grants; no row means not granted (Facts.consent already holds that answer).
 * `lifecycle: [..]` holds when the contact's stage is one of them (no stage: false).
 * `rfm: [..]` holds when the contact's RFM cell is one of them (no cell yet: false).
 * `segment` is its inlined condition. `all: []` is true, `any: []` is false.
 */
export const evaluate: Evaluate = (condition, facts, now) => holds(condition, { facts, now, properties: undefined });

interface Scope {
  facts: Facts;
  now: Date;
  /** Properties of the event an `event … where` is looking at, else undefined. */
  properties: Record<string, unknown> | undefined;
}

function holds(c: Condition, s: Scope): boolean {
  switch (c.kind) {
    case 'all':
      return c.of.every((x) => holds(x, s));
    case 'any':
      return c.of.some((x) => holds(x, s));
    case 'not':
      return !holds(c.of, s);
    case 'segment':
      return holds(c.condition, s);
    case 'lifecycle':
      return s.facts.contact.lifecycle_stage !== null && c.stages.includes(s.facts.contact.lifecycle_stage);
    case 'rfm': {
      const cell = s.facts.contact.customer?.rfm;
      return typeof cell === 'string' && c.cells.includes(cell);
    }
    case 'consent':
      return s.facts.consent[c.purpose] === true;
    case 'event':
      return compareCount(countEvents(c, s), c.count.op, c.count.n);
    case 'attribute':
      return applyOp(c.op, resolve(c.scope, c.path, s), c.value, s.now, s.facts.contact.timezone);
  }
}

function countEvents(c: Extract<Condition, { kind: 'event' }>, s: Scope): number {
  const nowMs = s.now.getTime();
  const fromMs = windowStartMs(s.now, c.withinMs) ?? -Infinity;
  let n = 0;
  for (const e of s.facts.events) {
    const t = e.occurredAt.getTime();
    if (e.type !== c.type || t > nowMs || t < fromMs) continue;
    if (c.where && !holds(c.where, { ...s, properties: e.properties })) continue;
    n += 1;
  }
  return n;
}

export function compareCount(count: number, op: string, n: number): boolean {
  switch (op) {
    case 'gte':
      return count >= n;
    case 'gt':
      return count > n;
    case 'lte':
      return count <= n;
    case 'lt':
      return count < n;
    case 'is':
      return count === n;
    default:
      return false;
  }
}

function resolve(scope: string, path: string[], s: Scope): unknown {
  switch (scope) {
    case 'contact': {
      const [column, ...rest] = path;
      if (rest.length > 0 || !contactColumns.includes(column as ContactColumn)) return undefined;
      const v = s.facts.contact[column as ContactColumn];
      return v instanceof Date ? v.toISOString() : v;
    }
    case 'attributes':
      return atPath(s.facts.contact.attributes, path);
    case 'customer':
      return atPath(s.facts.contact.customer ?? {}, path);
    case 'trigger':
      return s.facts.trigger === undefined ? undefined : atPath(s.facts.trigger, path);
    case 'properties':
      return s.properties === undefined ? undefined : atPath(s.properties, path);
    default:
      return undefined;
  }
}

function applyOp(op: string, v: unknown, w: unknown, now: Date, contactZone: string | null): boolean {
  if (op === 'exists') return w === false ? !isPresent(v) : isPresent(v);
  if (op === 'is_not') return !applyOp('is', v, w, now, contactZone);
  if (!isPresent(v)) return false;
  switch (op) {
    case 'is':
      return jsonEqual(v, w);
    case 'in':
      return Array.isArray(w) && w.some((x) => jsonEqual(v, x));
    case 'gt':
      return isFiniteNumber(v) && isFiniteNumber(w) && v > w;
    case 'gte':
      return isFiniteNumber(v) && isFiniteNumber(w) && v >= w;
    case 'lt':
      return isFiniteNumber(v) && isFiniteNumber(w) && v < w;
    case 'lte':
      return isFiniteNumber(v) && isFiniteNumber(w) && v <= w;
    case 'contains':
      if (typeof v === 'string') return typeof w === 'string' && v.includes(w);
      return Array.isArray(v) && v.some((x) => jsonEqual(x, w));
    case 'before':
    case 'after': {
      const t = parseTimestamp(v);
      const limit = thresholdMs(w, now);
      if (t === undefined || limit === undefined) return false;
      return op === 'before' ? t < limit : t > limit;
    }
    case 'anniversary':
      return anniversaryHolds(v, w, contactZone, now);
    default:
      return false;
  }
}

import { type Node, isMap, isScalar } from 'yaml';
import { type AttributeOp, type AttributeScope, type Condition, contactColumns } from '../condition';
import { type AnniversaryValue, MAX_ANNIVERSARY_DAYS } from '../conditions/anniversary';
import { type Entries, readBool, readList, readMap } from './read';
import { type Source, describe, error } from '../source';
import { didYouMean, listing } from '../suggest';
import { parseDuration, readDuration, readTimeValue } from './units';
import { attributeOps } from './vocabulary';

export type ConditionScope = 'contact' | 'properties' | 'segment';

/**
 * `attribute: PATH` + exactly one operator. The path's first segment picks where it looks (see
 * AttributeScope in src/dsl/condition.ts): contact columns, `trigger.`/`cart.` for the event that
 * started the run (so not inside segments, which have none), else the contact's `attributes`.
 * Inside a `where:` the whole path is a path into that event's properties.
 * `calendarZone` goes into an `anniversary` value: the zone of contacts without one.
 */
/** Operators people write from other languages, and ours. */
const SYNONYMS: Record<string, string> = {
  equals: 'is',
  equal: 'is',
  eq: 'is',
  '==': 'is',
  '=': 'is',
  '===': 'is',
  not_equals: 'is_not',
  ne: 'is_not',
  neq: 'is_not',
  '!=': 'is_not',
  '>': 'gt',
  '>=': 'gte',
  '<': 'lt',
  '<=': 'lte',
  greater_than: 'gt',
  less_than: 'lt',
  includes: 'contains',
  one_of: 'in',
  birthday: 'anniversary',
  is_anniversary: 'anniversary',
  on_anniversary: 'anniversary',
};

export function compileAttribute(source: Source, entries: Entries, scope: ConditionScope, calendarZone: string): Condition | undefined {
  const pathNode = entries.get('attribute');
  const ops = entries.keys.filter((k) => k !== 'attribute');
  let failed = false;
  for (const k of ops) {
    if (!(attributeOps as readonly string[]).includes(k)) {
      failed = true;
      error(
        source,
        entries.keyNode(k),
        `unknown operator "${k}" for attribute`,
        SYNONYMS[k] ? `did you mean "${SYNONYMS[k]}"?` : didYouMean(k, attributeOps, `use one of ${listing([...attributeOps])}`),
      );
    }
  }
  const path = readPath(source, pathNode, scope);
  if (failed) return undefined;
  if (ops.length === 0)
    return error(
      source,
      entries.node,
      'attribute condition has no operator',
      `add one of ${listing([...attributeOps])}, e.g. exists: true`,
    );
  if (ops.length > 1)
    return error(
      source,
      entries.keyNode(ops[1]!),
      `one operator per attribute condition, found "${ops[0]}" and "${ops[1]}"`,
      'combine two conditions with all: [ … ]',
    );
  const op = ops[0] as AttributeOp;
  const value = op === 'anniversary' ? readAnniversary(source, entries.get(op), calendarZone) : readOperand(source, entries.get(op), op);
  if (!path || value === undefined) return undefined;
  return { kind: 'attribute', scope: path.scope, path: path.path, op, value };
}

function readPath(source: Source, node: Node | null, scope: ConditionScope): { scope: AttributeScope; path: string[] } | undefined {
  if (!isScalar(node) || typeof node.value !== 'string' || node.value === '') {
    return error(source, node, `attribute must be a path, got ${describe(node)}`, 'e.g. attribute: email or attribute: attributes.plan');
  }
  const parts = node.value.split('.');
  if (parts.some((p) => p === ''))
    return error(source, node, `attribute path "${node.value}" has an empty segment`, 'separate names with single dots, e.g. cart.total');
  if (scope === 'properties') return { scope: 'properties', path: parts };
  const [head, ...rest] = parts as [string, ...string[]];
  if ((contactColumns as readonly string[]).includes(head)) {
    if (rest.length) return error(source, node, `"${head}" is a contact field and has no "${rest.join('.')}"`, `write attribute: ${head}`);
    return { scope: 'contact', path: [head] };
  }
  if (head === 'trigger' || head === 'cart') {
    if (scope === 'segment')
      return error(
        source,
        node,
        `"${head}." is not available in a segment`,
        'segments have no triggering event; use attribute paths of the contact',
      );
    if (!rest.length) return error(source, node, `attribute "${head}" needs a property name`, `e.g. ${head}.total`);
    return { scope: 'trigger', path: rest };
  }
  if (head === 'predicted' || head === 'customer') {
    if (!rest.length)
      return error(
        source,
        node,
        `attribute "${head}" needs a name`,
        head === 'predicted' ? 'e.g. predicted.churn_risk' : 'e.g. customer.orders',
      );
    return { scope: 'customer', path: head === 'predicted' ? parts : rest };
  }
  if (head === 'attributes') {
    if (!rest.length) return error(source, node, 'attribute "attributes" needs a name', 'e.g. attributes.plan');
    return { scope: 'attributes', path: rest };
  }
  return { scope: 'attributes', path: parts };
}

function readOperand(source: Source, node: Node | null, op: AttributeOp): unknown {
  switch (op) {
    case 'exists':
      return readBool(source, node, 'exists');
    case 'before':
    case 'after':
      return readTimeValue(source, node, op);
    case 'in': {
      const items = readList(source, node, 'in', 'in: [gold, silver]');
      if (!items) return undefined;
      if (!items.length) return error(source, node, '"in" needs at least one value', 'e.g. in: [gold, silver]');
      const values = items.map((item) => readComparable(source, item, 'each "in" value'));
      return values.some((v) => v === undefined) ? undefined : values;
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (isScalar(node) && typeof node.value === 'number') return node.value;
      return error(source, node, `${op} compares numbers, got ${describe(node)}`, 'for dates use before/after');
    default:
      return readComparable(source, node, op);
  }
}

function readComparable(source: Source, node: Node | null, what: string): string | number | boolean | undefined {
  if (isScalar(node) && ['string', 'number', 'boolean'].includes(typeof node.value)) return node.value as string | number | boolean;
  const hint =
    isScalar(node) && node.value === null ? 'to test for a missing value use exists: false' : 'use text, a number, true or false';
  return error(source, node, `${what} must be a single value, got ${describe(node)}`, hint);
}

const ANNIVERSARY_EXAMPLE = 'write anniversary: today, or anniversary: { within: 7d } for the next 7 days';

/**
 * `anniversary: today` → `{ days: 1 }`; `anniversary: { within: 7d }` → `{ days: 7 }` (today and
 * the 6 days after it). Whole days only, at most MAX_ANNIVERSARY_DAYS. Near misses get a hint:
 * `todya`, `tomorrow`, a bare `7d`. The semantics: src/dsl/conditions/anniversary.ts.
 */
function readAnniversary(source: Source, node: Node | null, zone: string): AnniversaryValue | undefined {
  if (isMap(node)) {
    const m = readMap(source, node, 'anniversary', ['within']);
    if (!m || !m.complete) return undefined;
    if (!m.has('within')) return error(source, node, 'anniversary needs "within"', 'e.g. anniversary: { within: 7d }');
    const ms = readDuration(source, m.get('within'), 'anniversary within');
    if (ms === undefined) return undefined;
    const days = ms / 86_400_000;
    if (!Number.isInteger(days))
      return error(
        source,
        m.get('within'),
        'anniversary within counts whole days',
        `write days, e.g. within: ${Math.max(1, Math.round(days))}d`,
      );
    if (days > MAX_ANNIVERSARY_DAYS)
      return error(source, m.get('within'), `anniversary within is at most ${MAX_ANNIVERSARY_DAYS}d`, 'a longer window matches every date');
    return { days, zone };
  }
  const text = isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number') ? String(node.value).trim() : undefined;
  if (text === 'today') return { days: 1, zone };
  if (text !== undefined && parseDuration(text) !== undefined)
    return error(source, node, `anniversary "${text}" is a duration, not a day`, `write anniversary: { within: ${text} }`);
  const hint =
    text === 'tomorrow' || text === 'this week' || text === 'soon'
      ? `anniversary counts from today: write anniversary: { within: ${text === 'tomorrow' ? '2d' : '7d'} }`
      : text !== undefined
        ? didYouMean(text, ['today'], ANNIVERSARY_EXAMPLE)
        : ANNIVERSARY_EXAMPLE;
  return error(
    source,
    node,
    `anniversary must be today or { within: DURATION }, got ${text !== undefined ? `"${text}"` : describe(node)}`,
    hint,
  );
}

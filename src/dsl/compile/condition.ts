import { type Node, isMap, isSeq } from 'yaml';
import type { Condition, CountOp } from '../condition';
import { type ConditionScope, compileAttribute } from './attribute';
import { type Entries, readInt, readList, readMap, readName, readString } from './read';
import { type EventRefs, checkPurpose } from './refs';
import { type Source, deref, describe, error } from '../source';
import { didYouMean, listing } from '../suggest';
import { readDuration } from './units';
import { RFM_CELLS } from '../../analytics/rfm';
import { conditionHeads, countOps } from './vocabulary';

export type { ConditionScope } from './attribute';

/** Resolves `segment: NAME` to its compiled condition (reports unknown names and cycles). */
export interface SegmentResolver {
  resolve(source: Source, node: Node, name: string): Condition | undefined;
}

export interface ConditionContext {
  source: Source;
  scope: ConditionScope;
  segments: SegmentResolver;
  events: EventRefs;
  /** The calendar's zone (UTC without a calendar): where `anniversary` counts for contacts without a zone. */
  calendarZone: string;
}

const propertyHeads = ['all', 'any', 'not', 'attribute'];
const siblings: Record<string, readonly string[]> = { event: ['count', 'within', 'where'], no_event: ['within', 'where'] };

/** YAML condition (see src/dsl/condition.ts) → Condition AST; undefined after reporting. */
export function compileCondition(cx: ConditionContext, raw: unknown): Condition | undefined {
  const { source } = cx;
  const node = deref(source, raw);
  if (!isMap(node))
    return error(source, node, `a condition must be a map, got ${describe(node)}`, 'e.g. { attribute: email, exists: true }');
  const entries = readMap(source, node, 'condition', null)!;
  const heads = entries.keys.filter((k) => (conditionHeads as readonly string[]).includes(k));
  if (heads.length === 0) {
    const first = entries.keys[0];
    if (first === undefined) return error(source, node, 'empty condition', `start it with one of ${listing([...conditionHeads])}`);
    return error(
      source,
      entries.keyNode(first),
      `unknown condition "${first}"`,
      didYouMean(first, conditionHeads, `a condition starts with one of ${listing([...conditionHeads])}`),
    );
  }
  if (heads.length > 1)
    return error(
      source,
      entries.keyNode(heads[1]!),
      `one condition per map, found "${heads[0]}" and "${heads[1]}"`,
      'combine them with all: [ … ] or any: [ … ]',
    );
  const head = heads[0]!;
  if (cx.scope === 'properties' && !propertyHeads.includes(head)) {
    return error(
      source,
      entries.keyNode(head),
      `"${head}" cannot be used in a where condition`,
      "where looks only at the event's properties: use attribute, all, any or not",
    );
  }
  if (head === 'attribute') return compileAttribute(source, entries, cx.scope, cx.calendarZone);
  if (!checkSiblings(source, entries, head)) return undefined;
  const value = entries.get(head);
  switch (head) {
    case 'all':
    case 'any': {
      const items = readList(source, value, head, `${head}: [ { consent: email.marketing } ]`);
      if (!items) return undefined;
      if (!items.length) return error(source, value, `"${head}" needs at least one condition`, `list them under ${head}:`);
      const of = items.map((item) => compileCondition(cx, item));
      return of.every((c): c is Condition => c !== undefined) ? { kind: head, of } : undefined;
    }
    case 'not': {
      const of = compileCondition(cx, value);
      return of && { kind: 'not', of };
    }
    case 'event':
    case 'no_event':
      return compileEvent(cx, entries, head);
    case 'consent': {
      const purpose = readName(source, value, 'consent purpose', 'consent: email.marketing');
      if (purpose && value) checkPurpose(source, value, purpose);
      return purpose ? { kind: 'consent', purpose } : undefined;
    }
    case 'lifecycle': {
      const items = isSeq(value) ? readList(source, value, 'lifecycle', 'lifecycle: [customer, vip]') : value ? [value] : [];
      if (!items) return undefined;
      if (!items.length)
        return error(source, value ?? entries.keyNode(head), 'lifecycle needs at least one stage', 'e.g. lifecycle: customer');
      const stages = items.map((item) => readString(source, item, 'lifecycle stage', 'customer'));
      return stages.every((s): s is string => s !== undefined) ? { kind: 'lifecycle', stages } : undefined;
    }
    case 'rfm': {
      const items = isSeq(value) ? readList(source, value, 'rfm', 'rfm: [at_risk, cant_lose]') : value ? [value] : [];
      if (!items) return undefined;
      if (!items.length) return error(source, value ?? entries.keyNode(head), 'rfm needs at least one cell', 'e.g. rfm: at_risk');
      const cells = items.map((item) => {
        const cell = readString(source, item, 'RFM cell', 'at_risk');
        if (cell === undefined) return undefined;
        if (!(RFM_CELLS as readonly string[]).includes(cell))
          return error(source, item, `unknown RFM cell "${cell}"`, didYouMean(cell, RFM_CELLS, `the cells are ${listing([...RFM_CELLS])}`));
        return cell;
      });
      return cells.every((s): s is string => s !== undefined) ? { kind: 'rfm', cells } : undefined;
    }
    default: {
      const name = readName(source, value, 'segment name', 'segment: lapsed-customers');
      return name && value ? cx.segments.resolve(source, value, name) : undefined;
    }
  }
}

function checkSiblings(source: Source, entries: Entries, head: string): boolean {
  const allowed = siblings[head] ?? [];
  let ok = true;
  for (const k of entries.keys) {
    if (k === head || allowed.includes(k)) continue;
    ok = false;
    const fallback = allowed.length
      ? `a ${head} condition takes ${listing([...allowed])}`
      : `a ${head} condition stands alone: combine it with all: [ … ]`;
    error(source, entries.keyNode(k), `unknown key "${k}" in ${head} condition`, didYouMean(k, allowed, fallback));
  }
  return ok;
}

function compileEvent(cx: ConditionContext, entries: Entries, head: 'event' | 'no_event'): Condition | undefined {
  const { source } = cx;
  const typeNode = entries.get(head);
  const type = readName(source, typeNode, 'event type', `${head}: order.created`);
  if (type && typeNode) cx.events.push({ source, node: typeNode, name: type });
  const count = head === 'no_event' ? ({ op: 'is', n: 0 } as const) : readCount(source, entries);
  const withinMs = entries.has('within') ? readDuration(source, entries.get('within'), 'within') : undefined;
  const where = entries.has('where') ? compileCondition({ ...cx, scope: 'properties' }, entries.get('where')) : undefined;
  if (!type || !count || (entries.has('within') && withinMs === undefined) || (entries.has('where') && !where)) return undefined;
  return { kind: 'event', type, count, ...(withinMs !== undefined ? { withinMs } : {}), ...(where ? { where } : {}) };
}

/** `count: N` is "at least N"; `count: { gte|gt|lte|lt|is: N }` says how to compare. Default: at least 1. */
function readCount(source: Source, entries: Entries): { op: CountOp; n: number } | undefined {
  if (!entries.has('count')) return { op: 'gte', n: 1 };
  const node = entries.get('count');
  if (!isMap(node)) {
    const n = readInt(source, node, 'count', 0, Infinity);
    return n === undefined ? undefined : { op: 'gte', n };
  }
  const m = readMap(source, node, 'count', countOps)!;
  if (!m.complete) return undefined;
  if (m.keys.length !== 1)
    return error(source, node, 'count needs exactly one comparison', `use one of ${listing([...countOps])}, e.g. count: { gte: 2 }`);
  const op = m.keys[0] as CountOp;
  const n = readInt(source, m.get(op), `count ${op}`, 0, Infinity);
  return n === undefined ? undefined : { op, n };
}

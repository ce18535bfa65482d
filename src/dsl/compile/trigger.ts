import { type Node, isScalar } from 'yaml';
import { DEFAULT_TRIGGER_WITHIN_MS, type Trigger } from '../plan';
import { readRruleValue } from './calendar';
import { type ConditionContext, compileCondition } from './condition';
import { type Entries, placeOf, readMap, readName, readString, required } from './read';
import { type Source, describe, error } from '../source';
import { didYouMean, listing } from '../suggest';
import { parseDuration, readDuration, readLocalDateTime, readZone } from './units';
import { triggerKinds } from './vocabulary';

/** `calendarZone` (from ConditionContext) is also the default for `schedule` and `at` without a `timezone`. */
export type TriggerContext = Omit<ConditionContext, 'scope'>;

const siblings: Record<string, readonly string[]> = {
  event: ['where', 'correlate', 'within'],
  at: ['timezone'],
  schedule: [],
  segment: [],
};

/**
 * `trigger:` → Trigger. `schedule` and `at` without `timezone` use the calendar's zone (so a
 * one-off "Black Friday 10:00" means the team's 10:00); `timezone: contact` means each contact's.
 */
export function compileTrigger(cx: TriggerContext, raw: Node | null): { trigger: Trigger; place: Node } | undefined {
  const { source } = cx;
  const e = readMap(source, raw, 'trigger', null);
  if (!e) return undefined;
  const heads = e.keys.filter((k) => (triggerKinds as readonly string[]).includes(k));
  if (heads.length === 0) {
    const first = e.keys[0];
    return error(
      source,
      first === undefined ? e.node : e.keyNode(first),
      first === undefined ? 'empty trigger' : `unknown trigger "${first}"`,
      didYouMean(first ?? '', triggerKinds, `a trigger is one of ${listing([...triggerKinds])}`),
    );
  }
  if (heads.length > 1)
    return error(
      source,
      e.keyNode(heads[1]!),
      `one trigger per campaign, found "${heads[0]}" and "${heads[1]}"`,
      'make a second campaign for the other trigger',
    );
  const head = heads[0]!;
  for (const k of e.keys.filter((k) => k !== head && !siblings[head]!.includes(k))) {
    if (k === 'within')
      return error(
        source,
        e.keyNode(k),
        `within is only for event triggers, not ${/^[aeiou]/.test(head) ? 'an' : 'a'} ${head} trigger`,
        'it limits how old the triggering event may be; remove it',
      );
    const fallback = siblings[head]!.length
      ? `an ${head} trigger takes ${listing([...siblings[head]!])}`
      : `a ${head} trigger has no other keys`;
    return error(source, e.keyNode(k), `unknown key "${k}" in ${head} trigger`, didYouMean(k, siblings[head]!, fallback));
  }
  const place = placeOf(e, head)!;
  const trigger =
    head === 'event'
      ? eventTrigger(cx, e)
      : head === 'schedule'
        ? scheduleTrigger(cx, place)
        : head === 'at'
          ? atTrigger(cx, e)
          : segmentTrigger(cx, place);
  return trigger && { trigger, place };
}

function eventTrigger(cx: TriggerContext, e: Entries): Trigger | undefined {
  const { source } = cx;
  const node = placeOf(e, 'event');
  const event = readName(source, node, 'event type', 'event: checkout.started');
  if (event && node) cx.events.push({ source, node, name: event });
  const where = e.has('where') ? compileCondition({ ...cx, scope: 'properties' }, e.get('where')) : undefined;
  let correlate: string | undefined;
  if (e.has('correlate')) {
    const c = placeOf(e, 'correlate');
    correlate = readString(source, c, 'correlate', 'correlate: checkout_id');
    if (correlate && !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(correlate))
      correlate = error(source, c, `correlate "${correlate}" is not a property name`, 'name a property of the event, e.g. checkout_id');
  }
  const withinMs = e.has('within') ? readWithin(source, e, e.get('within')) : DEFAULT_TRIGGER_WITHIN_MS;
  if (!event || (e.has('where') && !where) || (e.has('correlate') && !correlate) || withinMs === undefined) return undefined;
  return { kind: 'event', event, ...(where ? { where } : {}), ...(correlate ? { correlate } : {}), withinMs };
}

const withinHint = 'write a duration like 24h or 2d, or any';

/**
 * `within: DURATION` → ms, `within: any` → null (events of any age start runs). Zero and negative
 * durations are refused. Text that starts like a number goes to the DSL's duration reader, for
 * its precise messages ("has no unit", "not a whole number of units", months); anything else is
 * "not a duration", with a hint that names `any` as well.
 */
function readWithin(source: Source, e: Entries, node: Node | null): number | null | undefined {
  if (node === null || (isScalar(node) && node.value === null))
    return error(source, e.keyNode('within'), '"within" has no value', withinHint);
  const text = isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number') ? String(node.value).trim() : undefined;
  if (text === 'any') return null;
  const ms = text === undefined ? undefined : parseDuration(text);
  if (ms !== undefined) return ms;
  if (text !== undefined && /^-\s*\d/.test(text))
    return error(source, node, `within "${text}" is negative`, 'write how old an event may be to start a run, e.g. 24h, or any');
  if (text !== undefined && /^0+(\s*[smhdw])?$/.test(text)) return error(source, node, 'within must be longer than 0', withinHint);
  if (text !== undefined && /^[\d.]/.test(text)) return readDuration(source, node, 'within');
  return error(source, node, `within ${text !== undefined ? `"${text}"` : describe(node)} is not a duration`, withinHint);
}

function scheduleTrigger(cx: TriggerContext, node: Node): Trigger | undefined {
  const { source } = cx;
  const s = readMap(source, node, 'schedule', ['rrule', 'timezone', 'start', 'until']);
  if (!s) return undefined;
  const r = required(source, s, 'rrule', 'schedule', 'rrule: "FREQ=WEEKLY;BYDAY=TU;BYHOUR=10"');
  const rrule = r && readRruleValue(source, r);
  const timezone = s.has('timezone') ? readZone(source, placeOf(s, 'timezone'), 'timezone', true) : cx.calendarZone;
  const start = s.has('start') ? readLocalDateTime(source, placeOf(s, 'start'), 'start') : undefined;
  const until = s.has('until') ? readLocalDateTime(source, placeOf(s, 'until'), 'until') : undefined;
  if (start && until && until < start)
    return error(source, placeOf(s, 'until'), `until (${until}) is before start (${start})`, 'swap start and until');
  if (!rrule || !timezone || (s.has('start') && !start) || (s.has('until') && !until)) return undefined;
  return { kind: 'schedule', rrule, timezone, ...(start ? { start } : {}), ...(until ? { until } : {}) };
}

function atTrigger(cx: TriggerContext, e: Entries): Trigger | undefined {
  const at = readLocalDateTime(cx.source, placeOf(e, 'at'), 'at');
  const timezone = e.has('timezone') ? readZone(cx.source, placeOf(e, 'timezone'), 'timezone', true) : cx.calendarZone;
  return at && timezone ? { kind: 'at', at, timezone } : undefined;
}

function segmentTrigger(cx: TriggerContext, node: Node): Trigger | undefined {
  const { source } = cx;
  const s = readMap(source, node, 'segment trigger', ['enters', 'leaves']);
  if (!s?.complete) return undefined;
  if (s.keys.length !== 1)
    return error(source, node, 'a segment trigger needs exactly one of enters or leaves', 'e.g. segment: { enters: lapsed-customers }');
  const change = s.keys[0] as 'enters' | 'leaves';
  const n = placeOf(s, change)!;
  const name = readName(source, n, 'segment name', `${change}: lapsed-customers`);
  const resolved = name ? cx.segments.resolve(source, n, name) : undefined;
  if (!name || resolved?.kind !== 'segment') return undefined;
  return { kind: 'segment', change, segment: name, condition: resolved.condition };
}

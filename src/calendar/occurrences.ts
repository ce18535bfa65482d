import type { Trigger } from '../dsl/plan';
import { DEFAULT_ANCHOR, type ExpansionMeter, floatingBetween } from './floating';
import { parseLocal, requireZone, wallMs, wallToInstant } from './zone';

/** A broadcast trigger: a recurring `schedule` or a one-off `at`. */
export type BroadcastTrigger = Extract<Trigger, { kind: 'schedule' } | { kind: 'at' }>;

/** An occurrence missed for longer than this (the engine was down) is skipped, not sent late. */
export const BROADCAST_CATCH_UP_MS = 6 * 3_600_000;

/** A calendar broadcast (`schedule:` or `at:`), as opposed to an event or segment journey. */
export const isBroadcast = <P extends { trigger: Trigger }>(plan: P): plan is P & { trigger: BroadcastTrigger } =>
  plan.trigger.kind === 'schedule' || plan.trigger.kind === 'at';

export interface Range {
  from: Date;
  /** exclusive */
  to: Date;
}

const DAY_MS = 86_400_000;

/**
 * The zone a trigger's local times are read in: its own IANA zone, or `contactZone` when it says
 * `timezone: contact`.
 */
export const triggerZone = (trigger: BroadcastTrigger, contactZone: string): string =>
  trigger.timezone === 'contact' ? contactZone : trigger.timezone;

/**
 * The instants in [range.from, range.to) at which `trigger` fires, reading its local times in
 * `triggerZone(trigger, zone)` (so `zone` matters only for `timezone: contact`). Sorted, unique.
 *
 * - The rule runs on wall clocks (floating.ts) and each wall time becomes an instant by
 *   zone.ts's DST rules: one send per local occurrence, a time in a spring-forward gap moves
 *   forward by the gap, an ambiguous one takes its first instant. Two wall times landing on the
 *   same instant (02:30 and 03:30 on a gap day) send once.
 * - `start` is DTSTART (time-of-day and phase come from it); without it, floating.ts's fixed
 *   DEFAULT_ANCHOR (2000-01-01 00:00 local) so results do not depend on the range asked for.
 * - `until` is inclusive (an occurrence exactly at `until` fires).
 * - The cost follows the range, not its distance from `start` (floating.ts); `meter` counts it.
 */
export function expandTrigger(trigger: BroadcastTrigger, range: Range, zone: string, meter?: ExpansionMeter): Date[] {
  const tz = requireZone(triggerZone(trigger, zone));
  const from = range.from.getTime();
  const to = range.to.getTime();
  if (!(to > from)) return [];
  let walls: number[];
  if (trigger.kind === 'at') {
    walls = [parseLocal(trigger.at)];
  } else {
    // The wall-clock window covering the range in any offset (offsets stay within ±1 day).
    const wallFrom = wallMs(range.from, tz) - DAY_MS;
    const wallTo = wallMs(range.to, tz) + DAY_MS;
    const anchor = trigger.start ? parseLocal(trigger.start) : DEFAULT_ANCHOR;
    const until = trigger.until ? parseLocal(trigger.until) : Infinity;
    walls = floatingBetween(trigger.rrule, anchor, Math.max(wallFrom, anchor), Math.min(wallTo, until + 1), meter).filter(
      (w) => w <= until,
    );
  }
  const instants = new Set<number>();
  for (const wall of walls) {
    const t = wallToInstant(wall, tz).getTime();
    if (t >= from && t < to) instants.add(t);
  }
  return [...instants].sort((a, b) => a - b).map((t) => new Date(t));
}

/**
 * `expandTrigger` once per distinct zone, for `timezone: contact` broadcasts (10:00 in Warsaw
 * and 10:00 in New York are different instants). A trigger with its own zone gives every zone
 * the same instants. Zones must be valid: resolve contacts' zones with `zoneOrFallback` first.
 */
export function expandForZones(
  trigger: BroadcastTrigger,
  range: Range,
  zones: Iterable<string>,
  meter?: ExpansionMeter,
): Map<string, Date[]> {
  const out = new Map<string, Date[]>();
  let shared: Date[] | undefined;
  for (const zone of zones) {
    if (out.has(zone)) continue;
    if (trigger.timezone !== 'contact') {
      requireZone(zone);
      shared ??= expandTrigger(trigger, range, zone, meter);
      out.set(zone, [...shared]);
    } else {
      out.set(zone, expandTrigger(trigger, range, zone, meter));
    }
  }
  return out;
}

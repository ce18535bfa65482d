import type { CalendarPlan } from '../dsl/plan';
import { addDays, instantToLocal, localToInstant, parseLocal, wallMs } from './zone';

export type QuietHours = NonNullable<CalendarPlan['quietHours']>;

const hhmm = (minute: number): string => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/**
 * Whether a local minute of the day falls in the window [from, to). A window whose end is not
 * after its start wraps midnight (21:00–08:00 holds 23:30 and 07:59, not 08:00).
 */
export function inQuietWindow(minuteOfDay: number, quiet: QuietHours): boolean {
  const { fromMinute: from, toMinute: to } = quiet;
  if (from === to) return false;
  return from < to ? minuteOfDay >= from && minuteOfDay < to : minuteOfDay >= from || minuteOfDay < to;
}

/**
 * When a send due at `instant` may go, given quiet hours in the contact's `zone`: the same
 * instant outside the window, else the window's end on the contact's wall clock — the same
 * local day, or the next one when the window wraps midnight and the send is before midnight.
 * The end is read with zone.ts's DST rules, so 08:00 is 08:00 local even across a DST change
 * (and an end inside a spring-forward gap moves forward by the gap).
 */
export function releaseFromQuietHours(instant: Date, zone: string, quiet: QuietHours | undefined): Date {
  if (!quiet) return instant;
  const local = instantToLocal(instant, zone);
  if (!inQuietWindow(local.minuteOfDay, quiet)) return instant;
  const wrapsToTomorrow = quiet.fromMinute > quiet.toMinute && local.minuteOfDay >= quiet.fromMinute;
  const day = wrapsToTomorrow ? addDays(local.date, 1) : local.date;
  const end = `${day}T${hhmm(quiet.toMinute)}`;
  const release = localToInstant(end, zone);
  if (release.getTime() > instant.getTime()) return release;
  // The end falls in a fall-back repeat and `instant` is in the second pass: its first reading is
  // behind us, so take the second one, the same wall distance ahead.
  return new Date(instant.getTime() + parseLocal(end) - wallMs(instant, zone));
}

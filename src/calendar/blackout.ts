import type { CalendarPlan } from '../dsl/plan';
import { DEFAULT_ANCHOR, floatingBetween } from './floating';
import { releaseFromQuietHours } from './quiet-hours';
import { addDays, instantToLocal, localToInstant, parseLocal, zoneOrFallback } from './zone';

/**
 * Blackouts are whole local DAYS in the CALENDAR's zone (the team's Christmas, not each
 * contact's): a send whose instant falls on such a day waits for the next day that is not one.
 * An rrule blackout marks every day on which it has an occurrence (its time of day is ignored);
 * it runs from floating.ts's fixed anchor, so `FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1` is 1 January
 * every year and `FREQ=WEEKLY;BYDAY=SU` every Sunday.
 */

/** How far `nextAllowedInstant` looks before it gives up. */
export const SEARCH_DAYS = 400;

/** Blackout days in [fromDate, toDate) (YYYY-MM-DD) with their reasons; the first listed wins. */
export function blackoutsBetween(calendar: CalendarPlan, fromDate: string, toDate: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const b of calendar.blackout) {
    if ('date' in b) {
      if (b.date >= fromDate && b.date < toDate && !out.has(b.date)) out.set(b.date, b.reason);
      continue;
    }
    for (const wall of floatingBetween(b.rrule, DEFAULT_ANCHOR, parseLocal(fromDate), parseLocal(toDate))) {
      const day = new Date(wall).toISOString().slice(0, 10);
      if (!out.has(day)) out.set(day, b.reason);
    }
  }
  return out;
}

/** The blackout covering `instant`'s day in the calendar zone, or null. */
export function blackoutOn(instant: Date, calendar: CalendarPlan): { reason: string } | null {
  const day = instantToLocal(instant, calendar.timezone).date;
  const reason = blackoutsBetween(calendar, day, addDays(day, 1)).get(day);
  return reason === undefined ? null : { reason };
}

/**
 * The earliest instant at or after `instant` that is on no blackout day (calendar zone) and, when
 * `quiet`, outside quiet hours in the contact's zone (an invalid or missing zone uses the
 * calendar's, as `zoneOrFallback`). Pass `quiet: false` for transactional sends. Each move goes
 * forward (to the next calendar midnight, or to the end of the quiet window) and the result is
 * checked again, until both hold. Null when none is found within SEARCH_DAYS days.
 * `isBlackout` (from `blackoutDays(calendar)`) may be shared by many calls for one calendar.
 */
export function nextAllowedInstant(
  instant: Date,
  calendar: CalendarPlan,
  contactZone: string | null | undefined,
  opts: { quiet: boolean; isBlackout?: (day: string) => boolean },
): Date | null {
  const zone = zoneOrFallback(contactZone, calendar.timezone).zone;
  const isBlackout = opts.isBlackout ?? blackoutDays(calendar);
  const limit = instant.getTime() + SEARCH_DAYS * 86_400_000;
  let t = instant;
  while (t.getTime() <= limit) {
    const day = instantToLocal(t, calendar.timezone).date;
    if (isBlackout(day)) {
      t = localToInstant(`${addDays(day, 1)}T00:00`, calendar.timezone);
      continue;
    }
    const released = opts.quiet ? releaseFromQuietHours(t, zone, calendar.quietHours) : t;
    if (released.getTime() === t.getTime()) return t;
    t = released;
  }
  return null;
}

/**
 * A day → blackout test for one calendar, expanding its blackouts 32 days at a time (fixed
 * chunks, remembered), so many `nextAllowedInstant` calls can share it.
 */
export function blackoutDays(calendar: CalendarPlan): (day: string) => boolean {
  const chunks = new Map<number, Map<string, string>>();
  return (day) => {
    if (!calendar.blackout.length) return false;
    const chunk = Math.floor(parseLocal(day) / (32 * 86_400_000));
    let days = chunks.get(chunk);
    if (!days) {
      const from = new Date(chunk * 32 * 86_400_000).toISOString().slice(0, 10);
      days = blackoutsBetween(calendar, from, addDays(from, 32));
      chunks.set(chunk, days);
    }
    return days.has(day);
  };
}

/**
 * Why a send due at `instant` may not go now: `blackout: <reason>`, `quiet hours`, or null.
 * The words for a deferred send's reason, beside `nextAllowedInstant`'s `until`.
 */
export function heldBy(
  instant: Date,
  calendar: CalendarPlan,
  contactZone: string | null | undefined,
  opts: { quiet: boolean },
): string | null {
  const blackout = blackoutOn(instant, calendar);
  if (blackout) return `blackout: ${blackout.reason}`;
  if (!opts.quiet || !calendar.quietHours) return null;
  const zone = zoneOrFallback(contactZone, calendar.timezone).zone;
  return releaseFromQuietHours(instant, zone, calendar.quietHours).getTime() === instant.getTime() ? null : 'quiet hours';
}

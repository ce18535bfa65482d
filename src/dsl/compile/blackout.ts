import type { CalendarPlan } from '../plan';
import type { CompiledCampaign } from './campaign';
import { floatingOccurrences } from './rrule';
import { error } from '../source';

/**
 * A broadcast (`schedule` or `at`) whose every occurrence in its first year falls on a blackout
 * date would never send: an error at its trigger. Dates compare on the wall clock of the
 * occurrence (exact for `timezone: contact`, and for a zone the calendar shares). The first year
 * runs from `start`; a schedule without `start` is tested on a fixed year (2000–2001) against
 * recurring blackouts only, since dated ones cannot tell which year it begins.
 */
export function checkBlackouts(campaigns: CompiledCampaign[], calendar: CalendarPlan, calendarFile: string): void {
  if (!calendar.blackout.length) return;
  for (const c of campaigns) {
    const t = c.trigger;
    if (t?.kind === 'at') {
      const hit = blackedOut(calendar, t.at.slice(0, 10), nextDay(t.at.slice(0, 10)), true);
      const reason = hit.get(t.at.slice(0, 10));
      if (reason !== undefined)
        error(
          c.source,
          c.triggerPlace,
          `this one-off send falls on a blackout date (${t.at.slice(0, 10)}, ${reason})`,
          `move it to another day or change the blackout in ${calendarFile}`,
        );
    }
    if (t?.kind !== 'schedule') continue;
    const start = t.start ?? '2000-01-01T00:00';
    const yearLater = `${Number(start.slice(0, 4)) + 1}${start.slice(4)}`;
    const end = t.until && t.until < yearLater ? plusMinute(t.until) : yearLater;
    const dates = [...new Set(floatingOccurrences(t.rrule, start, end).map((o) => o.slice(0, 10)))];
    if (!dates.length) continue;
    const hit = blackedOut(calendar, start.slice(0, 10), nextDay(end.slice(0, 10)), t.start !== undefined);
    if (dates.every((d) => hit.has(d))) {
      const example = `${dates[0]} (${hit.get(dates[0]!)})`;
      error(
        c.source,
        c.triggerPlace,
        'every occurrence of this broadcast in its first year falls on a blackout date',
        `e.g. ${example}; change the rrule or the blackout in ${calendarFile}`,
      );
    }
  }
}

/** Blackout dates from `from` to `to` (exclusive) with their reasons. */
function blackedOut(calendar: CalendarPlan, from: string, to: string, withDated: boolean): Map<string, string> {
  const out = new Map<string, string>();
  for (const b of calendar.blackout) {
    if ('date' in b) {
      if (withDated && b.date >= from && b.date < to) out.set(b.date, b.reason);
      continue;
    }
    for (const o of floatingOccurrences(b.rrule, `${from}T00:00`, `${to}T00:00`)) out.set(o.slice(0, 10), b.reason);
  }
  return out;
}

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

const plusMinute = (local: string): string => new Date(Date.parse(`${local}:00.000Z`) + 60_000).toISOString().slice(0, 16);

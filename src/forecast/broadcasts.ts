import type { CalendarPlan } from '../dsl/plan';
import { blackoutDays, nextAllowedInstant } from '../calendar/blackout';
import { type BroadcastTrigger, type Range, expandTrigger } from '../calendar/occurrences';
import { instantToLocal, zoneOrFallback } from '../calendar/zone';

export interface ForecastCampaign {
  id: string;
  trigger: BroadcastTrigger;
  /** How many contacts of the audience live in each zone (any string: invalid ones use the calendar zone). */
  audienceByZone: Map<string, number>;
  /** Transactional broadcasts ignore quiet hours and blackouts (as the gate does). */
  transactional?: boolean;
}

export interface ForecastDay {
  /** YYYY-MM-DD in the calendar zone, the day the sends go out */
  date: string;
  campaign: string;
  /** sends that go out that day */
  sends: number;
  /** of those, how many were moved there by quiet hours or a blackout */
  deferred: number;
  /** sends due that day that no day within the search horizon allows (blackouts without end) */
  blocked: number;
}

/** Occurrences this far before `range.from` are expanded too: a blackout can push them into the range. */
export const LOOKBACK_DAYS = 14;

/**
 * Broadcast sends per calendar day and campaign in [range.from, range.to). For each campaign and
 * audience zone, every occurrence (in that zone for `timezone: contact`, else the trigger's zone)
 * is moved by `nextAllowedInstant` — quiet hours in the audience zone, blackouts in the calendar
 * zone — and counted on the calendar day it then lands on, if that is inside the range.
 *
 * What it counts, and its tolerance: one send per audience contact per occurrence, with today's
 * audience. Frequency caps are NOT applied: a cap can defer a broadcast send further when the
 * contact had other sends, so each day is an upper bound and the difference shows up on a later
 * day (or, with `on_conflict: skip`, not at all). Audience changes before the occurrence are not
 * foreseen. Without caps binding and with a stable audience it matches what the gate does.
 */
export function forecastBroadcasts(input: { campaigns: ForecastCampaign[]; calendar: CalendarPlan; range: Range }): ForecastDay[] {
  const { campaigns, calendar, range } = input;
  const from = range.from.getTime();
  const to = range.to.getTime();
  const expandFrom = new Date(from - LOOKBACK_DAYS * 86_400_000);
  const days = new Map<string, ForecastDay>();
  const add = (date: string, campaign: string, field: 'sends' | 'deferred' | 'blocked', n: number): void => {
    const key = `${date}\u0000${campaign}`;
    const row = days.get(key) ?? { date, campaign, sends: 0, deferred: 0, blocked: 0 };
    row[field] += n;
    days.set(key, row);
  };
  const isBlackout = blackoutDays(calendar);
  for (const campaign of campaigns) {
    for (const [zone, count] of byValidZone(campaign.audienceByZone, calendar.timezone)) {
      for (const due of expandTrigger(campaign.trigger, { from: expandFrom, to: range.to }, zone)) {
        const at = campaign.transactional ? due : nextAllowedInstant(due, calendar, zone, { quiet: true, isBlackout });
        if (at === null) {
          if (due.getTime() >= from) add(instantToLocal(due, calendar.timezone).date, campaign.id, 'blocked', count);
          continue;
        }
        if (at.getTime() < from || at.getTime() >= to) continue;
        const date = instantToLocal(at, calendar.timezone).date;
        add(date, campaign.id, 'sends', count);
        if (at.getTime() !== due.getTime()) add(date, campaign.id, 'deferred', count);
      }
    }
  }
  return [...days.values()].sort((a, b) =>
    a.date < b.date ? -1 : a.date > b.date ? 1 : a.campaign < b.campaign ? -1 : a.campaign > b.campaign ? 1 : 0,
  );
}

/** Audience counts keyed by the zone their sends use (invalid zones fold into the calendar's). */
function byValidZone(audience: Map<string, number>, calendarZone: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [zone, count] of audience) {
    if (!(count > 0)) continue;
    const used = zoneOrFallback(zone, calendarZone).zone;
    out.set(used, (out.get(used) ?? 0) + count);
  }
  return out;
}

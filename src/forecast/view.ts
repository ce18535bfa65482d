import type { CalendarPlan, CampaignPlan } from '../dsl/plan';
import { blackoutsBetween } from '../calendar/blackout';
import { type IcsEvent, toIcs } from '../calendar/ics';
import { expandTrigger, isBroadcast } from '../calendar/occurrences';
import type { ExpansionMeter } from '../calendar/floating';
import { seasonsOn } from '../calendar/seasons';
import { addDays, instantToLocal, localToInstant, parseLocal } from '../calendar/zone';
import { parseInstant } from '../lib/instant';

/**
 * The calendar a marketer looks at: per day (calendar zone) the blackout, the seasons, the
 * broadcast occurrences and the forecast volume. Pure: the caller reads plans, calendar and
 * forecast (./calendar-view.ts) and passes `now`. The JSON route, the HTML month
 * view, the ICS feed and `almanac calendar` all render this one shape.
 */

export interface ViewOccurrence {
  campaign: string;
  name: string;
  /** the instant, ISO (for `timezone: contact`, the instant in the calendar zone) */
  at: string;
  /** HH:mm in the calendar zone */
  local: string;
  /** the trigger's zone, or `contact` when each contact gets it at their own local time */
  zone: string;
  /** what a person reads: `10:00 each contact's time`, `10:00`, `16:00 (10:00 America/New_York)` */
  label: string;
  /** the occurrence's wall time in its own zone (YYYY-MM-DDTHH:mm): stable, used in ICS UIDs */
  occurrence: string;
  /** the blackout reason when the day is blacked out: its sends wait for the next allowed day */
  held?: string;
}

export interface ViewForecast {
  campaign: string;
  sends: number;
  deferred: number;
}

export interface ViewDay {
  /** YYYY-MM-DD in the calendar zone */
  date: string;
  blackout?: string;
  seasons: string[];
  occurrences: ViewOccurrence[];
  forecast: ViewForecast[];
  /** forecast sends of the day, all campaigns */
  total: number;
}

export interface ViewCampaign {
  id: string;
  name: string;
  color: string;
  kind: 'broadcast' | 'journey';
}

export interface CalendarView {
  timezone: string;
  /** today in the calendar zone (from `now`) */
  today: string;
  days: ViewDay[];
  campaigns: ViewCampaign[];
  /** seasons overlapping the range, with their whole span (days name them too) */
  seasons: Array<{ name: string; from: string; to: string }>;
}

export interface ViewInput {
  calendar: CalendarPlan;
  /** active campaigns */
  campaigns: CampaignPlan[];
  forecast: Array<ViewForecast & { date: string }>;
  /** local dates in the calendar zone, both inclusive */
  range: { from: string; to: string };
  now: Date;
  /** counts the rrule dates the occurrences took (floating.ts) */
  meter?: ExpansionMeter;
}

/** calendar.yaml before anything is applied: UTC, nothing blacked out. */

/** Readable on white text (WCAG AA for bold small text), distinct from the grey blackout hatch. */
export const PALETTE = [
  '#2563eb',
  '#be185d',
  '#15803d',
  '#c2410c',
  '#7c3aed',
  '#0e7490',
  '#a21caf',
  '#4d7c0f',
  '#b91c1c',
  '#4338ca',
  '#854d0e',
  '#0f766e',
] as const;

/**
 * A campaign's colour: FNV-1a of its id into the palette, so it never changes between pages, days
 * or deployments. Two campaigns can share a colour (the palette is finite and nothing else is
 * consulted, on purpose); every bar and the legend also print the name.
 */
export function campaignColor(id: string): string {
  let h = 0x811c9dc5;
  for (const ch of id) h = Math.imul(h ^ ch.codePointAt(0)!, 0x01000193) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}

/** Days from..to inclusive; throws on a reversed range (the edges validate first). */
export function daysBetween(from: string, to: string): string[] {
  const n = Math.round((parseLocal(to) - parseLocal(from)) / 86_400_000) + 1;
  if (n < 1) throw new RangeError(`calendar range ends (${to}) before it starts (${from})`);
  return Array.from({ length: n }, (_, i) => addDays(from, i));
}

/** The longest range one calendar request may span, in days (a year, leap day included). */
export const MAX_RANGE_DAYS = 366;

/**
 * What is wrong with a requested range (inclusive local dates), naming the parameter, or null.
 * The HTTP edge answers it as a 400, the CLI as a usage error.
 */
export function rangeProblem(from: string | undefined, to: string | undefined): { parameter: 'from' | 'to'; message: string } | null {
  for (const [parameter, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (value === undefined || value === '')
      return { parameter, message: 'required: a date YYYY-MM-DD in the calendar zone (or an ISO instant such as 2026-12-01T00:00:00Z)' };
    if (!isDate(value) && !parseInstant(value))
      return {
        parameter,
        message: `expected a date YYYY-MM-DD from 1900 to 2999, or an ISO instant with its zone such as 2026-12-01T00:00:00Z (got "${value.slice(0, 40)}")`,
      };
  }
  // Instants are checked by their UTC date here; the view takes their date in the calendar zone.
  const [f, t] = [dayIn(from!, 'UTC'), dayIn(to!, 'UTC')];
  if (t < f) return { parameter: 'to', message: `${to} is before from (${from})` };
  if (t > addDays(f, MAX_RANGE_DAYS - 1)) return { parameter: 'to', message: `the range may span at most ${MAX_RANGE_DAYS} days` };
  return null;
}

/** A range bound as the view takes it: a date as it is; an ISO instant as its date in `zone`. */
export function dayIn(value: string, zone: string): string {
  if (isDate(value)) return value;
  const at = parseInstant(value);
  return at ? instantToLocal(at, zone).date : value;
}

/** The range with instants turned into the calendar zone's dates. */
export const rangeIn = (range: { from: string; to: string }, zone: string) => ({
  from: dayIn(range.from, zone),
  to: dayIn(range.to, zone),
});

function isDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || value < '1900' || value > '2999-12-31') return false;
  try {
    parseLocal(value);
    return true;
  } catch {
    return false;
  }
}

/** The instants [start of `from`, start of the day after `to`) in the calendar zone. */
export function rangeInstants(range: { from: string; to: string }, zone: string): { from: Date; to: Date } {
  return { from: localToInstant(`${range.from}T00:00`, zone), to: localToInstant(`${addDays(range.to, 1)}T00:00`, zone) };
}

export function buildCalendarView({ calendar, campaigns, forecast, range: given, now, meter }: ViewInput): CalendarView {
  const zone = calendar.timezone;
  const range = rangeIn(given, zone);
  const dates = daysBetween(range.from, range.to);
  const blackouts = blackoutsBetween(calendar, range.from, addDays(range.to, 1));
  const byDate = new Map<string, ViewDay>(
    dates.map((date) => {
      const blackout = blackouts.get(date);
      const day: ViewDay = { date, seasons: seasonsOn(date, calendar).map((s) => s.name), occurrences: [], forecast: [], total: 0 };
      if (blackout !== undefined) day.blackout = blackout;
      return [date, day];
    }),
  );
  const sorted = [...campaigns].sort((a, b) => a.id.localeCompare(b.id));
  for (const plan of sorted) {
    if (!isBroadcast(plan)) continue;
    for (const at of expandTrigger(plan.trigger, rangeInstants(range, zone), zone, meter)) {
      const shown = instantToLocal(at, zone);
      const day = byDate.get(shown.date);
      if (!day) continue;
      const own = plan.trigger.timezone === 'contact' ? zone : plan.trigger.timezone;
      const ownLocal = instantToLocal(at, own);
      const label =
        plan.trigger.timezone === 'contact'
          ? `${shown.time} each contact's time`
          : own === zone
            ? shown.time
            : `${shown.time} (${ownLocal.time} ${own})`;
      day.occurrences.push({
        campaign: plan.id,
        name: plan.name,
        at: at.toISOString(),
        local: shown.time,
        zone: plan.trigger.timezone,
        label,
        occurrence: `${ownLocal.date}T${ownLocal.time}`,
        ...(day.blackout === undefined ? {} : { held: day.blackout }),
      });
    }
  }
  for (const row of forecast) {
    const day = byDate.get(row.date);
    if (!day || !(row.sends > 0 || row.deferred > 0)) continue;
    day.forecast.push({ campaign: row.campaign, sends: row.sends, deferred: row.deferred });
    day.total += row.sends;
  }
  for (const day of byDate.values()) {
    day.occurrences.sort((a, b) => a.at.localeCompare(b.at) || a.campaign.localeCompare(b.campaign));
    day.forecast.sort((a, b) => b.sends - a.sends || a.campaign.localeCompare(b.campaign));
  }
  return {
    timezone: zone,
    today: instantToLocal(now, zone).date,
    days: [...byDate.values()],
    campaigns: sorted.map((p) => ({ id: p.id, name: p.name, color: campaignColor(p.id), kind: isBroadcast(p) ? 'broadcast' : 'journey' })),
    seasons: calendar.seasons
      .filter((s) => s.from <= range.to && s.to >= range.from)
      .map((s) => ({ name: s.name, from: s.from, to: s.to })),
  };
}

/**
 * The view as an iCalendar feed: each broadcast occurrence a timed event, each blackout day and
 * each season overlapping the range an all-day event over its whole span. UIDs depend only on what the event is
 * (`newsletter-2026-12-01T10:00@almanac`, `blackout-2026-12-25@almanac`), so a subscribed
 * calendar app updates events in place on every refresh.
 */
export function viewToIcs(view: CalendarView, now: Date, calendarName = 'Almanac marketing calendar'): string {
  const events: IcsEvent[] = [];
  for (const day of view.days) {
    if (day.blackout !== undefined) {
      events.push({
        uid: `blackout-${day.date}@almanac`,
        start: new Date(0),
        allDay: { date: day.date },
        summary: `Blackout: ${day.blackout}`,
        description: 'No marketing sends: they wait for the next allowed day.',
        categories: ['blackout'],
      });
    }
    for (const o of day.occurrences) {
      const forecast = day.forecast.find((f) => f.campaign === o.campaign);
      const when =
        o.zone === 'contact'
          ? `${o.local} in each contact's own time zone (shown at ${o.local} ${view.timezone})`
          : `${o.occurrence.slice(11, 16)} ${o.zone}`;
      const lines = [`${o.name} (${o.campaign}) at ${when}.`];
      if (forecast) lines.push(`Forecast that day: about ${forecast.sends} sends.`);
      if (o.held !== undefined) lines.push(`Blackout (${o.held}): sends wait for the next allowed day.`);
      events.push({
        uid: `${o.campaign}-${o.occurrence}@almanac`,
        start: new Date(o.at),
        summary: o.name,
        description: lines.join('\n'),
        categories: [o.campaign],
      });
    }
  }
  for (const s of view.seasons) {
    const slug =
      s.name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '') || 'season';
    events.push({
      uid: `season-${slug}-${s.from}@almanac`,
      start: new Date(0),
      allDay: { date: s.from, endDate: s.to },
      summary: `Season: ${s.name}`,
      categories: ['season'],
    });
  }
  return toIcs({ calendarName, events, now });
}

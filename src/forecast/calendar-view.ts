import { emptyCalendar } from '../dsl/plan';
import { latestCalendarPlan } from '../storage/campaign-versions';
import { type CalendarView, buildCalendarView, rangeIn, rangeInstants } from './view';
import { instantToLocal } from '../calendar/zone';
import type { Database } from '../storage/db';

import { forecast } from './forecast';
import { Pace } from './pace';
import { createPlanCache } from '../campaigns/plan-cache';

/** Local dates (YYYY-MM-DD) in the calendar zone, both inclusive; an ISO instant stands for its date there. */
export interface ViewRange {
  from: string;
  to: string;
}

/**
 * The applied calendar as `buildCalendarView` shows it: active campaigns, the newest
 * calendar.yaml (UTC and nothing blacked out before the first apply) and the forecast for the
 * range, whose day boundaries are midnights in the calendar zone. `now` is the forecast's
 * "today" and the view's highlighted day. `options.pace` counts the work (forecast and
 * occurrences), yields to the event loop now and then and stops the work once its signal aborts.
 */
export async function calendarView(database: Database, given: ViewRange, now: Date, options: { pace?: Pace } = {}): Promise<CalendarView> {
  const pace = options.pace ?? new Pace();
  const { calendar, campaigns } = await database.db.transaction(async (tx) => ({
    calendar: (await latestCalendarPlan(tx)) ?? emptyCalendar(),
    campaigns: (await createPlanCache().active(tx)).map((c) => c.plan),
  }));
  const range = rangeIn(given, calendar.timezone);
  const rows = await forecast(database, rangeInstants(range, calendar.timezone), now, { pace });
  pace.check();
  return buildCalendarView({ calendar, campaigns, forecast: rows, range, now, meter: pace.meter });
}

/** The calendar zone's date at `now` (UTC before the first apply): the month view's default month. */
export async function calendarToday(database: Database, now: Date): Promise<{ date: string; timezone: string }> {
  const timezone = (await latestCalendarPlan(database.db))?.timezone ?? emptyCalendar().timezone;
  return { date: instantToLocal(now, timezone).date, timezone };
}

/** Whether anything was ever applied (`almanac calendar` falls back to the files when not). */
export async function hasAppliedCalendar(database: Database): Promise<boolean> {
  return database.db.transaction(async (tx) => (await latestCalendarPlan(tx)) !== null || (await createPlanCache().active(tx)).length > 0);
}

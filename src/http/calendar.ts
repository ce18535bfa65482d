import { Hono } from 'hono';
import { rangeProblem, viewToIcs } from '../forecast/view';
import { addDays } from '../calendar/zone';
import { AppError } from '../errors';
import { calendarToday, calendarView } from '../forecast/calendar-view';
import type { Database } from '../storage/db';
import { calendarKey } from './calendar-auth';
import { monthGrid, renderMonthPage } from './calendar-page';
import { apiKey } from './middleware/api-key';
import { Pace } from '../forecast/pace';
import type { Context } from 'hono';

export interface CalendarRoutesDeps {
  database: Database;
  apiKeys: readonly string[];
  now: () => Date;
  /** Sees each request's Pace (the work it counts): a seam for tests. */
  onPace?: (pace: Pace) => void;
}

/** The feed's default window around today: far enough back to see what went out, a season ahead. */
export const ICS_DAYS_BACK = 30;
export const ICS_DAYS_AHEAD = 180;

/**
 * The calendar views (one shape, src/forecast/view.ts):
 * - `GET /v1/calendar?from=YYYY-MM-DD&to=YYYY-MM-DD` — JSON, both dates inclusive, in the
 *   calendar's zone, at most MAX_RANGE_DAYS (366) days; bearer API key like the rest of /v1.
 * - `GET /calendar.ics[?from=&to=]` — iCalendar feed, default 30 days back to 180 ahead.
 * - `GET /calendar[?month=YYYY-MM]` — the HTML month view (default: this month).
 * The last two take the key as a bearer header or `?key=` (calendar-auth.ts says why).
 * The work is paced with the request's deadline signal (middleware/deadline): it yields to the
 * event loop now and then and stops once the deadline passed.
 */
export function calendarRoutes(deps: CalendarRoutesDeps) {
  const app = new Hono();
  const browserAuth = calendarKey({ keys: deps.apiKeys });
  const paceOf = (c: Context) => {
    const signal = c.get('deadline')?.();
    const pace = new Pace(signal ? { signal } : {});
    deps.onPace?.(pace);
    return { pace };
  };
  app.get('/v1/calendar', apiKey({ keys: deps.apiKeys }), async (c) => {
    const range = rangeParams(c.req.query('from'), c.req.query('to'));
    return c.json(await calendarView(deps.database, range, deps.now(), paceOf(c)));
  });
  app.get('/calendar.ics', browserAuth, async (c) => {
    const now = deps.now();
    const from = c.req.query('from');
    const to = c.req.query('to');
    let range: { from: string; to: string };
    if (from === undefined && to === undefined) {
      const today = (await calendarToday(deps.database, now)).date;
      range = { from: addDays(today, -ICS_DAYS_BACK), to: addDays(today, ICS_DAYS_AHEAD) };
    } else range = rangeParams(from, to);
    const ics = viewToIcs(await calendarView(deps.database, range, now, paceOf(c)), now);
    return c.body(ics, 200, { 'content-type': 'text/calendar; charset=utf-8', 'content-disposition': 'inline; filename="almanac.ics"' });
  });
  app.get('/calendar', browserAuth, async (c) => {
    const now = deps.now();
    const month = monthParam(c.req.query('month')) ?? (await calendarToday(deps.database, now)).date.slice(0, 7);
    const grid = monthGrid(month);
    const view = await calendarView(deps.database, { from: grid.from, to: grid.to }, now, paceOf(c));
    const key = c.req.header('authorization') ? undefined : c.req.query('key');
    c.header(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
    return c.html(renderMonthPage({ month, view, now, ...(key ? { key } : {}) }));
  });
  return app;
}

/** `from` and `to` (inclusive), checked: real dates, in order, at most MAX_RANGE_DAYS days apart. */
export function rangeParams(from: string | undefined, to: string | undefined): { from: string; to: string } {
  const problem = rangeProblem(from, to);
  if (problem) throw new AppError('bad_request', `${problem.parameter}: ${problem.message}`, { details: { parameter: problem.parameter } });
  return { from: from!, to: to! };
}

/** `YYYY-MM`, or undefined when absent. */
export function monthParam(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(value) || value < '1900' || value > '2999-12') {
    throw new AppError('bad_request', `month: expected a month YYYY-MM from 1900 to 2999 (got "${value.slice(0, 40)}")`, {
      details: { parameter: 'month' },
    });
  }
  return value;
}

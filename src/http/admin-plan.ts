import { AppError } from '../errors';
import { DEFAULT_FORECAST_DAYS, type PlanForecastRequest } from '../forecast/plan-forecast';
import { INSTANT_EXPECTED, parseInstant } from '../lib/instant';

const bad = (field: string, message: string) => new AppError('bad_request', `${field}: ${message}`, { details: { field } });

/**
 * The `forecast` member of `POST /v1/admin/plan`'s body (`almanac plan --forecast` through the
 * server): `{ days?: 1–366 (default 30), from?: "YYYY-MM-DD" | ISO instant, now?: ISO instant }`,
 * `now` being the CLI's engine clock (default: the server's). Absent → undefined (a plain plan).
 * Whether `from` is a day the window may start on is checked with the calendar
 * (src/forecast/plan-forecast.ts).
 */
export function forecastOption(body: unknown, now: () => Date): PlanForecastRequest | undefined {
  const value = (body as { forecast?: unknown } | null)?.forecast;
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad('forecast', 'expected an object { "days", "from", "now" } (each optional)');
  const f = value as Record<string, unknown>;
  const days = f.days ?? DEFAULT_FORECAST_DAYS;
  if (typeof days !== 'number' || !Number.isInteger(days)) throw bad('forecast.days', 'expected a whole number of days from 1 to 366');
  if (f.from !== undefined && typeof f.from !== 'string')
    throw bad('forecast.from', 'expected a day YYYY-MM-DD or an ISO instant such as 2026-12-01T00:00:00Z');
  let at = now();
  if (f.now !== undefined) {
    const parsed = typeof f.now === 'string' ? parseInstant(f.now) : undefined;
    if (!parsed) throw bad('forecast.now', `expected ${INSTANT_EXPECTED}`);
    at = parsed;
  }
  return { days, now: at, ...(typeof f.from === 'string' ? { from: f.from } : {}) };
}

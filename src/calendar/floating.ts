import { RRule } from '../lib/rrule';
import { AppError } from '../errors';
import { neverOccurs, neverOccursFrom } from '../dsl/never-occurs';

/**
 * RRULE expansion in FLOATING time: DTSTART is a UTC `Date` whose fields are the local wall time,
 * no TZID. rrule then does calendar arithmetic on wall clocks only, so its answer cannot depend on
 * the process zone or on DST; zone.ts turns each wall time into an instant afterwards.
 *
 * Wall times are UTC milliseconds of the floating date-time (zone.ts `parseLocal`).
 */

/**
 * DTSTART of a rule that has no `start`: Saturday 2000-01-01 00:00. Fixed, so a series has the
 * same phase whatever range is asked for (INTERVAL=2 weeks counts from here, MONTHLY without
 * BYMONTHDAY is the 1st, YEARLY without BYMONTH is 1 January, WEEKLY without BYDAY is Saturday,
 * and a rule without BYHOUR/BYMINUTE fires at 00:00). COUNT without a start counts from here too.
 */
export const DEFAULT_ANCHOR = Date.UTC(2000, 0, 1);

/** More occurrences than this in one expansion is a mistake (a SECONDLY rule over a month). */
export const OCCURRENCE_LIMIT = 100_000;

const fixedUnitMs: Partial<Record<number, number>> = {
  [RRule.WEEKLY]: 7 * 86_400_000,
  [RRule.DAILY]: 86_400_000,
  [RRule.HOURLY]: 3_600_000,
  [RRule.MINUTELY]: 60_000,
  [RRule.SECONDLY]: 1_000,
};

/**
 * Counts the rrule dates an expansion iterated (before, inside and after the range): the work
 * done, whatever the answer. A seam for tests and for the async shells that pace long loops.
 */
export interface ExpansionMeter {
  iterated: number;
}

/**
 * Wall times of `rule` (an RRULE body, no DTSTART) from `anchor` (its DTSTART), within
 * [from, to). The cost is bounded by the answer, not by the distance from `anchor`:
 *
 * - without COUNT, DTSTART is first moved forward by whole INTERVAL periods to just before
 *   `from` (fastForward): same phase, time of day, weekday and month day, without iterating
 *   years of past occurrences;
 * - with COUNT, occurrences count from the real `anchor`, so the series is walked from there,
 *   but never further than `to` nor past OCCURRENCE_LIMIT dates (a COUNT rule that would need
 *   more to reach the range is the same `bad_request` as a range with too many occurrences).
 *
 * `meter.iterated` grows by every date rrule produced, inside the range or not.
 */
export function floatingBetween(rule: string, anchor: number, from: number, to: number, meter?: ExpansionMeter): number[] {
  if (!(to > from)) return [];
  const options = parseRule(rule);
  // A rule no day matches (stored before compile refused them) would make rrule walk to 9999.
  if (neverOccurs(options) || neverOccursFrom(options, anchor)) return [];
  const interval = Math.max(1, options.interval ?? 1);
  const dtstart = options.count == null && from > anchor ? fastForward(anchor, from, options.freq!, interval) : anchor;
  let iterated = 0;
  let found = 0; // in [from, to)
  let overflow = false;
  const dates = new RRule({ ...options, dtstart: new Date(dtstart), tzid: null }, true).all((d) => {
    const t = d.getTime();
    if (t >= to) return false;
    iterated++;
    if (t >= from) found++;
    if (iterated > OCCURRENCE_LIMIT) {
      overflow = true;
      return false;
    }
    return true;
  });
  if (meter) meter.iterated += iterated;
  if (overflow) {
    throw new AppError(
      'bad_request',
      found * 2 >= iterated
        ? `rrule "${rule}" has more than ${OCCURRENCE_LIMIT} occurrences in the range asked for: ask for a shorter range`
        : `rrule "${rule}" needs more than ${OCCURRENCE_LIMIT} occurrences from its start to reach the range asked for (COUNT counts from there): give it a later start or a smaller COUNT`,
      { details: { rule, limit: OCCURRENCE_LIMIT } },
    );
  }
  return dates.map((d) => d.getTime()).filter((t) => t >= from && t < to);
}

/** Calendar-field steps tried back from the estimate before giving up on a month day > 28. */
const MONTH_DAY_TRIES = 120;

/**
 * The latest DTSTART ≤ `from` that is `anchor` plus a whole number of INTERVAL periods. Weeks,
 * days, hours… have a fixed length on the floating clock. Months and years move by calendar
 * fields, to a period that has the anchor's day of the month (29–31 are missing in some months,
 * and rrule would read a shifted day as a different BYMONTHDAY); failing that, the anchor stays.
 */
function fastForward(anchor: number, from: number, freq: number, interval: number): number {
  const unit = fixedUnitMs[freq];
  if (unit) return anchor + Math.floor((from - anchor) / (unit * interval)) * unit * interval;
  const a = new Date(anchor);
  if (freq !== RRule.MONTHLY && freq !== RRule.YEARLY) return anchor;
  const months = freq === RRule.YEARLY ? 12 * interval : interval;
  const f = new Date(from);
  const elapsed = (f.getUTCFullYear() - a.getUTCFullYear()) * 12 + f.getUTCMonth() - a.getUTCMonth();
  let k = Math.floor(elapsed / months);
  const at = (n: number) =>
    Date.UTC(a.getUTCFullYear(), a.getUTCMonth() + n * months, a.getUTCDate(), a.getUTCHours(), a.getUTCMinutes(), a.getUTCSeconds());
  const sameDay = (n: number) => new Date(at(n)).getUTCDate() === a.getUTCDate();
  while (k > 0 && at(k) > from) k--;
  for (let tries = 0; k > 0 && !sameDay(k) && tries < MONTH_DAY_TRIES; tries++) k--;
  return k > 0 && sameDay(k) ? at(k) : anchor;
}

function parseRule(rule: string): ReturnType<typeof RRule.parseString> {
  try {
    const options = RRule.parseString(String(rule));
    if (options.freq === undefined) throw new Error('no FREQ');
    return options;
  } catch (err) {
    throw new Error(
      `rrule "${String(rule)}" cannot be read (${err instanceof Error ? err.message : String(err)}): compile campaigns with compileProject()`,
      { cause: err },
    );
  }
}

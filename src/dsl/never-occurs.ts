import { RRule } from '../lib/rrule';

type Options = ReturnType<typeof RRule.parseString>;

/** Days in the 400-year Gregorian cycle: every month-day, year-day, weekday and week-number combination occurs in it. */
const CYCLE_DAYS = 146_097;
const DAY_MS = 86_400_000;

const list = (v: number | number[] | null | undefined): number[] => (v == null ? [] : Array.isArray(v) ? v : [v]);

/**
 * Why a rule can never produce a date, or undefined when some day matches. rrule filters each
 * candidate day by BYMONTH, BYMONTHDAY, BYYEARDAY, BYWEEKNO and BYDAY and checks its end (UNTIL,
 * the range asked for) only on dates that pass, so a rule no day can pass — `BYMONTH=2;BYMONTHDAY=30`,
 * `BYMONTH=4;BYMONTHDAY=31`, `BYYEARDAY=1;BYMONTH=6`, `BYWEEKNO=1;BYMONTH=7` — makes it walk every
 * period up to the year 9999: ~12 s of blocked event loop for a DAILY rule. This walks one
 * 400-year cycle of days with the same filters instead (stopping at the first match, so a rule
 * that occurs costs a few days) and names the parts that cannot meet.
 *
 * Conservative: only what depends on the day alone is judged. BYSETPOS, INTERVAL phase and
 * times of day are not (they never turn a day that passes into none in every period); BYWEEKNO
 * is judged only with the default week start (MO, ISO weeks).
 */
export function neverOccurs(options: Options): string | undefined {
  const months = new Set(list(options.bymonth));
  const monthDays = list(options.bymonthday);
  const yearDays = list(options.byyearday);
  const weekNos = options.wkst == null || Number(options.wkst) === 0 ? list(options.byweekno) : [];
  const weekdays = (options.byweekday == null ? [] : Array.isArray(options.byweekday) ? options.byweekday : [options.byweekday]).map((w) =>
    typeof w === 'number'
      ? { weekday: w, n: undefined }
      : typeof w === 'string'
        ? { weekday: ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'].indexOf(w), n: undefined }
        : { weekday: w.weekday, n: w.n },
  );
  const nthWeekdays = weekdays.some((w) => w.n);
  if (monthDays.length === 0 && yearDays.length === 0 && weekNos.length === 0 && !nthWeekdays) return undefined;
  // RFC 5545: a numbered BYDAY counts within the month in a MONTHLY rule, or in a YEARLY one with BYMONTH; else within the year.
  const nthInMonth = options.freq === RRule.MONTHLY || (options.freq === RRule.YEARLY && months.size > 0);
  const numbered = options.freq === RRule.MONTHLY || options.freq === RRule.YEARLY;

  const start = Date.UTC(2000, 0, 1);
  for (let i = 0; i < CYCLE_DAYS; i++) {
    const d = new Date(start + i * DAY_MS);
    const y = d.getUTCFullYear();
    const m = d.getUTCMonth() + 1;
    if (months.size && !months.has(m)) continue;
    const dom = d.getUTCDate();
    const dim = new Date(Date.UTC(y, m, 0)).getUTCDate();
    if (monthDays.length && !monthDays.some((n) => n === dom || n === dom - dim - 1)) continue;
    const yday = Math.round((d.getTime() - Date.UTC(y, 0, 1)) / DAY_MS) + 1;
    const ylen = Math.round((Date.UTC(y + 1, 0, 1) - Date.UTC(y, 0, 1)) / DAY_MS);
    if (yearDays.length && !yearDays.some((n) => n === yday || n === yday - ylen - 1)) continue;
    if (weekNos.length && !matchesIsoWeek(d, weekNos)) continue;
    if (weekdays.length) {
      const wd = (d.getUTCDay() + 6) % 7; // 0 = MO, as rrule counts
      const [pos, len] = nthInMonth ? [dom, dim] : [yday, ylen];
      const ok = weekdays.some(
        (w) => w.weekday === wd && (!w.n || !numbered || w.n === Math.ceil(pos / 7) || w.n === -Math.ceil((len - pos + 1) / 7)),
      );
      if (!ok) continue;
    }
    return undefined;
  }
  const parts = [
    months.size ? `BYMONTH=${[...months].join(',')}` : '',
    monthDays.length ? `BYMONTHDAY=${monthDays.join(',')}` : '',
    yearDays.length ? `BYYEARDAY=${yearDays.join(',')}` : '',
    weekNos.length ? `BYWEEKNO=${weekNos.join(',')}` : '',
    weekdays.length ? 'BYDAY' : '',
  ].filter(Boolean);
  const why = monthDays.length
    ? ' (February has at most 29 days; April, June, September and November 30)'
    : nthWeekdays
      ? ' (a month has at most 5 of each weekday, a year 53)'
      : '';
  return `no day matches ${parts.join(' and ')}${parts.length > 1 ? ' together' : ''}${why}`;
}

/** ISO 8601 week (weeks start on Monday; week 1 holds the year's first Thursday), also counted from the end. */
function matchesIsoWeek(d: Date, weekNos: number[]): boolean {
  const wd = (d.getUTCDay() + 6) % 7;
  const thursday = new Date(d.getTime() + (3 - wd) * DAY_MS);
  const isoYear = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(isoYear, 0, 1)) / (7 * DAY_MS)) + 1;
  const dec28 = new Date(Date.UTC(isoYear, 11, 28));
  const weeksInYear =
    Math.floor((dec28.getTime() + (3 - ((dec28.getUTCDay() + 6) % 7)) * DAY_MS - Date.UTC(isoYear, 0, 1)) / (7 * DAY_MS)) + 1;
  return weekNos.some((n) => n === week || n === week - weeksInYear - 1);
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The INTERVAL half of the same trap, for a rule with a start: every INTERVAL-th hour, minute or
 * day from DTSTART may never land on a BYHOUR, BYMINUTE or BYDAY value (`FREQ=HOURLY;INTERVAL=24;
 * BYHOUR=5` started at 10:00; `FREQ=DAILY;INTERVAL=7;BYDAY=TU` started on a Monday). The values
 * reachable are DTSTART's plus multiples of gcd(INTERVAL, cycle), so this is arithmetic, not a walk.
 * `dtstart` is the floating wall time in UTC milliseconds. Undefined when some value is reachable.
 */
export function neverOccursFrom(options: Options, dtstart: number): string | undefined {
  const interval = Math.max(1, options.interval ?? 1);
  if (interval === 1) return undefined;
  const d = new Date(dtstart);
  const reach = (value: number, cycle: number, step: number, wanted: number[], what: string) => {
    const g = gcd(step % cycle || cycle, cycle);
    return wanted.length && !wanted.some((w) => (((w - value) % g) + g) % g === 0)
      ? `INTERVAL=${interval} from ${d.toISOString().slice(0, 16)} never lands on its ${what}`
      : undefined;
  };
  const hours = list(options.byhour);
  const minutes = list(options.byminute);
  const weekdays = (options.byweekday == null ? [] : Array.isArray(options.byweekday) ? options.byweekday : [options.byweekday]).map((w) =>
    typeof w === 'number' ? w : typeof w === 'string' ? ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'].indexOf(w) : w.weekday,
  );
  const weekday = (d.getUTCDay() + 6) % 7;
  if (options.freq === RRule.HOURLY)
    return (
      reach(d.getUTCHours(), 24, interval, hours, 'BYHOUR') ??
      reach(
        weekday * 24 + d.getUTCHours(),
        168,
        interval,
        weekdays.flatMap((w) => Array.from({ length: 24 }, (_, h) => w * 24 + h)),
        'BYDAY',
      )
    );
  if (options.freq === RRule.MINUTELY)
    return (
      reach(d.getUTCMinutes(), 60, interval, minutes, 'BYMINUTE') ??
      reach(
        d.getUTCHours() * 60 + d.getUTCMinutes(),
        1440,
        interval,
        hours.flatMap((h) => Array.from({ length: 60 }, (_, m) => h * 60 + m)),
        'BYHOUR',
      )
    );
  if (options.freq === RRule.DAILY) return reach(weekday, 7, interval, weekdays, 'BYDAY');
  return undefined;
}

import countries from 'countries-and-timezones';

/**
 * `attribute: birthday, anniversary: today` / `anniversary: { within: 7d }`: the month and day of
 * a date attribute, its year ignored, fall on today — or on one of the next N days, today being
 * the first (`within: 1d` is `today`) — on the contact's own calendar. Both backends
 * (./evaluate.ts and src/storage/conditions/sql-attribute.ts) take their answer from the
 * functions here, so they agree by construction and the property test checks it.
 *
 * - The date is read as written: `YYYY-MM-DD`, optionally with the time part of the accepted
 *   timestamp form (values.ts; its date part counts, no zone conversion), or the year-less
 *   `--MM-DD` (ISO 8601 / vCard). Anything else, or a day the month never has (`02-30`), never
 *   matches.
 * - 29 February: in a year without one, that anniversary falls on 28 February.
 * - Today is the date at `now` in the contact's `timezone` when it is an IANA zone name
 *   (ZONE_NAMES), else in the zone compiled into the condition: the calendar's
 *   (`campaigns/calendar.yaml` `timezone`, UTC without one) — the zone their sends use too. The
 *   zone is fixed when the campaign compiles, like a `schedule` trigger's default zone.
 */
export interface AnniversaryValue {
  /** How many days, starting today, count: 1 for `today`, N for `within: Nd`. */
  days: number;
  /** The zone of contacts without a (known) zone of their own: the calendar's. */
  zone: string;
}

/** Longest window: a year and a day (any longer would match every date). */
export const MAX_ANNIVERSARY_DAYS = 366;

/**
 * Where the month (group 1) and day (group 2) of a date sit: `YYYY-MM-DD` with the optional time
 * of the accepted timestamp form (values.ts), or `--MM-DD`. The same text is a PostgreSQL regex.
 */
export const monthDayPattern =
  '^(?:[1-9][0-9]{3}-|--)(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(?:T([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9])(?:\\.([0-9]{1,3}))?)?(Z|([+-])([01][0-9]|2[0-3]):([0-5][0-9]))?)?$';
const monthDayRe = new RegExp(monthDayPattern);

/** `MM-DD` of a date as written, else undefined. */
export function monthDayOf(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = monthDayRe.exec(v);
  return m ? `${m[1]}-${m[2]}` : undefined;
}

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatter(zone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric' });
    } catch {
      f = null;
    }
    formatters.set(zone, f);
  }
  return f;
}

/** A UTC date from its parts, any year (Date.UTC would read 0–99 as 1900–1999). */
function utcDate(y: number, m: number, d: number): Date {
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  return t;
}

/** The local date at `now` in `zone` as `YYYY-MM-DD`; undefined for a zone the runtime lacks. */
export function localDate(now: Date, zone: string): string | undefined {
  const f = formatter(zone);
  if (f === null || !Number.isFinite(now.getTime())) return undefined;
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(now)) p[part.type] = Number(part.value);
  return utcDate(p.year!, p.month!, p.day!).toISOString().slice(0, 10);
}

/**
 * Every zone name `contacts.timezone` may hold: src/events/fields.ts stores the runtime's
 * canonical spelling, and runtimes differ in it (`Asia/Calcutta` in one Node, `Asia/Kolkata` in
 * the next), so this is every IANA zone and link name the runtime or the `countries-and-timezones`
 * data know (deprecated links included), `UTC` and the fixed `Etc/GMT±N` — those the runtime
 * accepts. A name outside it (another spelling, written around the API) counts as no zone, in
 * both backends alike.
 */
export const ZONE_NAMES: ReadonlySet<string> = new Set(
  [
    ...Intl.supportedValuesOf('timeZone'),
    ...Object.keys(countries.getAllTimezones({ deprecated: true })),
    'UTC',
    ...Array.from({ length: 12 }, (_, i) => `Etc/GMT+${i + 1}`),
    ...Array.from({ length: 14 }, (_, i) => `Etc/GMT-${i + 1}`),
  ]
    .filter((zone) => formatter(zone) !== null)
    .sort(),
);

/** The zone a contact's anniversaries are judged in. */
export const anniversaryZone = (contactZone: string | null | undefined, fallback: string): string =>
  typeof contactZone === 'string' && ZONE_NAMES.has(contactZone) ? contactZone : fallback;

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/**
 * The `MM-DD`s that are an anniversary in the `days` days from `today` (`YYYY-MM-DD`, included):
 * each day's own, plus `02-29` on a 28 February of a year without a 29th. Sorted, unique.
 */
export function monthDaysFrom(today: string, days: number): string[] {
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  const out = new Set<string>();
  for (let i = 0; i < days; i++) {
    const day = utcDate(y, m, d + i);
    const md = day.toISOString().slice(5, 10);
    out.add(md);
    if (md === '02-28' && !isLeap(day.getUTCFullYear())) out.add('02-29');
  }
  return [...out].sort();
}

/** A well-formed compiled value (plans are data; a damaged one matches nobody). */
export function isAnniversaryValue(w: unknown): w is AnniversaryValue {
  if (typeof w !== 'object' || w === null) return false;
  const { days, zone } = w as Partial<AnniversaryValue>;
  return Number.isInteger(days) && days! >= 1 && days! <= MAX_ANNIVERSARY_DAYS && typeof zone === 'string' && formatter(zone) !== null;
}

/** In memory: does `v` have its anniversary in the window, for a contact in `contactZone`? */
export function anniversaryHolds(v: unknown, w: unknown, contactZone: string | null | undefined, now: Date): boolean {
  if (!isAnniversaryValue(w)) return false;
  const md = monthDayOf(v);
  const today = md === undefined ? undefined : localDate(now, anniversaryZone(contactZone, w.zone));
  return today !== undefined && monthDaysFrom(today, w.days).includes(md!);
}

/** For SQL: the month-days of each group of stored zones whose today differs from the fallback's. */
export interface AnniversaryGroups {
  /** The month-days of contacts in the fallback zone, a zone sharing its date, or none. */
  fallback: string[];
  byZones: Array<{ zones: string[]; monthDays: string[] }>;
}

let memo: { key: string; groups: AnniversaryGroups | undefined } | undefined;

/**
 * The whole of `anniversaryHolds`'s zone rule as data: every stored zone grouped by its date at
 * `now`. Undefined when the value is malformed or `now` is not a time. The last answer is kept
 * (a tick evaluates many conditions at one `now`).
 */
export function anniversaryGroups(w: unknown, now: Date): AnniversaryGroups | undefined {
  if (!isAnniversaryValue(w)) return undefined;
  const key = `${now.getTime()}|${w.zone}|${w.days}`;
  if (memo?.key === key) return memo.groups;
  const fallbackDate = localDate(now, w.zone);
  let groups: AnniversaryGroups | undefined;
  if (fallbackDate !== undefined) {
    const byDate = new Map<string, string[]>();
    for (const zone of ZONE_NAMES) {
      const date = localDate(now, zone);
      if (date === undefined || date === fallbackDate) continue;
      byDate.set(date, [...(byDate.get(date) ?? []), zone]);
    }
    groups = {
      fallback: monthDaysFrom(fallbackDate, w.days),
      byZones: [...byDate]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([date, zones]) => ({ zones, monthDays: monthDaysFrom(date, w.days) })),
    };
  }
  memo = { key, groups };
  return groups;
}

/**
 * Wall clocks in IANA zones, with nothing but `Intl` (no process time zone, no zone library).
 *
 * A "wall time" here is a floating date-time held as the UTC fields of a `Date` or as
 * `YYYY-MM-DDTHH:mm[:ss]`; it means the same on every clock. These functions are the only place
 * that turns one into an instant, so the two DST rules live here:
 * - a nonexistent local time (spring-forward gap) moves FORWARD by the gap: 02:30 on the day
 *   Europe/Warsaw jumps from 02:00 to 03:00 is 03:30 CEST (a send is late, never lost);
 * - an ambiguous local time (fall-back) is its FIRST occurrence: 02:30 on the night Warsaw goes
 *   back from 03:00 to 02:00 is 02:30 CEST (a send goes once, at the earlier instant).
 */

export interface LocalTime {
  /** YYYY-MM-DD */
  date: string;
  /** HH:mm (24 h) */
  time: string;
  /** minutes after local midnight, 0–1439 (seconds dropped) */
  minuteOfDay: number;
  /** 0 = Sunday … 6 = Saturday, as Date#getUTCDay */
  weekday: number;
  /** the zone's offset from UTC at this instant, in minutes (Warsaw summer: 120) */
  offsetMinutes: number;
}

const DAY_MS = 86_400_000;

// Building a DateTimeFormat costs far more than using one; a forecast asks thousands of times.
// The memo holds immutable formatters keyed by zone name, so it carries no state that matters.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether `zone` is an IANA zone name this runtime knows (`Europe/Warsaw`, `UTC`). */
export function isValidZone(zone: unknown): zone is string {
  if (typeof zone !== 'string' || zone.trim() === '' || zone !== zone.trim()) return false;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** Throws a clear error for a zone the caller should have checked (compiled plans are checked). */
export function requireZone(zone: string): string {
  if (!isValidZone(zone)) throw new RangeError(`unknown time zone "${String(zone)}": pass contact zones through zoneOrFallback()`);
  return zone;
}

/**
 * The zone a contact's sends use: their own when it is a valid IANA zone, else the calendar's.
 * `source` says which, so preview and simulate can show "calendar zone (contact has none)".
 */
export function zoneOrFallback(
  contactZone: string | null | undefined,
  calendarZone: string,
): { zone: string; source: 'contact' | 'calendar' } {
  return isValidZone(contactZone) ? { zone: contactZone, source: 'contact' } : { zone: calendarZone, source: 'calendar' };
}

/** The wall time of `instant` in `zone`, as UTC milliseconds of a floating date-time. */
export function wallMs(instant: Date, zone: string): number {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('invalid Date');
  const p: Record<string, number> = {};
  for (const part of formatter(requireZone(zone)).formatToParts(instant)) p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return wall + (((ms % 1000) + 1000) % 1000);
}

/** `zone`'s offset from UTC at `instant`, in milliseconds. */
export const offsetMs = (instant: Date, zone: string): number => wallMs(instant, zone) - instant.getTime();

/** The local date, time, weekday and offset of `instant` in `zone`. */
export function instantToLocal(instant: Date, zone: string): LocalTime {
  const wall = new Date(wallMs(instant, zone));
  const iso = wall.toISOString();
  return {
    date: iso.slice(0, 10),
    time: iso.slice(11, 16),
    minuteOfDay: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
    weekday: wall.getUTCDay(),
    offsetMinutes: Math.round((wall.getTime() - instant.getTime()) / 60_000),
  };
}

const localRe = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** `YYYY-MM-DD[THH:mm[:ss]]` → the floating wall time as UTC milliseconds; throws on anything else. */
export function parseLocal(local: string): number {
  const m = localRe.exec(String(local));
  const [y, mo, d, h = '0', mi = '0', s = '0'] = (m?.slice(1) ?? []) as string[];
  const ms = m ? Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s) : NaN;
  const back = new Date(ms);
  if (!m || back.getUTCDate() !== +d! || back.getUTCMonth() !== +mo! - 1 || +h > 23 || +mi > 59 || +s > 59) {
    throw new RangeError(`"${String(local)}" is not a local date-time: write YYYY-MM-DDTHH:mm`);
  }
  return ms;
}

/** A floating wall time (UTC milliseconds) → `YYYY-MM-DDTHH:mm:ss`. */
export const formatLocal = (wall: number): string => new Date(wall).toISOString().slice(0, 19);

/**
 * The instant a wall clock in `zone` shows `local`. Candidates come from the offsets a day
 * before and a day after (no zone changes offset twice within two days); a candidate counts when
 * the zone really shows `local` at it. Two count: ambiguous, take the earlier. None: a gap, so
 * read `local` with the offset from before the gap, which lands the same distance past it.
 */
export function localToInstant(local: string, zone: string): Date {
  return wallToInstant(parseLocal(local), zone);
}

/** `localToInstant` for a wall time already held as floating UTC milliseconds. */
export function wallToInstant(wall: number, zone: string): Date {
  requireZone(zone);
  const before = offsetMs(new Date(wall - DAY_MS), zone);
  const after = offsetMs(new Date(wall + DAY_MS), zone);
  const fits = [...new Set([before, after])]
    .map((offset) => wall - offset)
    .filter((t) => wallMs(new Date(t), zone) === wall)
    .sort((a, b) => a - b);
  return new Date(fits[0] ?? wall - before);
}

/** `YYYY-MM-DD` plus `days` (negative allowed), on the floating calendar. */
export function addDays(date: string, days: number): string {
  return new Date(parseLocal(date) + days * DAY_MS).toISOString().slice(0, 10);
}

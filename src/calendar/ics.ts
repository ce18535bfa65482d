/**
 * iCalendar (RFC 5545) text for the calendar feed. Pure: the caller supplies `now` (DTSTAMP) and
 * stable UIDs (e.g. `newsletter/2026-11-03@almanac`), so a subscribed calendar app updates an
 * event in place instead of duplicating it.
 *
 * - Lines end in CRLF, including the last; lines longer than 75 octets are folded (CRLF + one
 *   space), never inside a UTF-8 character (§3.1).
 * - TEXT values escape `\`, `;`, `,` and newlines (§3.3.11); other control characters are dropped.
 * - Timed events are UTC (`19980119T070000Z`, §3.3.5 form 2): no VTIMEZONE needed.
 * - All-day events are `VALUE=DATE` with DTEND the next day (exclusive, §3.6.1).
 */

export interface IcsEvent {
  uid: string;
  /** the instant a timed event starts (ignored for all-day events, give any) */
  start: Date;
  end?: Date;
  /** an all-day event on this local date (YYYY-MM-DD), e.g. a blackout or a season day */
  allDay?: { date: string; endDate?: string };
  summary: string;
  description?: string;
  /** RFC 5545 CATEGORIES, e.g. the campaign id or `blackout` */
  categories?: string[];
}

export interface IcsCalendar {
  calendarName: string;
  events: IcsEvent[];
  /** DTSTAMP of every event: when this feed was produced */
  now: Date;
}

export function toIcs({ calendarName, events, now }: IcsCalendar): string {
  const stamp = utc(now, 'now (DTSTAMP)');
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Almanac//Marketing calendar//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `NAME:${text(calendarName)}`,
    `X-WR-CALNAME:${text(calendarName)}`,
  ];
  for (const e of events) {
    lines.push('BEGIN:VEVENT', `UID:${text(e.uid)}`, `DTSTAMP:${stamp}`);
    if (e.allDay) {
      const first = date(e.allDay.date, e.uid);
      const last = e.allDay.endDate ? date(e.allDay.endDate, e.uid) : first;
      lines.push(`DTSTART;VALUE=DATE:${first}`, `DTEND;VALUE=DATE:${nextDay(last)}`, 'TRANSP:TRANSPARENT');
    } else {
      lines.push(`DTSTART:${utc(e.start, `event ${e.uid} start`)}`);
      if (e.end) lines.push(`DTEND:${utc(e.end, `event ${e.uid} end`)}`);
    }
    lines.push(`SUMMARY:${text(e.summary)}`);
    if (e.description !== undefined) lines.push(`DESCRIPTION:${text(e.description)}`);
    if (e.categories?.length) lines.push(`CATEGORIES:${e.categories.map(text).join(',')}`);
    lines.push('END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.map(fold).join('\r\n') + '\r\n';
}

/** A TEXT value (§3.3.11): escape `\ ; ,` and newlines; drop other control characters. */
export function text(value: string): string {
  return String(value)
    .replace(/\r\n|\r|\n/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .replace(/[\\;,]/g, (c) => `\\${c}`)
    .replace(/\n/g, '\\n');
}

/** Folds one content line at 75 octets (§3.1): the continuation's leading space counts. */
export function fold(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = utf8Length(ch.codePointAt(0)!);
    const limit = parts.length === 0 ? 75 : 74;
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += ch;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

const utf8Length = (cp: number): number => (cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);

function utc(instant: Date, what: string): string {
  if (!Number.isFinite(instant.getTime())) throw new RangeError(`ics: ${what} is not a valid date`);
  return instant
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function date(day: string, uid: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new RangeError(`ics: event ${uid} has all-day date "${day}", expected YYYY-MM-DD`);
  return day.replace(/-/g, '');
}

function nextDay(yyyymmdd: string): string {
  const d = new Date(Date.UTC(+yyyymmdd.slice(0, 4), +yyyymmdd.slice(4, 6) - 1, +yyyymmdd.slice(6, 8) + 1));
  return d.toISOString().slice(0, 10).replace(/-/g, '');
}

import { RRule } from '../../lib/rrule';
import { neverOccurs } from '../never-occurs';
import { closest } from '../suggest';

/** A problem in an RRULE body, at `index` characters into it. */
export interface RruleProblem {
  index: number;
  message: string;
  hint: string;
}

const int =
  (min: number, max: number, signed = false) =>
  (v: string) =>
    v.split(',').every((p) => /^[+-]?\d+$/.test(p) && (signed || !/^[+-]/.test(p)) && Math.abs(+p) >= min && Math.abs(+p) <= max);
const days = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const freqs = ['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY', 'HOURLY', 'MINUTELY', 'SECONDLY'];

const parts: Record<string, { ok: (v: string) => boolean; expect: string }> = {
  FREQ: { ok: (v) => freqs.includes(v), expect: 'one of YEARLY, MONTHLY, WEEKLY, DAILY, HOURLY' },
  INTERVAL: { ok: int(1, 1e6), expect: 'a whole number of at least 1' },
  COUNT: { ok: int(1, 1e6), expect: 'a whole number of at least 1' },
  UNTIL: { ok: (v) => /^\d{8}(T\d{6}Z?)?$/.test(v), expect: 'a date like 20261231 or 20261231T235959Z' },
  BYSECOND: { ok: int(0, 59), expect: 'seconds 0–59, comma separated' },
  BYMINUTE: { ok: int(0, 59), expect: 'minutes 0–59, comma separated' },
  BYHOUR: { ok: int(0, 23), expect: 'hours 0–23, comma separated' },
  BYDAY: {
    ok: (v) => v.split(',').every((d) => /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.test(d)),
    expect: 'days MO, TU, WE, TH, FR, SA, SU (e.g. TU or 1MO), comma separated',
  },
  BYMONTHDAY: { ok: int(1, 31, true), expect: 'days of the month 1–31 (or -1 for the last), comma separated' },
  BYYEARDAY: { ok: int(1, 366, true), expect: 'days of the year 1–366, comma separated' },
  BYWEEKNO: { ok: int(1, 53, true), expect: 'week numbers 1–53, comma separated' },
  BYMONTH: { ok: int(1, 12), expect: 'months 1–12, comma separated' },
  BYSETPOS: { ok: int(1, 366, true), expect: 'positions 1–366 (or negative), comma separated' },
  WKST: { ok: (v) => days.includes(v), expect: 'a day: MO, TU, WE, TH, FR, SA or SU' },
};

/**
 * Checks an RRULE body (RFC 5545, without DTSTART) part by part — every problem at once, each at
 * its part — then, when the parts are right, lets the rrule package build it.
 */
export function checkRrule(text: string): RruleProblem[] {
  const dtstart = text.toUpperCase().indexOf('DTSTART');
  if (dtstart >= 0) return [{ index: dtstart, message: 'rrule must not contain DTSTART', hint: 'give the first date as start: instead' }];
  if (/^RRULE:/i.test(text))
    return [{ index: 0, message: 'rrule has an "RRULE:" prefix', hint: 'write only the rule, e.g. FREQ=WEEKLY;BYDAY=TU' }];
  const problems: RruleProblem[] = [];
  const seen = new Set<string>();
  let offset = 0;
  for (const part of text.split(';')) {
    const at = offset;
    offset += part.length + 1;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    if (part === '') {
      problems.push({ index: at, message: 'rrule has an empty part', hint: 'remove the extra ";"' });
      continue;
    }
    if (eq < 0 || !name) {
      problems.push({
        index: at,
        message: `rrule part "${part}" is not NAME=VALUE`,
        hint: 'separate parts with ";", e.g. FREQ=WEEKLY;BYDAY=TU',
      });
      continue;
    }
    const rule = parts[name];
    if (!rule) {
      const near = closest(name, Object.keys(parts));
      problems.push({
        index: at,
        message: `unknown rrule part "${name}"`,
        hint: near ? `did you mean "${near}"?` : `use ${Object.keys(parts).join(', ')}`,
      });
      continue;
    }
    if (seen.has(name)) {
      problems.push({ index: at, message: `rrule repeats ${name}`, hint: 'give each part once' });
      continue;
    }
    seen.add(name);
    if (!rule.ok(value)) {
      const near = name === 'FREQ' ? closest(value, freqs) : undefined;
      problems.push({
        index: at + eq + 1,
        message: `rrule ${name}=${value} is not valid`,
        hint: near ? `did you mean "${near}"?` : `${name} takes ${rule.expect}`,
      });
    }
  }
  if (!seen.has('FREQ') && !problems.some((p) => p.message.includes('FREQ') || p.hint.includes('"FREQ"')))
    problems.push({ index: 0, message: 'rrule has no FREQ', hint: 'start with FREQ=DAILY, WEEKLY, MONTHLY or YEARLY' });
  if (seen.has('COUNT') && seen.has('UNTIL'))
    problems.push({ index: text.indexOf('COUNT'), message: 'rrule has both COUNT and UNTIL', hint: 'keep one of them' });
  if (problems.length) return problems;
  try {
    const options = RRule.parseString(text);
    // Before any expansion: rrule would walk to the year 9999 looking for a first date (~12 s).
    const never = neverOccurs(options);
    if (never) return [{ index: 0, message: `rrule never occurs: ${never}`, hint: 'check the month and day parts' }];
    new RRule({ ...options, dtstart: new Date(Date.UTC(2000, 0, 1)) }).all((_, i) => i < 1);
  } catch (err) {
    return [
      {
        index: 0,
        message: `rrule is not valid: ${err instanceof Error ? err.message : String(err)}`,
        hint: 'see RFC 5545, e.g. FREQ=WEEKLY;BYDAY=TU;BYHOUR=10',
      },
    ];
  }
  return [];
}

/**
 * Occurrences of a checked rule as floating wall-clock times (`YYYY-MM-DDTHH:mm`), from `start`
 * (inclusive, also the DTSTART) to `end` (exclusive). No zone is involved: a floating time is the
 * same on every clock, which is what calendar dates and "10:00 contact time" mean.
 */
export function floatingOccurrences(text: string, start: string, end: string, limit = 20_000): string[] {
  const from = floating(start);
  const to = floating(end);
  const options = RRule.parseString(text);
  if (neverOccurs(options)) return [];
  const rule = new RRule({ ...options, dtstart: from });
  // Bounded: an hourly rule has ~9k occurrences a year; a minutely one stops at the limit.
  return rule
    .all((d, i) => d.getTime() < to.getTime() && i < limit)
    .filter((d) => d.getTime() < to.getTime())
    .map((d) => d.toISOString().slice(0, 16));
}

const floating = (local: string): Date => new Date(`${local.length === 10 ? `${local}T00:00` : local}:00.000Z`);

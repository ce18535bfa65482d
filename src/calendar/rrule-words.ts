import { RRule, rrulestr } from '../lib/rrule';

/**
 * A schedule's rrule as a reviewer reads it: `FREQ=WEEKLY;BYDAY=TU,FR;BYHOUR=10;BYMINUTE=30` →
 * `every week on Tuesday, Friday at 10:30`. The rrule library words the days (its own `at 10`
 * drops minutes, so the times are ours, BYHOUR × BYMINUTE); a rule it cannot word fully is
 * given as written. Pure text: no dates are expanded, so the process zone plays no part.
 */
export function rruleWords(rule: string): string {
  try {
    const { byhour, byminute, bysecond: _s, ...rest } = rrulestr(rule).origOptions;
    const days = new RRule(rest);
    if (!days.isFullyConvertibleToText()) return rule;
    const hours = list(byhour);
    const minutes = list(byminute);
    const times = hours.flatMap((h) => (minutes.length ? minutes : [0]).map((m) => `${pad(h)}:${pad(m)}`));
    const at = times.length ? ` at ${times.join(', ')}` : minutes.length ? ` at minute ${minutes.join(', ')} of every hour` : '';
    return `${days.toText()}${at}`;
  } catch {
    return rule;
  }
}

const list = (v: number | number[] | null | undefined): number[] =>
  v === null || v === undefined ? [] : Array.isArray(v) ? [...v].sort((a, b) => a - b) : [v];
const pad = (n: number) => String(n).padStart(2, '0');

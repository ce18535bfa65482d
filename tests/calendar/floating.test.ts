import { describe, expect, it } from 'vitest';
import { reference } from './fixtures';
import { DEFAULT_ANCHOR, floatingBetween } from '../../src/calendar/floating';
import { parseLocal } from '../../src/calendar/zone';

const rules = [
  ['FREQ=WEEKLY;INTERVAL=3;BYDAY=TU,TH;BYHOUR=10', '2026-01-15T09:00'],
  ['FREQ=DAILY;INTERVAL=4;BYHOUR=8,20;BYMINUTE=15', '2025-06-30T23:00'],
  ['FREQ=HOURLY;INTERVAL=5;BYMINUTE=30', '2026-02-01T03:00'],
  ['FREQ=MONTHLY;INTERVAL=3;BYDAY=2TU;BYHOUR=9', '2026-01-15T09:00'],
  ['FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=18', '2024-05-10T00:00'],
  ['FREQ=MONTHLY;INTERVAL=2', '2025-01-31T07:45'], // day 31: never moved
  ['FREQ=YEARLY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=29', '2000-01-01T00:00'],
  ['FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO', '2003-03-03T12:00'],
  ['FREQ=YEARLY;BYMONTH=11;BYDAY=4TH;BYHOUR=10', '2020-11-27T00:00'],
] as const;

const windows = [
  ['2026-03-01T00:00', '2026-05-01T00:00'],
  ['2027-12-20T00:00', '2028-03-15T00:00'],
  ['2031-07-04T13:00', '2032-07-04T13:00'],
] as const;

describe('floatingBetween skips ahead without changing the answer', () => {
  for (const [rule, start] of rules) {
    it(`${rule} from ${start}`, () => {
      for (const [from, to] of windows) {
        const args = [rule, parseLocal(start), parseLocal(from), parseLocal(to)] as const;
        expect(floatingBetween(...args), `${from}…${to}`).toEqual(reference(...args));
      }
      const whole = floatingBetween(rule, DEFAULT_ANCHOR, parseLocal('2026-01-01'), parseLocal('2029-01-01'));
      expect(whole).toEqual(reference(rule, DEFAULT_ANCHOR, parseLocal('2026-01-01'), parseLocal('2029-01-01')));
    });
  }

  it('COUNT counts from the anchor, not from the range', () => {
    const five = floatingBetween(
      'FREQ=WEEKLY;COUNT=5;BYDAY=MO',
      parseLocal('2026-01-01'),
      parseLocal('2026-01-20'),
      parseLocal('2026-12-31'),
    );
    expect(five.map((t) => new Date(t).toISOString().slice(0, 10))).toEqual(['2026-01-26', '2026-02-02']);
  });
});

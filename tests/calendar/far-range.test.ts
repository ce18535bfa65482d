import { describe, expect, it } from 'vitest';
import { reference } from './fixtures';
import { DEFAULT_ANCHOR, type ExpansionMeter, floatingBetween, OCCURRENCE_LIMIT } from '../../src/calendar/floating';
import { expandTrigger } from '../../src/calendar/occurrences';
import { parseLocal } from '../../src/calendar/zone';
import { AppError } from '../../src/errors';

const DEC_2999 = [parseLocal('2999-12-01T00:00'), parseLocal('3000-01-01T00:00')] as const;

/** Dates rrule produced for one expansion: the work done, whatever the answer. */
function work(rule: string, anchor: number, from: number, to: number): { dates: number[]; iterated: number } {
  const meter: ExpansionMeter = { iterated: 0 };
  const dates = floatingBetween(rule, anchor, from, to, meter);
  return { dates, iterated: meter.iterated };
}

describe('the cost of an expansion follows the answer, not the distance from the start', () => {
  const cases = [
    // rule, anchor, at most this many dates iterated for December 2999
    ['FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25', DEFAULT_ANCHOR, 2],
    ['FREQ=YEARLY;INTERVAL=3;BYMONTH=12;BYDAY=1MO', parseLocal('2001-06-01T09:00'), 2],
    ['FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=9', DEFAULT_ANCHOR, 3],
    ['FREQ=MONTHLY', parseLocal('2026-01-31T10:00'), 3], // day 31: moved to a month that has it
    ['FREQ=MONTHLY;INTERVAL=2', parseLocal('2025-01-31T07:45'), 3],
    ['FREQ=YEARLY', parseLocal('2024-02-29T08:00'), 2], // leap day: moved to a leap year
    ['FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;BYHOUR=10', DEFAULT_ANCHOR, 5],
    ['FREQ=DAILY;INTERVAL=3;BYHOUR=8', DEFAULT_ANCHOR, 12],
    ['FREQ=HOURLY;INTERVAL=7', DEFAULT_ANCHOR, 110],
  ] as const;
  for (const [rule, anchor, most] of cases) {
    it(`${rule}: December 2999 takes at most ${most + 1} dates of work`, () => {
      const { dates, iterated } = work(rule, anchor, ...DEC_2999);
      expect(iterated).toBeLessThanOrEqual(most + 1);
      expect(dates.length).toBeLessThanOrEqual(iterated);
    });
  }

  it('a rule no day matches (stored before compile refused it) does no work at all, instead of rrule walking to 9999', () => {
    for (const rule of ['FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30', 'FREQ=HOURLY;BYMONTH=4;BYMONTHDAY=31', 'FREQ=MONTHLY;BYDAY=6FR']) {
      expect(work(rule, DEFAULT_ANCHOR, ...DEC_2999)).toEqual({ dates: [], iterated: 0 });
    }
    // INTERVAL from the start never reaching BYHOUR / BYDAY (Monday 2026-12-07 10:00): no work either.
    const monday = parseLocal('2026-12-07T10:00');
    for (const rule of ['FREQ=HOURLY;INTERVAL=24;BYHOUR=5', 'FREQ=DAILY;INTERVAL=7;BYDAY=TU', 'FREQ=MINUTELY;INTERVAL=30;BYMINUTE=15']) {
      expect(work(rule, monday, ...DEC_2999)).toEqual({ dates: [], iterated: 0 });
    }
    expect(work('FREQ=DAILY;INTERVAL=7;BYDAY=MO', monday, monday, parseLocal('2026-12-22T00:00')).dates).toEqual([
      monday,
      parseLocal('2026-12-14T10:00'),
      parseLocal('2026-12-21T10:00'),
    ]);
    // Rules that only look odd still expand: 29 February, the 5th Friday of February, ISO week 53.
    expect(
      work('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29', DEFAULT_ANCHOR, parseLocal('2028-01-01T00:00'), parseLocal('2029-01-01T00:00')).dates,
    ).toEqual([parseLocal('2028-02-29T00:00')]);
    expect(
      work('FREQ=MONTHLY;BYMONTH=2;BYDAY=5FR', DEFAULT_ANCHOR, parseLocal('2036-01-01T00:00'), parseLocal('2037-01-01T00:00')).dates,
    ).toEqual([parseLocal('2036-02-29T00:00')]);
    expect(
      work('FREQ=DAILY;BYWEEKNO=53;BYDAY=MO', DEFAULT_ANCHOR, parseLocal('2026-01-01T00:00'), parseLocal('2027-01-01T00:00')).dates,
    ).toEqual([parseLocal('2026-12-28T00:00')]);
  });

  it('and the answer is the one iterating from the start gives (calendar-field periods)', () => {
    for (const [rule, start] of [
      ['FREQ=MONTHLY', '2026-01-31T10:00'],
      ['FREQ=MONTHLY;INTERVAL=2', '2025-01-31T07:45'],
      ['FREQ=MONTHLY;INTERVAL=5;BYMONTHDAY=30', '2025-03-30T07:45'],
      ['FREQ=YEARLY', '2024-02-29T08:00'],
      ['FREQ=YEARLY;INTERVAL=3;BYMONTH=12;BYDAY=1MO', '2001-06-01T09:00'],
    ] as const) {
      for (const [from, to] of [DEC_2999, [parseLocal('2196-01-01T00:00'), parseLocal('2197-03-01T00:00')]] as const) {
        expect(work(rule, parseLocal(start), from, to).dates, `${rule} ${new Date(from).toISOString()}`).toEqual(
          reference(rule, parseLocal(start), from, to),
        );
      }
    }
  });

  it('COUNT still counts from the real start: a far window after the last occurrence is empty, cheaply', () => {
    const { dates, iterated } = work('FREQ=WEEKLY;COUNT=5;BYDAY=TU', DEFAULT_ANCHOR, ...DEC_2999);
    expect(dates).toEqual([]);
    expect(iterated).toBe(5);
    const near = work(
      'FREQ=DAILY;COUNT=10',
      parseLocal('2026-01-01T10:00'),
      parseLocal('2026-01-08T00:00'),
      parseLocal('2026-02-01T00:00'),
    );
    expect(near.dates.map((t) => new Date(t).toISOString().slice(0, 10))).toEqual(['2026-01-08', '2026-01-09', '2026-01-10']);
  });

  it('a COUNT rule that would need more than the limit from its start to reach the window is refused, not walked', () => {
    let caught: unknown;
    const meter: ExpansionMeter = { iterated: 0 };
    try {
      floatingBetween(`FREQ=HOURLY;COUNT=${10 * OCCURRENCE_LIMIT}`, DEFAULT_ANCHOR, ...DEC_2999, meter);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('bad_request');
    expect((caught as AppError).message).toMatch(/from its start/);
    expect(meter.iterated).toBeLessThanOrEqual(OCCURRENCE_LIMIT + 1);
  });

  it('expandTrigger: the sample newsletter (weekly, no start) in December 2999 iterates a handful of dates', () => {
    const meter: ExpansionMeter = { iterated: 0 };
    const instants = expandTrigger(
      { kind: 'schedule', rrule: 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0', timezone: 'contact' },
      { from: new Date('2999-12-01T00:00:00Z'), to: new Date('3000-01-01T00:00:00Z') },
      'Europe/Warsaw',
      meter,
    );
    expect(instants.map((d) => d.toISOString())).toEqual([
      '2999-12-03T09:00:00.000Z',
      '2999-12-10T09:00:00.000Z',
      '2999-12-17T09:00:00.000Z',
      '2999-12-24T09:00:00.000Z',
      '2999-12-31T09:00:00.000Z',
    ]);
    expect(meter.iterated).toBeLessThanOrEqual(8);
  });
});

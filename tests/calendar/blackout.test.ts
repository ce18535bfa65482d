import { describe, expect, it } from 'vitest';
import { blackoutOn, blackoutsBetween, heldBy, nextAllowedInstant } from '../../src/calendar/blackout';
import { seasonsOn } from '../../src/calendar/seasons';
import { at, emptyCalendar, sampleProject } from './fixtures';

const W = 'Europe/Warsaw';
const NY = 'America/New_York';
const calendar = emptyCalendar({
  quietHours: { fromMinute: 21 * 60, toMinute: 8 * 60 },
  blackout: [
    { date: '2026-12-25', reason: 'Christmas' },
    { date: '2026-12-26', reason: 'Boxing Day' },
    { rrule: 'FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1', reason: 'New Year' },
  ],
  seasons: [{ name: 'Black Friday', from: '2026-11-27', to: '2026-11-30' }],
});

describe('blackoutOn', () => {
  it('covers whole local days in the calendar zone', () => {
    expect(blackoutOn(at('2026-12-25T00:00', W), calendar)).toEqual({ reason: 'Christmas' });
    expect(blackoutOn(at('2026-12-25T23:59', W), calendar)).toEqual({ reason: 'Christmas' });
    expect(blackoutOn(at('2026-12-24T23:59', W), calendar)).toBeNull();
    expect(blackoutOn(at('2026-12-27T00:00', W), calendar)).toBeNull();
  });

  it("is the calendar's day, not the contact's: 19:00 on the 24th in New York is Christmas in Warsaw", () => {
    expect(blackoutOn(at('2026-12-24T19:00', NY), calendar)).toEqual({ reason: 'Christmas' });
    expect(blackoutOn(at('2026-12-25T19:00', NY), calendar)).toEqual({ reason: 'Boxing Day' });
    expect(blackoutOn(at('2026-12-26T19:00', NY), calendar)).toBeNull();
  });

  it('a yearly rrule blackout recurs every year', () => {
    for (const year of [2026, 2027, 2031]) expect(blackoutOn(at(`${year}-01-01T12:00`, W), calendar)).toEqual({ reason: 'New Year' });
    expect(blackoutOn(at('2027-01-02T00:00', W), calendar)).toBeNull();
  });

  it('a weekly rrule blackout marks every such weekday', () => {
    const sundays = emptyCalendar({ blackout: [{ rrule: 'FREQ=WEEKLY;BYDAY=SU', reason: 'day of rest' }] });
    const days = blackoutsBetween(sundays, '2026-11-01', '2026-12-01');
    expect([...days.keys()]).toEqual(['2026-11-01', '2026-11-08', '2026-11-15', '2026-11-22', '2026-11-29']);
  });
});

describe('nextAllowedInstant', () => {
  it('leaves an allowed instant as it is', () => {
    const due = at('2026-12-22T10:00', W);
    expect(nextAllowedInstant(due, calendar, W, { quiet: true })).toEqual(due);
  });

  it('moves a send off two blackout days and out of the quiet night after them', () => {
    const moved = nextAllowedInstant(at('2026-12-25T10:00', W), calendar, W, { quiet: true });
    expect(moved).toEqual(at('2026-12-27T08:00', W));
    expect(heldBy(at('2026-12-25T10:00', W), calendar, W, { quiet: true })).toBe('blackout: Christmas');
  });

  it('quiet hours are the contact’s, the blackout day the calendar’s', () => {
    // Warsaw midnight on the 27th is 18:00 in New York: not quiet there.
    expect(nextAllowedInstant(at('2026-12-25T10:00', NY), calendar, NY, { quiet: true })).toEqual(at('2026-12-26T18:00', NY));
  });

  it('transactional sends (quiet: false) skip quiet hours but not blackouts', () => {
    expect(nextAllowedInstant(at('2026-12-22T23:00', W), calendar, W, { quiet: false })).toEqual(at('2026-12-22T23:00', W));
    expect(nextAllowedInstant(at('2026-12-25T10:00', W), calendar, W, { quiet: false })).toEqual(at('2026-12-27T00:00', W));
  });

  it('a quiet-hour release that lands on a blackout day moves on past it', () => {
    const moved = nextAllowedInstant(at('2026-12-24T22:00', W), calendar, W, { quiet: true });
    expect(moved).toEqual(at('2026-12-27T08:00', W));
    expect(heldBy(at('2026-12-24T22:00', W), calendar, W, { quiet: true })).toBe('quiet hours');
  });

  it('a contact without a valid zone gets the calendar zone', () => {
    const due = at('2026-12-22T23:00', W);
    expect(nextAllowedInstant(due, calendar, 'Not/AZone', { quiet: true })).toEqual(at('2026-12-23T08:00', W));
    expect(nextAllowedInstant(due, calendar, null, { quiet: true })).toEqual(at('2026-12-23T08:00', W));
  });

  it('gives null, not an endless loop, when every day is blacked out', () => {
    const never = emptyCalendar({ blackout: [{ rrule: 'FREQ=DAILY', reason: 'closed' }] });
    expect(nextAllowedInstant(at('2026-12-22T10:00', W), never, W, { quiet: true })).toBeNull();
  });
});

describe('seasonsOn', () => {
  it('holds days from `from` to `to` inclusive, by date or by instant in the calendar zone', () => {
    expect(seasonsOn('2026-11-27', calendar).map((s) => s.name)).toEqual(['Black Friday']);
    expect(seasonsOn('2026-11-30', calendar).map((s) => s.name)).toEqual(['Black Friday']);
    expect(seasonsOn('2026-12-01', calendar)).toEqual([]);
    expect(seasonsOn(at('2026-11-26T20:00', NY), calendar).map((s) => s.name)).toEqual(['Black Friday']); // 02:00 on the 27th in Warsaw
  });

  it('reads the sample calendar.yaml', async () => {
    const { calendar: sample } = await sampleProject();
    expect(seasonsOn('2026-12-10', sample).map((s) => s.name)).toEqual(['Christmas']);
    expect(blackoutOn(at('2027-01-01T09:00', W), sample)).toEqual({ reason: 'New Year' });
  });
});

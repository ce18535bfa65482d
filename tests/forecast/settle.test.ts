import { describe, expect, it } from 'vitest';
import { chainRun, type ForecastCandidate, settleContact, tallyForecast } from '../../src/forecast/settle';
import type { CalendarPlan } from '../../src/dsl/plan';
import { DAY, HOUR, at, plus } from '../helpers/engine';

const calendar: CalendarPlan = {
  timezone: 'Europe/Warsaw',
  quietHours: { fromMinute: 21 * 60, toMinute: 8 * 60 },
  blackout: [{ date: '2026-12-25', reason: 'Christmas' }],
  frequencyCaps: [{ purpose: 'any', max: 1, perMs: DAY }],
  onConflict: 'defer',
  seasons: [],
};
const candidate = (campaign: string, priority: number, due: Date, weight = 1): ForecastCandidate => ({
  campaign,
  source: 'journey',
  purpose: 'email.marketing',
  priority,
  transactional: false,
  due,
  weight,
});
const when = (s: ReturnType<typeof settleContact>) => s.map((x) => [x.candidate.campaign, x.at.toISOString()]);

describe("settling predicted sends with the dispatcher's rules", () => {
  it("a send due in quiet hours goes at 08:00 in the contact's zone; Christmas moves it to the 26th", () => {
    const late = at('2026-12-01T21:30:00Z'); // 22:30 Warsaw, 16:30 New York
    expect(
      when(
        settleContact(
          { zone: 'Europe/Warsaw', weight: 1, candidates: [candidate('a', 50, late)], recent: [] },
          calendar,
          plus(late, 7 * DAY),
        ),
      ),
    ).toEqual([['a', '2026-12-02T07:00:00.000Z']]);
    expect(
      when(
        settleContact(
          { zone: 'America/New_York', weight: 1, candidates: [candidate('a', 50, late)], recent: [] },
          calendar,
          plus(late, 7 * DAY),
        ),
      ),
    ).toEqual([['a', late.toISOString()]]);
    const xmas = at('2026-12-25T11:00:00Z');
    expect(
      when(
        settleContact(
          { zone: 'Europe/Warsaw', weight: 1, candidates: [candidate('a', 50, xmas)], recent: [] },
          calendar,
          plus(xmas, 7 * DAY),
        ),
      ),
    ).toEqual([['a', '2026-12-26T07:00:00.000Z']]);
  });

  it('two sends due together: the higher priority goes, the other waits for the daily slot; a recent send blocks too', () => {
    const T = at('2026-12-01T11:00:00Z');
    const both = settleContact(
      { zone: 'Europe/Warsaw', weight: 3, candidates: [candidate('low', 10, T), candidate('high', 90, T)], recent: [] },
      calendar,
      plus(T, 7 * DAY),
    );
    expect(when(both)).toEqual([
      ['high', T.toISOString()],
      ['low', plus(T, DAY).toISOString()],
    ]);
    expect(both.map((s) => s.weight)).toEqual([3, 3]);
    const blocked = settleContact(
      {
        zone: 'Europe/Warsaw',
        weight: 1,
        candidates: [candidate('a', 50, T)],
        recent: [{ at: plus(T, -2 * HOUR), purpose: 'email.marketing' }],
      },
      calendar,
      plus(T, 7 * DAY),
    );
    expect(when(blocked)).toEqual([['a', plus(T, 22 * HOUR).toISOString()]]);
    expect(settleContact({ zone: null, weight: 1, candidates: [candidate('a', 50, T)], recent: [] }, calendar, T)).toEqual([]);
  });

  it('tallies by calendar-zone day, rounds summed fractions once, counts moved sends as deferred', () => {
    const T = at('2026-12-01T22:30:00Z'); // 23:30 Warsaw on the 1st
    const settled = [
      { candidate: candidate('a', 50, T), at: T, weight: 0.4 },
      { candidate: candidate('a', 50, T), at: T, weight: 0.4 },
      { candidate: candidate('a', 50, plus(T, -HOUR)), at: plus(T, 2 * HOUR), weight: 1 },
      { candidate: candidate('b', 50, T), at: plus(T, 30 * DAY), weight: 1 },
    ];
    expect(tallyForecast(settled, 'Europe/Warsaw', { from: at('2026-12-01T00:00:00Z'), to: at('2026-12-10T00:00:00Z') })).toEqual([
      { date: '2026-12-01', campaign: 'a', sends: 1, deferred: 0, source: 'journey' },
      { date: '2026-12-02', campaign: 'a', sends: 1, deferred: 1, source: 'journey' },
    ]);
  });
});

describe('a run’s sends follow each other (the journey waits for its send)', () => {
  const noCaps: CalendarPlan = { ...calendar, frequencyCaps: [] };
  it('a reminder held by Christmas moves the discount due a day after it by as much', () => {
    const reminder = candidate('cart', 80, at('2026-12-25T11:00:00Z')); // 12:00 Warsaw, Christmas
    const discount = candidate('cart', 80, at('2026-12-26T11:00:00Z')); // due 24 h after the reminder was due
    const contact = (candidates: ForecastCandidate[]) => ({ zone: 'Europe/Warsaw', weight: 1, candidates, recent: [] });
    // Alone, the discount would go 4 hours after the held reminder.
    expect(when(settleContact(contact([reminder, discount]), noCaps, at('2027-01-05T00:00:00Z')))).toEqual([
      ['cart', '2026-12-26T07:00:00.000Z'],
      ['cart', '2026-12-26T11:00:00.000Z'],
    ]);
    // Chained, it waits the reminder's 20 hours too: a full day after the reminder went.
    expect(when(settleContact(contact(chainRun([reminder, discount], 0)), noCaps, at('2027-01-05T00:00:00Z')))).toEqual([
      ['cart', '2026-12-26T07:00:00.000Z'],
      ['cart', '2026-12-27T07:00:00.000Z'],
    ]);
  });
});

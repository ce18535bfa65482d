import { describe, expect, it } from 'vitest';
import { forecastBroadcasts } from '../../src/forecast/broadcasts';
import type { BroadcastTrigger } from '../../src/calendar/occurrences';
import { at, emptyCalendar, sampleProject } from '../calendar/fixtures';

const W = 'Europe/Warsaw';
const audienceByZone = new Map([
  ['Europe/Warsaw', 100],
  ['America/New_York', 50],
  ['Asia/Kolkata', 10],
  ['Mars/Olympus', 5], // invalid: these contacts use the calendar zone
]);
const december = { from: at('2026-12-01T00:00', W), to: at('2027-01-01T00:00', W) };

async function newsletter() {
  const { calendar, campaign } = await sampleProject();
  const plan = campaign('newsletter');
  if (plan.trigger.kind !== 'schedule') throw new Error('the sample newsletter is a schedule');
  return { calendar, trigger: plan.trigger as BroadcastTrigger };
}

describe('forecastBroadcasts', () => {
  it('the sample newsletter in December 2026: every Tuesday, all zones, 10:00 local each', async () => {
    const { calendar, trigger } = await newsletter();
    const days = forecastBroadcasts({ campaigns: [{ id: 'newsletter', trigger, audienceByZone }], calendar, range: december });
    expect(days).toEqual(
      ['2026-12-01', '2026-12-08', '2026-12-15', '2026-12-22', '2026-12-29'].map((date) => ({
        date,
        campaign: 'newsletter',
        sends: 165,
        deferred: 0,
        blocked: 0,
      })),
    );
  });

  it('a blackout Tuesday moves every zone’s send to the next day, out of each zone’s quiet hours', async () => {
    const { calendar, trigger } = await newsletter();
    const withStockTake = { ...calendar, blackout: [...calendar.blackout, { date: '2026-12-08', reason: 'Stock-take' }] };
    const days = forecastBroadcasts({
      campaigns: [{ id: 'newsletter', trigger, audienceByZone }],
      calendar: withStockTake,
      range: december,
    });
    expect(days.map((d) => [d.date, d.sends, d.deferred])).toEqual([
      ['2026-12-01', 165, 0],
      ['2026-12-09', 165, 165], // Warsaw 08:00, New York 18:00 on the 8th (the 9th in Warsaw), Kolkata 08:00
      ['2026-12-15', 165, 0],
      ['2026-12-22', 165, 0],
      ['2026-12-29', 165, 0],
    ]);
  });

  it('counts sends moved into the range from before it', async () => {
    const { calendar, trigger } = await newsletter();
    const withStockTake = { ...calendar, blackout: [...calendar.blackout, { date: '2026-12-08', reason: 'Stock-take' }] };
    const fromThe9th = { from: at('2026-12-09T00:00', W), to: at('2026-12-16T00:00', W) };
    const days = forecastBroadcasts({
      campaigns: [{ id: 'newsletter', trigger, audienceByZone }],
      calendar: withStockTake,
      range: fromThe9th,
    });
    expect(days.map((d) => [d.date, d.sends])).toEqual([
      ['2026-12-09', 165],
      ['2026-12-15', 165],
    ]);
  });

  it('a broadcast fixed to Warsaw time reaches New York at night and waits for its quiet hours to end', () => {
    const calendar = emptyCalendar({ quietHours: { fromMinute: 21 * 60, toMinute: 8 * 60 } });
    const trigger: BroadcastTrigger = { kind: 'at', at: '2026-12-03T09:00', timezone: W };
    const audience = new Map([
      [W, 10],
      ['America/New_York', 4], // 03:00 there → 08:00 New York = 14:00 Warsaw, same day
      ['Pacific/Auckland', 2], // 21:00 there → 08:00 next day = 20:00 Warsaw, same day
    ]);
    const days = forecastBroadcasts({ campaigns: [{ id: 'flash-sale', trigger, audienceByZone: audience }], calendar, range: december });
    expect(days).toEqual([{ date: '2026-12-03', campaign: 'flash-sale', sends: 16, deferred: 6, blocked: 0 }]);
  });

  it('transactional broadcasts ignore quiet hours and blackouts; rows sort by date then campaign', () => {
    const calendar = emptyCalendar({
      quietHours: { fromMinute: 21 * 60, toMinute: 8 * 60 },
      blackout: [{ date: '2026-12-03', reason: 'x' }],
    });
    const notice: BroadcastTrigger = { kind: 'at', at: '2026-12-03T23:00', timezone: W };
    const promo: BroadcastTrigger = { kind: 'at', at: '2026-12-02T12:00', timezone: W };
    const audience = new Map([[W, 3]]);
    const days = forecastBroadcasts({
      campaigns: [
        { id: 'terms-update', trigger: notice, audienceByZone: audience, transactional: true },
        { id: 'promo', trigger: promo, audienceByZone: audience },
        { id: 'another', trigger: promo, audienceByZone: audience },
      ],
      calendar,
      range: december,
    });
    expect(days.map((d) => [d.date, d.campaign, d.sends, d.deferred])).toEqual([
      ['2026-12-02', 'another', 3, 0],
      ['2026-12-02', 'promo', 3, 0],
      ['2026-12-03', 'terms-update', 3, 0],
    ]);
  });

  it('reports sends that can never go as blocked', () => {
    const calendar = emptyCalendar({ blackout: [{ rrule: 'FREQ=DAILY', reason: 'closed' }] });
    const trigger: BroadcastTrigger = { kind: 'at', at: '2026-12-03T09:00', timezone: W };
    const days = forecastBroadcasts({ campaigns: [{ id: 'x', trigger, audienceByZone: new Map([[W, 7]]) }], calendar, range: december });
    expect(days).toEqual([{ date: '2026-12-03', campaign: 'x', sends: 0, deferred: 0, blocked: 7 }]);
  });
});

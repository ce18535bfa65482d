import { describe, expect, it } from 'vitest';
import { compareForecasts } from '../../src/forecast/compare';
import type { ForecastRow } from '../../src/forecast/settle';

const row = (date: string, campaign: string, sends: number, source: ForecastRow['source'] = 'broadcast'): ForecastRow => ({
  date,
  campaign,
  sends,
  deferred: 0,
  source,
});

describe('compareForecasts', () => {
  it('sums a campaign’s sources per day, lists only the days that change, and totals both sides', () => {
    const before = [row('2026-12-01', 'news', 10), row('2026-12-01', 'cart', 2, 'journey'), row('2026-12-02', 'cart', 1, 'journey')];
    const after = [
      row('2026-12-02', 'news', 10),
      row('2026-12-01', 'cart', 1, 'journey'),
      row('2026-12-01', 'cart', 1, 'broadcast'),
      row('2026-12-02', 'cart', 1, 'journey'),
      row('2026-12-03', 'flash', 5),
    ];
    expect(compareForecasts(before, after, { from: '2026-11-30', days: 30, timezone: 'Europe/Warsaw' })).toEqual({
      from: '2026-11-30',
      to: '2026-12-29',
      timezone: 'Europe/Warsaw',
      days: 30,
      campaigns: [
        { campaign: 'cart', before: 3, after: 3, days: [] },
        { campaign: 'flash', before: 0, after: 5, days: [{ date: '2026-12-03', before: 0, after: 5 }] },
        {
          campaign: 'news',
          before: 10,
          after: 10,
          days: [
            { date: '2026-12-01', before: 10, after: 0 },
            { date: '2026-12-02', before: 0, after: 10 },
          ],
        },
      ],
      total: { before: 13, after: 18 },
    });
  });
});

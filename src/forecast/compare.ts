import { addDays } from '../calendar/zone';
import type { ForecastRow } from './settle';

/** One campaign's forecast sends before → after a change: over the whole window, and the days that differ. */
export interface CampaignForecastChange {
  campaign: string;
  before: number;
  after: number;
  /** Only the days whose count differs, in date order. */
  days: Array<{ date: string; before: number; after: number }>;
}

/** What `almanac plan --forecast` shows: the window, every campaign with a send on either side, the totals. */
export interface ForecastComparison {
  /** First and last day of the window (YYYY-MM-DD, both inclusive) in `timezone`. */
  from: string;
  to: string;
  timezone: string;
  days: number;
  /** Every campaign with a send before or after, by campaign id. */
  campaigns: CampaignForecastChange[];
  total: { before: number; after: number };
}

/**
 * Pure: two forecasts of the same window (rows dated in the same zone) side by side, per
 * campaign and day, summed over sources (a campaign's broadcast and journey sends are one count).
 */
export function compareForecasts(
  before: ForecastRow[],
  after: ForecastRow[],
  window: { from: string; days: number; timezone: string },
): ForecastComparison {
  const perDay = (rows: ForecastRow[]) => {
    const out = new Map<string, Map<string, number>>();
    for (const r of rows) {
      const days = out.get(r.campaign) ?? new Map<string, number>();
      days.set(r.date, (days.get(r.date) ?? 0) + r.sends);
      out.set(r.campaign, days);
    }
    return out;
  };
  const [b, a] = [perDay(before), perDay(after)];
  const sum = (m: Map<string, number> | undefined) => [...(m?.values() ?? [])].reduce((x, y) => x + y, 0);
  const campaigns = [...new Set([...b.keys(), ...a.keys()])].sort().map((campaign): CampaignForecastChange => {
    const [was, will] = [b.get(campaign), a.get(campaign)];
    const dates = [...new Set([...(was?.keys() ?? []), ...(will?.keys() ?? [])])].sort();
    const days = dates
      .map((date) => ({ date, before: was?.get(date) ?? 0, after: will?.get(date) ?? 0 }))
      .filter((d) => d.before !== d.after);
    return { campaign, before: sum(was), after: sum(will), days };
  });
  return {
    from: window.from,
    to: addDays(window.from, window.days - 1),
    timezone: window.timezone,
    days: window.days,
    campaigns,
    total: { before: campaigns.reduce((x, c) => x + c.before, 0), after: campaigns.reduce((x, c) => x + c.after, 0) },
  };
}

import type { EntryHour } from '../storage/forecast';
import type { CampaignPlan } from '../dsl/plan';
import type { ForecastCandidate } from './settle';
import { type BroadcastTrigger, expandTrigger } from '../calendar/occurrences';
import type { ExpansionMeter } from '../calendar/floating';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** How far back the trigger rate looks. */
export const RATE_WINDOW_DAYS = 14;

/** A campaign's fields a candidate carries. */
export const candidateOf = (
  plan: Pick<CampaignPlan, 'id' | 'purpose' | 'priority'>,
  source: ForecastCandidate['source'],
  due: Date,
  weight: number,
): ForecastCandidate => ({
  campaign: plan.id,
  source,
  purpose: plan.purpose,
  priority: plan.priority,
  transactional: plan.purpose === 'email.transactional',
  due,
  weight,
});

/**
 * A broadcast's sends to one contact (or one group of contacts in the same `zone`, which must be
 * valid: resolve with `zoneOrFallback`) from every occurrence the engine has not fanned out yet:
 * after `since` (its watermark, or the catch-up floor when that is later) and before `horizon`.
 * One that already fell due fans out at the next tick, so it is due at `now`. `weight` is the
 * share not held out. `meter` counts the expansion's work.
 */
export function broadcastCandidates(
  plan: CampaignPlan & { trigger: BroadcastTrigger },
  zone: string,
  o: { since: Date; now: Date; horizon: Date; weight: number; meter?: ExpansionMeter },
): ForecastCandidate[] {
  if (!(o.horizon > o.since)) return [];
  return expandTrigger(plan.trigger, { from: new Date(o.since.getTime() + 1), to: o.horizon }, zone, o.meter).map((instant) =>
    candidateOf(plan, 'broadcast', instant < o.now ? o.now : instant, o.weight),
  );
}

export type { EntryHour };

/**
 * Future entries of a triggered campaign: the recent trigger rate, kept by hour of the day so
 * the daily rhythm (and so quiet hours) carries over. Each hour that saw `count` entries over
 * `observedDays` days is expected to see `count / observedDays` again every day, at the same
 * mean minute, from `now` to `horizon`. `observedDays` is the rate window, or less for a campaign
 * applied more recently, but at least one day (so two entries in a new campaign's first hour are
 * not read as 48 a day). With `from` (a window further ahead), slots start there instead of at
 * `now`: the days in between are never walked.
 */
export function entrySlots(
  hours: EntryHour[],
  observedDays: number,
  now: Date,
  horizon: Date,
  from: Date = now,
): Array<{ at: Date; zone: string | null; weight: number }> {
  const days = Math.max(1, Math.min(RATE_WINDOW_DAYS, observedDays));
  const out: Array<{ at: Date; zone: string | null; weight: number }> = [];
  const after = Math.max(now.getTime(), from.getTime());
  const firstDay = Math.floor(after / DAY_MS) * DAY_MS;
  for (let day = firstDay; day < horizon.getTime(); day += DAY_MS) {
    for (const h of hours) {
      const at = day + h.hour * HOUR_MS + Math.round(h.meanSecond * 1000);
      if (at > after && at < horizon.getTime() && h.count > 0) out.push({ at: new Date(at), zone: h.zone, weight: h.count / days });
    }
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime());
}

import type { CampaignPlan } from '../dsl/plan';
import { cmp } from './local-time';
import type { NotEntered } from './not-entered';
import type { TimelineEntry } from './timeline';

/**
 * One campaign's simulation in numbers, after the timeline: `entered` runs (holdouts apart),
 * `held_out` (the lift group: a run, no mail), `not_entered` (contacts with no run at all, see
 * NotEntered; holdouts not counted again), sends by outcome — `sent`, `held` (deferred at least
 * once by quiet hours, a blackout or a cap, whatever became of them), `cancelled`, `suppressed`,
 * `failed` —, `ended`: how its runs ended, by reason (still-running runs as `running`), and
 * `outcomes`: every timeline line counted by outcome, kinds added later included.
 */
export interface CampaignSummary {
  campaign: string;
  entered: number;
  held_out: number;
  not_entered: number;
  sent: number;
  held: number;
  cancelled: number;
  suppressed: number;
  failed: number;
  ended: Array<{ reason: string; words: string; runs: number }>;
  outcomes: Record<string, number>;
}

/** Every campaign of the project (those nothing happened to as well), by id; counts in a fixed key order. */
export function summarize(
  campaigns: readonly CampaignPlan[],
  timeline: readonly TimelineEntry[],
  notEntered: readonly NotEntered[],
): CampaignSummary[] {
  const ids = [...new Set([...campaigns.map((c) => c.id), ...timeline.map((e) => e.campaign)])].sort(cmp);
  return ids.map((campaign) => {
    const mine = timeline.filter((e) => e.campaign === campaign);
    const count = (outcome: string) => mine.filter((e) => e.outcome === outcome).length;
    const ended = new Map<string, { reason: string; words: string; runs: number }>();
    for (const e of mine) {
      if (e.outcome !== 'completed' && e.outcome !== 'exited' && e.outcome !== 'running') continue;
      const reason = e.reason ?? e.outcome;
      // Still-running lines differ by where each run stands; their group reads as one.
      const words =
        e.outcome === 'running'
          ? 'still running when the simulation ended'
          : e.outcome === 'completed'
            ? `completed: ${e.detail}`
            : e.detail;
      const group = ended.get(reason) ?? { reason, words, runs: 0 };
      group.runs++;
      ended.set(reason, group);
    }
    const outcomes: Record<string, number> = {};
    for (const o of [...new Set(mine.map((e) => e.outcome))].sort(cmp)) outcomes[o] = count(o);
    return {
      campaign,
      entered: count('entered'),
      held_out: count('holdout'),
      not_entered: notEntered.filter((n) => n.campaign === campaign && !n.reason.split(',').includes('holdout')).length,
      sent: count('sent'),
      held: mine.filter((e) => e.held).length,
      cancelled: count('cancelled'),
      suppressed: count('suppressed'),
      failed: count('failed'),
      ended: [...ended.values()].sort((a, b) => b.runs - a.runs || cmp(a.reason, b.reason)),
      outcomes,
    };
  });
}

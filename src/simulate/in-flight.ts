import type { CampaignPlan } from '../dsl/plan';
import type { Tx } from '../storage/db';
import { readTimelineRuns } from '../storage/timeline';
import { iso, localTime } from './local-time';
import { stepLabeller } from './step-labels';
import { contactZones, sortTimeline, type TimelineEntry } from './timeline';

/**
 * The runs still going when the clock stopped at `until`, one `running` line each at that
 * instant, saying where the run stands: `still running: waiting (wait 2d) until Thu … ` or
 * `still running: waiting for email.clicked until …` or `still running: its send (send
 * cart-reminder) has not gone out yet`. Kept apart from readTimeline (what the tables say has
 * happened, the same under the runtime) because it depends on where the simulation stopped.
 */
export async function readInFlight(tx: Tx, campaigns: readonly CampaignPlan[], until: Date): Promise<TimelineEntry[]> {
  const labelOf = stepLabeller(campaigns);
  const zoneOf = await contactZones(tx);
  const out: TimelineEntry[] = [];
  for (const r of await readTimelineRuns(tx)) {
    if (r.status !== 'active') continue;
    const zone = zoneOf(r.contact);
    const step = r.at_step ?? '-';
    const label = labelOf(r.campaign, step);
    const wake = r.wake_at ? localTime(r.wake_at, zone) : undefined;
    const where =
      r.phase === 'sleeping' && wake
        ? `waiting (${label}) until ${wake}`
        : r.phase === 'awaiting' && wake
          ? `waiting (${label}) until ${wake} at the latest`
          : r.phase === 'sending'
            ? `its send (${label}) has not gone out yet`
            : `next: ${label}`;
    const time = iso(until);
    out.push({
      time,
      local: localTime(time, zone),
      contact: r.contact,
      campaign: r.campaign,
      step,
      label,
      outcome: 'running',
      detail: `still running when the simulation ended: ${where}`,
      reason: 'running',
    });
  }
  return sortTimeline(out);
}

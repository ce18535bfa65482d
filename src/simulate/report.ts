import type { NotEntered } from './not-entered';
import type { SimulationResult } from './run';
import type { CampaignSummary } from './summary';
import type { TimelineEntry } from './timeline';
import { iso } from './local-time';

/**
 * What every `almanac simulate --format` prints, and exactly what `--format json` is: the window
 * (UTC), the timeline with the still-running runs at its end (each line's UTC `time` beside its
 * `local` time), the contacts who did not enter and why, and the per-campaign summary. Built
 * only from the simulation's result, in a fixed order: the same input gives the same bytes.
 */
export interface SimulationReport {
  from: string;
  to: string;
  timeline: TimelineEntry[];
  not_entered: NotEntered[];
  summary: CampaignSummary[];
}

export function simulationReport(
  result: Pick<SimulationResult, 'timeline' | 'inFlight' | 'notEntered' | 'summary'>,
  window: { from: Date; to: Date },
): SimulationReport {
  return {
    from: iso(window.from),
    to: iso(window.to),
    timeline: [...result.timeline, ...result.inFlight],
    not_entered: result.notEntered,
    summary: result.summary,
  };
}

export const formatJson = (report: SimulationReport) => `${JSON.stringify(report, null, 2)}\n`;

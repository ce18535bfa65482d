import type { Metrics } from '../metrics';
import { createBroadcastsPhase } from '../scheduler/broadcasts-phase';
import { createEventsPhase } from '../scheduler/events-phase';
import { createPlanCache } from '../scheduler/plans';
import { createRunsPhase } from '../scheduler/runs-phase';
import { createSegmentsPhase } from '../scheduler/segments-phase';
import type { TickPhase } from '../scheduler/tick';
import type { Database } from '../storage/db';

export interface EngineOptions {
  database: Database;
  metrics: Metrics;
  batchSize: number;
  /** How often segments are re-evaluated in full (between, only contacts with new events). */
  segmentPassMs: number;
  /** The dispatch phase (src/scheduler/dispatch.ts), when sends should go out in this process. */
  dispatch?: TickPhase;
  onRunError?: (runId: number | undefined, err: unknown) => void;
}

/**
 * The phases of one tick, in order: events become runs and resume waiting ones; segment
 * membership changes start runs; broadcast occurrences that fell due start runs; due runs step;
 * queued sends go out. `npm start`, `almanac
 * worker`, Workers' `scheduled()`, `almanac simulate` and the tests all run exactly these.
 */
export function createEnginePhases(options: EngineOptions): TickPhase[] {
  const plans = createPlanCache();
  const deps = { database: options.database, plans, metrics: options.metrics, batchSize: options.batchSize, onRunError: options.onRunError };
  return [
    createEventsPhase(deps),
    createSegmentsPhase({ ...deps, fullPassMs: options.segmentPassMs }),
    createBroadcastsPhase(deps),
    createRunsPhase(deps),
    ...(options.dispatch ? [options.dispatch] : []),
  ];
}

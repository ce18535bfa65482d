import { createPlanCache } from '../campaigns/plan-cache';
import type { Logger } from '../lib/log';
import type { Metrics } from '../metrics';
import type { CurrencyRule } from '../attribution/currency';
import { type AnalyticsConfig, loadConfig } from '../config';
import { createAnalyticsPhase } from '../scheduler/analytics-phase';
import { createAttributionPhase } from '../scheduler/attribution-phase';
import { createBroadcastsPhase } from '../scheduler/broadcasts-phase';
import { createDispatcher, type DispatcherOptions } from '../scheduler/dispatch';
import { createEventsPhase } from '../scheduler/events-phase';
import { createRollupsPhase } from '../scheduler/rollups-phase';
import { createRunsPhase } from '../scheduler/runs-phase';
import { createSegmentsPhase } from '../scheduler/segments-phase';
import { createTick, type TickPhase } from '../scheduler/tick';
import { createWebhooksPhase, type WebhooksPhaseOptions } from '../scheduler/webhooks-phase';
import type { Database } from '../storage/db';
import type { TrackingRecorder } from '../tracking/recorder';

export interface EngineOptions {
  database: Database;
  metrics: Metrics;
  batchSize: number;
  /** How often segments are re-evaluated in full (between, only contacts with new events). */
  segmentPassMs: number;
  /** The dispatch phase (src/scheduler/dispatch.ts), when sends should go out in this process. */
  dispatch?: TickPhase;
  /** The webhooks phase (src/scheduler/webhooks-phase.ts): the `webhook` steps' calls, right after dispatch. */
  webhooks?: TickPhase;
  onRunError?: (runId: number | undefined, err: unknown) => void;
  /** Customer analytics settings (LIFECYCLE_*, costs…) and the report currency; absent → the defaults, per currency. */
  analytics?: AnalyticsConfig;
  money?: CurrencyRule;
}

/**
 * The phases of one tick, in order: customer analytics (lifecycle stages, RFM, value,
 * predictions) for contacts with new orders; events become runs and resume waiting ones; segment
 * membership changes start runs; broadcast occurrences that fell due start runs; due runs step;
 * queued sends go out, then webhook steps' calls; orders are credited to the campaigns that earned them; the report
 * rollups' deltas are folded. `npm start`, `almanac worker`, Workers' `scheduled()`, `almanac simulate`
 * and the tests all run exactly these.
 */
export function createEnginePhases(options: EngineOptions): TickPhase[] {
  const plans = createPlanCache();
  const deps = {
    database: options.database,
    plans,
    metrics: options.metrics,
    batchSize: options.batchSize,
    onRunError: options.onRunError,
  };
  return [
    // First: its lifecycle.changed events are handled by this tick's events phase, the stage is
    // there for segments, and attribution (last) has not yet marked the new orders it looks for.
    createAnalyticsPhase({
      ...deps,
      settings: options.analytics ?? loadConfig({}).analytics,
      money: options.money ?? { shop: null, rates: {} },
    }),
    createEventsPhase(deps),
    createSegmentsPhase({ ...deps, fullPassMs: options.segmentPassMs }),
    createBroadcastsPhase(deps),
    createRunsPhase(deps),
    ...(options.dispatch ? [options.dispatch] : []),
    ...(options.webhooks ? [options.webhooks] : []),
    createAttributionPhase(deps),
    createRollupsPhase(deps),
  ];
}

/** What the dispatcher needs beyond the parts every phase shares. */
export type DispatchSettings = Omit<DispatcherOptions, 'database' | 'metrics' | 'log' | 'batchSize'>;
/** What the webhooks phase needs beyond the parts every phase shares. */
export type WebhookSettings = Omit<WebhooksPhaseOptions, 'database' | 'metrics' | 'log' | 'batchSize'>;

/**
 * The engine: every phase and, with `dispatch`, the dispatcher (with `webhooks`, the webhooks
 * phase), as one `tick(now)`. The one place the dispatcher is built: `serve`/`worker`/Workers (./services.ts) and `simulate`
 * (./simulation.ts) differ only in the settings they pass.
 */
export function buildEngine(
  o: Omit<EngineOptions, 'dispatch' | 'webhooks'> & {
    log: Logger;
    dispatch?: DispatchSettings;
    webhooks?: WebhookSettings;
    recorder?: TrackingRecorder;
  },
) {
  const { dispatch: settings, webhooks: hooks, log, recorder, ...shared } = o;
  const parts = { database: o.database, metrics: o.metrics, log, batchSize: o.batchSize };
  const dispatch = settings ? createDispatcher({ ...settings, ...parts }) : undefined;
  const webhooks = hooks ? createWebhooksPhase({ ...hooks, ...parts }) : undefined;
  // Queued clicks and opens are written first, so this tick's events phase hands them to their runs.
  const tracking: TickPhase[] = recorder ? [{ name: 'tracking', run: () => recorder.flush() }] : [];
  return createTick(
    [...tracking, ...createEnginePhases({ ...shared, ...(dispatch ? { dispatch } : {}), ...(webhooks ? { webhooks } : {}) })],
    o.metrics,
  );
}

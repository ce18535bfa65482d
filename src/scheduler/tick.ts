import type { Metrics } from '../metrics';

/**
 * One phase of a tick: does the work due at `now` and returns how many items it handled.
 * Phases are registered by the domains that own them (journeys step due runs, the dispatcher
 * sends queued messages, …) and run in the order given.
 */
export interface TickPhase {
  name: string;
  run(now: Date): Promise<number>;
}

export type TickResult = Record<string, number>;

/**
 * `tick(now)`: the single entry point the Node cron loop, the Workers `scheduled()` handler and
 * `almanac simulate`'s virtual clock all call. A failing phase is counted and rethrown after the
 * remaining phases have run, so one broken area does not starve the others.
 */
export function createTick(phases: TickPhase[], metrics: Metrics) {
  metrics.declare('almanac_ticks_total', 'counter', 'Scheduler ticks run');
  metrics.declare('almanac_tick_failures_total', 'counter', 'Scheduler ticks in which a phase failed');
  return async function tick(now: Date): Promise<TickResult> {
    const result: TickResult = {};
    const failures: unknown[] = [];
    for (const phase of phases) {
      try {
        result[phase.name] = await phase.run(now);
        metrics.inc('almanac_tick_items_total', 'Items handled by scheduler phases', { phase: phase.name }, result[phase.name]);
      } catch (err) {
        failures.push(err);
        metrics.inc('almanac_tick_phase_failures_total', 'Scheduler phases that threw', { phase: phase.name });
      }
    }
    metrics.inc('almanac_ticks_total', 'Scheduler ticks run');
    metrics.set('almanac_last_tick_timestamp_seconds', 'When the last tick ran (its `now`)', now.getTime() / 1000);
    if (failures.length > 0) {
      metrics.inc('almanac_tick_failures_total', 'Scheduler ticks in which a phase failed');
      throw failures.length === 1 ? failures[0] : new AggregateError(failures, `${failures.length} tick phases failed`);
    }
    return result;
  };
}

export type Tick = ReturnType<typeof createTick>;

/**
 * A phase that works in batches (each its own transaction): run `batch(now)` until one handles
 * fewer than `batchSize` items, at most `maxBatches` times, so one tick cannot run forever under
 * a flood and the rest waits for the next tick.
 */
export function batchedPhase(
  name: string,
  options: { batchSize: number; maxBatches?: number; concurrency?: number },
  batch: (now: Date) => Promise<number>,
): TickPhase {
  const max = options.maxBatches ?? 20;
  const width = Math.max(1, options.concurrency ?? 1);
  return {
    name,
    async run(now) {
      let total = 0;
      for (let i = 0; i < max; i += width) {
        // `width` batches at once (each its own transaction; SKIP LOCKED keeps their claims apart).
        const done = await Promise.all(Array.from({ length: Math.min(width, max - i) }, () => batch(now)));
        for (const n of done) total += n;
        if (done.some((n) => n < options.batchSize)) break;
      }
      return total;
    },
  };
}

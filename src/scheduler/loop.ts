import cron from 'node-cron';
import type { Tick } from './tick';

export interface LoopOptions {
  tick: Tick;
  /** Wall clock in production; `tick` receives whatever this returns. */
  clock: () => Date;
  intervalSeconds: number;
  onError: (err: unknown) => void;
}

/**
 * Calls `tick(clock())` every `intervalSeconds` under node-cron. Ticks never overlap (a tick
 * still running when the next is due makes that one a no-op), and `stop()` stops claiming new
 * work and resolves once the tick in flight has finished, for graceful shutdown.
 */
export function startLoop(options: LoopOptions) {
  let inFlight: Promise<void> | undefined;
  let stopped = false;
  const runOnce = () => {
    if (stopped || inFlight) return;
    inFlight = options
      .tick(options.clock())
      .then(() => undefined, options.onError)
      .finally(() => {
        inFlight = undefined;
      });
  };
  const task = cron.schedule(`*/${options.intervalSeconds} * * * * *`, runOnce, { name: 'almanac-tick' });
  return {
    /** Run a tick now (e.g. right after start-up) unless one is running. */
    kick: runOnce,
    async stop(): Promise<void> {
      stopped = true;
      await task.stop();
      await task.destroy();
      await inFlight;
    },
  };
}

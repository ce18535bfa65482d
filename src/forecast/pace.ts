import type { ExpansionMeter } from '../calendar/floating';

/** Work units between two yields to the event loop. */
export const PACE_EVERY = 2_000;

/** The reason a paced loop stops when its signal aborts without one of its own. */
export class WorkAborted extends Error {
  constructor() {
    super('the work was abandoned (its request deadline passed)');
    this.name = 'WorkAborted';
  }
}

const yieldNow = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

/**
 * Paces the read models' long synchronous loops (rrule expansion, the forecast's per-contact
 * settling): `await pace.step(n)` counts `n` units of work and, every `every` units, yields to the
 * event loop (so a request deadline, `/healthz` and SIGTERM keep being served) and stops the work
 * with the signal's reason once it is aborted. `meter` is handed to the pure calendar core, whose
 * expansions count there. `spent` is all the work done: a seam for tests that the cost follows
 * the answer.
 */
export class Pace {
  readonly meter: ExpansionMeter = { iterated: 0 };
  private own = 0;
  private lastYield = 0;
  private readonly every: number;
  private readonly signal: AbortSignal | undefined;

  constructor(options: { every?: number; signal?: AbortSignal } = {}) {
    this.every = Math.max(1, options.every ?? PACE_EVERY);
    this.signal = options.signal;
  }

  get spent(): number {
    return this.own + this.meter.iterated;
  }

  /** Throws the signal's reason when aborted (without yielding). */
  check(): void {
    if (this.signal?.aborted) throw this.signal.reason instanceof Error ? this.signal.reason : new WorkAborted();
  }

  async step(units = 1): Promise<void> {
    this.own += units;
    if (this.spent - this.lastYield < this.every) return;
    this.lastYield = this.spent;
    this.check();
    await yieldNow();
    this.check();
  }
}

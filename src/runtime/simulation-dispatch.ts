import { join, resolve } from 'node:path';
import type { Project } from '../dsl/plan';
import type { Metrics } from '../metrics';
import { createRenderer } from '../render/renderer';
import { createDispatcher } from '../scheduler/dispatch';
import type { TickPhase } from '../scheduler/tick';
import { createOutboxTransport } from '../sending/outbox';
import type { Database } from '../storage/db';
import { createLogger } from './log';

/**
 * The dispatch phase `almanac simulate` runs: the real gate and renderer over the outbox
 * transport of the simulation's own in-memory database, with deterministic message ids and
 * jitter, so every send gets the outcome it would get for real and output stays byte-identical.
 */
export function simulationDispatch(_project: Project, dir: string | undefined, cwd: string) {
  const templatesDir = join(resolve(cwd, dir ?? '.'), 'templates');
  return (database: Database, metrics: Metrics): TickPhase => {
    let n = 0;
    return createDispatcher({
      database,
      transport: createOutboxTransport({ database, newId: () => `sim-${++n}` }),
      renderer: createRenderer({ templatesDir }),
      from: 'Almanac simulation <simulate@almanac.invalid>',
      suppressionKey: 'simulation',
      batchSize: 500,
      leaseMs: 60_000,
      random: () => 0.5,
      metrics,
      log: createLogger('silent'),
    });
  };
}

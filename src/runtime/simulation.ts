import { createLogger } from '../lib/log';
import { Metrics } from '../metrics';
import { createRenderer } from '../render/renderer-files';
import { createOutboxTransport } from '../sending/outbox';
import { SIMULATION_SEGMENT_PASS_MS, type SimulationRequest, type SimulationResult, simulate } from '../simulate/run';
import { openMemoryDatabase } from './database';
import { buildEngine } from './engine';

/** Signs simulated webhook calls, which go nowhere: no configured secret is needed to simulate. */
const SIMULATION_WEBHOOK_SECRET = `whsec_${Buffer.from('almanac simulation, never sent').toString('base64')}`;

/**
 * `almanac simulate`'s engine: the same phases and dispatcher as `serve`, on a fresh in-memory
 * PGlite, over the outbox transport with deterministic message ids and jitter, so every send gets
 * the outcome it would get for real and the output stays byte-identical. Webhook steps' calls
 * are gated and rendered for real and answered without leaving the process.
 */
export async function runSimulation(r: SimulationRequest): Promise<SimulationResult> {
  const database = await openMemoryDatabase();
  try {
    let n = 0;
    const segmentPassMs = r.segmentPassMs ?? SIMULATION_SEGMENT_PASS_MS;
    const engineTick = buildEngine({
      database,
      metrics: new Metrics(),
      log: createLogger('silent'),
      batchSize: 500,
      segmentPassMs,
      dispatch: {
        transport: createOutboxTransport({ database, newId: () => `sim-${++n}` }),
        renderer: createRenderer({ templatesDir: r.templatesDir }),
        from: 'Almanac simulation <simulate@almanac.invalid>',
        suppressionKey: 'simulation',
        leaseMs: 60_000,
        random: () => 0.5,
      },
      // Webhook steps are gated, rendered and signed as for real, but never called: every call
      // answers 200 here, and the timeline shows it as "would call" with its body.
      webhooks: {
        caller: { post: async () => ({ kind: 'answered', status: 200 }) },
        secretFor: () => SIMULATION_WEBHOOK_SECRET,
        leaseMs: 60_000,
        random: () => 0.5,
      },
    });
    const tick = (now: Date) => (r.onTick?.(now), engineTick(now));
    return await simulate({
      database,
      tick,
      project: r.project,
      input: r.input,
      from: r.from,
      to: r.to,
      segmentPassMs,
      ...(r.maxTicks === undefined ? {} : { maxTicks: r.maxTicks }),
    });
  } finally {
    await database.close();
  }
}

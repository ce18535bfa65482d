/**
 * A dispatcher in a process of its own, for the crash tests (kill.test.ts): the real
 * `createDispatcher` on the test schema of DATABASE_URL, run once at CLAIM_AT, that never gets
 * past one point and prints when it is there, so the parent can SIGKILL it exactly then.
 *
 * MODE=after-claim: the rate limiter never admits — the batch is claimed and rendered, and no
 *   message reaches the transport ("stuck after claim").
 * MODE=in-call: the transport takes the message and never answers ("in call <send id>"), one
 *   call at a time: the provider may have it, the process dies before the outcome is written.
 */
import { Metrics } from '../../../src/metrics';
import { createLogger } from '../../../src/lib/log';
import { createRenderer } from '../../../src/render/renderer-files';
import { createDispatcher } from '../../../src/scheduler/dispatch';
import type { RateLimiter } from '../../../src/sending/rate-limit';
import type { Transport } from '../../../src/sending/transport';
import { openDb } from '../../../src/storage/open';
import { FROM, SUPPRESSION_KEY, testTemplatesDir } from './fixtures';

const mode = process.env.MODE;
const now = new Date(process.env.CLAIM_AT!);
const database = await openDb({ kind: 'postgres', url: process.env.DATABASE_URL!, schema: process.env.CLAIM_SCHEMA!, poolMax: 2 });
const hang = () => new Promise<never>(() => {});
const say = (line: string) => process.stdout.write(`${line}\n`);

const transport: Transport = {
  name: 'doomed',
  async send(message) {
    say(`in call ${message.sendId}`);
    return hang();
  },
};
const rateLimiter: RateLimiter = {
  ratePerSecond: 1,
  now: () => now,
  async acquire() {
    say('stuck after claim');
    return hang();
  },
};
const phase = createDispatcher({
  database,
  transport,
  ...(mode === 'after-claim' ? { rateLimiter } : {}),
  renderer: createRenderer({ templatesDir: testTemplatesDir }),
  from: FROM,
  suppressionKey: SUPPRESSION_KEY,
  batchSize: 500,
  leaseMs: 60_000,
  concurrency: 1,
  metrics: new Metrics(),
  log: createLogger('silent'),
});
await phase.run(now);

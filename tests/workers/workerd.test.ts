import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { has } from '../helpers/capabilities';
import { abandonCart, HOUR, httpSuite } from './http-suite';
import { type FreshDatabase, freshDatabase, startWorkerd, type Target } from './targets';

/** The HTTP suite against wrangler dev (workerd) on a fresh PostgreSQL database (npm run test:workers). */
describe.runIf(has('postgres', 'the HTTP suite on workerd'))('HTTP suite on workerd', () => {
  let database: FreshDatabase | undefined;
  let target: Target | undefined;

  beforeAll(async () => {
    database = await freshDatabase();
    target = await startWorkerd(database);
  }, 120_000);

  afterAll(async () => {
    await target?.stop();
    await database?.drop();
  }, 60_000);

  httpSuite(() => target!);

  // The harness's own promise (only workerd can keep it: Node ticks at wall time): scheduled(at)
  // is a tick at `at`. A checkout 30 minutes old is still in its `wait: 1h` at wall time, but a
  // tick two hours ahead enters it then and queues the reminder at once.
  it('scheduled(at) ticks at `at`: a tick two hours ahead is past the first wait of a 30-minute-old checkout', async () => {
    const at = new Date(Date.now() + 2 * HOUR);
    const r = await abandonCart(target!, 'time', { ago: HOUR / 2, at });
    expect(r.run.at).not.toBe('steps[0]');
    expect(r.run.started_at.getTime()).toBe(at.getTime());
    expect(r.send).toMatchObject({ template: 'cart-reminder' });
  });
});

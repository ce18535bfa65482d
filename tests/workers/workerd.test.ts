import { expect, it } from 'vitest';
import { abandonCart, describeTarget, HOUR } from './http-suite';
import { startWorkerd } from './targets';

/** The HTTP suite against wrangler dev (workerd) on a fresh PostgreSQL database (npm run test:workers). */
describeTarget('workerd', startWorkerd, (target) => {
  // The harness's own promise (only workerd can keep it: Node ticks at wall time): scheduled(at)
  // is a tick at `at`. A checkout 30 minutes old is still in its `wait: 1h` at wall time, but a
  // tick two hours ahead enters it then and queues the reminder at once.
  it('scheduled(at) ticks at `at`: a tick two hours ahead is past the first wait of a 30-minute-old checkout', async () => {
    const at = new Date(Date.now() + 2 * HOUR);
    const r = await abandonCart(target(), 'time', { ago: HOUR / 2, at });
    expect(r.run.at).not.toBe('steps[0]');
    expect(r.run.started_at.getTime()).toBe(at.getTime());
    expect(r.send).toMatchObject({ template: 'cart-reminder' });
  });
});

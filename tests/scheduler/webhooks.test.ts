import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/log';
import { Metrics } from '../../src/metrics';
import { contactTimeline } from '../../src/reports/contact-timeline';
import { createEnginePhases } from '../../src/runtime/engine';
import { createTick } from '../../src/scheduler/tick';
import { createWebhooksPhase } from '../../src/scheduler/webhooks-phase';
import type { WebhookCaller } from '../../src/sending/webhook';
import { fetchWebhookCaller } from '../../src/sending/webhook-fetch';
import { useTestDatabase } from '../helpers/db';
import { applyInline, at, ingest, MINUTE, plus, query } from '../helpers/engine';
import { webhookReceiver } from './webhook-receiver';

/**
 * Issue 17, the `webhook` step end to end: a campaign posts to a real HTTP receiver on
 * 127.0.0.1 that checks every signature with Almanac's own Standard Webhooks verifier, on a
 * virtual clock (each story has its own hour, so the clock only moves forward). Exactly once:
 * one `webhook_calls` row per run and step, one `webhook-id` for all its attempts, one delivery
 * recorded — through a 500, a lost worker and two workers at once.
 */
const t = useTestDatabase('scheduler_webhooks');
const SECRET = `whsec_${Buffer.from('a-32-byte-secret-for-the-crm-out').toString('base64')}`;
const T0 = at('2026-11-23T10:00:00Z');
let clock = T0;
let receiver: Awaited<ReturnType<typeof webhookReceiver>>;

const campaign = (url: string) => `campaign: cart-sms
purpose: email.marketing
trigger: { event: checkout.started, correlate: checkout_id }
exit_on: [ { event: order.created } ]
steps:
  - id: sms
    webhook:
      url: ${url}
      secret: crm
      body:
        to: "{{contact.phone}}"
        text: "Hi {{contact.first_name}}, your cart of {{cart.total}} {{cart.currency}} is waiting"
        total: "{{cart.total}}"
        items: "{{cart.items}}"
        campaign: "{{campaign.id}}"
  - update: { sms_step_done: true }
`;

/** One worker: the engine's phases with the webhooks phase over `caller` (the real fetch adapter by default). */
function worker(o: { caller?: WebhookCaller; secretFor?: (name: string | null) => string | undefined; timeoutMs?: number } = {}) {
  const metrics = new Metrics();
  const webhooks = createWebhooksPhase({
    database: t.database,
    caller: o.caller ?? fetchWebhookCaller(),
    secretFor: o.secretFor ?? ((name) => (name === 'crm' ? SECRET : undefined)),
    batchSize: 50,
    leaseMs: 60_000,
    ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    random: () => 0.5,
    metrics,
    log: createLogger('silent'),
  });
  return createTick(createEnginePhases({ database: t.database, metrics, batchSize: 50, segmentPassMs: 60_000, webhooks }), metrics);
}

const tick = (tickOf: ReturnType<typeof worker>, when: Date) => {
  clock = when;
  return tickOf(when);
};

/** A shopper with a phone, consent for email.marketing (unless `consent: false`) and a cart. */
async function shopper(id: string, when: Date, o: { consent?: boolean } = {}) {
  const contact = { id, email: `${id}@example.com`, attributes: { phone: `+48-${id}`, first_name: id.toUpperCase() } };
  await ingest(
    t.database,
    [
      ...(o.consent === false
        ? []
        : [
            {
              id: `${id}-c`,
              type: 'consent.granted',
              occurred_at: plus(when, -MINUTE).toISOString(),
              contact,
              properties: { purpose: 'email.marketing' },
            },
          ]),
      {
        id: `${id}-k`,
        type: 'checkout.started',
        occurred_at: when.toISOString(),
        contact,
        properties: { checkout_id: `k-${id}`, total: 129.5, currency: 'EUR', items: [{ product_id: 'p1', title: 'Mug', quantity: 2 }] },
      },
    ],
    when,
  );
}

async function callOf(id: string) {
  const [row] = await query<{
    status: string;
    attempts: number;
    webhook_id: string;
    reason: string | null;
    response_status: number | null;
  }>(
    t.database,
    sql`select w.status, w.attempts, w.webhook_id, w.reason, w.response_status from webhook_calls w
        join runs r on r.id = w.run_id join contacts c on c.id = r.contact_id where c.external_id = ${id}`,
  );
  return row;
}
async function runOf(id: string) {
  const [row] = await query<{ status: string; phase: string; done: boolean | null; calls: number }>(
    t.database,
    sql`select r.status, r.state->>'phase' as phase, (c.attributes->>'sms_step_done')::boolean as done,
          (select count(*)::int from webhook_calls w where w.run_id = r.id) as calls
        from runs r join contacts c on c.id = r.contact_id where c.external_id = ${id}`,
  );
  return row;
}

beforeAll(async () => {
  receiver = await webhookReceiver(SECRET, () => clock);
  await applyInline(t.database, { 'campaigns/cart-sms.yaml': campaign(receiver.url) }, [], T0);
});
afterAll(() => receiver.close());

describe('the webhook step, against a real receiver', () => {
  it('500 then 200: delivered once after a backoff, with the same webhook-id, a body rendered from the cart; then the run goes on', async () => {
    const w = worker();
    await shopper('ada', T0);
    receiver.answer('+48-ada', [500]);
    await tick(w, T0);
    // The first call got a 500: queued again, and the run waits for it.
    expect(await callOf('ada')).toMatchObject({ status: 'queued', attempts: 1, response_status: 500 });
    expect(await runOf('ada')).toMatchObject({ status: 'active', phase: 'sending', done: null });
    await tick(w, plus(T0, 2000)); // before the backoff (3.75 s with this jitter): nothing
    expect(receiver.deliveries.filter((d) => d.body.to === '+48-ada')).toHaveLength(1);
    await tick(w, plus(T0, 5000));
    await tick(w, plus(T0, 6000));
    const mine = receiver.deliveries.filter((d) => d.body.to === '+48-ada');
    expect(mine.map((d) => d.status)).toEqual([500, 200]);
    expect(new Set(mine.map((d) => d.webhookId)).size).toBe(1);
    expect(mine[1]!.timestamp).toBe(String(plus(T0, 5000).getTime() / 1000));
    expect(receiver.rejected).toEqual([]); // every signature verified
    expect(mine[1]!.body).toEqual({
      to: '+48-ada',
      text: 'Hi ADA, your cart of 129.5 EUR is waiting',
      total: 129.5,
      items: [{ product_id: 'p1', title: 'Mug', quantity: 2 }],
      campaign: 'cart-sms',
    });
    expect(await callOf('ada')).toMatchObject({ status: 'delivered', attempts: 2, response_status: 200, webhook_id: mine[0]!.webhookId });
    expect(await runOf('ada')).toEqual({ status: 'completed', phase: 'done', done: true, calls: 1 });

    // The contact's timeline shows the call, its run and step.
    const tl = (await contactTimeline(t.database, 'ada'))!;
    expect(tl.runs[0]!.webhooks).toEqual([
      expect.objectContaining({ step: 'sms', url: receiver.url, status: 'delivered', response_status: 200, attempts: 2 }),
    ]);
    expect(tl.entries.find((e) => e.kind === 'webhook')).toMatchObject({
      summary: `webhook POST ${receiver.url} of cart-sms: delivered (HTTP 200)`,
      why: expect.stringContaining(`step "sms" (webhook-id ${mine[0]!.webhookId}, 2 attempts), started by checkout.started`),
    });
  });

  it('a worker lost mid-call: after its lease another worker calls again with the same webhook-id; one delivery is recorded, the late answer changes nothing', async () => {
    const start = plus(T0, 3_600_000);
    await shopper('bo', start);
    const held = receiver.hold('+48-bo');
    const doomed = worker();
    const lost = tick(doomed, start); // its call reaches the receiver, whose answer is held back
    await held.arrived;
    expect(await callOf('bo')).toMatchObject({ status: 'calling', attempts: 1 });
    const healthy = worker();
    await tick(healthy, plus(start, 30_000)); // inside the lease: the call is left alone
    expect(receiver.deliveries.filter((d) => d.body.to === '+48-bo')).toHaveLength(1);
    await tick(healthy, plus(start, 61_000)); // the lease is over: queued again and called again
    await tick(healthy, plus(start, 62_000));
    expect(await callOf('bo')).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(await runOf('bo')).toEqual({ status: 'completed', phase: 'done', done: true, calls: 1 });
    held.release(); // the lost worker finally hears its 200, long after its claim ended
    await lost;
    const mine = receiver.deliveries.filter((d) => d.body.to === '+48-bo');
    expect(mine).toHaveLength(2);
    expect(mine[0]!.webhookId).toBe(mine[1]!.webhookId);
    expect([...receiver.acted.keys()].filter((id) => id === mine[0]!.webhookId)).toHaveLength(1); // the receiver acted once
    expect(await callOf('bo')).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('no answer in time: a timeout is retried with the same webhook-id, and the receiver, which had it, acts once', async () => {
    const start = plus(T0, 7 * 3_600_000);
    await shopper('iv', start);
    const held = receiver.hold('+48-iv');
    // The adapter's deadline is real time (it guards a real socket): 150 ms here.
    const w = worker({ timeoutMs: 150 });
    await tick(w, start);
    await held.arrived;
    expect(await callOf('iv')).toMatchObject({ status: 'queued', attempts: 1, response_status: null });
    held.release();
    await tick(w, plus(start, 5000));
    await tick(w, plus(start, 6000));
    const mine = receiver.deliveries.filter((d) => d.body.to === '+48-iv');
    expect(mine).toHaveLength(2);
    expect(mine[1]!.webhookId).toBe(mine[0]!.webhookId);
    expect([...receiver.acted.keys()].filter((id) => id === mine[0]!.webhookId)).toHaveLength(1);
    expect(await callOf('iv')).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(await runOf('iv')).toMatchObject({ status: 'completed', done: true });
  });

  it('two workers ticking at the same instant: one claims the call, the other skips it; one request', async () => {
    const start = plus(T0, 2 * 3_600_000);
    await shopper('cy', start);
    await shopper('di', start);
    const [a, b] = [worker(), worker()];
    await Promise.all([tick(a, start), b(start)]);
    await Promise.all([tick(a, plus(start, 1000)), b(plus(start, 1000))]);
    for (const id of ['cy', 'di']) {
      expect(receiver.deliveries.filter((d) => d.body.to === `+48-${id}`)).toHaveLength(1);
      expect(await callOf(id)).toMatchObject({ status: 'delivered', attempts: 1 });
      expect(await runOf(id)).toMatchObject({ status: 'completed', calls: 1 });
    }
  });

  it('a 400 fails the call for good (no retry); the run goes on after it', async () => {
    const start = plus(T0, 3 * 3_600_000);
    const w = worker();
    await shopper('ed', start);
    receiver.answer('+48-ed', [400]);
    await tick(w, start);
    await tick(w, plus(start, 600_000));
    expect(receiver.deliveries.filter((d) => d.body.to === '+48-ed')).toHaveLength(1);
    expect(await callOf('ed')).toMatchObject({ status: 'failed', attempts: 1, response_status: 400, reason: 'refused: answered 400' });
    expect(await runOf('ed')).toMatchObject({ status: 'completed', done: true });
  });

  it('no consent for the campaign purpose: suppressed by the gate, nothing is called; the run goes on', async () => {
    const start = plus(T0, 4 * 3_600_000);
    const w = worker();
    await shopper('fa', start, { consent: false });
    await tick(w, start);
    await tick(w, plus(start, 1000));
    expect(receiver.deliveries.filter((d) => d.body.to === '+48-fa')).toEqual([]);
    expect(await callOf('fa')).toMatchObject({ status: 'suppressed', reason: 'no consent for email.marketing (never given)' });
    expect(await runOf('fa')).toMatchObject({ status: 'completed', done: true });
  });

  it('a secret not configured where the worker runs: failed, "cannot sign", and never sent unsigned', async () => {
    const start = plus(T0, 5 * 3_600_000);
    const w = worker({ secretFor: () => undefined });
    await shopper('gu', start);
    await tick(w, start);
    expect(receiver.deliveries.filter((d) => d.body.to === '+48-gu')).toEqual([]);
    expect(await callOf('gu')).toMatchObject({ status: 'failed', reason: 'cannot sign: no secret "crm" in WEBHOOK_SECRETS' });
  });

  it('an exit before the call (the order came first): the waiting call is cancelled, never made', async () => {
    const start = plus(T0, 6 * 3_600_000);
    const w = worker();
    await shopper('hu', start);
    // The order arrives with the cart: the run starts, queues its call and ends in the same batch.
    await ingest(
      t.database,
      [
        {
          id: 'hu-o',
          type: 'order.created',
          occurred_at: start.toISOString(),
          contact: { id: 'hu' },
          properties: { checkout_id: 'k-hu', order_id: 'o-hu', total: 129.5, currency: 'EUR' },
        },
      ],
      start,
    );
    await tick(w, start);
    await tick(w, plus(start, 1000));
    expect(receiver.deliveries.filter((d) => d.body.to === '+48-hu')).toEqual([]);
    expect(await callOf('hu')).toMatchObject({ status: 'cancelled', reason: 'run exited: exit_on:order.created' });
    expect(await runOf('hu')).toMatchObject({ status: 'exited' });
  });
});

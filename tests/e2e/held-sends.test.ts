import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyProject } from '../../src/campaigns/apply';
import type { Services } from '../../src/runtime/services';
import { runSimulation } from '../../src/runtime/simulation';
import { parseNdjson, type SimulationInput } from '../../src/simulate/input';
import { backend, useTestDatabase } from '../helpers/db';
import { DAY, HOUR, MINUTE, at, plus, query } from '../helpers/engine';
import { openRuntime, storyDriver, outbox, sampleProject, virtualClock } from './runtime';

/**
 * Issue 11, end to end through HTTP and the runtime (`npm start`'s wiring, outbox transport,
 * virtual clock) with the sample newsletter, abandoned cart and calendar (`any: 1 per 1d` cap,
 * quiet hours 21:00–08:00): a send held by a cap belongs to its run and waits with it.
 * Each story has its own week, so the shared clock only moves forward.
 */
const t = useTestDatabase('e2e_held_sends');
const clock = virtualClock(at('2026-11-23T00:00:00Z'));
let services: Services;

beforeAll(async () => {
  services = await openRuntime(t.database, clock);
  await applyProject(
    services.database,
    sampleProject({ holdouts: { 'abandoned-cart': '0%' }, only: ['abandoned-cart', 'newsletter'] }),
    clock.now(),
  );
});

const { post, tickAt } = storyDriver(() => services, clock);

const warsaw = (id: string) => ({ id, email: `${id}@example.com`, timezone: 'Europe/Warsaw', locale: 'en' });
const consent = (id: string, when: Date) => ({
  id: `${id}-consent`,
  type: 'consent.granted',
  occurred_at: when.toISOString(),
  contact: warsaw(id),
  properties: { purpose: 'email.marketing', source: 'test' },
});
const checkout = (id: string, when: Date, total = 129) => ({
  id: `${id}-checkout`,
  type: 'checkout.started',
  occurred_at: when.toISOString(),
  contact: warsaw(id),
  properties: {
    checkout_id: `k-${id}`,
    total,
    currency: 'EUR',
    items: [{ product_id: 'p1', title: 'Mug', quantity: 2, price: total / 2 }],
  },
});

const sendsOf = (id: string) =>
  query<{ template: string; status: string; reason: string | null; created_at: Date; sent_at: Date | null }>(
    t.database,
    sql`select s.template, s.status, s.reason, s.created_at, s.sent_at from sends s join contacts c on c.id = s.contact_id
        where c.external_id = ${id} order by s.id`,
  );
const runState = (id: string) =>
  query<{ status: string; exit_reason: string | null; phase: string; at: string | null; wake_at: string | null }>(
    t.database,
    sql`select r.status, r.exit_reason, r.state->>'phase' as phase, r.state->>'at' as at, r.state->>'wakeAt' as wake_at
        from runs r join contacts c on c.id = r.contact_id where c.external_id = ${id} and r.campaign = 'abandoned-cart'`,
  );

describe(`held sends end to end on ${backend}`, () => {
  it('newsletter at 10:00, checkout 10:05, the cap holds the reminder, an order at 16:00: no recovery mail, ever', async () => {
    const TUE = at('2026-11-24T09:00:00Z'); // Tuesday 10:00 in Warsaw
    await post(plus(TUE, -DAY), [consent('ada', plus(TUE, -DAY))]);
    await tickAt(plus(TUE, -DAY));
    await tickAt(TUE); // the newsletter goes out at 10:00 Warsaw
    await post(plus(TUE, 5 * MINUTE), [checkout('ada', plus(TUE, 5 * MINUTE))]);
    await tickAt(plus(TUE, 5 * MINUTE));
    await tickAt(plus(TUE, HOUR + 5 * MINUTE)); // the reminder is due, and held by `any: 1 per 1d`
    expect((await sendsOf('ada')).map((s) => [s.template, s.status])).toEqual([
      ['newsletter', 'sent'],
      ['cart-reminder', 'deferred'],
    ]);
    expect(await runState('ada')).toMatchObject([{ status: 'active', phase: 'sending', at: 'steps[1]' }]);

    await post(plus(TUE, 6 * HOUR), [
      {
        id: 'ada-order',
        type: 'order.created',
        occurred_at: plus(TUE, 6 * HOUR).toISOString(),
        contact: warsaw('ada'),
        properties: { order_id: 'o-ada', checkout_id: 'k-ada', total: 129, currency: 'EUR' },
      },
    ]);
    await tickAt(plus(TUE, 6 * HOUR)); // 16:00 Warsaw: the buyer's run exits and takes its held send with it
    expect(await runState('ada')).toMatchObject([{ status: 'exited', exit_reason: 'exit_on:order.created' }]);
    const [, reminder] = await sendsOf('ada');
    expect(reminder).toMatchObject({ template: 'cart-reminder', status: 'cancelled', reason: 'run exited: exit_on:order.created' });

    for (const later of [plus(TUE, DAY), plus(TUE, DAY + HOUR), plus(TUE, 3 * DAY)]) await tickAt(later);
    expect((await outbox(services, { to: 'ada@' })).map((m) => m.subject)).toHaveLength(1); // the newsletter alone
    expect((await sendsOf('ada')).map((s) => s.status)).toEqual(['sent', 'cancelled']);
  });

  it('without the order: the reminder goes the next morning, and the click window counts from that morning', async () => {
    const TUE = at('2026-12-01T09:00:00Z');
    await post(plus(TUE, -DAY), [consent('bob', plus(TUE, -DAY))]);
    await tickAt(plus(TUE, -DAY));
    await tickAt(TUE);
    await post(plus(TUE, 5 * MINUTE), [checkout('bob', plus(TUE, 5 * MINUTE))]);
    await tickAt(plus(TUE, 5 * MINUTE));
    await tickAt(plus(TUE, HOUR + 5 * MINUTE)); // held by the cap until the newsletter's day has passed
    await tickAt(plus(TUE, 12 * HOUR));
    expect((await sendsOf('bob')).map((s) => s.status)).toEqual(['sent', 'deferred']);

    const WED = plus(TUE, DAY); // 10:00 Warsaw on Wednesday: the cap frees
    await tickAt(WED);
    const [, reminder] = await sendsOf('bob');
    expect(reminder).toMatchObject({ template: 'cart-reminder', status: 'sent' });
    expect(new Date(reminder!.sent_at!)).toEqual(WED);
    // The wait_until's 24 h run from the delivery, not from when the reminder was queued.
    expect(await runState('bob')).toMatchObject([{ status: 'active', phase: 'awaiting', wake_at: plus(WED, DAY).toISOString() }]);

    await tickAt(plus(WED, DAY - MINUTE));
    expect(await sendsOf('bob')).toHaveLength(2); // 24 h after the queued time have long passed: nothing yet
    await tickAt(plus(WED, DAY));
    const mails = await sendsOf('bob');
    expect(mails.map((s) => [s.template, s.status])).toEqual([
      ['newsletter', 'sent'],
      ['cart-reminder', 'sent'],
      ['cart-discount', 'sent'], // a 129 EUR cart
    ]);
    expect(new Date(mails[2]!.created_at)).toEqual(plus(WED, DAY));
    expect(await runState('bob')).toMatchObject([{ status: 'completed' }]);
  });

  it('a checkout.updated before the reminder: the reminder shows the latest cart', async () => {
    const T = at('2026-12-09T12:00:00Z'); // a Wednesday, 13:00 in Warsaw: no newsletter competes
    await post(plus(T, -2 * HOUR), [consent('cy', plus(T, -2 * HOUR))]);
    await tickAt(plus(T, -2 * HOUR));
    await post(T, [checkout('cy', T, 40)]);
    await tickAt(T);
    await post(plus(T, 20 * MINUTE), [
      {
        id: 'cy-update',
        type: 'checkout.updated',
        occurred_at: plus(T, 20 * MINUTE).toISOString(),
        contact: warsaw('cy'),
        properties: {
          checkout_id: 'k-cy',
          total: 212.5,
          currency: 'EUR',
          items: [{ product_id: 'p9', title: 'Teapot', quantity: 1, price: 212.5 }],
        },
      },
    ]);
    await tickAt(plus(T, 20 * MINUTE));
    await tickAt(plus(T, HOUR));
    const [mail] = await outbox(services, { to: 'cy@' });
    expect(mail?.subject).toBeDefined();
    expect(mail!.text).toContain('212.50');
    expect(mail!.text).toContain('Teapot');
    expect(mail!.text).not.toContain('Mug');
  });
});

describe('held sends through almanac simulate', () => {
  it('the same two stories on the virtual clock: the buyer’s held reminder is cancelled, the other goes next morning', async () => {
    const TUE = at('2026-11-24T09:00:00Z');
    const lines = [
      consent('ada', plus(TUE, -3 * DAY)),
      consent('bob', plus(TUE, -3 * DAY)),
      checkout('ada', plus(TUE, 5 * MINUTE)),
      checkout('bob', plus(TUE, 5 * MINUTE)),
      {
        id: 'ada-order',
        type: 'order.created',
        occurred_at: plus(TUE, 6 * HOUR).toISOString(),
        contact: warsaw('ada'),
        properties: { order_id: 'o-ada', checkout_id: 'k-ada', total: 129, currency: 'EUR' },
      },
    ];
    const input: SimulationInput = { events: [], contacts: [] };
    parseNdjson('held.ndjson', lines.map((l) => JSON.stringify(l)).join('\n'), input, plus(TUE, -DAY));
    const { timeline } = await runSimulation({
      project: sampleProject({ holdouts: { 'abandoned-cart': '0%' }, only: ['abandoned-cart', 'newsletter'] }),
      input,
      from: plus(TUE, -DAY),
      to: plus(TUE, 4 * DAY),
      templatesDir: join(process.cwd(), 'templates'),
    });
    const sends = (who: string) =>
      timeline.filter((e) => e.contact === who && e.step !== '-').map((e) => `${e.time} ${e.step} ${e.outcome} ${e.detail}`);
    expect(sends('ada')).toEqual([
      '2026-11-24T09:00:00Z steps[0] sent newsletter',
      '2026-11-24T15:00:00Z steps[1] cancelled cart-reminder (its run ended first (left: order.created happened (exit_on)))',
    ]);
    expect(sends('bob')).toEqual([
      '2026-11-24T09:00:00Z steps[0] sent newsletter',
      '2026-11-25T09:00:00Z steps[1] sent cart-reminder (held since Tue 2026-11-24 11:05 Europe/Warsaw: frequency cap: at most 1 email per 1d across campaigns)',
      '2026-11-26T09:00:00Z steps[2].on_timeout[0].branch[0].steps[0] sent cart-discount',
    ]);
  });
});

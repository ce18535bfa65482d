import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyProject } from '../../src/campaigns/apply';
import { forecast } from '../../src/forecast/forecast';
import type { Services } from '../../src/runtime/services';
import { runSimulation } from '../../src/runtime/simulation';
import { parseNdjson, type SimulationInput } from '../../src/simulate/input';
import { formatTimeline } from '../../src/simulate/format/text';
import { backend, useTestDatabase } from '../helpers/db';
import { DAY, HOUR, MINUTE, at, plus, query } from '../helpers/engine';
import { openRuntime, storyDriver, sampleProject, virtualClock } from './runtime';

/**
 * Priority that looks ahead (issue 17), end to end with the sample newsletter (priority 20, Tuesdays
 * 10:00 in the contact's zone), abandoned cart (priority 80: `wait 1h` then the reminder) and
 * calendar (`any: 1 per 1d`): a shopper checks out at 09:30 on a Tuesday, so her reminder is due at
 * 10:30 — the newsletter at 10:00 must not take the day's only slot from it. The engine (through
 * HTTP and the runtime's wiring), the forecast and simulate must tell the same story.
 */
const t = useTestDatabase('e2e_priority_lookahead');
const TUE = at('2026-12-15T09:00:00Z'); // Tuesday 10:00 in Warsaw
const CHECKOUT = plus(TUE, -30 * MINUTE); // 09:30 Warsaw: the reminder is due 10:30
const clock = virtualClock(plus(TUE, -2 * DAY));
let services: Services;
const project = () => sampleProject({ holdouts: { 'abandoned-cart': '0%' }, only: ['abandoned-cart', 'newsletter'] });

const warsaw = { id: 'dee', email: 'dee@example.com', timezone: 'Europe/Warsaw', locale: 'en' };
const consent = {
  id: 'dee-consent',
  type: 'consent.granted',
  occurred_at: plus(TUE, -2 * DAY).toISOString(),
  contact: warsaw,
  properties: { purpose: 'email.marketing', source: 'test' },
};
const checkout = {
  id: 'dee-checkout',
  type: 'checkout.started',
  occurred_at: CHECKOUT.toISOString(),
  contact: warsaw,
  properties: { checkout_id: 'k-dee', total: 60, currency: 'EUR', items: [{ product_id: 'p1', title: 'Mug', quantity: 1, price: 60 }] },
};

beforeAll(async () => {
  services = await openRuntime(t.database, clock);
  await applyProject(services.database, project(), clock.now());
});

const { post, tickAt } = storyDriver(() => services, clock);

const sends = () =>
  query<{ template: string; status: string; reason: string | null; sent_at: Date | null }>(
    t.database,
    sql`select template, status, reason, sent_at from sends order by id`,
  );

describe(`priority looks ahead on ${backend}`, () => {
  it('the newsletter yields the day’s slot to the cart reminder due half an hour later; the forecast saw it coming', async () => {
    await post(plus(TUE, -2 * DAY), [consent]);
    await tickAt(plus(TUE, -2 * DAY));
    await post(CHECKOUT, [checkout]);
    await tickAt(CHECKOUT);

    // Asked now, the forecast moves the newsletter off Tuesday: the reminder takes Tuesday,
    // the last call (the click never comes) Wednesday 10:30, so the newsletter goes Thursday.
    const rows = await forecast(services.database, { from: plus(TUE, -9 * HOUR), to: plus(TUE, 4 * DAY) }, CHECKOUT);
    const newsletter = rows.filter((r) => r.campaign === 'newsletter');
    expect(newsletter.map((r) => [r.date, r.sends, r.deferred])).toEqual([['2026-12-17', 1, 1]]);
    expect(rows.find((r) => r.campaign === 'abandoned-cart' && r.date === '2026-12-15')?.sends).toBeGreaterThanOrEqual(1);

    await tickAt(TUE);
    expect(await sends()).toMatchObject([{ template: 'newsletter', status: 'deferred', reason: 'yield:abandoned-cart:cap:any:1/1d' }]);
    await tickAt(plus(TUE, 30 * MINUTE));
    await tickAt(plus(TUE, DAY + 30 * MINUTE));
    await tickAt(plus(TUE, 2 * DAY + 30 * MINUTE));
    const settled = await sends();
    expect(settled.map((s) => [s.template, s.status, s.sent_at && new Date(s.sent_at).toISOString()])).toEqual([
      ['newsletter', 'sent', plus(TUE, 2 * DAY + 30 * MINUTE).toISOString()], // Thursday 10:30
      ['cart-reminder', 'sent', plus(TUE, 30 * MINUTE).toISOString()], // Tuesday 10:30, as due
      ['cart-last-call', 'sent', plus(TUE, DAY + 30 * MINUTE).toISOString()], // Wednesday 10:30: priority again
    ]);
  });

  it('the yield lasts only until the reminder is due: when the shopper buys first, the newsletter goes then', async () => {
    const NEXT = plus(TUE, 7 * DAY); // the next Tuesday, 10:00 in Warsaw
    const eli = { ...warsaw, id: 'eli', email: 'eli@example.com' };
    await post(plus(NEXT, -DAY), [{ ...consent, id: 'eli-consent', occurred_at: plus(NEXT, -DAY).toISOString(), contact: eli }]);
    await tickAt(plus(NEXT, -DAY));
    const cart = { ...checkout, id: 'eli-checkout', occurred_at: plus(NEXT, -30 * MINUTE).toISOString(), contact: eli };
    await post(plus(NEXT, -30 * MINUTE), [{ ...cart, properties: { ...checkout.properties, checkout_id: 'k-eli' } }]);
    await tickAt(plus(NEXT, -30 * MINUTE));
    await tickAt(NEXT); // the newsletter keeps the slot free for the 10:30 reminder
    const order = {
      id: 'eli-order',
      type: 'order.created',
      occurred_at: plus(NEXT, 10 * MINUTE).toISOString(),
      contact: eli,
      properties: { order_id: 'o-eli', checkout_id: 'k-eli', total: 60, currency: 'EUR' },
    };
    await post(plus(NEXT, 10 * MINUTE), [order]); // she buys: her run exits, no reminder will come
    await tickAt(plus(NEXT, 10 * MINUTE));
    await tickAt(plus(NEXT, 30 * MINUTE));
    const mails = await query<{ template: string; status: string; sent_at: Date | null }>(
      t.database,
      sql`select s.template, s.status, s.sent_at from sends s join contacts c on c.id = s.contact_id where c.external_id = 'eli' order by s.id`,
    );
    expect(mails.map((m) => [m.template, m.status, m.sent_at && new Date(m.sent_at).toISOString()])).toEqual([
      ['newsletter', 'sent', plus(NEXT, 30 * MINUTE).toISOString()], // the same morning, not a day later
    ]);
  });

  it('almanac simulate tells the same story, in words', async () => {
    const input: SimulationInput = { events: [], contacts: [] };
    const from = plus(TUE, -2 * DAY);
    parseNdjson('lookahead.ndjson', [consent, checkout].map((l) => JSON.stringify(l)).join('\n'), input, from);
    const { timeline } = await runSimulation({
      project: project(),
      input,
      from,
      to: plus(TUE, 4 * DAY),
      templatesDir: join(process.cwd(), 'templates'),
    });
    const sent = timeline.filter((e) => e.outcome === 'sent').map((e) => [e.campaign, e.label, new Date(e.time).toISOString()]);
    expect(sent).toEqual([
      ['abandoned-cart', 'send cart-reminder', plus(TUE, 30 * MINUTE).toISOString()],
      ['abandoned-cart', 'send cart-last-call', plus(TUE, DAY + 30 * MINUTE).toISOString()],
      ['newsletter', 'send newsletter', plus(TUE, 2 * DAY + 30 * MINUTE).toISOString()],
    ]);
    // Held from its occurrence until Thursday (Tuesday's slot kept for the reminder, Wednesday's taken by the last call).
    expect(formatTimeline(timeline)).toContain('sent newsletter (held since Tue 2026-12-15 10:00 Europe/Warsaw: frequency cap');
  });
});

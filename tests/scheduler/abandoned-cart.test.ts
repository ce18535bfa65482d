import { readdirSync, readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { backend, useTestDatabase } from '../helpers/db';
import { DAY, HOUR, MINUTE, applyInline, at, engine, ingest, plus, query } from '../helpers/engine';

const t = useTestDatabase('abandoned_cart_engine');
const templates = readdirSync('templates');
// The sample campaign with its holdout set to 0 %, so every contact here gets mail.
const cart = readFileSync('campaigns/abandoned-cart.yaml', 'utf8').replace('holdout: 10%', 'holdout: 0%');
const T0 = at('2026-11-23T10:00:00Z');

const contact = (n: number) => ({ id: `c-${n}`, email: `shopper${n}@example.com`, timezone: 'Europe/Warsaw' });
const consent = (n: number, when: Date) => ({
  id: `consent-${n}`,
  type: 'consent.granted',
  occurred_at: when.toISOString(),
  contact: contact(n),
  properties: { purpose: 'email.marketing', text: 'Send me offers', text_version: 'v1', source: 'checkout' },
});
const checkout = (n: number, when: Date, total = 129) => ({
  id: `checkout-${n}`,
  type: 'checkout.started',
  occurred_at: when.toISOString(),
  contact: contact(n),
  properties: { checkout_id: `k-${n}`, total, currency: 'EUR', items: [{ product_id: 'p1', title: 'Mug', quantity: 2, price: total / 2 }] },
});
const order = (n: number, when: Date) => ({
  id: `order-${n}`,
  type: 'order.created',
  occurred_at: when.toISOString(),
  contact: contact(n),
  properties: { order_id: `o-${n}`, checkout_id: `k-${n}`, total: 129, currency: 'EUR', items: [] },
});

const sendsOf = (n: number) =>
  query<{ template: string; step_key: string }>(
    t.database,
    sql`select s.template, s.step_key from sends s join contacts c on c.id = s.contact_id where c.external_id = ${`c-${n}`} order by s.id`,
  );
const runOf = (n: number) =>
  query<{ status: string; exit_reason: string | null; at: string | null }>(
    t.database,
    sql`select r.status, r.exit_reason, r.state->>'at' as at from runs r join contacts c on c.id = r.contact_id
        where c.external_id = ${`c-${n}`} and r.campaign = 'abandoned-cart'`,
  );

describe(`abandoned cart through the engine on ${backend}`, () => {
  it('reminds a non-buyer after 1 h, then sends the discount for a big cart when the reminder is not clicked', async () => {
    await applyInline(t.database, { 'campaigns/abandoned-cart.yaml': cart }, templates, T0);
    const { tick } = engine(t.database, { dispatch: true });
    await ingest(t.database, [consent(1, plus(T0, -DAY)), checkout(1, T0)], T0);
    await tick(T0);
    expect(await runOf(1)).toEqual([{ status: 'active', exit_reason: null, at: 'steps[0]' }]);
    expect(await sendsOf(1)).toEqual([]);

    await tick(plus(T0, 59 * MINUTE));
    expect(await sendsOf(1)).toEqual([]); // not yet

    await tick(plus(T0, HOUR));
    expect(await sendsOf(1)).toEqual([{ template: 'cart-reminder', step_key: 'steps[1]' }]);
    await tick(plus(T0, HOUR + 1000)); // the reminder went out: the run goes on into the click window

    await tick(plus(T0, HOUR + 24 * HOUR)); // the wait_until's 24 h timeout passed without a click
    expect((await sendsOf(1)).map((s) => s.template)).toEqual(['cart-reminder', 'cart-discount']);
    await tick(plus(T0, HOUR + 24 * HOUR + 1000)); // the discount went out: the run completes
    expect(await runOf(1)).toEqual([{ status: 'completed', exit_reason: 'completed', at: null }]);
  });

  it('a buyer who orders after the reminder exits and gets nothing more', async () => {
    const { tick } = engine(t.database);
    await ingest(t.database, [consent(2, plus(T0, -DAY)), checkout(2, T0)], T0);
    await tick(T0);
    await tick(plus(T0, HOUR));
    await ingest(t.database, [order(2, plus(T0, HOUR + 5 * MINUTE))], plus(T0, HOUR + 5 * MINUTE));
    await tick(plus(T0, HOUR + 5 * MINUTE));
    expect(await runOf(2)).toEqual([{ status: 'exited', exit_reason: 'exit_on:order.created', at: null }]);
    await tick(plus(T0, 3 * DAY));
    expect((await sendsOf(2)).map((s) => s.template)).toEqual(['cart-reminder']);
  });

  it('a buyer who orders within the hour gets no mail at all', async () => {
    const { tick } = engine(t.database);
    await ingest(t.database, [consent(3, plus(T0, -DAY)), checkout(3, T0)], T0);
    await tick(T0);
    await ingest(t.database, [order(3, plus(T0, 20 * MINUTE))], plus(T0, 20 * MINUTE));
    await tick(plus(T0, 20 * MINUTE));
    await tick(plus(T0, 3 * DAY));
    expect(await sendsOf(3)).toEqual([]);
    expect((await runOf(3))[0]?.status).toBe('exited');
  });

  it('a contact without marketing consent never enters', async () => {
    const { tick } = engine(t.database);
    await ingest(t.database, [checkout(4, T0)], T0);
    await tick(T0);
    await tick(plus(T0, 2 * HOUR));
    expect(await runOf(4)).toEqual([]);
    expect(await sendsOf(4)).toEqual([]);
  });

  it('the same checkout event delivered again starts nothing new', async () => {
    const { tick } = engine(t.database);
    await ingest(t.database, [consent(5, plus(T0, -DAY)), checkout(5, T0)], T0);
    await tick(T0);
    await ingest(t.database, [checkout(5, T0)], plus(T0, MINUTE));
    await tick(plus(T0, MINUTE));
    await tick(plus(T0, HOUR));
    expect(await runOf(5)).toHaveLength(1);
    expect(await sendsOf(5)).toHaveLength(1);
  });

  it('events are processed in order per contact even when the order arrives in the same batch', async () => {
    const { tick } = engine(t.database);
    await ingest(t.database, [consent(6, plus(T0, -DAY)), checkout(6, T0), order(6, plus(T0, MINUTE))], plus(T0, MINUTE));
    await tick(plus(T0, MINUTE));
    await tick(plus(T0, 2 * HOUR));
    expect(await sendsOf(6)).toEqual([]);
    expect((await runOf(6))[0]?.exit_reason).toBe('exit_on:order.created');
  });
});

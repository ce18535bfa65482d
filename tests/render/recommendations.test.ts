import { simpleParser } from 'mailparser';
import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { createRenderer } from '../../src/render/renderer-files';
import { verifyViewToken } from '../../src/render/view-token';
import { createOutboxTransport } from '../../src/sending/outbox';
import type { Database } from '../../src/storage/db';
import { recommendationsFor } from '../../src/storage/recommendations';
import { contacts, orders, outboxMessages } from '../../src/storage/schema/index';
import { useTestDatabase } from '../helpers/db';
import { queueOne, resetTables, sendRow, testDispatcher } from '../scheduler/dispatch/fixtures';
import { cart, sampleTemplatesDir } from './fixtures';

const t = useTestDatabase('render_recommendations');
const now = new Date('2026-11-24T10:00:00Z');

beforeEach(async () => {
  await resetTables(t.database);
  await t.database.db.delete(orders);
});

const product = (id: string, price = 10) => ({
  product_id: id,
  title: `Product ${id.toUpperCase()}`,
  price,
  quantity: 1,
  url: `https://shop.example/p/${id}`,
});
let orderNo = 0;
async function order(database: Database, contactId: number | null, ids: string[], at = now) {
  await database.db.insert(orders).values({
    source: 'test',
    orderId: `o-${++orderNo}`,
    contactId,
    total: '10.00',
    currency: 'PLN',
    items: ids.map((id) => product(id)),
    occurredAt: at,
  });
}
async function contact(database: Database, email: string): Promise<number> {
  const [row] = await database.db.insert(contacts).values({ email }).returning({ id: contacts.id });
  return row!.id;
}

describe('recommendationsFor', () => {
  it('recommends what buyers of the same products also bought, best first, never what the contact already has', async () => {
    const ada = await contact(t.database, 'ada@example.com');
    const bo = await contact(t.database, 'bo@example.com');
    const others = await Promise.all(['c1', 'c2', 'c3'].map((n) => contact(t.database, `${n}@example.com`)));
    await order(t.database, ada, ['mug']);
    await order(t.database, ada, ['tea']);
    await order(t.database, others[0]!, ['mug', 'spoon', 'tea']);
    await order(t.database, others[1]!, ['mug', 'spoon']);
    await order(t.database, others[2]!, ['tea', 'kettle']);
    await order(t.database, null, ['mug', 'kettle', 'spoon']);
    await order(t.database, bo, ['kettle']);
    await order(t.database, others[2]!, ['unrelated']);

    const recs = await recommendationsFor(
      t.database.db,
      [{ contactId: ada }, { contactId: bo, seedProductIds: ['spoon'] }, { contactId: 999_999 }],
      5,
    );
    expect(recs.get(ada)!.map((r) => [r.product_id, r.score])).toEqual([
      ['spoon', 3],
      ['kettle', 2],
    ]);
    expect(recs.get(ada)![0]).toMatchObject({ title: 'Product SPOON', price: 10, currency: 'PLN', url: 'https://shop.example/p/spoon' });
    // Bo bought a kettle and has a spoon in the cart: neither is recommended back.
    expect(recs.get(bo)!.map((r) => r.product_id)).toEqual(['mug', 'tea']);
    expect(recs.has(999_999)).toBe(false);
    expect((await recommendationsFor(t.database.db, [{ contactId: ada }], 1)).get(ada)!.map((r) => r.product_id)).toEqual(['spoon']);
  });
});

describe('the dispatcher prepares recommendations and the view link before rendering', () => {
  it('renders a Polish cart reminder with recommendations, a signed view link and the preheader, as MIME', async () => {
    const { sendId, contactId } = await queueOne(t.database, {
      notBefore: now,
      email: 'zofia@example.com',
      attributes: { first_name: 'Zofia' },
      template: 'cart-reminder',
      campaign: 'abandoned-cart',
      trigger: { type: 'checkout.started', properties: { ...cart, currency: 'PLN', items: [product('mug')] } },
    });
    await t.database.db.update(contacts).set({ locale: 'pl-PL', timezone: 'Europe/Warsaw' }).where(eq(contacts.id, contactId));
    const other = await contact(t.database, 'other@example.com');
    await order(t.database, other, ['mug', 'spoon']);

    const links = { publicUrl: 'https://mail.shop.example/', signingKey: 'test-link-key-0123456789' };
    const { phase } = testDispatcher(t.database, createOutboxTransport({ database: t.database, newId: () => 'n1' }), {
      renderer: createRenderer({ templatesDir: sampleTemplatesDir }),
      links,
      tracking: false, // links as rendered (click tracking: tests/e2e/clicks.test.ts)
    });
    await phase.run(now);
    expect(await sendRow(t.database, sendId)).toMatchObject({ status: 'sent' });
    const [stored] = await t.database.db.select().from(outboxMessages);
    const parsed = await simpleParser(stored!.raw);
    expect(parsed.subject).toBe('Zofia, Twój koszyk na Ciebie czeka');
    expect(parsed.text).toContain('Klienci, którzy kupili to co Ty, wybrali też:\n- Product SPOON: https://shop.example/p/spoon');
    expect(parsed.html).toContain('<a href="https://shop.example/p/spoon">Product SPOON</a> — 10,00');
    expect(parsed.html).toMatch(/<body[^>]*><div style="display:none[^"]*">1 produkt czeka na Ciebie w koszyku/);
    const link = /href="https:\/\/mail\.shop\.example\/v\/([^"]+)"[^>]*>Wyświetl w przeglądarce/.exec(parsed.html as string);
    expect(link && verifyViewToken(link[1]!, links.signingKey)).toBe(sendId);
    expect(parsed.messageId).toBe(`<${sendId}.n1@shop.example>`);
    expect(parsed.headers.get('x-almanac-send-id')).toBe(String(sendId));
  });
});

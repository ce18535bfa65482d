import { beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createApp } from '../../src/http/app';
import { Metrics } from '../../src/metrics';
import { createRenderer } from '../../src/render/renderer-files';
import { signViewToken, verifyViewToken } from '../../src/render/view-token';
import { campaignVersions, contacts, events, orders } from '../../src/storage/schema/index';
import { useTestDatabase } from '../helpers/db';
import { queueOne, resetTables } from '../scheduler/dispatch/fixtures';
import { cart, sampleTemplatesDir } from './fixtures';

const t = useTestDatabase('render_routes');
const now = new Date('2026-11-24T10:00:00Z');
const KEY = 'test-link-key-0123456789';
const auth = { authorization: 'Bearer k1' };

const app = () =>
  createApp({
    database: t.database,
    metrics: new Metrics(),
    bodyLimitBytes: 10_000,
    log: () => {},
    apiKeys: ['k1'],
    messages: {
      renderer: createRenderer({ templatesDir: sampleTemplatesDir }),
      linkSigningKey: KEY,
      publicUrl: 'https://mail.shop.example',
      from: 'Shop <news@shop.example>',
    },
  });

beforeEach(async () => {
  await resetTables(t.database);
  await t.database.db.delete(orders);
});

describe('view-in-browser tokens', () => {
  it('verify only what was signed with the key', () => {
    const token = signViewToken(42, KEY);
    expect(verifyViewToken(token, KEY)).toBe(42);
    expect(verifyViewToken(token, 'another-key-0123456789')).toBeUndefined();
    expect(verifyViewToken(token.replace(/^42/, '43'), KEY)).toBeUndefined();
    expect(verifyViewToken(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, KEY)).toBeUndefined();
    for (const junk of ['', '42', '42.', 'x.y', '0.AAAAAAAAAAAAAAAAAAAAAA', `${token}x`])
      expect(verifyViewToken(junk, KEY)).toBeUndefined();
  });
});

describe('GET /v/:token', () => {
  it('re-renders that send as HTML for a genuine token, 404 for a forged one', async () => {
    const { sendId } = await queueOne(t.database, {
      notBefore: now,
      email: 'ada@example.com',
      attributes: { first_name: '<b>Ada</b>' },
      template: 'cart-reminder',
      trigger: { type: 'checkout.started', properties: cart },
    });
    const res = await app().request(`/v/${signViewToken(sendId, KEY)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'none'");
    const html = await res.text();
    expect(html).toContain('Hi &lt;b&gt;Ada&lt;/b&gt;,');
    expect(html).toContain('<li>2 × Mug</li>');
    expect(html).toContain(`href="https://mail.shop.example/v/${signViewToken(sendId, KEY)}"`);

    const forged = await app().request(`/v/${signViewToken(sendId, 'attacker-key-0123456789')}`);
    expect(forged.status).toBe(404);
    expect(await forged.json()).toMatchObject({ error: { code: 'not_found' } });
    expect((await app().request(`/v/${signViewToken(sendId + 1000, KEY)}`)).status).toBe(404);
  });
});

describe('GET /v1/templates/:name/preview', () => {
  async function seed() {
    const [ada] = await t.database.db
      .insert(contacts)
      .values({ externalId: 'c-42', email: 'ada@example.com', locale: 'pl', timezone: 'Europe/Warsaw', attributes: { first_name: 'Ada' } })
      .returning({ id: contacts.id });
    const [other] = await t.database.db.insert(contacts).values({ email: 'other@example.com' }).returning({ id: contacts.id });
    await t.database.db.insert(campaignVersions).values({
      campaign: 'abandoned-cart',
      version: 1,
      contentHash: 'h',
      source: '',
      plan: {
        id: 'abandoned-cart',
        name: 'Abandoned cart',
        trigger: { kind: 'event', event: 'checkout.started' },
        steps: [{ kind: 'send', key: 'steps[0]', template: 'cart-reminder' }],
      },
    });
    const ev = (dedupeKey: string, type: string, properties: Record<string, unknown>, at: string) => ({
      dedupeKey,
      type,
      contactId: ada!.id,
      properties,
      occurredAt: new Date(at),
      source: 'test',
    });
    await t.database.db
      .insert(events)
      .values([
        ev('e1', 'checkout.started', { ...cart, items: [{ product_id: 'old', title: 'Old thing', quantity: 1 }] }, '2026-11-20T10:00:00Z'),
        ev('e2', 'checkout.started', { ...cart, currency: 'PLN' }, '2026-11-23T10:00:00Z'),
        ev('e3', 'email.opened', {}, '2026-11-23T11:00:00Z'),
      ]);
    await t.database.db.insert(orders).values({
      source: 't',
      orderId: 'o1',
      contactId: other!.id,
      total: '1',
      currency: 'PLN',
      items: [{ product_id: 'p1' }, { product_id: 'lamp', title: 'Lampa', price: 99 }],
      occurredAt: now,
    });
  }

  it('renders the template for the contact with its latest trigger event and recommendations, like preview', async () => {
    await seed();
    for (const who of ['c-42', 'ADA@example.com']) {
      const res = await app().request(`/v1/templates/cart-reminder/preview?contact=${encodeURIComponent(who)}`, { headers: auth });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { subject: string; text: string; html: string; from: string };
      expect(body.subject).toBe('Ada, Twój koszyk na Ciebie czeka');
      expect(body.text).toContain('W Twoim koszyku: 2 produkty o łącznej wartości 149,00');
      expect(body.text).toContain('- 2 × Mug');
      expect(body.text).not.toContain('Old thing');
      expect(body.text).toContain('- Lampa');
      expect(body.html).toContain('<html lang="pl">');
      expect(body.html).toContain('2 produkty czeka na Ciebie w koszyku');
      expect(body.from).toBe('Shop <news@shop.example>');
    }
  });

  it('warns when a link renders empty (a checkout without url): the preview shows what the mail would lack', async () => {
    await seed();
    const ok = (await (await app().request('/v1/templates/cart-reminder/preview?contact=c-42', { headers: auth })).json()) as object;
    expect(ok).not.toHaveProperty('warnings');
    const [ada] = await t.database.db.select().from(contacts).where(eq(contacts.externalId, 'c-42'));
    const { url: _url, ...noUrl } = cart;
    await t.database.db.insert(events).values({
      dedupeKey: 'e4',
      type: 'checkout.started',
      contactId: ada!.id,
      properties: noUrl,
      occurredAt: new Date('2026-11-24T10:00:00Z'),
      source: 'test',
    });
    const res = await app().request('/v1/templates/cart-reminder/preview?contact=c-42', { headers: auth });
    const body = (await res.json()) as { html: string; warnings: string[] };
    expect(body.html).toContain('href=""');
    expect(body.warnings).toEqual([expect.stringContaining('1 link has an empty address')]);
  });

  it('needs the API key, a contact that exists and a template that exists', async () => {
    await seed();
    expect((await app().request('/v1/templates/cart-reminder/preview?contact=c-42')).status).toBe(401);
    expect((await app().request('/v1/templates/cart-reminder/preview', { headers: auth })).status).toBe(400);
    expect((await app().request('/v1/templates/cart-reminder/preview?contact=nobody', { headers: auth })).status).toBe(404);
    const missing = await app().request('/v1/templates/nope/preview?contact=c-42', { headers: auth });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found', message: 'no template "nope"' } });
  });
});

import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyProject } from '../../src/campaigns/apply';
import { almanacCli } from '../helpers/cli';
import type { Services } from '../../src/runtime/services';
import { backend, useTestDatabase } from '../helpers/db';
import { at, query } from '../helpers/engine';
import { API_KEY, authed } from '../http/ingest-app';
import { openRuntime, sampleProject, virtualClock } from './runtime';

/**
 * Issue 14, campaign links beyond email: `POST /v1/links` and `almanac link create` mint a signed
 * short link with the network's UTM pairs; its clicks are counted per network; an order landing
 * with those UTMs is credited to the campaign and reported per network. LINK_ALLOWED_HOSTS
 * restricts destinations; bad input is a 400 naming the field.
 */
const t = useTestDatabase('e2e_campaign_links');
const clock = virtualClock(at('2026-11-23T09:00:00Z'));
let services: Services;

beforeAll(async () => {
  services = await openRuntime(t.database, clock, {
    PUBLIC_URL: 'https://go.shop.example',
    LINK_SIGNING_KEY: 'campaign-links-key',
    LINK_ALLOWED_HOSTS: 'shop.example',
  });
  await applyProject(services.database, sampleProject({ only: ['newsletter'] }), clock.now());
});

const mint = (body: unknown) => services.app.request('/v1/links', authed(body));

describe(`campaign links on ${backend}`, () => {
  it('mints a UTM-tagged link per network; clicks and a landing order show up per network in the report', async () => {
    const res = await mint({ campaign: 'newsletter', network: 'instagram', to: 'https://www.shop.example/winter?ref=bio#top' });
    expect(res.status).toBe(201);
    const link = (await res.json()) as { url: string; target: string; network: string };
    expect(link.target).toBe('https://www.shop.example/winter?ref=bio&utm_source=instagram&utm_medium=social&utm_campaign=newsletter#top');
    expect(link.url).toMatch(/^https:\/\/go\.shop\.example\/c\/\d+\.[A-Za-z0-9_-]{22}$/);

    const path = link.url.replace('https://go.shop.example', '');
    const click = await services.app.request(path, { headers: { 'user-agent': 'Mozilla/5.0 (iPhone) Instagram 300.0' } });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe(link.target);
    await services.app.request(path, { method: 'HEAD' });
    clock.set(at('2026-11-23T10:00:00Z'));
    await services.tick(clock.now());

    // The buyer came through the link: Shopify reports where she landed; the order names the campaign by its UTM.
    const order = await services.app.request(
      '/v1/events',
      authed({
        id: 'ig-order-1',
        type: 'order.created',
        contact: { id: 'ig-buyer', email: 'ig@example.com' },
        properties: {
          order_id: 'IG-1',
          total: '80.00',
          currency: 'PLN',
          landing_url: new URL(link.target).pathname + new URL(link.target).search,
        },
      }),
    );
    expect(order.status).toBe(202);
    await services.tick(clock.now());
    const report = (await (
      await services.app.request('/v1/reports/newsletter', { headers: { authorization: `Bearer ${API_KEY}` } })
    ).json()) as {
      networks: Array<{ network: string; clicks: number; botClicks: number; orders: number; revenue: number; currency: string | null }>;
    };
    expect(report.networks).toEqual([{ network: 'instagram', clicks: 1, botClicks: 1, orders: 1, revenue: 80, currency: 'PLN' }]);
    const clicks = await query<{ contact_id: string | null; send_id: string | null }>(
      t.database,
      sql`select contact_id, send_id from clicks`,
    );
    expect(clicks).toEqual([
      { contact_id: null, send_id: null },
      { contact_id: null, send_id: null },
    ]);
  });

  it('refuses, naming the field: a host outside LINK_ALLOWED_HOSTS, open-redirect tricks, an unknown campaign, a bad network', async () => {
    const cases: Array<[unknown, string]> = [
      [{ campaign: 'newsletter', network: 'facebook', to: 'https://evil.example/' }, 'to'],
      [{ campaign: 'newsletter', network: 'facebook', to: 'javascript:alert(1)' }, 'to'],
      [{ campaign: 'newsletter', network: 'facebook', to: '//shop.example/x' }, 'to'],
      [{ campaign: 'newsletter', network: 'facebook', to: 'https://user:pw@shop.example/' }, 'to'],
      [{ campaign: 'newsletter', network: 'facebook', to: 'https://shop.example\\@evil.example/' }, 'to'],
      [{ campaign: 'nope', network: 'facebook', to: 'https://shop.example/' }, 'campaign'],
      [{ campaign: 'newsletter', network: 'Face Book', to: 'https://shop.example/' }, 'network'],
      [{ campaign: 'newsletter', to: 'https://shop.example/' }, 'network'],
    ];
    for (const [body, field] of cases) {
      const res = await mint(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const error = (await res.json()) as { error: { details: { errors: Array<{ field: string }> } } };
      expect(
        error.error.details.errors.map((e) => e.field),
        JSON.stringify(body),
      ).toContain(field);
    }
    expect(await query(t.database, sql`select 1 from links where network = 'facebook'`)).toEqual([]);
  });

  it('POST /v1/orders stores an order once however often it is sent, and names a bad field', async () => {
    const order = {
      order_id: 'API-9',
      total: '45.50',
      currency: 'pln',
      contact: { id: 'api-buyer' },
      landing_url: '/?utm_campaign=newsletter',
    };
    for (let i = 0; i < 3; i++) expect((await services.app.request('/v1/orders', authed(order))).status).toBe(202);
    expect(
      await query(t.database, sql`select order_id, total::text as total, currency, utm_campaign from orders where order_id = 'API-9'`),
    ).toEqual([{ order_id: 'API-9', total: '45.50', currency: 'PLN', utm_campaign: 'newsletter' }]);
    for (const [bad, field] of [
      [{ ...order, order_id: 'API-10', total: -1 }, 'total'],
      [{ ...order, order_id: 'API-11', currency: 'EUX' }, 'currency'],
      [{ ...order, order_id: undefined }, 'order_id'],
    ] as const) {
      const res = await services.app.request('/v1/orders', authed(bad));
      expect(res.status, field).toBe(400);
      expect(JSON.stringify(await res.json()), field).toContain(`"path":"${field}"`);
    }
  });

  it('almanac link create prints the link and where it goes', async () => {
    const { code, out } = await almanacCli(
      ['link', 'create', '--campaign', 'newsletter', '--network', 'sms', '--to', 'https://shop.example/sale'],
      {
        local: t.database,
        env: { PUBLIC_URL: 'https://go.shop.example', LINK_SIGNING_KEY: 'campaign-links-key' },
      },
    );
    expect(code).toBe(0);
    expect(out).toMatch(
      /^https:\/\/go\.shop\.example\/c\/\d+\.\S+\n {2}→ https:\/\/shop\.example\/sale\?utm_source=sms&utm_medium=sms&utm_campaign=newsletter\n$/,
    );
  });

  it('a link deleted after its redirect was cached still redirects for the cache minute, is not recorded, and the rest of the flush is', async () => {
    const links = await Promise.all(
      ['gone', 'kept'].map(async (name) => {
        const res = await mint({ campaign: 'newsletter', network: 'sms', to: `https://shop.example/${name}` });
        return ((await res.json()) as { id: number; url: string }).url.replace('https://go.shop.example', '');
      }),
    );
    const ua = { headers: { 'user-agent': 'Mozilla/5.0 (iPhone) Safari/605.1' } };
    for (const path of links) expect((await services.app.request(path, ua)).status).toBe(302);
    const [gone] = links.map((p) => Number(/\/c\/(\d+)\./.exec(p)![1]));
    await services.tick(clock.now());
    // What a contact's erasure does to its sends' links (they cascade away with the sends).
    await query(t.database, sql`delete from links where id = ${gone}`);
    for (const path of links) expect((await services.app.request(path, ua)).status).toBe(302);
    await services.tick(clock.now()); // flushes both clicks: the one on the deleted link is dropped, not a failed batch
    const counts = await query<{ url: string; clicks: number }>(
      t.database,
      sql`select l.url, count(c.id)::int as clicks from links l left join clicks c on c.link_id = l.id
          where l.url like 'https://shop.example/kept%' or l.id = ${gone} group by l.url`,
    );
    expect(counts).toEqual([{ url: expect.stringMatching(/^https:\/\/shop\.example\/kept\?/), clicks: 2 }]);
  });
});

import { mkdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyProject } from '../../src/campaigns/apply';
import type { ContactSearchResult } from '../../src/reports/contact-search';
import type { ContactTimeline } from '../../src/reports/contact-timeline';
import type { Services } from '../../src/runtime/services';
import { launchChromium, serveOnFreePort } from '../helpers/browser';
import { has } from '../helpers/capabilities';
import { almanacCli } from '../helpers/cli';
import { backend, useTestDatabase } from '../helpers/db';
import { at, plus } from '../helpers/engine';
import { API_KEY, authed } from '../http/ingest-app';
import { cartReminder, consentAndCheckout, openRuntime, sampleProject, virtualClock } from '../e2e/runtime';

/**
 * Contacts issue, the timeline ("why did I get this mail?"), through HTTP on a virtual clock:
 * tl-ada gets marketing consent and the sample abandoned-cart reminder, clicks its tracked link
 * and orders (credited to the campaign); tl-bo checks out at 22:30 Warsaw time, so the reminder
 * is held by quiet hours. The JSON timeline, the search, the CLI and the HTML page (in headless
 * Chromium) must all say so.
 */
const t = useTestDatabase('contacts_timeline');
const clock = virtualClock(at('2026-11-23T09:00:00Z'));
const ADMIN_KEY = 'contacts-timeline-admin-key-0123';
let services: Services;

const bearer = { authorization: `Bearer ${API_KEY}` };
async function tickAt(when: Date) {
  clock.set(when);
  await services.tick(when);
}
async function get<T>(path: string): Promise<T> {
  const res = await services.app.request(path, { headers: bearer });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as T;
}
const put = (id: string, body: unknown) =>
  services.app.request(`/v1/contacts/${encodeURIComponent(id)}`, {
    method: 'PUT',
    headers: { ...bearer, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  services = await openRuntime(t.database, clock, {
    PUBLIC_URL: 'https://shop.example',
    LINK_SIGNING_KEY: 'contacts-timeline-link-signing-key',
    MAIL_POSTAL_ADDRESS: 'Demo Shop, Warszawa',
    ADMIN_API_KEYS: ADMIN_KEY,
    SUPPRESSION_KEY: 'contacts-timeline-suppression-key',
  });
  await applyProject(services.database, sampleProject({ holdouts: { 'abandoned-cart': '0%' }, only: ['abandoned-cart'] }), clock.now());

  // tl-ada: consent, checkout, the reminder an hour later; a human click two minutes after; an order ten minutes after.
  const ada = await cartReminder(services, clock, 'tl-ada', at('2026-11-23T10:00:00Z'));
  expect((await put('tl-ada', { attributes: { first_name: 'Ada', last_name: 'Lovelace' } })).status).toBe(200);
  clock.set(plus(ada.sentAt, 120_000));
  const click = await services.app.request(ada.link, {
    headers: { 'user-agent': 'Mozilla/5.0 (Macintosh) Safari/605', 'x-forwarded-for': '198.51.100.4' },
  });
  expect(click.status).toBe(302);
  await tickAt(plus(ada.sentAt, 121_000));
  const orderAt = plus(ada.sentAt, 600_000);
  clock.set(orderAt);
  const order = {
    id: 'o-tl-ada',
    type: 'order.created',
    occurred_at: orderAt.toISOString(),
    contact: { id: 'tl-ada' },
    properties: { order_id: 'O-tl-ada', checkout_id: 'k-tl-ada', total: 40, currency: 'EUR' },
  };
  expect((await services.app.request('/v1/events/batch', authed({ events: [order] }))).status).toBe(202);
  await tickAt(plus(orderAt, 1000));
  await tickAt(plus(orderAt, 2000));

  // tl-bo checks out at 22:30 in Warsaw: the reminder, due at 23:30, is held for quiet hours.
  await consentAndCheckout(services, clock, 'tl-bo', at('2026-11-23T21:30:00Z'));
  expect((await put('tl-bo', { attributes: { first_name: 'Bo', last_name: '<script>alert(1)</script>' } })).status).toBe(200);
  await tickAt(at('2026-11-23T21:30:00Z'));
  await tickAt(at('2026-11-23T21:30:01Z'));
  await tickAt(at('2026-11-23T22:31:00Z'));
  await tickAt(at('2026-11-23T22:31:01Z'));

  // A few more contacts, for search and paging.
  for (const n of [1, 2, 3]) expect((await put(`tl-extra-${n}`, { email: `tl-extra-${n}@example.com` })).status).toBe(200);
});

const sorted = (entries: ContactTimeline['entries']) => entries.every((e, i) => i === 0 || entries[i - 1]!.at <= e.at);

describe(`contact timeline on ${backend}`, () => {
  it('lists the run, the sent reminder, the click and the order with its credited campaign, in time order', async () => {
    const tl = await get<ContactTimeline>('/v1/contacts/tl-ada/timeline');
    expect(tl.contact).toMatchObject({ id: 'tl-ada', email: 'tl-ada@example.com', timezone: 'Europe/Warsaw', locale: 'en' });
    expect(tl.contact.attributes).toMatchObject({ first_name: 'Ada', last_name: 'Lovelace' });
    expect(tl.consent).toEqual([expect.objectContaining({ purpose: 'email.marketing', state: 'granted' })]);
    expect(tl.suppressions).toEqual([]);
    expect(tl.runs).toHaveLength(1);
    const run = tl.runs[0]!;
    expect(run).toMatchObject({ campaign: 'abandoned-cart', trigger: { type: 'checkout.started' } });
    expect(run.trigger.properties).toMatchObject({ checkout_id: 'k-tl-ada' });
    expect(run.sends).toEqual([expect.objectContaining({ template: 'cart-reminder', status: 'sent' })]);
    const send = run.sends[0]!;
    expect(send.sent_at).not.toBeNull();
    expect(tl.clicks).toEqual([
      expect.objectContaining({ url: expect.stringMatching(/^https:\/\/shop\.example\/cart\/tl-ada\?utm_/), bot: false, send_id: send.id }),
    ]);
    expect(tl.orders).toHaveLength(1);
    expect(tl.orders[0]).toMatchObject({ order_id: 'O-tl-ada', total: 40, refunded: 0, currency: 'EUR' });
    expect(tl.orders[0]!.credited).toContainEqual(
      expect.objectContaining({ model: 'last_click', campaign: 'abandoned-cart', send_id: send.id }),
    );

    // The merged list, in time order: consent, the trigger event, the run, the send (with why), the click, the order.
    expect(sorted(tl.entries)).toBe(true);
    const kinds = tl.entries.map((e) => e.kind);
    const first = (k: string) => kinds.indexOf(k as ContactTimeline['entries'][number]['kind']);
    expect(first('consent')).toBeGreaterThanOrEqual(0);
    expect(first('consent')).toBeLessThan(first('run_started'));
    expect(first('run_started')).toBeLessThan(first('send'));
    expect(first('send')).toBeLessThan(first('click'));
    expect(first('click')).toBeLessThan(first('order'));
    const sendEntry = tl.entries.find((e) => e.kind === 'send')!;
    expect(sendEntry).toMatchObject({ campaign: 'abandoned-cart', run_id: run.id, send_id: send.id, at: send.sent_at });
    expect(sendEntry.why).toContain(`run #${run.id}`);
    expect(sendEntry.why).toContain(`step "${send.step}"`);
    expect(sendEntry.why).toMatch(/started by checkout\.started .*checkout_id k-tl-ada/);
    expect(tl.entries.find((e) => e.kind === 'order')!.summary).toMatch(
      /order O-tl-ada: 40\.00 EUR; credited to .*last_click: abandoned-cart/,
    );

    // The same contact by its numeric id (`#N`, and bare digits when no external id is those digits).
    const byId = await get<ContactTimeline>(`/v1/contacts/${encodeURIComponent(`#${tl.contact.contact_id}`)}/timeline`);
    expect(byId.contact.id).toBe('tl-ada');
    expect((await get<ContactTimeline>(`/v1/contacts/${tl.contact.contact_id}/timeline`)).contact.id).toBe('tl-ada');
  });

  it('says the held reminder waits for quiet hours', async () => {
    const tl = await get<ContactTimeline>('/v1/contacts/tl-bo/timeline');
    expect(tl.runs).toHaveLength(1);
    const [send] = tl.runs[0]!.sends;
    expect(send).toMatchObject({ template: 'cart-reminder', status: 'deferred', reason: expect.stringContaining('quiet') });
    const entry = tl.entries.find((e) => e.kind === 'send')!;
    expect(entry.summary).toMatch(/cart-reminder of abandoned-cart: held \(.*quiet/);
    expect(entry.why).toMatch(/campaign abandoned-cart v\d+, run #\d+, step .*started by checkout\.started.*; held: .*quiet/);
    expect(sorted(tl.entries)).toBe(true);
  });

  it('searches by email prefix, external id and name, a page at a time', async () => {
    const ids = (r: ContactSearchResult) => r.contacts.map((c) => c.id);
    expect(ids(await get<ContactSearchResult>('/v1/contacts?q=TL-ADA@'))).toEqual(['tl-ada']);
    expect(ids(await get<ContactSearchResult>('/v1/contacts?q=tl-bo'))).toEqual(['tl-bo']);
    const byName = await get<ContactSearchResult>('/v1/contacts?q=lovel');
    expect(byName.contacts).toEqual([expect.objectContaining({ id: 'tl-ada', name: 'Ada Lovelace', email: 'tl-ada@example.com' })]);
    expect(ids(await get<ContactSearchResult>('/v1/contacts?q=tl_'))).toEqual([]); // `_` is a character, not a wildcard
    // Paging: five contacts start with "tl-", two at a time.
    const seen: Array<string | null> = [];
    let after: string | null = '';
    let pages = 0;
    while (after !== null) {
      const page: ContactSearchResult = await get<ContactSearchResult>(`/v1/contacts?q=tl-&limit=2&after=${after}`);
      expect(page.contacts.length).toBeLessThanOrEqual(2);
      seen.push(...ids(page));
      after = page.next;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(['tl-ada', 'tl-bo', 'tl-extra-1', 'tl-extra-2', 'tl-extra-3']);
    expect((await services.app.request('/v1/contacts?limit=0', { headers: bearer })).status).toBe(400);
  });

  it('answers 404 for an unknown contact and 401 without a key', async () => {
    const missing = await services.app.request('/v1/contacts/nobody/timeline', { headers: bearer });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: 'not_found', message: expect.stringContaining('nobody'), details: { contact: 'nobody' } },
    });
    expect((await services.app.request(`/contacts/nobody?key=${API_KEY}`)).status).toBe(404);
    expect((await services.app.request('/v1/contacts/tl-ada/timeline')).status).toBe(401);
    expect((await services.app.request('/v1/contacts?q=tl')).status).toBe(401);
    expect((await services.app.request('/contacts/tl-ada')).status).toBe(401);
    expect((await services.app.request('/contacts?key=wrong')).status).toBe(401);
  });

  it('the HTML pages escape every value and carry the key in their links', async () => {
    const html = await (await services.app.request(`/contacts/tl-bo?key=${API_KEY}`)).text();
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('cart-reminder');
    const list = await (await services.app.request('/contacts?q=tl-', { headers: bearer })).text();
    expect(list).toContain('href="/contacts/tl-ada"');
    const keyed = await (await services.app.request(`/contacts?q=tl-&limit=2&key=${API_KEY}`)).text();
    expect(keyed).toContain(`href="/contacts/tl-ada?key=${API_KEY}"`);
    expect(keyed).toMatch(/rel="next" href="\/contacts\?q=tl-&#38;after=\d+&#38;key=/);
  });

  it('almanac contact show prints the sends and the campaign, locally and through the server', async () => {
    const local = await almanacCli(['contact', 'show', 'tl-bo'], { local: t.database });
    expect(local.code, local.err).toBe(0);
    expect(local.out).toMatch(/sends\n.*\n#\d+ +abandoned-cart \(#\d+\) .*cart-reminder +deferred +.*quiet/);
    expect(local.out).toMatch(/send +cart-reminder of abandoned-cart: held/);
    expect(local.out).toMatch(/why: campaign abandoned-cart v\d+, run #\d+/);
    const ada = await almanacCli(['contact', 'tl-ada'], { local: t.database });
    expect(ada.code, ada.err).toBe(0);
    expect(ada.out).toMatch(/cart-reminder +sent/);
    expect(ada.out).toMatch(/O-tl-ada +40\.00 +0\.00 +EUR +.*last_click: abandoned-cart/);
    expect((await almanacCli(['contact', 'show', 'nobody'], { local: t.database })).code).toBe(1);
    expect((await almanacCli(['contact', 'show'], { local: t.database })).code).toBe(2);

    const server = await serveOnFreePort(services.app.fetch);
    try {
      const remote = await almanacCli(['contact', 'show', 'tl-ada', '--json'], { remote: { base: server.base, key: ADMIN_KEY } });
      expect(remote.code, remote.err).toBe(0);
      expect(JSON.parse(remote.out)).toEqual(await get<ContactTimeline>('/v1/contacts/tl-ada/timeline'));
      const gone = await almanacCli(['contact', 'show', 'nobody'], { remote: { base: server.base, key: ADMIN_KEY } });
      expect(gone.code).toBe(1);
      expect(gone.err).toContain('no contact with external id or id "nobody"');
    } finally {
      await server.close();
    }
  });

  it.skipIf(!has('chromium', 'the contact timeline page in headless Chromium'))(
    'the contact page in Chromium: found through the search, it shows the held send, the click and the credited order',
    async () => {
      const server = await serveOnFreePort(services.app.fetch);
      const browser = await launchChromium();
      try {
        mkdirSync('test-artifacts', { recursive: true });
        const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
        expect((await page.goto(`${server.base}/contacts?q=tl-&key=${API_KEY}`))!.status()).toBe(200);
        expect(await page.locator('h1').textContent()).toBe('Contacts');
        await page.getByRole('link', { name: 'tl-ada' }).click();
        await page.waitForURL(/\/contacts\/tl-ada\?key=/);
        expect(await page.locator('h1').textContent()).toBe('tl-ada@example.com');
        const timeline = page.locator('#timeline');
        expect(await timeline.locator('tr.entry-click').textContent()).toContain('clicked https://shop.example/cart/tl-ada');
        expect(await timeline.locator('tr.entry-order').textContent()).toMatch(/order O-tl-ada: 40\.00 EUR; credited to .*abandoned-cart/);
        expect(await timeline.locator('tr.entry-send .why').textContent()).toMatch(/why: campaign abandoned-cart v\d+, run #\d+/);

        expect((await page.goto(`${server.base}/contacts/tl-bo?key=${API_KEY}`))!.status()).toBe(200);
        expect(await page.locator('h1').textContent()).toBe('tl-bo@example.com');
        const held = page.locator('#timeline tr.entry-send');
        expect(await held.textContent()).toMatch(/cart-reminder of abandoned-cart: held .*quiet/);
        expect(await page.getByText('<script>alert(1)</script>', { exact: false }).count()).toBeGreaterThan(0);
        await page.screenshot({ path: 'test-artifacts/contact-timeline.png', fullPage: true });
        expect((await page.goto(`${server.base}/contacts/tl-bo`))!.status()).toBe(401);
      } finally {
        await browser.close();
        await server.close();
      }
    },
  );
});

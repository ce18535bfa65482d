import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyProject } from '../../src/campaigns/apply';
import type { ContactTimeline } from '../../src/reports/contact-timeline';
import type { Services } from '../../src/runtime/services';
import { launchChromium, serveOnFreePort } from '../helpers/browser';
import { has } from '../helpers/capabilities';
import { almanacCli } from '../helpers/cli';
import { backend, useTestDatabase } from '../helpers/db';
import { at, query } from '../helpers/engine';
import { API_KEY, authed, fixture, INGEST_SECRET, shopifyRequest, standardRequest } from '../http/ingest-app';
import { openRuntime, outbox, sampleProject, virtualClock } from '../e2e/runtime';

/**
 * Contacts issue, identity: one person is one contact wherever they come from. Through HTTP on
 * the runtime and a virtual clock: a Shopify customer, an API id and an imported phone number of
 * one person end up as one contact known by all of them; two contacts linked by an event merge
 * with their runs (the parallel run of the same campaign collapsed) and consent (a withdrawal
 * kept over the other side's older grant, until a fresh grant); two contacts that both carry an
 * erased address are never merged; a source not trusted to merge does not.
 */
const t = useTestDatabase('contacts_identity');
const clock = virtualClock(at('2026-11-23T09:00:00Z'));
const SHOP = 'almanac-demo.myshopify.com';
let services: Services;

const bearer = { authorization: `Bearer ${API_KEY}` };
async function get<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await services.app.request(path, { headers: bearer });
  return { status: res.status, body: (await res.json()) as T };
}
const timeline = async (ref: string) => {
  const res = await get<ContactTimeline>(`/v1/contacts/${encodeURIComponent(ref)}/timeline`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
async function events(list: unknown[]) {
  const res = await services.app.request('/v1/events/batch', authed({ events: list }));
  const body = (await res.json()) as { accepted: number; warnings?: Array<Record<string, unknown>> };
  expect(res.status, JSON.stringify(body)).toBe(202);
  return body;
}
async function tickAt(iso: string) {
  clock.set(at(iso));
  await services.tick(at(iso));
}
const consent = (id: string, contact: Record<string, unknown>, granted: boolean, when: string) => ({
  id,
  type: granted ? 'consent.granted' : 'consent.withdrawn',
  occurred_at: when,
  contact,
  properties: { purpose: 'email.marketing', text: 'Send me offers', text_version: 'v1' },
});
const checkout = (id: string, contact: Record<string, unknown>, when: string) => ({
  id,
  type: 'checkout.started',
  occurred_at: when,
  contact,
  properties: { checkout_id: `k-${id}`, total: 40, currency: 'EUR', url: `https://shop.example/cart/${id}`, items: [] },
});

beforeAll(async () => {
  services = await openRuntime(t.database, clock, {
    PUBLIC_URL: 'https://shop.example',
    LINK_SIGNING_KEY: 'contacts-identity-link-signing-key',
    MAIL_POSTAL_ADDRESS: 'Demo Shop, Warszawa',
    SUPPRESSION_KEY: 'contacts-identity-suppression-key',
    INGEST_SECRETS: `crm=${INGEST_SECRET}`,
  });
  await applyProject(services.database, sampleProject({ holdouts: { 'abandoned-cart': '0%' }, only: ['abandoned-cart'] }), clock.now());
});

describe(`one person, one contact, on ${backend}`, () => {
  it('an identifier in a wrong shape is that field’s 400, and that import row’s error', async () => {
    const res = await services.app.request(
      '/v1/events',
      authed({ id: 'id-bad-1', type: 'page.viewed', contact: { identifiers: ['shopify:demo.myshopify.com:not-a-number'] } }),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: {
        details: { errors: [{ path: 'contact.identifiers[0]', message: expect.stringContaining('shopify:<shop>:<customer id>') }] },
      },
    });
    const imported = await services.app.request('/v1/contacts/import', {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'text/csv' },
      body: 'id,phone\nbad-phone,12345\n',
    });
    expect(await imported.json()).toMatchObject({
      errors: 1,
      problems: [{ line: 2, column: 'phone', message: 'expected a phone number in E.164 form, such as +48601234567' }],
    });
  });

  it('a merge moves runs and consent: the parallel run collapses, the withdrawal is kept until a fresh grant', async () => {
    const x = { id: 'mx-1', email: 'mx1@example.com', timezone: 'Europe/Warsaw' };
    const y = { identifiers: [`shopify:${SHOP}:555`], email: 'my@example.com', timezone: 'Europe/Warsaw' };
    // x grants and checks out at 09:00 (10:00 Warsaw), then withdraws at 09:10.
    await events([consent('mx-c', x, true, '2026-11-23T09:00:00Z'), checkout('mx-k', x, '2026-11-23T09:00:00Z')]);
    await tickAt('2026-11-23T09:00:01Z');
    clock.set(at('2026-11-23T09:10:00Z'));
    await events([consent('mx-w', x, false, '2026-11-23T09:10:00Z')]);
    // y (a Shopify customer with another address) grants and checks out at 09:20.
    clock.set(at('2026-11-23T09:20:00Z'));
    await events([consent('my-c', y, true, '2026-11-23T09:20:00Z'), checkout('my-k', y, '2026-11-23T09:20:00Z')]);
    await tickAt('2026-11-23T09:20:01Z');
    const before = await timeline(`shopify:${SHOP}:555`);
    const xBefore = await timeline('mx-1');
    expect(before.runs.map((r) => r.status)).toEqual(['active']);
    expect(xBefore.runs.map((r) => r.status)).toEqual(['active']);

    // 09:30: our API says mx-1 is that Shopify customer.
    clock.set(at('2026-11-23T09:30:00Z'));
    const linked = await events([
      {
        id: 'mx-link',
        type: 'contact.updated',
        occurred_at: '2026-11-23T09:30:00Z',
        contact: { id: 'mx-1', identifiers: [`shopify:${SHOP}:555`] },
      },
    ]);
    expect(linked.warnings).toEqual([
      expect.objectContaining({ code: 'contacts_merged', message: expect.stringContaining('my@example.com was merged into contact mx-1') }),
    ]);

    const merged = await timeline(`shopify:${SHOP}:555`);
    expect(merged.contact).toMatchObject({ contact_id: xBefore.contact.contact_id, id: 'mx-1', email: 'mx1@example.com' });
    expect(merged.identifiers.map((i) => i.identifier).sort()).toEqual(
      ['email:mx1@example.com', 'email:my@example.com', 'external:app:mx-1', `shopify:${SHOP}:555`].sort(),
    );
    // The run that started first (x's) goes on; y's ended as merged.
    expect(merged.runs.map((r) => [r.id, r.status, r.exit_reason])).toEqual([
      [xBefore.runs[0]!.id, 'active', null],
      [before.runs[0]!.id, 'exited', 'merged'],
    ]);
    // Events moved with the ledger; x's withdrawal wins over y's later grant: recorded as a merge withdrawal.
    expect(merged.events.map((e) => e.id).length).toBe(xBefore.events.length + before.events.length + 1);
    expect(merged.consent.map((c) => [c.state, c.source])).toEqual([
      ['granted', 'api'],
      ['withdrawn', 'api'],
      ['granted', 'api'],
      ['withdrawn', 'merge'],
    ]);
    expect(merged.merges).toEqual([
      expect.objectContaining({
        merged_contact_id: before.contact.contact_id,
        merged_email: 'my@example.com',
        via: ['external:app:mx-1', `shopify:${SHOP}:555`],
        source: 'api',
        reason: expect.stringContaining('api event mx-link'),
        collapsed_runs: [before.runs[0]!.id],
        moved: expect.objectContaining({ runs: 1, events: 2, consent_records: 1, identifiers: 2 }),
      }),
    ]);
    expect(merged.entries.some((e) => e.kind === 'merge')).toBe(true);
    // The merged contact's old id answers for the survivor; there is one contact row fewer.
    expect((await timeline(`#${before.contact.contact_id}`).catch(() => undefined))?.contact.contact_id).not.toBe(
      before.contact.contact_id,
    );

    // The reminders are due at 10:00 and 10:20: nobody is mailed — consent is withdrawn.
    for (const when of ['2026-11-23T10:00:01Z', '2026-11-23T10:00:02Z', '2026-11-23T10:20:01Z', '2026-11-23T10:20:02Z']) await tickAt(when);
    expect(await outbox(services)).toEqual([]);
    const after = await timeline('mx-1');
    expect(after.runs.flatMap((r) => r.sends.map((s) => [r.id, s.status]))).toEqual([[xBefore.runs[0]!.id, 'suppressed']]);

    // A fresh grant after the merge lifts it.
    clock.set(at('2026-11-23T11:00:00Z'));
    await events([consent('mx-c2', { id: 'mx-1' }, true, '2026-11-23T11:00:00Z')]);
    expect((await timeline('mx-1')).consent.at(-1)).toMatchObject({ state: 'granted', source: 'api' });
  });

  it('a merge reverts: the merged contact comes back with what moved, and the two are not merged again', async () => {
    const merged = await timeline('mx-1');
    const m = merged.merges[0]!;
    const res = await services.app.request(`/v1/contact-merges/${m.merge_id}/revert`, { method: 'POST', headers: bearer });
    const report = (await res.json()) as { restored_contact_id: number; moved_back: Record<string, number> };
    expect(res.status, JSON.stringify(report)).toBe(200);
    expect(report).toMatchObject({ restored_contact_id: m.merged_contact_id, moved_back: { runs: 1, events: 2, consent_records: 1 } });
    const y = await timeline(`shopify:${SHOP}:555`);
    expect(y.contact).toMatchObject({ contact_id: m.merged_contact_id, email: 'my@example.com' });
    expect(y.identifiers.map((i) => i.identifier).sort()).toEqual(['email:my@example.com', `shopify:${SHOP}:555`]);
    // Its run stays ended (a journey is not resumed); its grant is its own again.
    expect(y.runs.map((r) => [r.status, r.exit_reason])).toEqual([['exited', 'merged']]);
    expect(y.consent.map((c) => c.state)).toEqual(['granted']);
    const x = await timeline('mx-1');
    expect(x.identifiers.map((i) => i.identifier).sort()).toEqual(['email:mx1@example.com', 'external:app:mx-1']);
    expect(x.consent.map((c) => c.source)).not.toContain('merge');
    expect(x.merges[0]).toMatchObject({ merge_id: m.merge_id, reverted_at: expect.any(String) });
    // Twice: 409. An unknown one: 404. A bad id: 400 naming it.
    expect((await services.app.request(`/v1/contact-merges/${m.merge_id}/revert`, { method: 'POST', headers: bearer })).status).toBe(409);
    expect((await services.app.request('/v1/contact-merges/99999/revert', { method: 'POST', headers: bearer })).status).toBe(404);
    expect((await services.app.request('/v1/contact-merges/x1/revert', { method: 'POST', headers: bearer })).status).toBe(400);
    // The same link again: someone decided they are two people.
    const again = await events([
      { id: 'mx-link-2', type: 'contact.updated', contact: { id: 'mx-1', identifiers: [`shopify:${SHOP}:555`] } },
    ]);
    expect(again.warnings).toEqual([
      expect.objectContaining({ code: 'merge_refused', message: expect.stringContaining('a merge of these two contacts was reverted') }),
    ]);
  });

  it('a chain of merges keeps every record with the last survivor', async () => {
    await events(['ch-a', 'ch-b', 'ch-c'].map((id) => ({ id: `${id}-e`, type: 'page.viewed', contact: { id } })));
    const ids = await Promise.all(['ch-a', 'ch-b', 'ch-c'].map(async (id) => (await timeline(id)).contact.contact_id));
    await events([{ id: 'ch-link-1', type: 'contact.updated', contact: { id: 'ch-b', identifiers: ['external:app:ch-c'] } }]);
    await events([{ id: 'ch-link-2', type: 'contact.updated', contact: { id: 'ch-a', identifiers: ['external:app:ch-b'] } }]);
    const a = await timeline('ch-c');
    expect(a.contact.contact_id).toBe(ids[0]);
    expect(a.merges.map((m) => m.merged_contact_id)).toEqual([ids[2], ids[1]]);
    expect(a.events.filter((e) => e.type === 'page.viewed')).toHaveLength(3);
  });

  it('the CLI shows identifiers and merges and reverts a merge', async () => {
    await events([
      { id: 'cli-a', type: 'page.viewed', contact: { id: 'cli-1', email: 'cli1@example.com' } },
      { id: 'cli-b', type: 'page.viewed', contact: { id: 'cli-2', email: 'cli2@example.com' } },
    ]);
    const link = await events([
      { id: 'cli-link', type: 'contact.updated', contact: { id: 'cli-2', identifiers: ['email:cli1@example.com'] } },
    ]);
    const mergeId = Number(link.warnings![0]!.merge_id);
    const shown = await almanacCli(['contact', 'show', 'cli-2'], { local: t.database });
    expect(shown.code, shown.err).toBe(0);
    expect(shown.out).toMatch(/identifiers\n.*\nexternal:app:cli-1 +external +api/);
    expect(shown.out).toMatch(new RegExp(`merges\\n.*\\n${mergeId} +\\S+ +cli2@example.com|merges\\n.*\\n${mergeId} +\\S+ +cli-2`));
    const undone = await almanacCli(['contact', 'unmerge', String(mergeId)], { local: t.database });
    expect(undone.code, undone.err).toBe(0);
    expect(undone.out).toMatch(new RegExp(`^reverted merge ${mergeId}: contact #\\d+ is back beside #\\d+\\n  events: 1\\n`));
    expect((await almanacCli(['contact', 'unmerge', String(mergeId)], { local: t.database })).code).toBe(1);
    expect((await timeline('cli-2')).contact.id).toBe('cli-2');
  });

  it('never merges two contacts that each carry an erased address, and says so', async () => {
    for (const who of ['er-1', 'er-2']) {
      await events([{ id: `${who}-a`, type: 'page.viewed', contact: { id: who, email: `${who}@example.com` } }]);
      const erased = await services.app.request(`/v1/contacts/${who}`, { method: 'DELETE', headers: bearer });
      expect(erased.status).toBe(200);
      // Back by import or event without fresh consent: the address stays suppressed (an active erasure record).
      await events([{ id: `${who}-b`, type: 'page.viewed', contact: { id: `${who}-again`, email: `${who}@example.com` } }]);
    }
    const link = await events([
      { id: 'er-link', type: 'contact.updated', contact: { id: 'er-1-again', identifiers: ['email:er-2@example.com'] } },
    ]);
    expect(link.warnings).toEqual([
      expect.objectContaining({
        code: 'merge_refused',
        held_by: 'er-2-again',
        message: expect.stringContaining('both contacts carry an address erased under GDPR'),
      }),
    ]);
    expect((await timeline('er-1-again')).contact.contact_id).not.toBe((await timeline('er-2-again')).contact.contact_id);
  });

  it('a source not trusted to merge (a CRM webhook, by default) links nothing: a new contact, with the conflict named', async () => {
    const body = JSON.stringify({
      id: 'crm-1',
      type: 'page.viewed',
      contact: { identifiers: ['external:crm:77'], email: 'mx1@example.com' },
    });
    const res = await services.app.request('/webhooks/ingest/crm', standardRequest(body, 'msg-crm-1', clock.now()));
    const answer = (await res.json()) as { warnings?: Array<Record<string, unknown>> };
    expect(res.status, JSON.stringify(answer)).toBe(200);
    expect(answer.warnings).toEqual([expect.objectContaining({ code: 'email_conflict', held_by: 'mx-1' })]);
    expect((await timeline('external:crm:77')).contact.contact_id).not.toBe((await timeline('mx-1')).contact.contact_id);
  });
  it('a Shopify customer, an API id and an imported phone of one person are one contact known by all of them', async () => {
    // 1. Shopify: customer 7712345678901, ada@example.com (signed webhook; the checkout is dated 10:00).
    clock.set(at('2026-11-23T12:00:00Z'));
    const shopify = await services.app.request(
      '/webhooks/shopify',
      shopifyRequest(fixture('checkouts-create'), 'checkouts/create', 'wh-id-1'),
    );
    expect(shopify.status).toBe(200);
    // 2. Our API: the application's id with the same address, differently cased.
    const api = await events([{ id: 'id-api-1', type: 'page.viewed', contact: { id: 'u-ada', email: 'ADA@example.com' } }]);
    expect(api.warnings).toBeUndefined();
    // 3. An import (CSV): a phone number with the address.
    const imported = await services.app.request('/v1/contacts/import', {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'text/csv' },
      body: 'email,phone,first_name\nada@example.com,+48 601 234 567,Ada\n',
    });
    expect(imported.status, await imported.clone().text()).toBe(200);

    expect(await imported.json()).toMatchObject({ rows: 1, created: 0, updated: 1, errors: 0 });

    const byShopify = await timeline(`shopify:${SHOP}:7712345678901`);
    expect(byShopify.identifiers.map((i) => i.identifier).sort()).toEqual(
      ['email:ada@example.com', 'external:app:u-ada', 'phone:+48601234567', `shopify:${SHOP}:7712345678901`].sort(),
    );
    expect(byShopify.identifiers.find((i) => i.identifier.startsWith('shopify:'))).toMatchObject({ source: 'shopify' });
    expect(byShopify.identifiers.find((i) => i.identifier.startsWith('phone:'))).toMatchObject({ source: 'import' });
    expect(byShopify.contact).toMatchObject({ id: 'u-ada', email: 'ada@example.com', attributes: { first_name: 'Ada' } });
    for (const ref of ['u-ada', 'ada@example.com', 'phone:+48601234567', '+48 601 234 567'])
      expect((await timeline(ref)).contact.contact_id, ref).toBe(byShopify.contact.contact_id);
    // Search finds the person by any of them.
    for (const q of [`shopify:${SHOP}:7712345678901`, '+48601234567', 'u-ada', 'ada@'])
      expect((await get<{ contacts: Array<{ contact_id: number }> }>(`/v1/contacts?q=${encodeURIComponent(q)}`)).body.contacts, q).toEqual([
        expect.objectContaining({ contact_id: byShopify.contact.contact_id }),
      ]);
    const [{ n }] = (await query<{ n: number }>(
      t.database,
      sql`select count(*)::int as n from contacts where email like 'ada@%' or external_id = 'u-ada'`,
    )) as [{ n: number }];
    expect(n).toBe(1);
  });

  it.skipIf(!has('chromium', 'the contact page with identifiers and merges in headless Chromium'))(
    'the contact page in Chromium names every identifier and each merge, reverted or not',
    async () => {
      const server = await serveOnFreePort(services.app.fetch);
      const browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
        expect(
          (await page.goto(`${server.base}/contacts/${encodeURIComponent(`shopify:${SHOP}:7712345678901`)}?key=${API_KEY}`))!.status(),
        ).toBe(200);
        const identifiers = page.locator('table', { has: page.locator('caption', { hasText: 'Identifiers' }) });
        expect(await identifiers.locator('tbody tr').allTextContents()).toEqual([
          expect.stringMatching(/^external:app:u-adaexternalapi/),
          expect.stringMatching(new RegExp(`^shopify:${SHOP.replace(/\./g, '\\.')}:7712345678901shopifyshopify`)),
          expect.stringMatching(/^phone:\+48601234567phoneimport/),
          expect.stringMatching(/^email:ada@example\.comemailshopify/),
        ]);
        expect((await page.goto(`${server.base}/contacts/mx-1?key=${API_KEY}`))!.status()).toBe(200);
        const merges = page.locator('table', { has: page.locator('caption', { hasText: 'Merges' }) });
        expect(await merges.locator('tbody tr').first().textContent()).toMatch(
          /my@example\.com \(#\d+\), reverted .*shopify:almanac-demo\.myshopify\.com:555/,
        );
        expect(await page.locator('#timeline tr.entry-merge').first().textContent()).toContain(
          'merged contact my@example.com into this one',
        );
      } finally {
        await browser.close();
        await server.close();
      }
    },
  );
});

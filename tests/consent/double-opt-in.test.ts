import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyProject } from '../../src/campaigns/apply';
import { signConfirmToken, verifyConfirmToken } from '../../src/consent/confirm-token';
import { ingestEvents } from '../../src/events/ingest';
import type { Services } from '../../src/runtime/services';
import { backend, useTestDatabase } from '../helpers/db';
import { at, compileInline, plus, query } from '../helpers/engine';
import { openRuntime, outbox, virtualClock } from '../e2e/runtime';
import { API_KEY, authed } from '../http/ingest-app';

/**
 * Issue 13, double opt-in, end to end through HTTP and the runtime's wiring (outbox transport,
 * virtual clock): `email.marketing` is declared `double_opt_in: true`; a grant stays pending and
 * the shipped confirmation campaign (campaigns/consent-confirmation.yaml) mails the link; GET
 * changes nothing, POST confirms once; expired, superseded and forged links record nothing; a
 * journey on `consent.granted` starts only after the confirmation.
 */
const t = useTestDatabase('double_opt_in');
const LINK_KEY = 'double-opt-in-test-link-key';
const clock = virtualClock(at('2026-11-23T09:00:00Z'));
let services: Services;

const calendar = `timezone: Europe/Warsaw
purposes:
  - id: email.marketing
    label: { en: Offers and news, pl: Oferty i nowości }
    description: Sales and new products.
    double_opt_in: true
`;
// A journey a confirmed grant starts: it must not start on the request.
const thanks = `campaign: signup-thanks
name: Thanks for subscribing
purpose: email.marketing
trigger: { event: consent.granted }
audience: { consent: email.marketing }
steps:
  - send: welcome-1
`;
const project = () =>
  compileInline(
    {
      'campaigns/calendar.yaml': calendar,
      'campaigns/consent-confirmation.yaml': readFileSync('campaigns/consent-confirmation.yaml', 'utf8'),
      'campaigns/signup-thanks.yaml': thanks,
    },
    ['consent-confirm', 'welcome-1'],
  );

beforeAll(async () => {
  services = await openRuntime(t.database, clock, {
    PUBLIC_URL: 'https://shop.example',
    LINK_SIGNING_KEY: LINK_KEY,
    SUPPRESSION_KEY: 'double-opt-in-suppression-key-0123',
    MAIL_POSTAL_ADDRESS: 'Demo Shop, ul. Przykładowa 1, Warszawa',
    CONFIRM_TOKEN_DAYS: '7',
  });
  await applyProject(services.database, project(), clock.now());
});

const TEXT = 'Yes, send me offers and news. I can unsubscribe at any time.';
const grant = (id: string, extra: Record<string, unknown> = {}) => ({
  id: `${id}-grant-${clock.now().getTime()}`,
  contact: { id, email: `${id}@example.com`, locale: 'en' },
  purpose: 'email.marketing',
  granted: true,
  source: 'signup-form',
  text: TEXT,
  text_version: 'signup-2026-11',
  ip: '203.0.113.7',
  user_agent: 'FormBrowser/1.0',
  ...extra,
});
type Row = {
  id: number;
  granted: boolean;
  pending: boolean;
  confirms: number | null;
  source: string;
  ip: string | null;
  user_agent: string | null;
};
const ledger = (id: string) =>
  query<Row>(
    t.database,
    sql`select r.id::int as id, r.granted, r.pending, r.confirms::int as confirms, r.source, r.ip, r.user_agent from consent_records r
        join contacts c on c.id = r.contact_id where c.external_id = ${id} order by r.id`,
  );
const eventTypes = (id: string) =>
  query<{ type: string }>(
    t.database,
    sql`select e.type from events e join contacts c on c.id = e.contact_id where c.external_id = ${id} order by e.id`,
  ).then((rows) => rows.map((r) => r.type));

async function tickAt(when: Date) {
  clock.set(when);
  await services.tick(when);
  await services.tick(plus(when, 1000));
}

/** Sign up `id` at `when` and let the ticks send the confirmation mail; its confirm path. */
async function signUp(id: string, when: Date): Promise<{ path: string; answer: { warnings?: Array<{ code: string; field: string }> } }> {
  clock.set(when);
  const res = await services.app.request('/v1/consent', authed(grant(id)));
  expect(res.status).toBe(202);
  const answer = (await res.json()) as { warnings?: Array<{ code: string; field: string }> };
  await tickAt(plus(when, 1000));
  const mails = await outbox(services, { to: `${id}@example.com` });
  const confirmation = mails.find((m) => m.subject === 'Please confirm your subscription');
  expect(confirmation, 'the confirmation mail went out').toBeDefined();
  const link = /https:\/\/shop\.example(\/confirm\/[A-Za-z0-9._-]+)/.exec(confirmation!.text);
  expect(link, `a confirm link in:\n${confirmation!.text}`).not.toBeNull();
  return { path: link![1]!, answer };
}

const click = (path: string, method: 'GET' | 'POST', ip = '198.51.100.9') =>
  services.app.request(path, { method, headers: { 'user-agent': 'ClickBrowser/2.0', 'x-forwarded-for': `${ip}, 10.0.0.1` } });

describe(`double opt-in on ${backend}`, () => {
  it('a grant stays pending, the confirmation mail links /confirm; GET changes nothing, POST confirms once and starts the journey', async () => {
    const start = at('2026-11-23T10:00:00Z');
    const { path, answer } = await signUp('ola', start);
    expect(answer.warnings).toEqual([expect.objectContaining({ code: 'consent_pending', field: 'properties.purpose' })]);
    expect(await eventTypes('ola')).toEqual(['consent.requested']);
    const [request] = await ledger('ola');
    expect(request).toMatchObject({
      granted: false,
      pending: true,
      source: 'signup-form',
      ip: '203.0.113.7',
      user_agent: 'FormBrowser/1.0',
    });
    // Only the confirmation went out: the marketing journey waits for the confirmed grant.
    expect((await outbox(services, { to: 'ola@example.com' })).map((m) => m.subject)).toEqual(['Please confirm your subscription']);
    const [confirmation] = await outbox(services, { to: 'ola@example.com' });
    const raw = await services.app.request(`/v1/outbox/${confirmation!.id}/raw`, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(await raw.text(), 'transactional: no unsubscribe header').not.toMatch(/^List-Unsubscribe:/im);

    const page = await click(path, 'GET');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<form method="post">');
    expect(html).toContain(TEXT);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(await ledger('ola'), 'GET changed nothing').toHaveLength(1);

    clock.set(plus(start, 600_000));
    const confirmed = await click(path, 'POST');
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('you are subscribed to Offers and news');
    const rows = await ledger('ola');
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({
      granted: true,
      pending: false,
      confirms: request!.id,
      source: 'double_opt_in',
      ip: '198.51.100.9',
      user_agent: 'ClickBrowser/2.0',
    });
    const evidence = await query<{ text: string; text_version: string }>(
      t.database,
      sql`select text, text_version from consent_records where id = ${rows[1]!.id}`,
    );
    expect(evidence[0], 'the grant carries the wording agreed to').toEqual({ text: TEXT, text_version: 'signup-2026-11' });
    expect(await eventTypes('ola')).toEqual(['consent.requested', 'consent.granted']);

    await tickAt(plus(start, 601_000));
    const mails = await outbox(services, { to: 'ola@example.com' });
    expect(mails.map((m) => m.subject)).toHaveLength(2);
    const welcome = mails.find((m) => m.subject !== 'Please confirm your subscription')!;
    const welcomeRaw = await services.app.request(`/v1/outbox/${welcome.id}/raw`, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(await welcomeRaw.text(), 'the journey mail is marketing').toMatch(/^List-Unsubscribe: <https:\/\/shop\.example\/u\//im);

    // Single use: a second click (or a scanner replaying the POST) records nothing more.
    const again = await click(path, 'POST');
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('already subscribed');
    expect(await ledger('ola')).toHaveLength(2);
  });

  it('five clicks at once record one grant', async () => {
    const { path } = await signUp('piotr', at('2026-11-24T10:00:00Z'));
    const answers = await Promise.all(Array.from({ length: 5 }, () => click(path, 'POST')));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const rows = await ledger('piotr');
    expect(rows.filter((r) => r.granted)).toHaveLength(1);
  });

  it('an expired link, or one superseded by a withdrawal or a newer request, answers 410 and records nothing', async () => {
    const start = at('2026-11-25T10:00:00Z');
    const { path: expired } = await signUp('ewa', start);
    clock.set(plus(start, 8 * 86_400_000));
    const late = await click(expired, 'GET');
    expect(late.status).toBe(410);
    expect(await late.text()).toContain('has expired');
    expect((await click(expired, 'POST')).status).toBe(410);
    expect((await ledger('ewa')).filter((r) => r.granted)).toEqual([]);

    const { path: withdrawnLink } = await signUp('jan', at('2026-11-26T10:00:00Z'));
    clock.set(at('2026-11-26T11:00:00Z'));
    const withdrawal = await services.app.request(
      '/v1/consent',
      authed({ id: 'jan-withdraw', contact: { id: 'jan' }, purpose: 'email.marketing', granted: false, source: 'support-call' }),
    );
    expect(withdrawal.status).toBe(202);
    expect((await click(withdrawnLink, 'POST')).status).toBe(410);
    expect((await ledger('jan')).filter((r) => r.granted)).toEqual([]);

    // Two requests: only the newest one's link confirms.
    const first = await signUp('kasia', at('2026-11-27T10:00:00Z'));
    const second = await signUp('kasia', at('2026-11-27T12:00:00Z'));
    expect(first.path).not.toBe(second.path);
    expect((await click(first.path, 'POST')).status).toBe(410);
    expect((await click(second.path, 'POST')).status).toBe(200);
    expect((await ledger('kasia')).filter((r) => r.granted)).toHaveLength(1);
  });

  it('forged, altered and random tokens answer 404 and change nothing', async () => {
    const { path } = await signUp('zofia', at('2026-11-28T10:00:00Z'));
    const token = path.slice('/confirm/'.length);
    const subject = verifyConfirmToken(token, LINK_KEY)!;
    expect(subject).toMatchObject({ purpose: 'email.marketing' });
    const forged = [
      signConfirmToken(subject, 'another-key'),
      signConfirmToken({ ...subject, expiresAt: plus(subject.expiresAt, 86_400_000 * 365) }, 'another-key'),
      // The same MAC on a later expiry: a forger cannot extend a link.
      token.replace(/^(\d+\.\d+\.)(\d+)/, (_, a: string, e: string) => `${a}${Number(e) + 86_400}`),
      token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'),
      ...Array.from({ length: 200 }, () => randomBytes(24).toString('base64url')),
      ...Array.from(
        { length: 200 },
        () =>
          `${subject.contactId}.${randomBytes(8).readBigUInt64BE() % 10n ** 13n}.1900000000.ZW1haWwubWFya2V0aW5n.${randomBytes(16).toString('base64url')}`,
      ),
    ];
    for (const f of forged) {
      const res = await click(`/confirm/${f}`, 'POST');
      expect(res.status, f).toBe(404);
    }
    expect((await ledger('zofia')).filter((r) => r.granted)).toEqual([]);
  });

  it('a second grant of a confirmed purpose is a grant, and a Shopify-confirmed one needs no mail', async () => {
    clock.set(at('2026-11-29T10:00:00Z'));
    const { path } = await signUp('adam', at('2026-11-29T10:00:00Z'));
    expect((await click(path, 'POST')).status).toBe(200);
    clock.set(at('2026-11-29T12:00:00Z'));
    const res = await services.app.request('/v1/consent', authed(grant('adam')));
    expect(((await res.json()) as { warnings?: unknown }).warnings).toBeUndefined();
    expect((await ledger('adam')).map((r) => [r.granted, r.pending])).toEqual([
      [false, true],
      [true, false],
      [true, false],
    ]);

    const now = at('2026-11-29T13:00:00Z');
    const event = {
      dedupeKey: 'shopify:consent:42',
      type: 'consent.granted',
      occurredAt: now,
      contact: { externalId: 'shopify-42', email: 'shopify-42@example.com' },
      properties: { purpose: 'email.marketing', source: 'shopify', opt_in_level: 'confirmed_opt_in' },
    };
    await ingestEvents(services.database.db, [event], { source: 'shopify', now });
    expect((await ledger('shopify-42')).map((r) => [r.granted, r.pending])).toEqual([[true, false]]);
    // The same claim from the API is not trusted: only Shopify's signed webhook speaks for Shopify.
    await ingestEvents(services.database.db, [{ ...event, dedupeKey: 'api:43', contact: { externalId: 'api-43' } }], {
      source: 'api',
      now,
    });
    expect((await ledger('api-43')).map((r) => [r.granted, r.pending])).toEqual([[false, true]]);
  });

  it('after a GDPR erasure a fresh request reaches the address; marketing waits for the confirmation', async () => {
    const { path } = await signUp('erin', at('2026-11-30T10:00:00Z'));
    expect((await click(path, 'POST')).status).toBe(200);
    clock.set(at('2026-11-30T11:00:00Z'));
    const erased = await services.app.request('/v1/contacts/erin', { method: 'DELETE', headers: { authorization: `Bearer ${API_KEY}` } });
    expect(erased.status).toBe(200);
    const before = (await outbox(services, { to: 'erin@example.com' })).length;
    // Signing up again: the `erased` suppression gives way to the evidenced request, so the
    // confirmation arrives; nothing marketing goes until it is confirmed.
    const again = await signUp('erin', at('2026-11-30T12:00:00Z'));
    const after = await outbox(services, { to: 'erin@example.com' });
    expect(after.slice(before).map((m) => m.subject)).toEqual(['Please confirm your subscription']);
    expect((await click(again.path, 'POST')).status).toBe(200);
    await tickAt(at('2026-11-30T12:10:00Z'));
    expect((await outbox(services, { to: 'erin@example.com' })).length).toBe(after.length + 1);
  });

  it('the API refuses consent.requested as input, naming the field', async () => {
    const res = await services.app.request(
      '/v1/events',
      authed({ type: 'consent.requested', contact: { id: 'x' }, properties: { purpose: 'email.marketing' } }),
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { details: { errors: Array<{ path: string; message: string }> } } };
    expect(body.error.details.errors).toEqual([
      expect.objectContaining({ path: 'type', message: expect.stringContaining('consent.granted') }),
    ]);
  });
});

describe('double opt-in at compile time', () => {
  it('a double opt-in purpose without a campaign sending the confirmation is an error at its line', () => {
    expect(() => compileInline({ 'campaigns/calendar.yaml': calendar, 'campaigns/signup-thanks.yaml': thanks }, ['welcome-1'])).toThrow(
      /campaigns\/calendar\.yaml:6:\d+ purpose email\.marketing asks for double opt-in, but no campaign sends the confirmation mail/,
    );
  });
});

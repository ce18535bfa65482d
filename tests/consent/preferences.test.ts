import { mkdirSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { launchChromium, serveOnFreePort } from '../helpers/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyProject } from '../../src/campaigns/apply';
import { signPreferencesToken } from '../../src/consent/preferences-token';
import type { Services } from '../../src/runtime/services';
import { has } from '../helpers/capabilities';
import { backend, useTestDatabase } from '../helpers/db';
import { at, query } from '../helpers/engine';
import { authed } from '../http/ingest-app';
import { openRuntime, sampleProject, virtualClock } from '../e2e/runtime';

/**
 * The preference centre (`/preferences/:token`), through HTTP and in headless Chromium (Debian's,
 * through playwright-core) driven by the keyboard as a person without a mouse would; the
 * screenshot lands in test-artifacts/preferences-pl.png.
 */
const t = useTestDatabase('consent_preferences');
const LINK_KEY = 'preferences-test-link-signing-key';
const clock = virtualClock(at('2026-11-23T10:00:00Z'));
let services: Services;
let ola = 0;

const ledger = (contactId: number) =>
  query<{ purpose: string; granted: boolean; source: string; text: string | null; text_version: string | null; user_agent: string | null }>(
    t.database,
    sql`select purpose, granted, source, text, text_version, user_agent from consent_records where contact_id = ${contactId} order by id`,
  );

beforeAll(async () => {
  services = await openRuntime(t.database, clock, { PUBLIC_URL: 'https://shop.example', LINK_SIGNING_KEY: LINK_KEY });
  await applyProject(services.database, sampleProject(), clock.now());
  const res = await services.app.request(
    '/v1/events',
    authed({
      id: 'ola-consent',
      type: 'consent.granted',
      contact: { id: 'ola', email: 'ola@example.com', locale: 'pl' },
      properties: { purpose: 'email.marketing', source: 'signup-form', text: 'Chcę dostawać oferty' },
    }),
  );
  expect(res.status).toBe(202);
  ola = (await query<{ id: number }>(t.database, sql`select id from contacts where external_id = 'ola'`))[0]!.id;
});

describe(`GET/POST /preferences/:token on ${backend}`, () => {
  it('shows the declared purposes in the contact language with their state, and GET changes nothing', async () => {
    const before = await ledger(ola);
    const res = await services.app.request(`/preferences/${signPreferencesToken(ola, LINK_KEY)}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<html lang="pl">');
    expect(html).toContain('Oferty, nowości i przypomnienia');
    expect(html).toMatch(/value="email\.marketing" checked/);
    expect(await ledger(ola)).toEqual(before);
  });

  it('a forged token is a 404 page, nothing changed', async () => {
    const before = await ledger(ola);
    for (const token of [`${ola}.AAAAAAAAAAAAAAAAAAAAAA`, `${ola + 1}.${signPreferencesToken(ola, LINK_KEY).split('.')[1]}`, 'x']) {
      const res = await services.app.request(`/preferences/${token}`, {
        method: 'POST',
        headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
        body: 'action=all',
      });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('text/html');
    }
    expect(await ledger(ola)).toEqual(before);
  });
});

const run = has('chromium', 'the preference centre in headless Chromium');

describe.skipIf(!run)(`the preference centre in Chromium on ${backend}`, () => {
  let browser: Browser | undefined;
  let server: Awaited<ReturnType<typeof serveOnFreePort>> | undefined;
  let base = '';
  beforeAll(async () => {
    server = await serveOnFreePort(services.app.fetch);
    base = server.base;
    browser = await launchChromium();
    mkdirSync('test-artifacts', { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('with the keyboard only: untick a purpose, save, see the status; then unsubscribe from all — each change in the ledger', async () => {
    const page = await browser!.newPage({ viewport: { width: 390, height: 800 }, userAgent: 'Chromium preference test' });
    await page.goto(`${base}/preferences/${signPreferencesToken(ola, LINK_KEY)}`);
    expect(await page.locator('h1').textContent()).toBe('Ustawienia wiadomości');
    const box = page.getByLabel('Oferty, nowości i przypomnienia');
    expect(await box.isChecked()).toBe(true);
    expect(await box.getAttribute('aria-describedby')).toBeTruthy();
    await page.screenshot({ path: 'test-artifacts/preferences-pl.png', fullPage: true });

    await page.keyboard.press('Tab'); // the first focusable element is the checkbox
    expect(
      await page.evaluate(
        () => (globalThis as unknown as { document: { activeElement: { value?: string } | null } }).document.activeElement?.value,
      ),
    ).toBe('email.marketing');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { textContent: string | null } | null } }).document.activeElement
            ?.textContent,
      ),
    ).toBe('Zapisz ustawienia');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[role=status]');
    expect(await page.locator('[role=status]').textContent()).toBe('Zapisano Twoje ustawienia.');
    expect(await page.getByLabel('Oferty, nowości i przypomnienia').isChecked()).toBe(false);
    const afterSave = await ledger(ola);
    expect(afterSave.at(-1)).toEqual({
      purpose: 'email.marketing',
      granted: false,
      source: 'preference_centre',
      text: 'Nie chcę już otrzymywać: Oferty, nowości i przypomnienia',
      text_version: 'preference-centre-1:pl',
      user_agent: 'Chromium preference test',
    });

    // Tick it again and save: a grant with the wording agreed to.
    await page.getByLabel('Oferty, nowości i przypomnienia').check();
    await page.getByRole('button', { name: 'Zapisz ustawienia' }).click();
    await page.waitForSelector('[role=status]');
    expect((await ledger(ola)).at(-1)).toMatchObject({ granted: true, text: 'Chcę otrzymywać: Oferty, nowości i przypomnienia' });

    // Saving without a change adds nothing; "all" withdraws.
    const count = (await ledger(ola)).length;
    await page.getByRole('button', { name: 'Zapisz ustawienia' }).click();
    await page.waitForSelector('[role=status]');
    expect(await ledger(ola)).toHaveLength(count);
    await page.getByRole('button', { name: 'Wypisz mnie ze wszystkich wiadomości marketingowych' }).click();
    await page.waitForSelector('[role=status]');
    expect(await page.locator('[role=status]').textContent()).toBe('Wypisano Cię ze wszystkich wiadomości marketingowych.');
    expect((await ledger(ola)).at(-1)).toMatchObject({ granted: false, source: 'preference_centre' });
    await page.close();
  });
});

import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { launchChromium, serveOnFreePort } from '../../helpers/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config';
import { createLogger } from '../../../src/lib/log';
import { openServices } from '../../../src/runtime/services';
import { has } from '../../helpers/capabilities';
import { backend, useTestDatabase } from '../../helpers/db';
import { engine, ingest } from '../../helpers/engine';
import { API_KEY, DECEMBER_TUESDAYS, FRIDAY_DEALS, NOW, applySample } from './setup';

/**
 * The month view in a real browser (Debian's Chromium through playwright-core), served by the
 * real HTTP server on a free port, as a marketer would open it. Screenshots land in
 * test-artifacts/calendar-*.png for a look.
 */
const t = useTestDatabase('calendar_browser');
const ARTIFACTS = 'test-artifacts';
const run = has('chromium', 'the calendar month view in headless Chromium');

let browser: Browser | undefined;
let server: Awaited<ReturnType<typeof serveOnFreePort>> | undefined;
let base = '';

/**
 * A shop with a few hundred readers in three zones and some carts, so the forecast has numbers,
 * and a New York broadcast on Fridays whose Christmas occurrence is held by the blackout.
 */
async function seed(): Promise<void> {
  await applySample(t.database, { 'campaigns/friday-deals.yaml': FRIDAY_DEALS });
  const zones = ['Europe/Warsaw', 'America/New_York', 'Australia/Sydney'];
  const readers = Array.from({ length: 240 }, (_, i) => ({
    id: `seed-${i}`,
    type: 'consent.granted',
    occurred_at: '2026-11-01T00:00:00Z',
    contact: { id: `shopper-${i}`, email: `shopper-${i}@example.com`, timezone: zones[i % 3] },
    properties: { purpose: 'email.marketing', source: 'test' },
  }));
  const carts = Array.from({ length: 12 }, (_, i) => ({
    id: `cart-${i}`,
    type: 'checkout.started',
    occurred_at: NOW.toISOString(),
    contact: { id: `shopper-${i}` },
    properties: { checkout_id: `k-${i}`, total: 40 + i * 10, currency: 'EUR' },
  }));
  await ingest(t.database, [...readers, ...carts], NOW);
  await engine(t.database).tick(NOW);
}

describe.skipIf(!run)(`GET /calendar in Chromium on ${backend}`, () => {
  beforeAll(async () => {
    await seed();
    const services = await openServices(loadConfig({ API_KEYS: API_KEY }), createLogger('silent'), {
      database: t.database,
      migrate: false,
      now: () => NOW,
    });
    server = await serveOnFreePort(services.app.fetch);
    base = server.base;
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows December at 1280 px: newsletters on the Tuesdays, Christmas shaded; next month is January with New Year shaded', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    const outside: string[] = [];
    page.on('request', (r) => !r.url().startsWith(base) && outside.push(r.url()));
    await page.goto(`${base}/calendar?month=2026-12&key=${API_KEY}`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('December 2026');
    const scheduled = page.locator('.day:not(.out) .bar[data-campaign="newsletter"]:not(.ghost)');
    expect(await scheduled.evaluateAll((bars) => bars.map((b) => b.closest('[data-date]')!.getAttribute('data-date')))).toEqual(
      DECEMBER_TUESDAYS,
    );
    for (const date of DECEMBER_TUESDAYS) {
      const bar = page.locator(`[data-date="${date}"] .bar[data-campaign="newsletter"]`);
      expect(await bar.isVisible()).toBe(true);
      expect(await bar.innerText()).toMatch(/^10:00\s*Tuesday newsletter · ≈ \d+\s+each contact's time$/);
    }
    const tuesdayBox = await page.locator('[data-date="2026-12-01"]').boundingBox();
    expect(tuesdayBox!.x).toBeGreaterThan(100); // second column: Monday comes first
    const christmas = page.locator('[data-date="2026-12-25"]');
    expect(await christmas.getAttribute('class')).toContain('blackout');
    expect(await christmas.textContent()).toContain('Blackout: Christmas');
    // page code as strings: this file is compiled without the DOM library; the page runs them
    expect(await page.evaluate<string>(`getComputedStyle(document.querySelector('[data-date="2026-12-25"]')).backgroundImage`)).toContain(
      'repeating-linear-gradient',
    );
    expect(await christmas.locator('.bar.held[data-campaign="friday-deals"]').innerText()).toContain('held: Christmas');
    expect(await page.locator('[data-date="2026-12-10"] .season').innerText()).toBe('Christmas');
    expect(await page.locator('[data-date="2026-12-01"] .total').innerText()).toMatch(/^≈ \d[\d\u202f]* sends$/);
    await page.screenshot({ path: `${ARTIFACTS}/calendar-december-1280.png`, fullPage: true });

    await page.getByRole('link', { name: /next month/i }).click();
    await page.waitForURL(/month=2027-01/);
    expect(await page.locator('h1').textContent()).toBe('January 2027');
    const newYear = page.locator('[data-date="2027-01-01"]');
    expect(await newYear.getAttribute('class')).toContain('blackout');
    expect(await newYear.textContent()).toContain('Blackout: New Year');
    await page.screenshot({ path: `${ARTIFACTS}/calendar-january-1280.png`, fullPage: true });
    expect(outside).toEqual([]);
    await page.close();
  });

  it('highlights today and stacks the days as a list on a 390 px phone, with no sideways scroll', async () => {
    const desktop = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    await desktop.goto(`${base}/calendar?key=${API_KEY}`);
    expect(await desktop.locator('.day.today').getAttribute('data-date')).toBe('2026-11-23');
    await desktop.screenshot({ path: `${ARTIFACTS}/calendar-november-1280.png`, fullPage: true });
    await desktop.close();

    const phone = await browser!.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    await phone.goto(`${base}/calendar?month=2026-12&key=${API_KEY}`);
    const widths = await phone.evaluate<{ scroll: number; client: number }>(
      '({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })',
    );
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    const first = await phone.locator('[data-date="2026-12-01"]').boundingBox();
    const second = await phone.locator('[data-date="2026-12-02"]').boundingBox();
    expect(second!.y).toBeGreaterThan(first!.y); // one day under the other
    expect(first!.width).toBeGreaterThan(300);
    expect(await phone.locator('[data-date="2026-11-30"]').isVisible()).toBe(false); // other months' days are left out
    await phone.screenshot({ path: `${ARTIFACTS}/calendar-december-390.png` });
    await phone.locator('[data-date="2026-12-25"]').scrollIntoViewIfNeeded();
    await phone.screenshot({ path: `${ARTIFACTS}/calendar-december-390-christmas.png` });
    await phone.close();
  });
});

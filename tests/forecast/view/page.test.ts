import { beforeAll, describe, expect, it } from 'vitest';
import { backend, useTestDatabase } from '../../helpers/db';
import { calendarApp } from './app';
import { API_KEY, FRIDAY_DEALS, applySample } from './setup';

const t = useTestDatabase('calendar_page');
beforeAll(() => applySample(t.database, { 'campaigns/friday-deals.yaml': FRIDAY_DEALS }));

const page = (query: string, init?: RequestInit) => calendarApp(t.database).request(`/calendar${query}`, init);

describe(`GET /calendar (HTML month view) on ${backend}`, () => {
  it('escapes campaign names and keeps the key in its own links only', async () => {
    const res = await page(`?month=2026-12&key=${API_KEY}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    expect(html).toContain('Friday deals &#60;b&#62;&#38;&#60;/b&#62; &#34;more&#34;');
    expect(html).not.toContain('<b>&</b>');
    expect(html).toContain(`href="/calendar?month=2027-01&#38;key=${API_KEY}"`);
    expect(html).toContain(`href="/calendar?month=2026-11&#38;key=${API_KEY}"`);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//); // nothing loaded from elsewhere
    // Friday deals at 10:00 New York fall on Christmas (blacked out in Warsaw): shown, marked held
    expect(html).toMatch(
      /data-date="2026-12-25">[\s\S]*?<li class="bar held"[^>]*data-campaign="friday-deals"[^>]*>[\s\S]*?16:00[\s\S]*?10:00 America\/New_York · held: Christmas/,
    );
  });

  it("shows the month of the calendar zone's today by default, and the key is not echoed for a bearer", async () => {
    const html = await (await page('', { headers: { authorization: `Bearer ${API_KEY}` } })).text();
    expect(html).toContain('<h1>November 2026</h1>');
    expect(html).toMatch(/class="day today" data-date="2026-11-23"/);
    expect(html).not.toContain('key=');
  });

  it('answers a bad month with 400 naming it, and no key with 401', async () => {
    const res = await page(`?month=2026-13&key=${API_KEY}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: 'bad_request', message: 'month: expected a month YYYY-MM from 1900 to 2999 (got "2026-13")' },
    });
    expect((await page(`?month=9999-12&key=${API_KEY}`)).status).toBe(400);
    expect((await page('?month=2026-12')).status).toBe(401);
  });
});

import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/runtime/cli';
import type { SimulationReport } from '../../src/simulate/report';
import { launchChromium } from '../helpers/browser';
import { has } from '../helpers/capabilities';

/**
 * `almanac simulate --format …` over a small project of its own, as a marketer reads each format:
 * who did not enter and why (missing consent named, the re-entry rule, no checkout at all), what
 * really happens to a contact without consent in a campaign whose audience does not ask for it
 * (it enters, and its send is suppressed), why each run ended, the runs still going at --to, and
 * the per-campaign numbers; markdown as a PR comment, HTML as a page that escapes a hostile
 * contact id. simulate runs on its own in-memory PGlite: no test database needed.
 */
const scratch = mkdtempSync(join(tmpdir(), 'almanac-simulate-formats-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A contact id a marketer's CSV could carry: markup, quotes, Markdown table and emphasis characters. */
const EVE = `<script>alert('eve')</script>|*eve*`;

const CART = `campaign: cart
purpose: email.marketing
priority: 80
trigger: { event: checkout.started, correlate: checkout_id }
audience:
  all:
    - consent: email.marketing
    - attribute: email
      exists: true
re_entry: never
exit_on:
  - event: order.created
steps:
  - wait: 1h
  - send: cart-reminder
  - wait: 2d
  - send: cart-last-call
`;

// No consent in the audience: consent is then checked only when each send goes out.
const PROMO = `campaign: promo
purpose: email.marketing
priority: 20
trigger: { event: checkout.started }
audience: { attribute: email, exists: true }
re_entry: always
steps:
  - send: cart-discount
`;

const at = (iso: string) => `"occurred_at":"${iso}"`;
const checkout = (id: string, contact: string, when: string, key: string) =>
  `{"id":"${id}","type":"checkout.started",${at(when)},"contact":${contact},"properties":{"checkout_id":"${key}","total":50,"currency":"EUR","url":"https://shop.example/cart/${key}","items":[]}}`;
const EVENTS = [
  // Cy is only a contact line: no checkout, so no campaign ever triggers for Cy.
  '{"contact":{"id":"cy","email":"cy@example.com","timezone":"Europe/Warsaw"}}',
  `{"id":"bo-consent","type":"consent.granted",${at('2026-11-01T09:00:00Z')},"contact":{"id":"bo","email":"bo@example.com","timezone":"Europe/Warsaw"},"properties":{"purpose":"email.marketing"}}`,
  `{"id":"eve-consent","type":"consent.granted",${at('2026-11-01T09:00:00Z')},"contact":${JSON.stringify({ id: EVE, email: 'eve@example.com', timezone: 'Europe/Warsaw' })},"properties":{"purpose":"email.marketing"}}`,
  // Ana (known by email only) never consented.
  checkout('ana-1', '{"email":"ana@example.com","timezone":"Europe/Warsaw"}', '2026-11-23T10:00:00Z', 'k-ana'),
  // Bo's second cart meets `re_entry: never`; the promo mail and the reminder compete for the 1-a-day cap.
  checkout('bo-1', '{"id":"bo"}', '2026-11-23T10:00:00Z', 'k-bo-1'),
  checkout('bo-2', '{"id":"bo"}', '2026-11-23T12:00:00Z', 'k-bo-2'),
  checkout('eve-1', JSON.stringify({ id: EVE }), '2026-11-23T10:30:00Z', 'k-eve'),
  `{"id":"eve-order","type":"order.created",${at('2026-11-23T10:45:00Z')},"contact":${JSON.stringify({ id: EVE })},"properties":{"order_id":"o-eve","checkout_id":"k-eve","total":50,"currency":"EUR","items":[]}}`,
].join('\n');

const project = join(scratch, 'shop');
const events = join(project, 'events.ndjson');
beforeAll(() => {
  mkdirSync(join(project, 'campaigns'), { recursive: true });
  cpSync(join(process.cwd(), 'templates'), join(project, 'templates'), { recursive: true });
  cpSync(join(process.cwd(), 'campaigns', 'calendar.yaml'), join(project, 'campaigns', 'calendar.yaml'));
  writeFileSync(join(project, 'campaigns', 'cart.yaml'), CART);
  writeFileSync(join(project, 'campaigns', 'promo.yaml'), PROMO);
  writeFileSync(events, `${EVENTS}\n`);
});

async function simulate(...extra: string[]) {
  let out = '';
  let err = '';
  const argv = ['simulate', project, '--events', events, '--from', '2026-11-23T00:00:00Z', '--to', '2026-11-24T12:00:00Z', ...extra];
  const code = await main(argv, { env: {}, out: (s) => (out += s), err: (s) => (err += s), cwd: process.cwd() });
  return { code, out, err };
}

// Each call is a whole simulation on a fresh in-memory PGlite: seconds each on a busy machine.
const SLOW = { timeout: 120_000 };

describe('almanac simulate --format', () => {
  it('text: who did not enter and why, what happens without consent, why runs ended, the numbers per campaign', SLOW, async () => {
    const { code, out, err } = await simulate();
    expect({ code, err }).toEqual({ code: 0, err: '' });
    // Consent is in the cart's audience: Ana is kept out, and the line says which part failed.
    expect(out).toMatch(
      /^Mon 2026-11-23 11:00 Europe\/Warsaw +ana@example\.com +cart +- +skipped not entered: no consent for email\.marketing \(never given\)$/m,
    );
    expect(out).toContain('\n  ana@example.com did not enter cart: no consent for email.marketing (never given)\n');
    // The promo does not ask for consent: Ana enters, and the gate suppresses the send (what really happens).
    expect(out).toMatch(
      /^.* +ana@example\.com +promo +send cart-discount +suppressed cart-discount \(no consent for email\.marketing \(never given\)\)$/m,
    );
    // Cy had no checkout at all; Bo's second cart meets the re-entry rule (Bo is in the cart once, so no line below).
    expect(out).toContain('\n  cy did not enter cart: no checkout.started event\n');
    expect(out).toContain('\n  cy did not enter promo: no checkout.started event\n');
    expect(out).toMatch(/^Mon 2026-11-23 13:00 Europe\/Warsaw +bo +cart +- +skipped not entered: the re-entry rule/m);
    expect(out).not.toContain('bo did not enter');
    // Why runs ended, and where the unfinished ones stand when the clock stops.
    expect(out).toMatch(/^.*alert.* +cart +- +exited left: order\.created happened \(exit_on\)$/m);
    expect(out).toMatch(
      /^Tue 2026-11-24 13:00 Europe\/Warsaw +bo +cart +wait 2d +running still running when the simulation ended: waiting \(wait 2d\) until Thu 2026-11-26 11:00 Europe\/Warsaw$/m,
    );
    expect(out).toMatch(
      /^.* +bo +promo +send cart-discount +deferred cart-discount held until Wed 2026-11-25 11:00 Europe\/Warsaw \(frequency cap/m,
    );
    // The numbers: entered, held out, did not enter, sent, held, cancelled, suppressed, failed.
    expect(out).toMatch(/^per campaign +entered +held out +did not enter +sent +held +cancelled +suppressed +failed$/m);
    expect(out).toMatch(/^cart +2 +0 +2 +1 +1 +0 +0 +0$/m);
    expect(out).toMatch(/^promo +4 +0 +1 +2 +1 +0 +1 +0$/m);
    expect(out).toMatch(/^ {2}cart +1 +left: order\.created happened \(exit_on\)$/m);
    expect(out).toMatch(/^ {2}cart +1 +still running when the simulation ended$/m);
    expect(out).toMatch(/^ {2}promo +3 +completed: reached the end of its steps$/m);
  });

  it('json: the same report, UTC beside local time, the same bytes every time; --json is --format json', SLOW, async () => {
    const first = await simulate('--format', 'json');
    const second = await simulate('--json');
    expect(first.code).toBe(0);
    expect(second.out).toBe(first.out);
    const report = JSON.parse(first.out) as SimulationReport;
    expect(Object.keys(report)).toEqual(['from', 'to', 'timeline', 'not_entered', 'summary']);
    const running = report.timeline.find((e) => e.contact === 'bo' && e.campaign === 'cart' && e.outcome === 'running');
    expect(running).toMatchObject({
      time: '2026-11-24T12:00:00Z',
      local: 'Tue 2026-11-24 13:00 Europe/Warsaw',
      step: 'steps[2]',
      label: 'wait 2d',
    });
    const reminder = report.timeline.find((e) => e.contact === 'bo' && e.label === 'send cart-reminder');
    expect(reminder).toMatchObject({ outcome: 'sent', reason: 'cap:any:1/1d', held: true });
    expect(report.not_entered).toEqual([
      { contact: 'ana@example.com', campaign: 'cart', reason: 'audience', detail: 'no consent for email.marketing (never given)' },
      { contact: 'cy', campaign: 'cart', reason: 'no_event', detail: 'no checkout.started event' },
      { contact: 'cy', campaign: 'promo', reason: 'no_event', detail: 'no checkout.started event' },
    ]);
    expect(report.summary.map((s) => [s.campaign, s.entered, s.not_entered, s.sent, s.held, s.suppressed, s.ended])).toEqual([
      [
        'cart',
        2,
        2,
        1,
        1,
        0,
        [
          { reason: 'exit_on:order.created', words: 'left: order.created happened (exit_on)', runs: 1 },
          { reason: 'running', words: 'still running when the simulation ended', runs: 1 },
        ],
      ],
      [
        'promo',
        4,
        1,
        2,
        1,
        1,
        [
          { reason: 'completed', words: 'completed: reached the end of its steps', runs: 3 },
          { reason: 'running', words: 'still running when the simulation ended', runs: 1 },
        ],
      ],
    ]);
  });

  it('markdown: a summary table and a table per campaign, a hostile contact id inert', SLOW, async () => {
    const { code, out } = await simulate('--format', 'markdown');
    expect(code).toBe(0);
    expect(out).toMatch(/^## almanac simulate: 2026-11-23T00:00:00Z → 2026-11-24T12:00:00Z$/m);
    expect(out).toMatch(
      /^\| campaign \| entered \| held out \| did not enter \| sent \| held \| cancelled \| suppressed \| failed \| how runs ended \|$/m,
    );
    expect(out).toMatch(
      /^\| cart \| 2 \| 0 \| 2 \| 1 \| 1 \| 0 \| 0 \| 0 \| 1 left: order.created happened \(exit\\_on\); 1 still running when the simulation ended \|$/m,
    );
    expect(out).toContain('\n### cart\n');
    expect(out).toContain('\n### promo\n');
    expect(out).toContain('- ana@example.com: no consent for email.marketing (never given)');
    // Every table row has the header's five cells: the id's `|` is escaped, its markup is text.
    const cart = out.slice(out.indexOf('### cart'), out.indexOf('### promo'));
    const rows = cart.split('\n').filter((l) => l.startsWith('| '));
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length - 2, row).toBe(5);
    expect(out).not.toContain('<script>');
    expect(out).toContain("&lt;script&gt;alert('eve')&lt;/script&gt;\\|\\*eve\\*");
  });

  it('html: a self-contained page with a timeline per contact, everything escaped', SLOW, async () => {
    const file = join(scratch, 'simulation.html');
    const { code, out, err } = await simulate('--format', 'html', '--out', file);
    expect({ code, out }).toEqual({ code: 0, out: '' });
    expect(err).toContain(`wrote ${file} (html)`);
    const html = readFileSync(file, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    // No script, no external asset: nothing to fetch, nothing to run.
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\/(?!shop\.example)/i);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
    expect(html).toContain('<h3>&#60;script&#62;alert(&#39;eve&#39;)&#60;/script&#62;|*eve*</h3>');
    // Tags open and close in pairs (a parse-level check that holds without a browser).
    for (const tag of ['html', 'head', 'body', 'table', 'section', 'ol', 'ul', 'li', 'h3']) {
      const opened = html.match(new RegExp(`<${tag}[\\s>]`, 'g'))?.length ?? 0;
      expect(html.match(new RegExp(`</${tag}>`, 'g'))?.length ?? 0, tag).toBe(opened);
    }

    if (!has('chromium', 'the simulate page rendered in Chromium')) return;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.setContent(html);
      // No script element came out of the hostile id: it is the heading's text.
      expect(await page.locator('script').count()).toBe(0);
      expect(await page.locator('section.contact h3').allTextContents()).toEqual([EVE, 'ana@example.com', 'bo', 'cy'].sort());
      // Bo's timeline is on the page, with the held reminder and the run still waiting.
      const bo = page.locator('section.contact', { has: page.locator('h3', { hasText: /^bo$/ }) });
      await expect.poll(() => bo.locator('ol.timeline').isVisible()).toBe(true);
      expect(await bo.locator('ol.timeline li').allInnerTexts()).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^Tue 2026-11-24 11:00 Europe\/Warsaw cart send cart-reminder sent cart-reminder \(held since/),
          expect.stringMatching(/running still running when the simulation ended: waiting \(wait 2d\)/),
        ]),
      );
      expect(await page.locator('#summary tbody th').allTextContents()).toEqual(['cart', 'promo']);
      const ana = page.locator('section.contact', { has: page.locator('h3', { hasText: 'ana@example.com' }) });
      expect(await ana.locator('ul.absent li').allInnerTexts()).toEqual(['cart: no consent for email.marketing (never given)']);
    } finally {
      await browser.close();
    }
  });

  it('exits 2 naming the formats on an unknown --format', async () => {
    const r = await simulate('--format', 'pdf');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--format: "pdf" is not one of text, json, markdown, html');
  });
});

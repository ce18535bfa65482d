import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSimulation } from '../../src/runtime/simulation';
import { parseNdjson, type SimulationInput } from '../../src/simulate/input';
import { formatTimeline } from '../../src/simulate/format/text';
import { at, compileInline } from '../helpers/engine';

/**
 * `almanac simulate` with a `webhook` step: gated and rendered as for real, never called. The URL
 * points at a live server on 127.0.0.1 that counts requests, and it must count none.
 */
let requests = 0;
let url = '';
const server = createServer((_req, res) => {
  requests++;
  res.end();
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const files = () => ({
  'campaigns/calendar.yaml': 'timezone: Europe/Warsaw\nquiet_hours: { from: "21:00", to: "08:00" }\n',
  'campaigns/cart-sms.yaml': `campaign: cart-sms
purpose: email.marketing
trigger: { event: checkout.started }
steps:
  - id: sms
    webhook:
      url: ${url}
      body: { to: "{{contact.phone}}", total: "{{cart.total}}", text: "Your cart of {{cart.total}} {{cart.currency}}" }
  - update: { nudged: true }
`,
});

const lines = (events: unknown[]) => events.map((e) => JSON.stringify(e)).join('\n');
const contact = (id: string) => ({ id, email: `${id}@example.com`, timezone: 'Europe/Warsaw', attributes: { phone: `+48-${id}` } });
const consent = (id: string) => ({
  id: `${id}-c`,
  type: 'consent.granted',
  occurred_at: '2026-11-23T07:00:00Z',
  contact: contact(id),
  properties: { purpose: 'email.marketing' },
});
const cart = (id: string, when: string) => ({
  id: `${id}-k`,
  type: 'checkout.started',
  occurred_at: when,
  contact: contact(id),
  properties: { total: 129.5, currency: 'EUR' },
});

describe('simulate and the webhook step', () => {
  it('shows "would call" with the rendered body, holds a night call until quiet hours end, suppresses without consent, and calls nothing', async () => {
    const input: SimulationInput = { events: [], contacts: [] };
    const from = at('2026-11-23T08:00:00Z');
    parseNdjson(
      'events.ndjson',
      lines([
        consent('ada'),
        consent('bo'),
        cart('ada', '2026-11-23T10:00:00Z'),
        cart('bo', '2026-11-23T21:30:00Z'),
        cart('cy', '2026-11-23T11:00:00Z'),
      ]),
      input,
      from,
    );
    const { timeline } = await runSimulation({
      project: compileInline(files(), []),
      input,
      from: at('2026-11-23T07:30:00Z'),
      to: at('2026-11-25T00:00:00Z'),
      templatesDir: join(process.cwd(), 'templates'),
    });
    // (Keys come in the order the stored plan's jsonb keeps them: JSON objects are unordered.)
    const calls = timeline.filter((e) => e.step === 'sms').map((e) => `${e.contact} ${e.time} ${e.outcome} ${e.detail}`);
    expect(calls).toEqual([
      `ada 2026-11-23T10:00:00Z would_call webhook POST ${url} (would call) 62 bytes {"to":"+48-ada","text":"Your cart of 129.5 EUR","total":129.5}`,
      `cy 2026-11-23T11:00:00Z suppressed webhook POST ${url} (no consent for email.marketing (never given))`,
      `bo 2026-11-24T07:00:00Z would_call webhook POST ${url} (would call) 61 bytes {"to":"+48-bo","text":"Your cart of 129.5 EUR","total":129.5} (held before: quiet hours)`,
    ]);
    expect(timeline.filter((e) => e.outcome === 'completed').map((e) => e.contact)).toEqual(['ada', 'cy', 'bo']);
    expect(formatTimeline(timeline)).toMatch(/ sms +would_call webhook POST /);
    expect(requests).toBe(0);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHURN_ALERT } from './fixtures';
import { runSimulation } from '../../src/runtime/simulation';
import { parseNdjson, type SimulationInput } from '../../src/simulate/input';
import { compileInline } from '../helpers/engine';

/**
 * Issue 15: a lifecycle stage change is an event that starts a journey in `almanac simulate`
 * too (the same analytics phase runs in its engine). Ola bought once on 1 July; with the default
 * LIFECYCLE_CHURN_DAYS (120) she starts churning on 29 October at 10:00 — inside the simulated
 * week — and the churn alert, triggered by `lifecycle.changed` to churning, mails her. Piotr
 * bought in October and stays new: nothing for him.
 */
const lines = [
  {
    id: 'ola-consent',
    type: 'consent.granted',
    occurred_at: '2026-06-01T10:00:00Z',
    contact: { id: 'ola', email: 'ola@example.com', timezone: 'Europe/Warsaw' },
    properties: { purpose: 'email.marketing' },
  },
  {
    id: 'ola-order',
    type: 'order.created',
    occurred_at: '2026-07-01T10:00:00Z',
    contact: { id: 'ola' },
    properties: { order_id: 'o-1', total: 50, currency: 'EUR' },
  },
  {
    id: 'piotr-consent',
    type: 'consent.granted',
    occurred_at: '2026-06-01T10:00:00Z',
    contact: { id: 'piotr', email: 'piotr@example.com', timezone: 'Europe/Warsaw' },
    properties: { purpose: 'email.marketing' },
  },
  {
    id: 'piotr-order',
    type: 'order.created',
    occurred_at: '2026-10-01T10:00:00Z',
    contact: { id: 'piotr' },
    properties: { order_id: 'o-2', total: 70, currency: 'EUR' },
  },
];

describe('lifecycle changes in almanac simulate', () => {
  it('time alone makes a customer churning, which starts the journey triggered on lifecycle.changed', { timeout: 120_000 }, async () => {
    const from = new Date('2026-10-26T00:00:00Z');
    const to = new Date('2026-11-02T00:00:00Z');
    const input: SimulationInput = { events: [], contacts: [] };
    parseNdjson('story.ndjson', lines.map((l) => JSON.stringify(l)).join('\n'), input, from);
    const project = compileInline(
      {
        'campaigns/calendar.yaml': readFileSync('campaigns/calendar.yaml', 'utf8'),
        'campaigns/churn-alert.yaml': CHURN_ALERT,
      },
      readdirSync('templates'),
    );
    const result = await runSimulation({ project, input, from, to, templatesDir: join(process.cwd(), 'templates') });
    const mine = result.timeline.filter((e) => e.campaign === 'churn-alert');
    expect(mine.map((e) => [e.contact, e.outcome])).toEqual([
      ['ola', 'entered'],
      ['ola', 'sent'],
      ['ola', 'completed'],
    ]);
    // Entered on the 29th, 120 days after her order (the first tick at or after 10:00 UTC).
    expect(mine[0]!.time.slice(0, 10)).toBe('2026-10-29');
  });
});

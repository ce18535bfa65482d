import { readdirSync, readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics';
import { createBroadcastsPhase } from '../../src/scheduler/broadcasts-phase';
import { createPlanCache } from '../../src/campaigns/plan-cache';
import { backend, useTestDatabase } from '../helpers/db';
import { DAY, HOUR, MINUTE, applyInline, at, engine, ingest, plus, query } from '../helpers/engine';

const t = useTestDatabase('broadcasts');
const templates = readdirSync('templates');
const newsletter = readFileSync('campaigns/newsletter.yaml', 'utf8');
const calendar = readFileSync('campaigns/calendar.yaml', 'utf8'); // Europe/Warsaw
const MON = at('2026-11-23T00:00:00Z'); // a Monday; Tuesday 10:00 Warsaw = 09:00Z, New York = 15:00Z

const person = (id: string, timezone?: string) => ({ id, email: `${id}@example.com`, ...(timezone ? { timezone } : {}) });
const consent = (id: string, timezone?: string) => ({
  id: `${id}-consent`,
  type: 'consent.granted',
  occurred_at: '2026-11-01T00:00:00Z',
  contact: person(id, timezone),
  properties: { purpose: 'email.marketing', source: 'test' },
});
const runsFor = (campaign: string) =>
  query<{ contact: string; entry_key: string; status: string }>(
    t.database,
    sql`select c.external_id as contact, r.entry_key, r.status from runs r join contacts c on c.id = r.contact_id
        where r.campaign = ${campaign} order by c.external_id, r.entry_key`,
  );

describe(`broadcast fan-out on ${backend}`, () => {
  it('starts each contact at 10:00 in their own zone (the calendar zone when they have none), once', async () => {
    await applyInline(t.database, { 'campaigns/newsletter.yaml': newsletter, 'campaigns/calendar.yaml': calendar }, templates, MON);
    await ingest(
      t.database,
      [
        consent('waw', 'Europe/Warsaw'),
        consent('nyc', 'America/New_York'),
        consent('none'),
        {
          id: 'silent',
          type: 'contact.created',
          occurred_at: '2026-11-01T00:00:00Z',
          contact: person('silent', 'Europe/Warsaw'),
          properties: {},
        },
      ],
      MON,
    );
    const { tick } = engine(t.database, { dispatch: true });
    await tick(MON);
    expect(await runsFor('newsletter')).toEqual([]);
    await tick(at('2026-11-24T08:59:59Z'));
    expect(await runsFor('newsletter')).toEqual([]);
    await tick(at('2026-11-24T09:00:00Z'));
    // The newsletter went out in this tick; each run goes on (and completes) once its send is settled.
    expect(await runsFor('newsletter')).toEqual([
      { contact: 'none', entry_key: 'occurrence:2026-11-24T10:00', status: 'active' },
      { contact: 'waw', entry_key: 'occurrence:2026-11-24T10:00', status: 'active' },
    ]);
    await tick(at('2026-11-24T09:00:05Z')); // a repeated pass starts nothing
    expect((await runsFor('newsletter')).map((r) => r.status)).toEqual(['completed', 'completed']);
    await tick(at('2026-11-24T15:00:00Z'));
    const tuesday = await runsFor('newsletter');
    expect(tuesday.map((r) => r.contact)).toEqual(['none', 'nyc', 'waw']); // 'silent' has no consent
    const [sends] = await query<{ n: number }>(t.database, sql`select count(*)::int as n from sends where campaign = 'newsletter'`);
    expect(sends?.n).toBe(3);
  });

  it('a second engine ticking the same occurrence at the same time starts nothing twice', async () => {
    const a = engine(t.database, { dispatch: true });
    const b = engine(t.database, { dispatch: true });
    await Promise.all([a.tick(at('2026-12-01T09:00:00Z')), b.tick(at('2026-12-01T09:00:00Z'))]);
    const dec1 = (await runsFor('newsletter')).filter((r) => r.entry_key === 'occurrence:2026-12-01T10:00');
    expect(dec1.map((r) => r.contact)).toEqual(['none', 'waw']);
    await a.tick(at('2026-12-01T09:00:01Z')); // the runs go on after their sends and complete
    expect((await runsFor('newsletter')).every((r) => r.status === 'completed')).toBe(true);
  });

  it('skips occurrences missed while the engine was down for more than 6 hours, and counts them', async () => {
    const { tick, metrics } = engine(t.database, { dispatch: true });
    // Last pass was 2026-12-01T09:00Z; the engine comes back two weeks later, at noon UTC on a Tuesday.
    await tick(at('2026-12-15T12:00:00Z'));
    const keys = new Set((await runsFor('newsletter')).map((r) => r.entry_key));
    expect(keys.has('occurrence:2026-12-08T10:00')).toBe(false);
    expect(keys.has('occurrence:2026-12-15T10:00')).toBe(true); // 3 h ago: within the catch-up window
    expect(await metrics.render()).toMatch(/almanac_broadcast_occurrences_missed_total\{campaign="newsletter"\} [1-9]/);
    await tick(at('2026-12-15T12:00:01Z')); // the runs go on after their sends and complete
  });

  it('fans out range by range, two at once, and counts every run it started', async () => {
    const phase = createBroadcastsPhase(
      { database: t.database, plans: createPlanCache(), metrics: new Metrics(), batchSize: 100 },
      { idSpan: 3 },
    );
    const started = await phase.run(at('2026-12-22T09:00:00Z')); // Tuesday 22 Dec, 10:00 Warsaw
    const runs = (await runsFor('newsletter')).filter((r) => r.entry_key === 'occurrence:2026-12-22T10:00');
    expect(runs.map((r) => r.contact)).toEqual(['none', 'waw']);
    expect(started).toBe(runs.length);
  });

  it('draws the holdout for broadcast runs too, and sends them nothing', async () => {
    const flash = `campaign: flash-sale
purpose: email.marketing
trigger:
  at: 2027-01-05T12:00
  timezone: UTC
audience: { consent: email.marketing }
holdout: 50%
steps:
  - send: newsletter
`;
    const T = at('2027-01-05T11:00:00Z');
    await applyInline(t.database, { 'campaigns/flash-sale.yaml': flash, 'campaigns/calendar.yaml': calendar }, templates, T);
    const people = Array.from({ length: 40 }, (_, i) => consent(`f${i}`, 'Europe/Warsaw'));
    await ingest(t.database, people, T);
    const { tick } = engine(t.database, { dispatch: true });
    await tick(T);
    await tick(plus(T, HOUR));
    const runs = await runsFor('flash-sale');
    const held = runs.filter((r) => r.status === 'holdout').length;
    expect(runs.length).toBeGreaterThanOrEqual(43); // every consenting contact, incl. the earlier ones
    expect(held).toBeGreaterThan(runs.length * 0.25);
    expect(held).toBeLessThan(runs.length * 0.75);
    const [sends] = await query<{ n: number }>(t.database, sql`select count(*)::int as n from sends where campaign = 'flash-sale'`);
    expect(sends?.n).toBe(runs.length - held);
    await tick(plus(T, DAY + MINUTE));
    expect((await runsFor('flash-sale')).length).toBe(runs.length); // a one-off fires once
  });
});

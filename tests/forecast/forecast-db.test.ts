import { readdirSync, readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { forecast } from '../../src/forecast/forecast';
import { backend, useTestDatabase } from '../helpers/db';
import { DAY, HOUR, applyInline, at, engine, ingest, plus, query } from '../helpers/engine';

const t = useTestDatabase('forecast_db');
const templates = readdirSync('templates');
const newsletter = readFileSync('campaigns/newsletter.yaml', 'utf8');
const calendar = `timezone: Europe/Warsaw
quiet_hours: { from: "21:00", to: "08:00" }
blackout:
  - { date: 2026-12-08, reason: Stocktake }
frequency_caps:
  - { purpose: email.marketing, max: 3, per: 7d }
on_conflict: defer
`;
const promo = `campaign: promo
purpose: email.marketing
priority: 50
trigger: { event: promo.go }
audience: { consent: email.marketing }
steps:
  - wait: 1h
  - send: welcome-1
`;
const files = { 'campaigns/calendar.yaml': calendar, 'campaigns/newsletter.yaml': newsletter, 'campaigns/promo.yaml': promo };

const consent = (id: string, timezone?: string, granted = true) => ({
  id: `${id}-consent`,
  type: granted ? 'consent.granted' : 'contact.created',
  occurred_at: '2026-11-01T00:00:00Z',
  contact: { id, email: `${id}@example.com`, ...(timezone ? { timezone } : {}) },
  properties: { purpose: 'email.marketing', source: 'test' },
});
const MON = at('2026-11-30T11:00:00Z'); // Monday 12:00 in Warsaw

describe(`forecast() on ${backend}`, () => {
  it('predicts the sends of runs sleeping before a send, the newsletter per zone on its Tuesdays, and moves the blackout Tuesday', async () => {
    await applyInline(t.database, files, templates, plus(MON, -DAY));
    const people = [
      ...Array.from({ length: 10 }, (_, i) => consent(`waw-${i}`, 'Europe/Warsaw')),
      ...Array.from({ length: 4 }, (_, i) => consent(`nyc-${i}`, 'America/New_York')),
      ...Array.from({ length: 3 }, (_, i) => consent(`none-${i}`)),
      consent('no-consent', 'Europe/Warsaw', false),
    ];
    await ingest(t.database, people, plus(MON, -DAY));
    const go = Array.from({ length: 10 }, (_, i) => ({
      id: `go-${i}`,
      type: 'promo.go',
      occurred_at: MON.toISOString(),
      contact: { id: `waw-${i}` },
      properties: {},
    }));
    await ingest(t.database, go, MON);
    await engine(t.database).tick(MON);
    const [sleeping] = await query<{ n: number }>(
      t.database,
      sql`select count(*)::int as n from runs where campaign = 'promo' and status = 'active' and state->>'phase' = 'sleeping'`,
    );
    expect(sleeping?.n).toBe(10);

    const before = await query<{ n: number }>(t.database, sql`select (select count(*) from runs) + (select count(*) from sends) as n`);
    const rows = await forecast(t.database, { from: at('2026-11-29T23:00:00Z'), to: at('2026-12-15T23:00:00Z') }, MON);
    expect(rows.filter((r) => r.campaign === 'newsletter')).toEqual([
      // 10:00 in each zone: 10 Warsaw + 3 without a zone (Warsaw's) + 4 New York, all on Tuesday in Warsaw;
      // the contact without consent is not counted.
      { date: '2026-12-01', campaign: 'newsletter', sends: 17, deferred: 0, source: 'broadcast' },
      // Tuesday the 8th is a blackout day in Warsaw: everyone goes on Wednesday — Warsaw at 08:00
      // (midnight is in quiet hours), New York at Warsaw's midnight (18:00 on Tuesday there).
      { date: '2026-12-09', campaign: 'newsletter', sends: 17, deferred: 17, source: 'broadcast' },
      { date: '2026-12-15', campaign: 'newsletter', sends: 17, deferred: 0, source: 'broadcast' },
    ]);
    // Today: the 10 sleeping runs. Later days: the trigger rate (10 entries at 12:00 over the one
    // day the campaign has existed) repeats, each sending an hour later; the blackout day's move to the 9th.
    const promo = rows.filter((r) => r.campaign === 'promo').map((r) => [r.date, r.sends, r.deferred]);
    expect(promo[0]).toEqual(['2026-11-30', 10, 0]);
    expect(promo.find((r) => r[0] === '2026-12-08')).toBeUndefined();
    expect(promo.find((r) => r[0] === '2026-12-09')).toEqual(['2026-12-09', 20, 10]);
    expect(promo.filter((r) => r[0] !== '2026-12-09').map((r) => r[1])).toEqual(Array(14).fill(10));
    expect(rows.every((r) => r.source === (r.campaign === 'newsletter' ? 'broadcast' : 'journey'))).toBe(true);
    // Today alone: exactly the sleeping runs.
    expect(await forecast(t.database, { from: MON, to: at('2026-11-30T23:00:00Z') }, MON)).toEqual([
      { date: '2026-11-30', campaign: 'promo', sends: 10, deferred: 0, source: 'journey' },
    ]);
    expect(await query<{ n: number }>(t.database, sql`select (select count(*) from runs) + (select count(*) from sends) as n`)).toEqual(
      before,
    );
  });

  it('a range wholly before now, or empty, forecasts nothing', async () => {
    expect(await forecast(t.database, { from: plus(MON, -7 * DAY), to: plus(MON, -HOUR) }, MON)).toEqual([]);
    expect(await forecast(t.database, { from: MON, to: MON }, MON)).toEqual([]);
  });
});

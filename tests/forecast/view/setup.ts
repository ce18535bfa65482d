import { readdirSync, readFileSync } from 'node:fs';
import type { Database } from '../../../src/storage/db';
import { applyInline, ingest } from '../../helpers/engine';

/**
 * Shared set-up of the calendar view tests: the sample project from campaigns/ applied on the
 * test database (calendar in Europe/Warsaw, newsletter Tuesdays 10:00 each contact's time,
 * Christmas and New Year blacked out, Black Friday and Christmas seasons) and three contacts who
 * consented to marketing mail, on a fixed clock (app.ts builds the HTTP app on it).
 */
export const API_KEY = 'calendar-key-51c2';
export const NOW = new Date('2026-11-23T10:00:00Z'); // a Monday
export const DECEMBER_TUESDAYS = ['2026-12-01', '2026-12-08', '2026-12-15', '2026-12-22', '2026-12-29'];
export const CONTACTS = 3;

/** A broadcast in its own zone, so the view must convert: Fridays 10:00 New York = 16:00 Warsaw. */
export const FRIDAY_DEALS = `campaign: friday-deals
name: Friday deals <b>&</b> "more"
purpose: email.marketing
priority: 30
trigger:
  schedule:
    rrule: "FREQ=WEEKLY;BYDAY=FR;BYHOUR=10;BYMINUTE=0"
    timezone: America/New_York
    start: 2026-11-01T00:00
steps:
  - send: newsletter
`;

export function sampleFiles(overrides: Record<string, string> = {}): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync('campaigns').filter((f) => f.endsWith('.yaml')))
    files[`campaigns/${name}`] = readFileSync(`campaigns/${name}`, 'utf8');
  return { ...files, ...overrides };
}

export async function applySample(database: Database, overrides: Record<string, string> = {}): Promise<void> {
  await applyInline(database, sampleFiles(overrides), readdirSync('templates'), NOW);
  const consent = (id: string) => ({
    id: `${id}-consent`,
    type: 'consent.granted',
    occurred_at: '2026-11-01T00:00:00Z',
    contact: { id, email: `${id}@example.com`, timezone: 'Europe/Warsaw' },
    properties: { purpose: 'email.marketing', source: 'test' },
  });
  await ingest(
    database,
    Array.from({ length: CONTACTS }, (_, i) => consent(`reader-${i + 1}`)),
    NOW,
  );
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/runtime/cli';
import { type Database } from '../../../src/storage/db';
import { openDb } from '../../../src/storage/open';
import { defaultMigrationsDir, loadMigrations, migrate } from '../../../src/storage/migrate';
import { backend, useTestDatabase } from '../../helpers/db';
import { CONTACTS, NOW, applySample } from './setup';

/**
 * `almanac calendar` opens the CONFIGURED database, so the test points its environment at one
 * the test can also write: on PostgreSQL this file's schema (DATABASE_SCHEMA), on PGlite an
 * embedded database in a temporary directory (ALMANAC_DATA_DIR), closed before the CLI opens it.
 */
const t = backend === 'postgres' ? useTestDatabase('calendar_cli') : undefined;
let dataDir: string | undefined;
let env: Record<string, string>;

async function withDatabase(work: (database: Database) => Promise<void>): Promise<void> {
  if (t) return work(t.database);
  const database = await openDb({ kind: 'pglite', dataDir: dataDir!, schema: 'public' });
  try {
    await migrate(database, loadMigrations(defaultMigrationsDir));
    await work(database);
  } finally {
    await database.close();
  }
}

beforeAll(() => {
  if (t) env = { DATABASE_URL: process.env.DATABASE_URL!, DATABASE_SCHEMA: t.schema };
  else {
    dataDir = mkdtempSync(join(tmpdir(), 'almanac-calendar-cli-'));
    env = { ALMANAC_DATA_DIR: dataDir };
  }
});
afterAll(() => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function calendar(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['calendar', ...args], { env, out: (s) => out.push(s), err: (s) => err.push(s), cwd: process.cwd() });
  return { code, out: out.join(''), err: err.join('') };
}

const row = (table: string, date: string) => table.split('\n').find((l) => l.startsWith(date)) ?? '';
/** The line under a day's row: its next broadcast (every day has the sample birthday at 09:00 first). */
const under = (table: string, date: string) => {
  const lines = table.split('\n');
  return lines[lines.findIndex((l) => l.startsWith(date)) + 1] ?? '';
};
const BIRTHDAY = "09:00 Happy birthday \\(each contact's time\\)";

describe(`almanac calendar on ${backend}`, () => {
  it('with nothing applied, shows the occurrences from the files and says so', async () => {
    const r = await calendar('--from', '2026-12-21', '--to', '2026-12-27', '--now', NOW.toISOString());
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Calendar 2026-12-21 to 2026-12-27, times in Europe/Warsaw');
    expect(r.out).toContain('Note: nothing is applied in the database yet: showing occurrences from ./campaigns, without a forecast');
    expect(row(r.out, '2026-12-22')).toMatch(new RegExp(`^2026-12-22 +Tue +season Christmas +${BIRTHDAY}$`));
    expect(under(r.out, '2026-12-22')).toMatch(/^ +10:00 Tuesday newsletter \(each contact's time\)$/);
    expect(row(r.out, '2026-12-25')).toMatch(new RegExp(`^2026-12-25 +Fri +BLACKOUT Christmas +${BIRTHDAY} held by blackout$`));
    // Title, note, blank line, column names, one row per day, and the Tuesday's second broadcast.
    expect(r.out.trim().split('\n')).toHaveLength(4 + 7 + 1);
  });

  it('after apply, reads the database: broadcasts and forecast per day as a table', async () => {
    await withDatabase((database) => applySample(database));
    const r = await calendar('--from', '2026-11-30', '--to', '2026-12-06', '--now', NOW.toISOString());
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('Note:');
    const lines = r.out.split('\n');
    expect(lines[2]).toMatch(/^date +day +blackout \/ season +broadcasts +forecast$/);
    // The birthday broadcast looks every day; nobody here has a birthday, so it forecasts no sends.
    expect(row(r.out, '2026-11-30')).toMatch(new RegExp(`^2026-11-30 +Mon +season Black Friday +${BIRTHDAY}$`));
    expect(row(r.out, '2026-12-01')).toMatch(
      new RegExp(`^2026-12-01 +Tue +season Christmas +${BIRTHDAY} +${CONTACTS} sends \\(Tuesday newsletter ${CONTACTS}\\)$`),
    );
    expect(under(r.out, '2026-12-01')).toMatch(/^ +10:00 Tuesday newsletter \(each contact's time\)$/);
  });

  it('prints the same calendar as JSON or iCalendar', async () => {
    const json = await calendar('--from', '2026-12-01', '--to', '2026-12-01', '--json', '--now', NOW.toISOString());
    expect(JSON.parse(json.out)).toMatchObject({
      timezone: 'Europe/Warsaw',
      days: [{ date: '2026-12-01', occurrences: [{ campaign: 'birthday' }, { campaign: 'newsletter' }], total: CONTACTS }],
    });
    const ics = await calendar('--from', '2026-12-25', '--to', '2026-12-25', '--ics');
    expect(ics.out).toMatch(/^BEGIN:VCALENDAR\r\n[\s\S]*UID:blackout-2026-12-25@almanac\r\n[\s\S]*END:VCALENDAR\r\n$/);
  });

  it('far ahead, January 2100: the Tuesdays with their forecast, at the cost of a near month', async () => {
    const r = await calendar('--from', '2100-01-01', '--to', '2100-01-31', '--now', NOW.toISOString());
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Calendar 2100-01-01 to 2100-01-31, times in Europe/Warsaw');
    expect(row(r.out, '2100-01-05')).toMatch(
      new RegExp(`^2100-01-05 +Tue +${BIRTHDAY} +${CONTACTS} sends \\(Tuesday newsletter ${CONTACTS}\\)$`),
    );
    expect(under(r.out, '2100-01-05')).toMatch(/^ +10:00 Tuesday newsletter \(each contact's time\)$/);
  });

  it('refuses a bad range as a usage error naming the flag', async () => {
    const r = await calendar('--from', '2026-12-01');
    expect(r.code).toBe(2);
    expect(r.err).toContain('almanac calendar: --to: required');
    expect((await calendar('--from', '2026-12-01', '--to', '2026-12-02', '--now', 'tomorrow')).err).toContain(
      '--now: expected an ISO instant',
    );
  });
});

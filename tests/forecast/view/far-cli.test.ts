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
 * `almanac calendar --from 2100-01-01 --to 2100-01-31` over the applied sample finishes within the
 * test's timeout with the forecast of that month (the work-count assertions are in
 * far-future.test.ts; this is the command end to end). Same database set-up as cli.test.ts.
 */
const t = backend === 'postgres' ? useTestDatabase('calendar_far_cli') : undefined;
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

beforeAll(async () => {
  if (t) env = { DATABASE_URL: process.env.DATABASE_URL!, DATABASE_SCHEMA: t.schema };
  else {
    dataDir = mkdtempSync(join(tmpdir(), 'almanac-calendar-far-cli-'));
    env = { ALMANAC_DATA_DIR: dataDir };
  }
  await withDatabase((database) => applySample(database));
}, 60_000);
afterAll(() => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe(`almanac calendar far ahead on ${backend}`, () => {
  it('January 2100: the Tuesdays with their forecast', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['calendar', '--from', '2100-01-01', '--to', '2100-01-31', '--now', NOW.toISOString()], {
      env,
      out: (s) => out.push(s),
      err: (s) => err.push(s),
      cwd: process.cwd(),
    });
    expect(err.join('')).toBe('');
    expect(code).toBe(0);
    const text = out.join('');
    expect(text).toContain('Calendar 2100-01-01 to 2100-01-31, times in Europe/Warsaw');
    const row = (date: string) => text.split('\n').find((l) => l.startsWith(date)) ?? '';
    expect(row('2100-01-05')).toMatch(
      new RegExp(
        `^2100-01-05 +Tue +10:00 Tuesday newsletter \\(each contact's time\\) +${CONTACTS} sends \\(Tuesday newsletter ${CONTACTS}\\)$`,
      ),
    );
  });
});

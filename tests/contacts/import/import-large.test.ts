import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { almanacCli } from '../../helpers/cli';
import { backend, useTestDatabase } from '../../helpers/db';
import { query } from '../../helpers/engine';

/**
 * `almanac import` of a 100 000-row CSV through the CLI entry (`main`, local adapter on the test
 * database): 1 % bad rows of six kinds at known lines, 1 095 duplicates (1 000 next to their
 * original, 95 in later batches), quoted fields with commas; then the same file again.
 */
const t = useTestDatabase('import_large');
const dir = mkdtempSync(join(tmpdir(), 'almanac-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const N = 100_000;
const HEADER =
  'id,email,first_name,last_name,timezone,locale,consent_email_marketing,consent_text,consent_text_version,consent_source,consent_at,plan';
const CONSENT_AT = '2026-05-01T10:00:00Z';
const EMAIL_TEXT = 'Send me news and offers';

/** Row i (1-based) is at line i + 1. */
function rowOf(i: number): { text: string; problem?: { column: string; message: string } } {
  const consent =
    i % 10 >= 1 && i % 10 <= 6
      ? `true,${EMAIL_TEXT},v3,signup-form,${CONSENT_AT}`
      : i % 10 === 7
        ? 'true,,,,' // a grant without its evidence
        : ',,,,';
  const last = i % 1000 === 3 ? '"Smith, Jr."' : `Last${i}`;
  const normal = (id: string, n: number) => `${id},u${n}@example.com,First${i},${last},Europe/Warsaw,pl,${consent},gold`;
  if (i % 100 === 0) {
    switch ((i / 100) % 6) {
      case 0:
        return {
          text: `c-${i},not-an-email,F,L,Europe/Warsaw,pl,,,,,,gold`,
          problem: { column: 'email', message: 'expected an email address' },
        };
      case 1:
        return {
          text: `c-${i},u${i}@example.com,F,L,Mars/Olympus,pl,,,,,,gold`,
          problem: { column: 'timezone', message: 'expected an IANA time zone such as Europe/Warsaw' },
        };
      case 2:
        return {
          text: `,,F,L,Europe/Warsaw,pl,,,,,,gold`,
          problem: { column: 'id', message: 'a row needs an id or an email (or a phone or identifiers)' },
        };
      case 3:
        return { text: `c-${i},u${i}@example.com,F`, problem: { column: '(line)', message: 'expected 12 fields, found 3' } };
      case 4:
        return {
          text: `c-${i},u${i}@example.com,F,L,Europe/Warsaw,pl,true,${EMAIL_TEXT},v3,signup-form,yesterday,gold`,
          problem: { column: 'consent_at', message: 'expected an ISO 8601 timestamp with a zone, such as 2026-05-01T10:00:00Z' },
        };
      default:
        return {
          text: `c-${i},u${i}"x@example.com,F,L,Europe/Warsaw,pl,,,,,,gold`,
          problem: { column: '(line)', message: `unexpected quote inside an unquoted field at column ${`c-${i},u${i}`.length + 1}` },
        };
    }
  }
  if (i % 100 === 50) return { text: normal(`c-${i - 1}`, i - 1).replace(`First${i}`, `Again${i}`) }; // the row before, again
  if (i % 1000 === 77 && i > 5000) return { text: normal(`c-${i % 5000}`, i % 5000) }; // a row of an earlier batch, again
  return { text: normal(`c-${i}`, i) };
}

const csvField = (s: string) => (/[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

function writeBigFile(path: string): string[] {
  const lines = [HEADER];
  const expectedErrors = ['line,column,message'];
  for (let i = 1; i <= N; i++) {
    const r = rowOf(i);
    lines.push(r.text);
    if (r.problem) expectedErrors.push(`${i + 1},${csvField(r.problem.column)},${csvField(r.problem.message)}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return expectedErrors;
}

const count = async (table: string) =>
  Number((await query<{ n: number | string }>(t.database, sql.raw(`select count(*) as n from ${table}`)))[0]!.n);

describe(`almanac import of 100 000 rows on ${backend}`, () => {
  it('imports in batches: counts, the errors file line by line, contacts and consent rows; a second run adds nothing', async () => {
    const file = join(dir, 'contacts.csv');
    const expectedErrors = writeBigFile(file);
    expect(expectedErrors).toHaveLength(1001);

    const started = performance.now();
    const first = await almanacCli(['import', file, '--json'], { local: t.database });
    const ms = performance.now() - started;
    console.log(`import of ${N} rows on ${backend}: ${Math.round(ms)} ms`);
    expect(first.code, first.err).toBe(0);
    const summary = JSON.parse(first.out);
    expect(summary).toEqual({
      dry_run: false,
      rows: 100_000,
      created: 97_905,
      updated: 0,
      duplicates: 1_095,
      errors: 1_000,
      without_consent: 10_000,
      consent_recorded: 60_000,
      triggered: 0,
      merged: 0,
      conflicts: 0,
      errors_file: join(dir, 'contacts.errors.csv'),
    });
    // Not a TTY: plain progress lines on stderr.
    expect(first.err).toMatch(/^almanac import: read \d+ rows \(\d+%\), \d+ rows\/s$/m);
    expect(first.err).toMatch(/^almanac import: wrote 97905 of 97905 contacts \(100%\), \d+\/s, ETA 0s$/m);

    const errorsFile = readFileSync(join(dir, 'contacts.errors.csv'), 'utf8');
    expect(errorsFile.split('\n').slice(0, -1)).toEqual(expectedErrors);
    expect(errorsFile.split('\n').slice(1, 7)).toEqual([
      '101,timezone,expected an IANA time zone such as Europe/Warsaw',
      '201,id,a row needs an id or an email (or a phone or identifiers)',
      '301,(line),"expected 12 fields, found 3"',
      '401,consent_at,"expected an ISO 8601 timestamp with a zone, such as 2026-05-01T10:00:00Z"',
      '501,(line),unexpected quote inside an unquoted field at column 11',
      '601,email,expected an email address',
    ]);

    expect(await count('contacts')).toBe(97_905);
    expect(await count('consent_records')).toBe(60_000);
    expect(await count('events')).toBe(0);
    // Last row wins; a quoted field keeps its comma; other columns are attributes.
    const [c49] = await query<{ email: string; attributes: Record<string, string>; timezone: string; locale: string }>(
      t.database,
      sql`select email, attributes, timezone, locale from contacts where external_id = 'c-49'`,
    );
    expect(c49).toEqual({
      email: 'u49@example.com',
      attributes: { first_name: 'Again50', last_name: 'Last50', plan: 'gold' },
      timezone: 'Europe/Warsaw',
      locale: 'pl',
    });
    const [c3] = await query<{ last: string }>(
      t.database,
      sql`select attributes->>'last_name' as last from contacts where external_id = 'c-1003'`,
    );
    expect(c3!.last).toBe('Smith, Jr.');
    const [grant] = await query<Record<string, unknown>>(
      t.database,
      sql`select r.purpose, r.granted, r.text, r.text_version, r.source, r.occurred_at from consent_records r
          join contacts c on c.id = r.contact_id where c.external_id = 'c-1'`,
    );
    expect({ ...grant, occurred_at: new Date(String(grant!.occurred_at)).toISOString() }).toEqual({
      purpose: 'email.marketing',
      granted: true,
      text: EMAIL_TEXT,
      text_version: 'v3',
      source: 'signup-form',
      occurred_at: '2026-05-01T10:00:00.000Z',
    });
    expect(
      await query(t.database, sql`select 1 from consent_records r join contacts c on c.id = r.contact_id where c.external_id = 'c-7'`),
    ).toEqual([]);

    // Again: the same contacts updated, nothing new.
    const again = await almanacCli(['import', file, '--json'], { local: t.database });
    expect(again.code, again.err).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ rows: 100_000, created: 0, updated: 97_905, consent_recorded: 0, errors: 1_000 });
    expect(await count('contacts')).toBe(97_905);
    expect(await count('consent_records')).toBe(60_000);
    expect(readFileSync(join(dir, 'contacts.errors.csv'), 'utf8')).toBe(errorsFile);

    // A dry run over the stored list: all would be updates; nothing written.
    const dry = await almanacCli(['import', file, '--dry-run', '--json'], { local: t.database });
    expect(dry.code, dry.err).toBe(0);
    expect(JSON.parse(dry.out)).toMatchObject({ dry_run: true, created: 0, updated: 97_905, consent_recorded: 0, errors: 1_000 });
    expect(await count('contacts')).toBe(97_905);
  }, 240_000);
});

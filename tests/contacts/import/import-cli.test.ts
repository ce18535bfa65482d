import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/http/app';
import { Metrics } from '../../../src/metrics';
import { almanacCli } from '../../helpers/cli';
import { backend, useTestDatabase } from '../../helpers/db';
import { applyInline, engine, query } from '../../helpers/engine';

/**
 * `almanac import` on small files through the CLI entry (`main`, local adapter): dry run, --map,
 * quoted line breaks, consent evidence, NDJSON withdrawals, the errors file, journeys only with
 * --trigger; and `POST /v1/contacts/import`.
 */
const t = useTestDatabase('import_cli');
const dir = mkdtempSync(join(tmpdir(), 'almanac-import-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const count = async (table: string, where = 'true') =>
  Number((await query<{ n: number | string }>(t.database, sql.raw(`select count(*) as n from ${table} where ${where}`)))[0]!.n);

const CSV = `Customer ID,E-mail,first_name,timezone,consent_email_marketing,consent_text,consent_text_version,consent_source,consent_at,note
s-1,Ada@Example.com,Ada,europe/warsaw,true,Send me news,v1,checkout,2026-04-01T09:00:00Z,"line one
line two, with comma"
s-2,bo@example.com,Bo,,true,,,,,plain
s-3,bad-email,Cy,,,,,,,x
s-4,dee@example.com,Dee,US/Pacific,yes,Send me news,v1,checkout,2026-04-02T09:00:00+02:00,
`;
const MAP = 'E-mail=email,Customer ID=id';

describe(`almanac import (small files) on ${backend}`, () => {
  it('--dry-run reads and checks everything and writes nothing', async () => {
    const file = join(dir, 'list.csv');
    writeFileSync(file, CSV);
    const dry = await almanacCli(['import', file, '--map', MAP, '--dry-run'], { local: t.database });
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toBe(
      'dry run, nothing written: 4 rows read\n' +
        '  contacts created: 3 (would be)\n' +
        '  contacts updated: 0 (would be)\n' +
        '  duplicates collapsed: 0\n' +
        '  errors: 1\n' +
        '  without consent: 1\n' +
        '  consent recorded: 2 (would be)\n',
    );
    expect(dry.err).toContain('line 5, email: expected an email address\n');
    expect(await count('contacts')).toBe(0);
    expect(await count('consent_records')).toBe(0);
    expect(existsSync(join(dir, 'list.errors.csv'))).toBe(false);
  });

  it('imports with --map: quoted line breaks, canonical zones, evidence-less grants counted, errors beside the file', async () => {
    const file = join(dir, 'list.csv');
    const run = await almanacCli(['import', file, '--map', MAP, '--json'], { local: t.database });
    expect(run.code, run.err).toBe(0);
    expect(JSON.parse(run.out)).toEqual({
      dry_run: false,
      rows: 4,
      created: 3,
      updated: 0,
      duplicates: 0,
      errors: 1,
      without_consent: 1,
      consent_recorded: 2,
      triggered: 0,
      merged: 0,
      conflicts: 0,
      errors_file: join(dir, 'list.errors.csv'),
    });
    expect(readFileSync(join(dir, 'list.errors.csv'), 'utf8')).toBe('line,column,message\n5,email,expected an email address\n');
    const rows = await query<{ external_id: string; email: string; timezone: string | null; attributes: Record<string, unknown> }>(
      t.database,
      sql`select external_id, email, timezone, attributes from contacts order by external_id`,
    );
    expect(rows).toEqual([
      {
        external_id: 's-1',
        email: 'ada@example.com',
        timezone: 'Europe/Warsaw',
        attributes: { first_name: 'Ada', note: 'line one\nline two, with comma' },
      },
      { external_id: 's-2', email: 'bo@example.com', timezone: null, attributes: { first_name: 'Bo', note: 'plain' } },
      { external_id: 's-4', email: 'dee@example.com', timezone: 'America/Los_Angeles', attributes: { first_name: 'Dee' } },
    ]);
    // Bo's grant had no evidence: no ledger row.
    expect(await count('consent_records r join contacts c on c.id = r.contact_id', `c.external_id = 's-2'`)).toBe(0);
    expect(await count('consent_records', `granted and text_version = 'v1' and source = 'checkout'`)).toBe(2);
    expect(await count('events')).toBe(0);

    const again = await almanacCli(['import', file, '--map', MAP, '--json'], { local: t.database });
    expect(JSON.parse(again.out)).toMatchObject({ created: 0, updated: 3, consent_recorded: 0 });
    expect(await count('consent_records')).toBe(2);
  });

  it('NDJSON: a withdrawal over a grant, JSON attributes, an unreadable line; again appends nothing', async () => {
    const file = join(dir, 'more.ndjson');
    writeFileSync(
      file,
      [
        '{"id":"s-1","consent_email_marketing":false,"consent_source":"crm","consent_at":"2026-04-10T00:00:00Z"}',
        '{"id":"s-5","email":"eve@example.com","vip":true}',
        'not json',
        '{"email":"ada@example.com","first_name":"Ada2"}',
        '{"id":"s-2","consent_email_marketing":false}',
      ].join('\n'),
    );
    const errors = join(dir, 'more-problems.csv');
    const run = await almanacCli(['import', file, '--errors', errors, '--json'], { local: t.database });
    expect(run.code, run.err).toBe(0);
    expect(JSON.parse(run.out)).toMatchObject({ rows: 5, created: 1, updated: 2, errors: 1, consent_recorded: 1 }); // s-1 (twice: by id and by email) and s-2;
    expect(readFileSync(errors, 'utf8')).toMatch(/^line,column,message\n3,\(line\),"?not JSON: .+\n$/);
    const [withdrawal] = await query<{ granted: boolean; source: string }>(
      t.database,
      sql`select r.granted, r.source from consent_records r join contacts c on c.id = r.contact_id
          where c.external_id = 's-1' order by r.occurred_at desc limit 1`,
    );
    expect(withdrawal).toEqual({ granted: false, source: 'crm' });
    expect(await query(t.database, sql`select attributes from contacts where external_id = 's-5'`)).toEqual([
      { attributes: { vip: true } },
    ]);
    expect(await query(t.database, sql`select attributes->>'first_name' as f from contacts where external_id = 's-1'`)).toEqual([
      { f: 'Ada2' },
    ]);
    const again = await almanacCli(['import', file, '--errors', errors, '--json'], { local: t.database });
    expect(JSON.parse(again.out)).toMatchObject({ created: 0, consent_recorded: 0 });
    expect(await count('consent_records')).toBe(3);
  });

  it('imported contacts start no contact.created journey; with --trigger the new ones do', async () => {
    const now = new Date();
    await applyInline(
      t.database,
      { 'campaigns/welcome.yaml': readFileSync('campaigns/welcome.yaml', 'utf8') },
      ['welcome-1', 'welcome-2', 'welcome-thanks', 'welcome-first-order'],
      now,
    );
    const header = 'id,email,consent_email_marketing,consent_text,consent_text_version,consent_source,consent_at\n';
    const evidence = 'true,Send me news,v1,signup,2026-04-01T09:00:00Z';
    const quiet = join(dir, 'quiet.csv');
    writeFileSync(quiet, `${header}w-1,w1@example.com,${evidence}\n`);
    expect((await almanacCli(['import', quiet], { local: t.database })).code).toBe(0);
    const { tick } = engine(t.database);
    await tick(new Date(Date.now() + 1000));
    expect(await count('runs')).toBe(0);

    const loud = join(dir, 'loud.csv');
    writeFileSync(loud, `${header}w-1,w1@example.com,${evidence}\nw-2,w2@example.com,${evidence}\n`);
    const run = await almanacCli(['import', loud, '--trigger', '--json'], { local: t.database });
    expect(JSON.parse(run.out)).toMatchObject({ created: 1, updated: 1, triggered: 1 });
    await tick(new Date(Date.now() + 2000));
    const runs = await query<{ external_id: string }>(
      t.database,
      sql`select c.external_id from runs r join contacts c on c.id = r.contact_id order by 1`,
    );
    expect(runs).toEqual([{ external_id: 'w-2' }]);
    // Again with --trigger: nobody is new, no event, no second run.
    expect(JSON.parse((await almanacCli(['import', loud, '--trigger', '--json'], { local: t.database })).out)).toMatchObject({
      created: 0,
      triggered: 0,
      merged: 0,
      conflicts: 0,
    });
    expect(await count('events', `type = 'contact.created'`)).toBe(1);
  });

  it('headers in any case, an address guessing the zone, rows merging two stored contacts, a grant after an erasure', async () => {
    // Two stored contacts that one row of the file will say are one person.
    const file = join(dir, 'people.csv');
    writeFileSync(file, 'id,email\nm-1,m1@example.com\nm-2,m2@example.com\n');
    expect((await almanacCli(['import', file], { local: t.database })).code).toBe(0);
    writeFileSync(
      file,
      [
        'ID, Email ,Phone,Country-Code,Province,City,First Name',
        'm-1,M2@example.com,+48 601 555 001,US,New York,,Mia',
        'm-3,m3@example.com,,AU,Western Australia,Perth,Oz',
      ].join('\n') + '\n',
    );
    const run = await almanacCli(['import', file, '--json'], { local: t.database });
    expect(run.code, run.err).toBe(0);
    expect(JSON.parse(run.out)).toMatchObject({ rows: 2, created: 1, updated: 1, merged: 1, errors: 0 });
    const [m1] = await query<{
      id: number;
      external_id: string;
      timezone: string;
      timezone_source: string;
      locale: string;
      attributes: unknown;
    }>(
      t.database,
      sql`select c.id, c.external_id, c.timezone, c.timezone_source, c.locale, c.attributes from contacts c
          join contact_identifiers i on i.contact_id = c.id where i.identifier = 'email:m2@example.com'`,
    );
    // "Email" and "Phone" are the known columns; "First Name" stays an attribute as written; the address is not kept.
    expect(m1).toMatchObject({
      external_id: 'm-1',
      timezone: 'America/New_York',
      timezone_source: 'address',
      locale: 'en',
      attributes: { 'First Name': 'Mia' },
    });
    expect(await count('contact_identifiers', `contact_id = ${m1!.id}`)).toBe(5);
    expect(await count('contacts', `attributes ? 'Country-Code' or attributes ? 'City'`)).toBe(0);
    expect((await query<{ timezone: string }>(t.database, sql`select timezone from contacts where external_id = 'm-3'`))[0]).toEqual({
      timezone: 'Australia/Perth',
    });

    // m-3 is erased; an import with a grant dated before the erasure leaves the address suppressed, one dated after lifts it.
    expect((await almanacCli(['contact', 'erase', 'm-3', '--yes'], { local: t.database })).code).toBe(0);
    const erasedAt = Date.now();
    const again = (at: string) =>
      `id,email,consent_email_marketing,consent_text,consent_text_version,consent_source,consent_at\nm-3b,m3@example.com,true,Send me news,v2,form,${at}\n`;
    writeFileSync(file, again('2026-01-01T00:00:00Z'));
    expect((await almanacCli(['import', file], { local: t.database })).code).toBe(0);
    expect(await count('suppressions', `reason = 'erased'`)).toBe(1);
    writeFileSync(file, again(new Date(erasedAt + 1000).toISOString()));
    expect(JSON.parse((await almanacCli(['import', file, '--json'], { local: t.database })).out)).toMatchObject({ consent_recorded: 1 });
    expect(await count('suppressions', `reason = 'erased'`)).toBe(0);
  });

  it('POST /v1/contacts/import: the summary with problems inline; content type and key checked', async () => {
    const app = createApp({
      database: t.database,
      metrics: new Metrics(),
      bodyLimitBytes: 1024 * 1024,
      log: () => {},
      apiKeys: ['imp-key'],
    });
    const post = (body: string, type: string, query = '', key = 'imp-key') =>
      app.request(`/v1/contacts/import${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': type },
        body,
      });
    const csv = 'id,email,timezone\nh-1,h1@example.com,Europe/Paris\nh-2,,Nowhere/Land\n,,\nh-1,h1b@example.com,\n';
    const dry = await post(csv, 'text/csv', '?dry_run=true');
    expect(dry.status).toBe(200);
    expect(await dry.json()).toMatchObject({ dry_run: true, created: 1, errors: 2 });
    expect(await count('contacts', `external_id like 'h-%'`)).toBe(0);

    const res = await post(csv, 'text/csv; charset=utf-8');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      dry_run: false,
      rows: 4,
      created: 1,
      updated: 0,
      duplicates: 1,
      errors: 2,
      without_consent: 0,
      consent_recorded: 0,
      triggered: 0,
      merged: 0,
      conflicts: 0,
      problems: [
        { line: 3, column: 'timezone', message: 'expected an IANA time zone such as Europe/Warsaw' },
        { line: 4, column: 'id', message: 'a row needs an id or an email (or a phone or identifiers)' },
      ],
      problems_truncated: false,
    });
    // Last row wins: h-1 has the later email, and kept its zone (an empty cell leaves it).
    expect(await query(t.database, sql`select email, timezone from contacts where external_id = 'h-1'`)).toEqual([
      { email: 'h1b@example.com', timezone: 'Europe/Paris' },
    ]);
    const nd = await post('{"id":"h-3","email":"h3@example.com"}\n', 'application/x-ndjson', '?map=');
    expect(await nd.json()).toMatchObject({ created: 1 });
    expect((await post(csv, 'application/json')).status).toBe(415);
    expect((await post(csv, 'text/csv', '', 'wrong')).status).toBe(401);
  });
});

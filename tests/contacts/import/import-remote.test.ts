import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/http/app';
import { Metrics } from '../../../src/metrics';
import { serveOnFreePort } from '../../helpers/browser';
import { almanacCli } from '../../helpers/cli';
import { backend, useTestDatabase } from '../../helpers/db';
import { query } from '../../helpers/engine';

/**
 * `almanac import` through a running server (what a new user hits after `npm start`: the server
 * owns the embedded database): the file is streamed to `POST /v1/admin/contacts/import`, progress
 * and problems stream back, the errors file is written as locally, and the summary is the same;
 * the import routes are not bound by BODY_LIMIT_BYTES but by IMPORT_MAX_BYTES, which stops an
 * import with a clear error before any contact is written (the file is staged whole first).
 */
const t = useTestDatabase('import_remote');
const dir = mkdtempSync(join(tmpdir(), 'almanac-import-remote-'));
const ADMIN_KEY = 'import-remote-admin-key-0123456789';
let server: { base: string; close(): Promise<void> };
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeAll(async () => {
  const app = createApp({
    database: t.database,
    metrics: new Metrics(),
    // Far below the file: the import routes have their own limit.
    bodyLimitBytes: 1024,
    importMaxBytes: 64 * 1024,
    log: () => {},
    apiKeys: ['imp-api-key'],
    adminKeys: [ADMIN_KEY],
  });
  server = await serveOnFreePort(app.fetch);
});

const rows = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) =>
    (from + i) % 97 === 0 ? `r-${from + i},not-an-email,X` : `r-${from + i},r${from + i}@example.com,N${from + i}`,
  ).join('\n');

describe(`almanac import through a running server on ${backend}`, () => {
  it('streams the file in and progress, problems and the summary out; the same as a local run', async () => {
    const file = join(dir, 'list.csv');
    writeFileSync(file, `id,email,first_name\n${rows(1, 600)}\n`);
    const run = await almanacCli(['import', file, '--json'], { remote: { base: server.base, key: ADMIN_KEY } });
    expect(run.code, run.err).toBe(0);
    expect(run.err).toContain(`through the Almanac server at ${server.base}`);
    // 600 rows, 6 bad (97, 194, …, 582): written beside the file as a local run writes them.
    expect(JSON.parse(run.out)).toMatchObject({ dry_run: false, rows: 600, created: 594, updated: 0, errors: 6 });
    const errors = readFileSync(join(dir, 'list.errors.csv'), 'utf8').split('\n');
    expect(errors[0]).toBe('line,column,message');
    expect(errors.slice(1, 7)).toEqual([98, 195, 292, 389, 486, 583].map((line) => `${line},email,expected an email address`));
    expect(await query(t.database, sql`select count(*)::int as n from contacts where external_id like 'r-%'`)).toEqual([{ n: 594 }]);
    // Again: nothing new.
    const again = await almanacCli(['import', file, '--json'], { remote: { base: server.base, key: ADMIN_KEY } });
    expect(JSON.parse(again.out)).toMatchObject({ created: 0, updated: 594 });
  });

  it('IMPORT_MAX_BYTES stops an import part-way with a clear error, on both routes', async () => {
    const file = join(dir, 'big.csv');
    writeFileSync(file, `id,email\n${Array.from({ length: 4000 }, (_, i) => `b-${i},b${i}@example.com`).join('\n')}\n`);
    const run = await almanacCli(['import', file], { remote: { base: server.base, key: ADMIN_KEY } });
    expect(run.code).toBe(1);
    expect(run.err).toContain('larger than IMPORT_MAX_BYTES (65536 bytes)');
    expect(existsSync(join(dir, 'big.errors.csv'))).toBe(false);
    // The public route: a declared length over the limit is a 413 at once…
    const declared = await fetch(`${server.base}/v1/contacts/import`, {
      method: 'POST',
      headers: { authorization: 'Bearer imp-api-key', 'content-type': 'text/csv' },
      body: readFileSync(file, 'utf8'),
    });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    // …a streamed body (no length) stops when it passes it, and the last line says why.
    const text = readFileSync(file, 'utf8');
    const chunks = Array.from({ length: Math.ceil(text.length / 8192) }, (_, k) => text.slice(k * 8192, (k + 1) * 8192));
    const res = await fetch(`${server.base}/v1/contacts/import`, {
      method: 'POST',
      headers: { authorization: 'Bearer imp-api-key', 'content-type': 'text/csv', accept: 'application/x-ndjson' },
      body: new ReadableStream({
        pull(controller) {
          const next = chunks.shift();
          if (next === undefined) controller.close();
          else controller.enqueue(new TextEncoder().encode(next));
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'application/x-ndjson; charset=utf-8']);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.at(-1)).toEqual({
      error: { code: 'payload_too_large', message: expect.stringContaining('IMPORT_MAX_BYTES (65536 bytes)') },
    });
    // The file is staged whole before any contact is written: a body over the limit writes nothing.
    expect(await query(t.database, sql`select count(*)::int as n from contacts where external_id like 'b-%'`)).toEqual([{ n: 0 }]);
    // A small list passes the public route although it is larger than BODY_LIMIT_BYTES.
    const small = await fetch(`${server.base}/v1/contacts/import`, {
      method: 'POST',
      headers: { authorization: 'Bearer imp-api-key', 'content-type': 'text/csv', accept: 'application/x-ndjson' },
      body: `id,email,first_name\n${rows(1000, 100)}\n`,
    });
    const out = (await small.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out.filter((l) => 'problem' in l)).toEqual([{ problem: { line: 69, column: 'email', message: 'expected an email address' } }]);
    expect(out.at(-1)).toMatchObject({ summary: { rows: 100, errors: 1 } });
  });
});

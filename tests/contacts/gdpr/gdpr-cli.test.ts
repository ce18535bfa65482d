import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalAdmin } from '../../../src/cli/admin-local';
import type { CliEngine } from '../../../src/cli/command';
import { hashAddress } from '../../../src/consent/address-hash';
import { createApp } from '../../../src/http/app';
import { Metrics } from '../../../src/metrics';
import { createCliEngine, main } from '../../../src/runtime/cli';
import { backend, useTestDatabase } from '../../helpers/db';
import { ingest, query } from '../../helpers/engine';
import { digest, rowsMentioning } from './fixtures';

/**
 * `almanac contact export|erase` with `main` from src/runtime/cli: through the local adapter on
 * the test database, and through a real server on a real port (ALMANAC_URL, the admin API).
 * Both must print the same.
 */
const t = useTestDatabase('gdpr_cli');
const ADMIN_KEY = 'admin-key-gdpr-5e1a';
const KEY = 'gdpr-cli-suppression-key-0123';
const NOW = new Date('2026-11-23T10:00:00Z');
let server: ServerType;
let url = '';

beforeAll(async () => {
  const app = createApp({
    database: t.database,
    metrics: new Metrics(),
    bodyLimitBytes: 1024 * 1024,
    log: () => {},
    apiKeys: ['ingest-key-gdpr'],
    adminKeys: [ADMIN_KEY],
    suppressionKey: KEY,
    now: () => NOW,
  });
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const [n, id] of ['cl-ada', 'cl-bo', 'cl-cy'].entries()) {
    const contact = { id, email: `${id}@example.com`, timezone: 'Europe/Warsaw' };
    await ingest(
      t.database,
      [
        { id: `${id}-g`, type: 'consent.granted', occurred_at: NOW.toISOString(), contact, properties: { purpose: 'email.marketing' } },
        {
          id: `${id}-o`,
          type: 'order.created',
          occurred_at: NOW.toISOString(),
          contact,
          properties: { order_id: `o-100${n}`, total: 10, currency: 'EUR' },
        },
      ],
      NOW,
    );
  }
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function almanac(how: 'remote' | 'local', args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const local: CliEngine = { ...createCliEngine(), admin: (config) => createLocalAdmin(config, (_config, fn) => fn(t.database)) };
  const env = { SUPPRESSION_KEY: KEY, ...(how === 'remote' ? { ALMANAC_URL: url, ALMANAC_API_KEY: ADMIN_KEY } : {}) };
  const code = await main(args, {
    env,
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    cwd: process.cwd(),
    ...(how === 'local' ? { engine: local } : {}),
  });
  return { code, out: out.join(''), err: err.join('') };
}

describe(`almanac contact export|erase on ${backend}`, () => {
  it('export prints the same JSON locally and through the server, and changes nothing', async () => {
    const before = await digest(t.database);
    const local = await almanac('local', ['contact', 'export', 'cl-ada']);
    const remote = await almanac('remote', ['contact', 'export', 'cl-ada']);
    expect(local).toMatchObject({ code: 0, err: '' });
    expect(remote.code).toBe(0);
    expect(remote.err).toBe(`almanac contact: through the Almanac server at ${url}\n`);
    expect(remote.out).toBe(local.out);
    const data = JSON.parse(local.out);
    expect(data.contact).toMatchObject({ id: 'cl-ada', email: 'cl-ada@example.com' });
    expect(data.orders).toEqual([expect.objectContaining({ order_id: 'o-1000', total: '10.00' })]);
    expect(local.out).not.toContain('cl-bo');
    expect(await digest(t.database)).toEqual(before);
  });

  it('erase without --yes says what it would delete, exits 2 and changes nothing (both ways)', async () => {
    const before = await digest(t.database);
    for (const how of ['local', 'remote'] as const) {
      const r = await almanac(how, ['contact', 'erase', 'cl-bo']);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toContain('not erasing without --yes');
      expect(r.err).toContain('  events: 2\n');
      expect(r.err).toContain('  consent_records: 1\n');
    }
    expect(await digest(t.database)).toEqual(before);
  });

  it('erase --yes prints the same locally and through the server; the log is source cli; a second erase exits 1', async () => {
    const local = await almanac('local', ['contact', 'erase', 'cl-bo', '--yes']);
    const remote = await almanac('remote', ['contact', 'erase', 'cl-cy', '--yes']);
    expect(local).toMatchObject({ code: 0, err: '' });
    expect(remote.code).toBe(0);
    expect(remote.out.replaceAll('cl-cy', 'cl-bo')).toBe(local.out);
    expect(local.out).toContain('  events: 2\n');
    expect(local.out).toContain('address kept only as an HMAC suppression');
    for (const id of ['cl-bo', 'cl-cy']) {
      expect(await rowsMentioning(t.database, id)).toEqual({});
      expect(
        await query(t.database, sql`select reason, source from suppressions where address_hash = ${hashAddress(`${id}@example.com`, KEY)}`),
      ).toEqual([{ reason: 'erased', source: 'cli' }]);
    }
    expect(await query(t.database, sql`select source from erasures order by id`)).toEqual([{ source: 'cli' }, { source: 'cli' }]);
    for (const how of ['local', 'remote'] as const) {
      const again = await almanac(how, ['contact', 'erase', 'cl-bo', '--yes']);
      expect(again).toMatchObject({ code: 1, out: '' });
      expect(again.err).toContain('no contact with external id "cl-bo"');
    }
  });

  it('unknown contacts exit 1; bad usage exits 2; --help is the command’s own', async () => {
    for (const how of ['local', 'remote'] as const) {
      const r = await almanac(how, ['contact', 'export', 'nobody']);
      expect(r.code).toBe(1);
      expect(r.err).toContain('no contact with external id "nobody"');
    }
    expect((await almanac('local', ['contact', 'delete', 'x'])).code).toBe(2);
    expect((await almanac('local', ['contact', 'export'])).code).toBe(2);
    const help = await almanac('local', ['contact', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('almanac contact erase ID [--yes]');
    expect((await almanac('local', ['--help'])).out).toMatch(/contact\s+GDPR: export/);
  });
});
